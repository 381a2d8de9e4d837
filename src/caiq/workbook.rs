//! A new CAIQ in CSA's column layout, as a workbook (with CSA's dropdowns on the answer and
//! ownership columns) or as CSV. The Question column is left empty: CSA's question texts are
//! licensed, so a team copies them from its own CAIQ, or fills its own copy with
//! `--template` instead.

use super::ids::Questions;
use super::rows::{response_word, Rows};
use crate::model::Ssrm;
use crate::render::questionnaire::defuse;

/// CSA's column headers, in CSA's order: A to F the questions and answers, G and H empty,
/// I to L the CCM control each question belongs to.
pub const HEADER: [&str; 12] = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    // Two spaces, as CSA's workbook has them.
    "CSC Responsibilities  (Optional/Recommended)",
    "",
    "",
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Control Title",
    "CCM Domain Title",
];

pub const ANSWERS: [&str; 3] = ["Yes", "No", "NA"];

pub const OWNERSHIP: [Ssrm; 5] = [
    Ssrm::CspOwned,
    Ssrm::CscOwned,
    Ssrm::ThirdPartyOutsourced,
    Ssrm::SharedCspCsc,
    Ssrm::SharedCspThirdParty,
];

/// Each question's cells. The CCM control is the id's part before the question number;
/// its specification, title and domain title are CSA's text and left empty.
fn cells(rows: &Rows) -> impl Iterator<Item = [String; 12]> + '_ {
    rows.rows.iter().map(|row| {
        let control = row.id.rsplit_once('.').map_or(row.id.as_str(), |(control, _)| control);
        [
            row.id.clone(),
            String::new(),
            row.response.map(response_word).unwrap_or_default().to_string(),
            row.ssrm.map(|s| s.label()).unwrap_or_default().to_string(),
            row.description.clone(),
            row.csc_responsibilities.clone(),
            String::new(),
            String::new(),
            control.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]
    })
}

/// The CAIQ as CSV: the header row, then one row per question.
pub fn csv(rows: &Rows) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(HEADER);
    for row in cells(rows) {
        let _ = writer.write_record(row.iter().map(|c| defuse(c)));
    }
    writer.into_inner().unwrap_or_default()
}

/// The CAIQ as CSA's workbook lays it out: one sheet named as CSA names it (`CAIQv4.0.3`),
/// the version and title on row 1, the header on row 2, the questions from row 3, and CSA's
/// dropdowns on the answer and ownership columns. A fixed creation date (`today`) makes the
/// same content give the same bytes. Also the cells left empty because their text is
/// longer than a cell holds.
pub fn xlsx(
    rows: &Rows,
    questions: &Questions,
    organization: &str,
    today: crate::date::Date,
) -> Result<(Vec<u8>, Vec<crate::answer::xlsx::Skipped>), String> {
    use rust_xlsxwriter::{DataValidation, DocProperties, ExcelDateTime, Format, Workbook};
    let error = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let label = questions.sheet.trim_start_matches("CAIQ");
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::parse_from_str(&today.to_string()).map_err(error)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{organization} CAIQ {label}"))
            .set_subject(format!(
                "Consensus Assessments Initiative Questionnaire {label}, CCM v{}",
                questions.ccm
            ))
            .set_company(organization)
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name(&questions.sheet).map_err(error)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    sheet.write_string_with_format(0, 0, label, &bold).map_err(error)?;
    let title = format!("CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE {label}");
    sheet.write_string_with_format(0, 1, title, &bold).map_err(error)?;
    for (column, title) in HEADER.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        sheet.write_string_with_format(1, column as u16, *title, &bold).map_err(error)?;
    }
    let widths = [12.0, 50.0, 14.0, 22.0, 70.0, 50.0, 2.0, 2.0, 14.0, 40.0, 30.0, 30.0];
    for (column, width) in widths.iter().enumerate() {
        sheet.set_column_width(column as u16, *width).map_err(error)?;
    }
    let mut last = 1u32;
    let mut too_long = Vec::new();
    for (index, row) in cells(rows).enumerate() {
        last = index as u32 + 2;
        for (column, cell) in row.iter().enumerate() {
            if cell.chars().count() > crate::answer::xlsx::CELL_CHARACTERS {
                too_long.push((last as usize, column, crate::answer::xlsx::TOO_LONG));
            } else if !cell.is_empty() {
                sheet.write_string_with_format(last, column as u16, cell, &wrap).map_err(error)?;
            }
        }
    }
    if last > 1 {
        let answers = DataValidation::new().allow_list_strings(&ANSWERS).map_err(error)?;
        sheet.add_data_validation(2, 2, last, 2, &answers).map_err(error)?;
        let labels: Vec<&str> = OWNERSHIP.iter().map(|o| o.label()).collect();
        let ownership = DataValidation::new().allow_list_strings(&labels).map_err(error)?;
        sheet.add_data_validation(2, 3, last, 3, &ownership).map_err(error)?;
    }
    sheet.set_freeze_panes(2, 1).map_err(error)?;
    Ok((workbook.save_to_buffer().map_err(error)?, too_long))
}
