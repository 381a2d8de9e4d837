//! Filling a team's own copy of CSA's CAIQ workbook: the sheet whose header row names a
//! `Question ID` column and CSA's answer columns is found, each question id is read, and the
//! empty answer cells of the questions an answer names are written. Only those cells change:
//! every other part of the workbook keeps its bytes (the `answer` command's cell editor), and
//! a cell that holds anything is left as it is.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ids::{is_question_id, normalise};
use super::rows::{response_word, Row};
use crate::answer::xlsx::{Workbook, XlsxError};

/// How many rows from the top the header row may be.
const HEADER_WITHIN: usize = 30;

/// Where CSA's columns are in the sheet (row and columns from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Columns {
    pub header_row: usize,
    pub id: usize,
    pub answer: Option<usize>,
    pub ownership: Option<usize>,
    pub description: Option<usize>,
    pub csc: Option<usize>,
}

/// A header cell's words, lower-case, without a parenthesised note: `CSP Implementation
/// Description (Optional/Recommended)` → `csp implementation description`.
fn header_words(cell: &str) -> String {
    let before_note = cell.split('(').next().unwrap_or("");
    before_note.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// CSA's header row in `rows`, if the sheet has one with a question id column and at least one
/// answer column.
pub fn columns(rows: &[Vec<String>]) -> Option<Columns> {
    for (index, row) in rows.iter().enumerate().take(HEADER_WITHIN) {
        let find = |name: &str| row.iter().position(|cell| header_words(cell) == name);
        let Some(id) = find("question id") else { continue };
        let columns = Columns {
            header_row: index,
            id,
            answer: find("csp caiq answer"),
            ownership: find("ssrm control ownership"),
            description: find("csp implementation description"),
            csc: find("csc responsibilities"),
        };
        if columns.answer.is_some() || columns.description.is_some() {
            return Some(columns);
        }
    }
    None
}

/// The CAIQ versions a template says it is, in its sheet's name (`CAIQv4.1.0`) or the cells
/// above its header (`v4.0.3`, `… QUESTIONNAIRE v4.0.3`), each once. A v4.1 questionnaire
/// trimmed to the ids both versions share is still v4.1.
pub fn labelled_versions(sheet: &str, rows: &[Vec<String>], header_row: usize) -> Vec<super::Version> {
    let mut found: Vec<super::Version> = Vec::new();
    let above = rows.iter().take(header_row).flatten().map(String::as_str);
    for text in std::iter::once(sheet).chain(above) {
        for (at, _) in text.match_indices(['v', 'V']) {
            let number: String =
                text[at + 1..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let version = super::Version::parse(number.trim_end_matches('.'));
            if let Some(version) = version.filter(|v| !found.contains(v)) {
                found.push(version);
            }
        }
    }
    found.sort();
    found
}

/// The question ids under the header, with their rows (from 0), in sheet order. An id on
/// two rows is two questions, each filled.
pub fn question_ids(rows: &[Vec<String>], columns: &Columns) -> Vec<(usize, String)> {
    rows.iter()
        .enumerate()
        .skip(columns.header_row + 1)
        .filter_map(|(index, row)| {
            let id = normalise(row.get(columns.id)?);
            is_question_id(&id).then_some((index, id))
        })
        .collect()
}

/// What happened to one question of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Answered,
    /// No answer names it.
    Unanswered,
    /// Its answer cells already hold something: left as they were.
    AlreadyFilled,
    /// An answer cell cannot be written (a formula, a merged or array area, text longer
    /// than a cell holds): the question is left whole, and the cell reported.
    NotWritten,
}

/// The words the sheet's dropdown uses for `word` (compared without case or punctuation),
/// else `word` itself.
fn in_dropdown(word: &str, dropdown: &[String]) -> String {
    let key = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    dropdown.iter().find(|value| key(value) == key(word)).cloned().unwrap_or_else(|| word.to_string())
}

/// The cells to write (cell → text), each question's state in sheet order, and the answer
/// cells that cannot be written (row, column, why): their questions are left whole.
pub type Plan = (BTreeMap<(usize, usize), String>, Vec<(String, State)>, Vec<crate::answer::xlsx::Skipped>);

/// The cells to write for each question row, and each question's state.
pub fn plan(
    workbook: &Workbook,
    sheet: &str,
    rows: &[Vec<String>],
    columns: &Columns,
    answers: &[(usize, &Row)],
) -> Result<Plan, XlsxError> {
    let dropdown = |column: Option<usize>| match column {
        Some(column) => workbook.dropdown(sheet, column),
        None => Ok(Vec::new()),
    };
    let (answer_words, ownership_words) = (dropdown(columns.answer)?, dropdown(columns.ownership)?);
    let targets = [columns.answer, columns.ownership, columns.description, columns.csc];
    let empty = |row: usize, column: Option<usize>| {
        column.is_none_or(|c| rows.get(row).and_then(|r| r.get(c)).is_none_or(|v| v.trim().is_empty()))
    };
    // A cell that holds a formula (computed or not), or lies inside a merged area or an array
    // formula's area, is not the team's to have written in: its question is left whole.
    let formulas: std::collections::HashSet<(usize, usize)> =
        workbook.formulas(sheet)?.into_iter().map(|(place, _)| place).collect();
    let covered = workbook.covered_areas(sheet)?;
    let blocked = |row: usize, column: usize| {
        if formulas.contains(&(row, column)) {
            Some("holds a formula")
        } else {
            crate::answer::xlsx::covered_by(&covered, row, column)
        }
    };
    let mut writes = BTreeMap::new();
    let mut states = Vec::new();
    let mut left = Vec::new();
    for (index, row) in answers {
        if row.answers.is_empty() {
            states.push((row.id.clone(), State::Unanswered));
            continue;
        }
        if !targets.iter().all(|column| empty(*index, *column)) {
            states.push((row.id.clone(), State::AlreadyFilled));
            continue;
        }
        let cannot: Vec<_> = targets
            .iter()
            .flatten()
            .filter_map(|&column| blocked(*index, column).map(|why| (*index, column, why)))
            .collect();
        if !cannot.is_empty() {
            left.extend(cannot);
            states.push((row.id.clone(), State::NotWritten));
            continue;
        }
        let values = [
            row.response.map(|r| in_dropdown(response_word(r), &answer_words)),
            row.ssrm.map(|s| in_dropdown(s.label(), &ownership_words)),
            Some(row.description.clone()),
            Some(row.csc_responsibilities.clone()),
        ];
        let cells: Vec<(usize, String)> = targets
            .iter()
            .zip(values)
            .filter_map(|(column, value)| Some(((*column)?, value.filter(|v| !v.is_empty())?)))
            .collect();
        let too_long: Vec<_> = cells
            .iter()
            .filter(|(_, value)| value.chars().count() > crate::answer::xlsx::CELL_CHARACTERS)
            .map(|(column, _)| (*index, *column, crate::answer::xlsx::TOO_LONG))
            .collect();
        if !too_long.is_empty() {
            left.extend(too_long);
            states.push((row.id.clone(), State::NotWritten));
            continue;
        }
        for (column, value) in cells {
            writes.insert((*index, column), value);
        }
        states.push((row.id.clone(), State::Answered));
    }
    Ok((writes, states, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn csa_header_is_found_below_a_title_and_ids_are_read() {
        let rows = sheet(&[
            &["Consensus Assessments Initiative Questionnaire v4.0.3"],
            &[],
            &[
                "Question ID",
                "Question",
                "CSP CAIQ Answer",
                "SSRM Control Ownership",
                "CSP Implementation Description\n(Optional/Recommended)",
                "CSC Responsibilities (Optional/Recommended)",
            ],
            &["a&a-01.1", "…"],
            &["Audit & Assurance"],
            &["A&A-01.1", "a second time"],
            &["A&A-01.2", "…"],
        ]);
        let columns = columns(&rows).unwrap();
        assert_eq!(
            columns,
            Columns {
                header_row: 2,
                id: 0,
                answer: Some(2),
                ownership: Some(3),
                description: Some(4),
                csc: Some(5)
            }
        );
        assert_eq!(
            question_ids(&rows, &columns),
            vec![(3, "A&A-01.1".into()), (5, "A&A-01.1".into()), (6, "A&A-01.2".into())]
        );
    }

    #[test]
    fn a_template_says_its_version_in_its_sheet_name_or_title() {
        use super::super::Version::{V4_0_3, V4_1};
        let title = |text: &str| sheet(&[&["", text], &["Question ID"]]);
        assert_eq!(labelled_versions("CAIQv4.1.0", &title(""), 1), [V4_1]);
        assert_eq!(
            labelled_versions("Sheet1", &title("CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE v4.0.3"), 1),
            [V4_0_3]
        );
        assert_eq!(labelled_versions("CAIQv4.0.3", &title("v4.0.3"), 1), [V4_0_3]);
        assert_eq!(labelled_versions("CAIQv4.1.0", &title("v4.0.3"), 1), [V4_0_3, V4_1]);
        assert_eq!(labelled_versions("Questions", &title("Security review v2"), 1), []);
        assert_eq!(
            labelled_versions("Questions", &sheet(&[&["Question ID"], &["v4.1"]]), 0),
            [],
            "below the header is data"
        );
    }

    #[test]
    fn a_sheet_without_csas_columns_is_not_a_caiq() {
        assert!(columns(&sheet(&[&["Question ID", "Question", "Notes"]])).is_none());
        assert!(columns(&sheet(&[&["ID", "Question", "CSP CAIQ Answer"]])).is_none());
    }

    #[test]
    fn dropdown_words_are_used_when_they_say_the_same() {
        let dropdown = vec!["Yes".to_string(), "No".to_string(), "N/A".to_string()];
        assert_eq!(in_dropdown("NA", &dropdown), "N/A");
        assert_eq!(in_dropdown("CSP-owned", &["CSP Owned".to_string()]), "CSP Owned");
        assert_eq!(in_dropdown("Shared CSP and CSC", &dropdown), "Shared CSP and CSC");
    }
}
