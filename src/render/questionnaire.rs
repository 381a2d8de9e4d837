//! Customer self-service: the questionnaire search page's entries (FAQ answers, policy
//! summaries, control statuses) and the exports of the answers as CSV and XLSX, made at
//! build time from the cut model, so each audience's files hold only its own text.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::date::Date;
use crate::markdown;
use crate::model::Isms;
use crate::render::view::{Link, SiteModel};

/// One thing a customer can find on the search page.
#[derive(Debug, Clone, Serialize)]
pub struct SearchEntry {
    /// `answer`, `policy` or `control`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub html: String,
    pub path: Option<String>,
    pub category: String,
    /// Names of the frameworks its controls belong to or map into.
    pub frameworks: Vec<String>,
    pub controls: Vec<Link>,
    pub policies: Vec<Link>,
    pub caiq: Vec<String>,
    pub state: Option<&'static str>,
    /// Its element id and `data-*` attribute values, ready made.
    pub data: SearchData,
}

/// What the search page's markup needs of an entry beyond its fields: made here once rather
/// than by filter chains for each of thousands of results.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchData {
    /// The result's element id: `policy-pol-ac`, `control-a-5-1`.
    pub anchor: String,
    /// Framework names joined by `|`, as search.js splits them.
    pub frameworks: String,
    /// Control ids, policy titles and CAIQ ids, each joined by `, ` (the CSV export's cells).
    pub controls: String,
    pub policies: String,
    pub caiq: String,
}

impl SearchEntry {
    fn with_data(mut self) -> SearchEntry {
        self.data = SearchData {
            anchor: format!("{}-{}", self.kind, self.id.to_lowercase().replace('.', "-")),
            frameworks: self.frameworks.join("|"),
            controls: link_ids(&self.controls),
            policies: link_titles(&self.policies),
            caiq: self.caiq.join(", "),
        };
        self
    }
}

/// Control links as a cell: their ids, joined by `, `.
fn link_ids(links: &[Link]) -> String {
    links.iter().map(|link| link.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// Policy links as a cell: their titles, joined by `, `.
fn link_titles(links: &[Link]) -> String {
    links.iter().map(|link| link.title.as_str()).collect::<Vec<_>>().join(", ")
}

/// The questionnaire search's entries; the kinds' categories (policies, controls) in the
/// site's language.
pub fn search_entries(isms: &Isms, model: &SiteModel, locale: &crate::locale::Locale) -> Vec<SearchEntry> {
    let frameworks_of = |controls: &[Link]| -> Vec<String> {
        let mut names = BTreeSet::new();
        for link in controls {
            if let Some((catalog, _)) = isms.catalogs.find_control(&link.id) {
                names.insert(catalog.name.clone());
            }
            for (catalog, _) in isms.catalogs.mapped_to(&link.id) {
                names.insert(catalog.name.clone());
            }
        }
        names.into_iter().collect()
    };
    let mut entries = Vec::new();
    for answer in &model.faq {
        entries.push(
            SearchEntry {
                kind: "answer",
                id: answer.id.clone(),
                title: answer.question.clone(),
                html: answer.html.clone(),
                path: None,
                category: answer.category.clone(),
                frameworks: frameworks_of(&answer.controls),
                controls: answer.controls.clone(),
                policies: answer.policies.clone(),
                caiq: answer.caiq.clone(),
                state: answer.teaser_only.then_some("on-request"),
                data: SearchData::default(),
            }
            .with_data(),
        );
    }
    // Thousands in a large ISMS: made in parallel, in order.
    let policies: Vec<SearchEntry> = {
        use rayon::prelude::*;
        model
            .policies
            .par_iter()
            .map(|policy| {
                SearchEntry {
                    kind: "policy",
                    id: policy.id.clone(),
                    title: policy.title.clone(),
                    html: policy.summary.as_deref().map(markdown::escape_text).unwrap_or_default(),
                    path: Some(policy.path.clone()),
                    category: locale.text("nav.policies"),
                    frameworks: frameworks_of(&policy.controls),
                    controls: policy.controls.clone(),
                    policies: Vec::new(),
                    caiq: Vec::new(),
                    state: policy.teaser_only.then_some("on-request"),
                    data: SearchData::default(),
                }
                .with_data()
            })
            .collect()
    };
    entries.extend(policies);
    for control in &model.controls {
        let link =
            Link { id: control.id.clone(), title: control.title.clone(), path: Some(control.path.clone()) };
        entries.push(
            SearchEntry {
                kind: "control",
                id: control.id.clone(),
                title: format!("{} {}", control.id, control.title),
                html: String::new(),
                path: Some(control.path.clone()),
                category: locale.text("nav.controls"),
                frameworks: frameworks_of(std::slice::from_ref(&link)),
                controls: vec![link],
                policies: control.policies.clone(),
                caiq: Vec::new(),
                state: Some(control.state),
                data: SearchData::default(),
            }
            .with_data(),
        );
    }
    entries
}

/// One answer as a spreadsheet row.
struct Row {
    cells: [String; 7],
}

const HEADER: [&str; 7] = ["ID", "Category", "Question", "Answer", "Controls", "Policies", "CAIQ"];

fn rows(isms: &Isms, model: &SiteModel) -> Vec<Row> {
    model
        .faq
        .iter()
        .map(|answer| {
            let text = match isms.faq.get(&answer.id) {
                Some(source) if !answer.teaser_only => markdown::plain_text(&source.answer.text),
                _ => "Available on request.".to_string(),
            };
            Row {
                cells: [
                    answer.id.clone(),
                    answer.category.clone(),
                    answer.question.clone(),
                    text,
                    link_ids(&answer.controls),
                    link_titles(&answer.policies),
                    answer.caiq.join(", "),
                ],
            }
        })
        .collect()
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is written with a
/// leading apostrophe, as OWASP recommends for CSV files opened in spreadsheet programs.
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Every answer as a spreadsheet row, for both exports.
pub struct AnswerRows(Vec<Row>);

pub fn answer_rows(isms: &Isms, model: &SiteModel) -> AnswerRows {
    AnswerRows(rows(isms, model))
}

/// The answer library of the cut model, as `trustpress answer` matches against it: the
/// questionnaire page fills a customer's file from this, in their browser, with the same
/// rules (`faq/answer-rules.json`).
pub fn answer_library_json(isms: &Isms) -> Vec<u8> {
    #[derive(Serialize)]
    struct Library {
        version: u32,
        entries: Vec<crate::answer::Entry>,
        /// How to tell a CAIQ of the other version (`answer::fill::by_reference`).
        caiq: crate::caiq::ids::VersionTell,
    }
    let library = Library {
        version: 1,
        entries: crate::answer::library(isms, &isms.site.base_url),
        caiq: crate::caiq::ids::VersionTell::of(isms.site.caiq_version),
    };
    super::machine_files::embeddable(serde_json::to_string(&library).unwrap_or_default()).into_bytes()
}

pub fn answers_csv(rows: &AnswerRows) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(HEADER);
    for row in &rows.0 {
        let _ = writer.write_record(row.cells.iter().map(|c| defuse(c)));
    }
    writer.into_inner().unwrap_or_default()
}

/// Excel holds at most this many UTF-16 units in a cell.
const CELL_LIMIT: usize = 32_767;

/// What ends a cell cut at Excel's limit.
const CUT_NOTE: &str =
    " … [cut at Excel's cell limit: the whole answer is in answers.csv and on the trust center]";

/// `cell` as an Excel cell holds it: whole when it fits, else cut at a character so that it
/// and a note saying so fit. A workbook with one long answer is still made, and says so.
fn fit_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let units = |text: &str| text.encode_utf16().count();
    if units(cell) <= CELL_LIMIT {
        return std::borrow::Cow::Borrowed(cell);
    }
    let room = CELL_LIMIT - units(CUT_NOTE);
    let mut used = 0;
    let end = cell
        .char_indices()
        .find(|&(_, c)| {
            used += c.len_utf16();
            used > room
        })
        .map_or(cell.len(), |(at, _)| at);
    std::borrow::Cow::Owned(format!("{}{CUT_NOTE}", &cell[..end]))
}

/// The answers as an Excel workbook, with a fixed creation date so builds are reproducible.
/// Everything the answers workbook is made from: a rebuild in place keeps the workbook while
/// this (hashed) is the same.
#[derive(Serialize)]
pub struct WorkbookInputs<'a> {
    organization: &'a str,
    today: Date,
    rows: Vec<&'a [String; 7]>,
}

impl<'a> WorkbookInputs<'a> {
    pub fn new(isms: &'a Isms, rows: &'a AnswerRows, today: Date) -> WorkbookInputs<'a> {
        WorkbookInputs {
            organization: &isms.site.organization.name,
            today,
            rows: rows.0.iter().map(|row| &row.cells).collect(),
        }
    }
}

pub fn answers_xlsx(inputs: &WorkbookInputs) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let WorkbookInputs { organization, today, rows } = inputs;
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::parse_from_str(&today.to_string()).map_err(|e| e.to_string())?;
    let properties = DocProperties::new()
        .set_title(format!("{organization} security questionnaire answers"))
        .set_company(*organization)
        .set_creation_datetime(&created);
    workbook.set_properties(&properties);
    let sheet = workbook.add_worksheet();
    sheet.set_name("Answers").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (column, title) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &bold).map_err(|e| e.to_string())?;
    }
    for (column, width) in [12.0, 18.0, 45.0, 80.0, 18.0, 30.0, 18.0].iter().enumerate() {
        sheet.set_column_width(column as u16, *width).map_err(|e| e.to_string())?;
    }
    for (index, cells) in rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            sheet
                .write_string_with_format(index as u32 + 1, column as u16, fit_cell(cell).as_ref(), &wrap)
                .map_err(|e| e.to_string())?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_over_excels_limit_is_cut_with_a_note() {
        assert_eq!(fit_cell("short"), "short");
        let exact = "a".repeat(CELL_LIMIT);
        assert_eq!(fit_cell(&exact), exact.as_str());
        // Astral characters count twice in UTF-16, as Excel counts.
        let long = "😀".repeat(20_000);
        let cut = fit_cell(&long);
        assert!(cut.ends_with(CUT_NOTE));
        assert!(cut.encode_utf16().count() <= CELL_LIMIT);
        assert!(cut.encode_utf16().count() > CELL_LIMIT - 2 - CUT_NOTE.encode_utf16().count());
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Yes, AES-256."), "Yes, AES-256.");
    }
}
