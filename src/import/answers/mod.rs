//! `trustpress import answers`: an answer library, as questionnaire tools export it (one row
//! per answer: question, answer, category, and often an id, a short yes/no, alternative
//! phrasings, mapped controls, an owner), into `faq/imported-<category>.yaml`, one file per
//! category. Every answer is written `audience: internal`: nothing becomes public until a
//! person has read it and said so. Ids come from the sheet's id column or are made
//! (`FAQ-IMP-001`), and never collide with an id the content already has.
//!
//! `layout` finds the header row and the columns (`ANSWER_COLUMNS`); `ids` makes the answers'
//! ids and file names and reads the ids the content already has; `yaml` writes each file and
//! reads it back.

mod ids;
mod layout;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, PathBuf};

use serde::Serialize;

use super::columns::Roles;
use super::control_id::{self, CellId};
use super::sheet::{self, Table};
use super::soa::Problem;
use super::values::{self, Read};
use super::{column_letter, display_name, ImportError, Place};
use crate::model::Response;

use ids::{existing_ids, id_from_sheet};
use layout::layout;
use yaml::{file_text, verify};

pub use ids::slug;
pub use layout::{ANSWER_COLUMNS, ROLES};

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

#[cfg(test)]
mod tests;
