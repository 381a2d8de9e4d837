//! `trustpress import answers`: an answer library, as questionnaire tools export it (one row
//! per answer: question, answer, category, and often an id, a short yes/no, alternative
//! phrasings, mapped controls, an owner), into `faq/imported-<category>.yaml`, one file per
//! category. Every answer is written `audience: internal`: nothing becomes public until a
//! person has read it and said so. Ids come from the sheet's id column or are made
//! (`FAQ-IMP-001`), and never collide with an id the content already has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::columns::{find_header, Keywords, Roles};
use super::control_id::{self, CellId};
use super::sheet::{self, Table};
use super::soa::Problem;
use super::values::{self, Read};
use super::yaml_text::{block, flow_list, read_back, scalar};
use super::{column_letter, display_name, ImportError, Place};
use crate::model::{FaqAnswer, Response};

/// The header words of each column of an answer library, tried in this order.
pub const ANSWER_COLUMNS: Keywords = &[
    // A filled CAIQ read as an answer library: CSA's own headers, before the general words
    // they hold ("CSP CAIQ Answer" is the short answer, not the answer's text).
    ("ssrm", &["ssrm control ownership", "ssrm", "control ownership"]),
    (
        "csc_responsibilities",
        &[
            "csc responsibilities",
            "csc responsibility",
            "customer responsibilities",
            "customer responsibility",
        ],
    ),
    ("answer", &["csp implementation description", "implementation description"]),
    ("response", &["csp caiq answer"]),
    (
        "also_asked_as",
        &[
            "alternate questions",
            "alternate question",
            "alternative questions",
            "alternative question",
            "also asked as",
            "question variants",
            "variants",
            "other phrasings",
            "synonyms",
        ],
    ),
    ("response", &["short answer", "yes no", "yes no na", "y n", "compliant"]),
    (
        "id",
        &["question id", "answer id", "entry id", "library id", "record id", "id", "ref", "reference", "key"],
    ),
    ("question", &["question", "questions", "question text", "prompt"]),
    (
        "answer",
        &[
            "answer",
            "answers",
            "answer text",
            "response",
            "responses",
            "content",
            "library answer",
            "approved answer",
        ],
    ),
    (
        "category",
        &["category", "categories", "section", "topic", "domain", "stack", "collection", "folder", "group"],
    ),
    (
        "controls",
        &["controls", "iso controls", "iso 27001 controls", "annex a", "control ids", "mapped controls"],
    ),
    ("caiq", &["caiq", "caiq id", "caiq ids", "caiq question id", "caiq reference"]),
    ("owner", &["owner", "answer owner", "subject matter expert", "sme"]),
    ("reviewed", &["last reviewed", "reviewed", "reviewed on", "review date"]),
];

/// The roles a `--column` flag may name.
pub const ROLES: &[&str] = &[
    "id",
    "question",
    "answer",
    "category",
    "response",
    "also_asked_as",
    "controls",
    "caiq",
    "ssrm",
    "csc_responsibilities",
    "owner",
    "reviewed",
];

const HEADER_WITHIN_ROWS: usize = 30;

pub struct AnswersOptions {
    pub input: PathBuf,
    pub content: PathBuf,
    pub sheet: Option<String>,
    /// Relative to the content folder [default: `faq`].
    pub out_folder: PathBuf,
    pub header_row: Option<usize>,
    pub columns: BTreeMap<String, usize>,
}

/// One answer as it will be written.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub id: String,
    /// Where it came from: `library.xlsx, sheet "Answers", row 5`.
    pub place: String,
    pub question: String,
    pub category: Option<String>,
    pub answer: String,
    pub response: Option<Response>,
    pub also_asked_as: Vec<String>,
    pub controls: Vec<String>,
    pub caiq: Vec<String>,
    pub ssrm: Option<crate::model::Ssrm>,
    pub csc_responsibilities: Option<String>,
    pub owner: Option<String>,
    pub reviewed: Option<crate::date::Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetLayout {
    pub sheet: Option<String>,
    /// From 1.
    pub header_row: usize,
    /// Role → column letter.
    pub columns: BTreeMap<String, String>,
    /// Columns with a header the import does not read: `G "Tags"`.
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswersReport {
    pub input: String,
    pub sheets: Vec<SheetLayout>,
    /// File written (relative to the content folder) → the ids in it.
    pub files: BTreeMap<String, Vec<String>>,
    pub imported: Vec<Imported>,
    /// Rows not imported, and why.
    pub skipped: Vec<Problem>,
    /// Values not understood (left out of the answer).
    pub not_understood: Vec<Problem>,
    pub out_folder: PathBuf,
}

pub fn import(options: &AnswersOptions) -> Result<AnswersReport, ImportError> {
    let out_folder = &options.out_folder;
    if out_folder.is_absolute() || out_folder.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(ImportError::Usage(format!(
            "--out-folder `{}`: expected a folder inside the content folder, such as `faq`",
            out_folder.display()
        )));
    }
    let tables = sheet::read(&options.input, options.sheet.as_deref())?;
    let name = display_name(&options.input);
    let existing = existing_ids(&options.content)?;

    let mut found: Vec<(&Table, usize, Roles)> = Vec::new();
    let mut reasons = Vec::new();
    for table in &tables {
        match layout(table, options) {
            Ok((row, roles)) => found.push((table, row, roles)),
            Err(reason) => reasons.push(format!("{}: {reason}", Place::file(&name, table.sheet.as_deref()))),
        }
    }
    if found.is_empty() {
        return Err(ImportError::Input(match reasons.as_slice() {
            [one] => one.clone(),
            many => format!("no sheet holds an answer library:\n  {}", many.join("\n  ")),
        }));
    }
    let several = found.len() > 1;
    let mut report = AnswersReport {
        input: name.clone(),
        sheets: Vec::new(),
        files: BTreeMap::new(),
        imported: Vec::new(),
        skipped: Vec::new(),
        not_understood: Vec::new(),
        out_folder: out_folder.clone(),
    };
    // Ids from the sheet's id column, then made ones for the rest.
    let mut taken: BTreeSet<String> = existing.iter().map(|id| id.to_lowercase()).collect();
    let mut collisions = Vec::new();
    let mut pending: Vec<(Imported, bool)> = Vec::new();
    for (table, header_row, roles) in &found {
        let place = Place::file(&name, table.sheet.as_deref());
        let header = table.rows.get(*header_row).cloned().unwrap_or_default();
        let used: BTreeSet<usize> = roles.values().filter_map(|c| c.first().copied()).collect();
        report.sheets.push(SheetLayout {
            sheet: table.sheet.clone(),
            header_row: header_row + 1,
            columns: roles
                .iter()
                .filter_map(|(role, cols)| cols.first().map(|c| (role.to_string(), column_letter(*c))))
                .collect(),
            ignored_columns: header
                .iter()
                .enumerate()
                .filter(|(c, h)| !used.contains(c) && !h.trim().is_empty())
                .map(|(c, h)| format!("{} \"{}\"", column_letter(c), h.trim()))
                .collect(),
        });
        let column = |role: &str| roles.get(role).and_then(|c| c.first().copied());
        let (question_col, answer_col) = (column("question").unwrap_or(0), column("answer").unwrap_or(0));
        for row in header_row + 1..table.rows.len() {
            let question = clean(table.cell(row, question_col));
            let answer = clean(table.cell(row, answer_col));
            let skip = |reason: &str, col: usize, value: &str| Problem {
                place: place.cell(row, Some(col)).to_string(),
                row: row + 1,
                control: None,
                field: None,
                value: value.to_string(),
                reason: reason.to_string(),
            };
            if let Some(col) = [question_col, answer_col]
                .into_iter()
                .find(|&c| table.cell(row, c).is_empty() && table.uncomputed(row, c))
            {
                report.skipped.push(skip(super::sheet::UNCOMPUTED, col, ""));
                continue;
            }
            match (question.is_empty(), answer.is_empty()) {
                (true, true) => continue,
                (false, true) => {
                    report.skipped.push(skip(
                        "no answer: a heading, or a question still to answer; not imported",
                        answer_col,
                        &question,
                    ));
                    continue;
                }
                (true, false) => {
                    report.skipped.push(skip(
                        "an answer without a question; not imported",
                        question_col,
                        &answer,
                    ));
                    continue;
                }
                _ => {}
            }
            if let Some((col, text)) =
                [(question_col, &question), (answer_col, &answer)].into_iter().find(|(_, t)| {
                    crate::audience_blocks::may_have_blocks(t)
                        || crate::audience_blocks::leftover(t).is_some()
                })
            {
                report.skipped.push(skip(
                    "holds a line that looks like an audience block (`:::`): write the answer as content by hand",
                    col,
                    text,
                ));
                continue;
            }
            let mut problem = |col: usize, field: &str, value: &str, reason: &str| {
                report.not_understood.push(Problem {
                    place: place.cell(row, Some(col)).to_string(),
                    row: row + 1,
                    control: None,
                    field: Some(field.to_string()),
                    value: value.to_string(),
                    reason: reason.to_string(),
                })
            };
            let text = |role: &str| column(role).map(|c| clean(table.cell(row, c))).filter(|t| !t.is_empty());
            let mut imported = Imported {
                id: String::new(),
                place: place.cell(row, None).to_string(),
                question: question.clone(),
                category: text("category").or_else(|| if several { table.sheet.clone() } else { None }),
                answer: answer.clone(),
                response: None,
                also_asked_as: Vec::new(),
                controls: Vec::new(),
                caiq: Vec::new(),
                ssrm: None,
                csc_responsibilities: text("csc_responsibilities"),
                owner: text("owner"),
                reviewed: None,
            };
            if let (Some(c), Some(value)) = (column("response"), text("response")) {
                match values::response(&value) {
                    Read::Value(response) => imported.response = Some(response),
                    Read::Empty => {}
                    Read::NotUnderstood => {
                        problem(c, "response", &value, "expected Yes, No or N/A; left out")
                    }
                }
            }
            if let Some(value) = text("also_asked_as") {
                imported.also_asked_as = value
                    .split(['\n', '|'])
                    .map(|q| q.trim().to_string())
                    .filter(|q| !q.is_empty() && *q != question)
                    .collect();
                imported.also_asked_as.dedup();
            }
            if let (Some(c), Some(value)) = (column("controls"), text("controls")) {
                let annex_a = crate::catalog::iso27001_2022();
                for part in value.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
                    match control_id::parse(part) {
                        CellId::Id { id, rest, .. } if rest.is_empty() && annex_a.control(&id).is_some() => {
                            if !imported.controls.contains(&id) {
                                imported.controls.push(id);
                            }
                        }
                        _ => problem(
                            c,
                            "controls",
                            part,
                            "not an ISO/IEC 27001:2022 Annex A control id; left out",
                        ),
                    }
                }
            }
            if let Some(value) = text("caiq") {
                imported.caiq = value
                    .split([',', ';', '\n', ' '])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            if let (Some(c), Some(value)) = (column("ssrm"), text("ssrm")) {
                match values::ssrm(&value) {
                    Read::Value(ssrm) => imported.ssrm = Some(ssrm),
                    Read::Empty => {}
                    Read::NotUnderstood => problem(
                        c,
                        "ssrm",
                        &value,
                        "expected CSP-owned, CSC-owned, 3rd-party outsourced, Shared CSP and CSC or Shared CSP and 3rd-party; left out",
                    ),
                }
            }
            if let (Some(c), Some(value)) = (column("reviewed"), text("reviewed")) {
                match super::soa::parse_date_text(&value) {
                    Some(date) => imported.reviewed = Some(date),
                    None => problem(c, "reviewed", &value, "expected a date (YYYY-MM-DD); left out"),
                }
            }
            let from_sheet = column("id").map(|c| table.cell(row, c)).filter(|t| !t.is_empty());
            let id = from_sheet.map(id_from_sheet).filter(|id| !id.is_empty());
            match id {
                Some(id) => {
                    if !taken.insert(id.to_lowercase()) {
                        let why = if existing.iter().any(|e| e.eq_ignore_ascii_case(&id)) {
                            "the content already has an answer with this id"
                        } else {
                            "an earlier row has this id"
                        };
                        collisions.push(format!("{}: {id}: {why}", place.cell(row, column("id"))));
                    }
                    imported.id = id;
                    pending.push((imported, true));
                }
                None => pending.push((imported, false)),
            }
        }
    }
    if !collisions.is_empty() {
        return Err(ImportError::Input(format!(
            "{name}: answer ids must be unique across the content; nothing was written:\n  {}",
            collisions.join("\n  ")
        )));
    }
    let made = pending.iter().filter(|(_, has)| !has).count();
    let width = made.to_string().len().max(3);
    let mut next = 1;
    for (imported, has_id) in &mut pending {
        if !*has_id {
            loop {
                let id = format!("FAQ-IMP-{next:0width$}");
                next += 1;
                if taken.insert(id.to_lowercase()) {
                    imported.id = id;
                    break;
                }
            }
        }
    }
    report.imported = pending.into_iter().map(|(i, _)| i).collect();
    if report.imported.is_empty() {
        return Err(ImportError::Input(format!(
            "{name}: no row holds both a question and an answer; nothing was written"
        )));
    }

    // One file per category, by its slug.
    let mut by_file: BTreeMap<String, Vec<&Imported>> = BTreeMap::new();
    for imported in &report.imported {
        by_file
            .entry(format!("imported-{}.yaml", slug(imported.category.as_deref())))
            .or_default()
            .push(imported);
    }
    let folder = options.content.join(out_folder);
    let exists: Vec<String> = by_file
        .keys()
        .filter(|f| std::fs::symlink_metadata(folder.join(f)).is_ok())
        .map(|f| folder.join(f).display().to_string())
        .collect();
    if !exists.is_empty() {
        return Err(ImportError::Usage(format!(
            "{} already exist{}: import never replaces a file; move {} away (or import into another --out-folder) and run it again",
            exists.join(", "),
            if exists.len() == 1 { "s" } else { "" },
            if exists.len() == 1 { "it" } else { "them" }
        )));
    }
    let mut texts = Vec::new();
    for (file, answers) in &by_file {
        let text = file_text(&name, answers);
        verify(&text, answers)
            .map_err(|e| ImportError::Content(format!("{file}: {e}; nothing was written")))?;
        texts.push((file.clone(), text));
        report.files.insert(
            out_folder.join(file).display().to_string().replace('\\', "/"),
            answers.iter().map(|a| a.id.clone()).collect(),
        );
    }
    for (file, text) in texts {
        super::write_whole(&folder.join(file), text.as_bytes(), false)?;
    }
    Ok(report)
}

/// Line ends as `\n`, no blank lines or spaces around the text.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

/// An id from the sheet's id column: letters, digits, `.`, `_` and `-` kept, anything else
/// a `-`; a bare number gets the prefix `FAQ-IMP-`.
fn id_from_sheet(text: &str) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches(['-', '.', '_']).chars().take(64).collect::<String>();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        format!("FAQ-IMP-{id}")
    } else {
        id
    }
}

/// A category as a file name part: lower-case ASCII letters and digits joined by `-`; a
/// category with none of those is named by its hash, and no category is `uncategorised`.
pub fn slug(category: Option<&str>) -> String {
    let Some(category) = category else { return "uncategorised".to_string() };
    let mut slug = String::new();
    for c in category.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        let hash: String =
            Sha256::digest(category.as_bytes()).iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("category-{hash}")
    } else {
        slug
    }
}

fn layout(table: &Table, options: &AnswersOptions) -> Result<(usize, Roles), String> {
    let (row, mut roles) = match options.header_row {
        Some(row) => (row, super::columns::roles_of_row(table.rows.get(row).map_or(&[][..], |r| r), ANSWER_COLUMNS)),
        None => match find_header(&table.rows, 0..HEADER_WITHIN_ROWS, ANSWER_COLUMNS, &["question", "answer"]) {
            Some(found) => found,
            None if options.columns.contains_key("question") && options.columns.contains_key("answer") => {
                (0, Roles::new())
            }
            None => {
                return Err(format!(
                    "no header row with a question column and an answer column in its first {HEADER_WITHIN_ROWS} rows; name them with --header-row and --column question=COL --column answer=COL"
                ))
            }
        },
    };
    for (role, column) in &options.columns {
        let Some(role) = ROLES.iter().find(|r| *r == role).copied() else { continue };
        for columns in roles.values_mut() {
            columns.retain(|c| c != column);
        }
        roles.insert(role, vec![*column]);
    }
    roles.retain(|_, c| !c.is_empty());
    // A filled CAIQ's `Question ID` holds CAIQ question ids (at least half its values; the
    // rest are headings and closing rows): they say which questions the
    // answer covers, not the answer's own id (which is made).
    if !roles.contains_key("caiq") && !options.columns.contains_key("id") {
        if let Some(&id_column) = roles.get("id").and_then(|c| c.first()) {
            let values: Vec<&str> = (row + 1..table.rows.len())
                .map(|r| table.cell(r, id_column))
                .filter(|v| !v.trim().is_empty())
                .collect();
            let caiq = |v: &str| crate::caiq::ids::is_question_id(&crate::caiq::ids::normalise(v));
            if !values.is_empty() && values.iter().filter(|v| caiq(v)).count() * 2 >= values.len() {
                roles.remove("id");
                roles.insert("caiq", vec![id_column]);
            }
        }
    }
    if !roles.contains_key("question") || !roles.contains_key("answer") {
        return Err(format!("the header row (row {}) names no question column and answer column", row + 1));
    }
    Ok((row, roles))
}

/// The ids of the answers the content has. A faq file that does not load is an error: its
/// ids cannot be kept clear of.
fn existing_ids(content: &Path) -> Result<Vec<String>, ImportError> {
    if !content.join("site.yaml").is_file() {
        let faq = content.join("faq");
        let has_files = std::fs::read_dir(&faq).map(|mut d| d.next().is_some()).unwrap_or(false);
        if has_files {
            return Err(ImportError::Content(format!(
                "`{}` has a faq folder but no site.yaml: import needs the content folder, to keep new ids clear of existing ones",
                content.display()
            )));
        }
        return Ok(Vec::new());
    }
    let loaded = crate::load::load(content).map_err(|d| {
        ImportError::Content(format!(
            "the content in `{}` does not load ({} error(s)): run `trustpress check --content {}` and fix it first",
            content.display(),
            d.into_sorted().len(),
            content.display()
        ))
    })?;
    if let Some(failed) = loaded.failed_files.iter().find(|f| f.starts_with("faq")) {
        return Err(ImportError::Content(format!(
            "`{}` has errors, so its answer ids are not known: run `trustpress check --content {}` and fix it first",
            failed.display(),
            content.display()
        )));
    }
    Ok(loaded.isms.faq.keys().cloned().collect())
}

fn file_text(input: &str, answers: &[&Imported]) -> String {
    let category = answers.first().and_then(|a| a.category.clone());
    let mut text = format!(
        "# Answers imported by `trustpress import answers` from {}{}.\n\
         # Every answer is internal: read it, correct it, and set `audience: public` on the ones\n\
         # customers may read. Then commit the file.\n",
        input.replace('\n', " "),
        category.map(|c| format!(", category {}", scalar(&c).replace('\n', " "))).unwrap_or_default()
    );
    for answer in answers {
        text.push_str(&format!("- id: {}\n", scalar(&answer.id)));
        text.push_str(&format!("  question: {}\n", scalar(&answer.question)));
        if let Some(category) = &answer.category {
            text.push_str(&format!("  category: {}\n", scalar(category)));
        }
        text.push_str(&format!("  answer:{}\n", block(&answer.answer, 4)));
        if let Some(response) = answer.response {
            let word = match response {
                Response::Yes => "yes",
                Response::No => "no",
                Response::Na => "na",
            };
            text.push_str(&format!("  response: {word}\n"));
        }
        if !answer.also_asked_as.is_empty() {
            text.push_str("  also_asked_as:\n");
            for question in &answer.also_asked_as {
                text.push_str(&format!("    - {}\n", scalar(question)));
            }
        }
        if !answer.controls.is_empty() {
            text.push_str(&format!("  controls: {}\n", flow_list(&answer.controls)));
        }
        if !answer.caiq.is_empty() {
            text.push_str(&format!("  caiq: {}\n", flow_list(&answer.caiq)));
        }
        if let Some(ssrm) = answer.ssrm {
            let word = serde_json::to_value(ssrm)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            text.push_str(&format!("  ssrm: {word}\n"));
        }
        if let Some(csc) = &answer.csc_responsibilities {
            text.push_str(&format!("  csc_responsibilities:{}\n", block(csc, 4)));
        }
        if let Some(owner) = &answer.owner {
            text.push_str(&format!("  owner: {}\n", scalar(owner)));
        }
        if let Some(reviewed) = &answer.reviewed {
            text.push_str(&format!("  reviewed: {reviewed}\n"));
        }
        text.push_str("  audience: internal\n");
    }
    text
}

/// The file made must read back, by the loader's parser, as the answers meant.
fn verify(text: &str, answers: &[&Imported]) -> Result<(), String> {
    let parsed: Vec<FaqAnswer> = crate::load::yaml::parse(text, Path::new("faq.yaml"), 1)
        .map_err(|d| format!("the file made does not read back ({})", d.message))?;
    if parsed.len() != answers.len() {
        return Err("the file made does not read back as the sheet's answers".to_string());
    }
    for (got, want) in parsed.iter().zip(answers) {
        let same = got.id == want.id
            && got.question == want.question
            && got.answer.text == read_back(&want.answer)
            && got.category == want.category
            && got.response == want.response
            && got.also_asked_as == want.also_asked_as
            && got.controls.iter().map(|r| r.id.as_str()).eq(want.controls.iter().map(String::as_str))
            && got.caiq == want.caiq
            && got.ssrm == want.ssrm
            && got.csc_responsibilities.as_deref().map(str::to_string)
                == want.csc_responsibilities.as_deref().map(read_back)
            && got.owner == want.owner
            && got.reviewed == want.reviewed
            && got.audience == crate::audience::Audience::Internal
            && !got.teaser;
        if !same {
            return Err(format!(
                "answer {} does not read back as the sheet has it ({})",
                want.id, want.place
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_ids() {
        assert_eq!(slug(Some("Access Control & Identity")), "access-control-identity");
        assert_eq!(slug(None), "uncategorised");
        assert!(slug(Some("日本語")).starts_with("category-"));
        assert_eq!(id_from_sheet("1042"), "FAQ-IMP-1042");
        assert_eq!(id_from_sheet(" Q 17/b "), "Q-17-b");
        assert_eq!(id_from_sheet("%%%"), "");
    }
}
