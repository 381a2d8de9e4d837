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

/// The question ids under the header, with their rows (from 0), in sheet order. An id seen
/// twice keeps its first row.
pub fn question_ids(rows: &[Vec<String>], columns: &Columns) -> Vec<(usize, String)> {
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .enumerate()
        .skip(columns.header_row + 1)
        .filter_map(|(index, row)| {
            let id = normalise(row.get(columns.id)?);
            (is_question_id(&id) && seen.insert(id.clone())).then_some((index, id))
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
}

/// The words the sheet's dropdown uses for `word` (compared without case or punctuation),
/// else `word` itself.
fn in_dropdown(word: &str, dropdown: &[String]) -> String {
    let key = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
    dropdown.iter().find(|value| key(value) == key(word)).cloned().unwrap_or_else(|| word.to_string())
}

/// The cells to write (cell → text) and each question's state, in sheet order.
pub type Plan = (BTreeMap<(usize, usize), String>, Vec<(String, State)>);

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
    let mut writes = BTreeMap::new();
    let mut states = Vec::new();
    for (index, row) in answers {
        if row.answers.is_empty() {
            states.push((row.id.clone(), State::Unanswered));
            continue;
        }
        if !targets.iter().all(|column| empty(*index, *column)) {
            states.push((row.id.clone(), State::AlreadyFilled));
            continue;
        }
        let values = [
            row.response.map(|r| in_dropdown(response_word(r), &answer_words)),
            row.ssrm.map(|s| in_dropdown(s.label(), &ownership_words)),
            Some(row.description.clone()),
            Some(row.csc_responsibilities.clone()),
        ];
        for (column, value) in targets.iter().zip(values) {
            if let (Some(column), Some(value)) = (column, value.filter(|v| !v.is_empty())) {
                writes.insert((*index, *column), value);
            }
        }
        states.push((row.id.clone(), State::Answered));
    }
    Ok((writes, states))
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
        assert_eq!(question_ids(&rows, &columns), vec![(3, "A&A-01.1".into()), (6, "A&A-01.2".into())]);
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
