//! Deciding what to write where: for each question row under the header, the matcher's
//! decision and the cells it fills. A row with anything in its answer cells (a value, or a
//! formula) is left as the customer or the team wrote it; headings are skipped; nothing is
//! ever overwritten; a row is written whole or not at all.

use std::collections::HashSet;

use serde::Serialize;

use super::layout::{is_heading, Layout};
use super::matcher::{Decision, Entry, Matcher, Method};
use crate::model::Response;

/// The most characters one spreadsheet cell holds, counted as Excel counts them (UTF-16 code
/// units: an emoji is two).
pub const CELL_LIMIT: usize = 32_767;

/// What happens to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowState {
    Answered,
    NeedsPerson,
    /// It holds an answer already: left as it is.
    AlreadyFilled,
}

/// One question row and what is written into it.
#[derive(Debug, Clone, Serialize)]
pub struct RowPlan {
    /// The row, counted from 0 (a spreadsheet shows it as this + 1).
    pub row: usize,
    pub reference: Option<String>,
    pub question: String,
    pub state: RowState,
    pub decision: Decision,
    /// (column, value) for each cell written.
    pub writes: Vec<(usize, String)>,
    /// The cell an answer could not go into, and why, when that left the row for a person.
    #[serde(skip)]
    pub unwritten: Option<(usize, &'static str)>,
}

/// The cells of a sheet an answer cannot go into, beyond what their values show: those that
/// hold a formula (one never computed reads as empty), and those inside a merged area or an
/// array formula's area other than its first cell. A CSV has none.
#[derive(Debug, Default)]
pub struct Unwritable {
    /// (row, column) from 0.
    pub formulas: HashSet<(usize, usize)>,
    /// The areas whose cells other than the top-left one cannot be written, with why.
    pub covered: Vec<(super::xlsx::Area, &'static str)>,
}

/// How the sheet writes yes, no and not applicable: read from the values its response
/// column already holds (or a dropdown's list), else `Yes`, `No`, `N/A`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    pub yes: String,
    pub no: String,
    pub na: String,
}

impl Vocabulary {
    pub fn from_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut vocabulary = Vocabulary { yes: "Yes".into(), no: "No".into(), na: "N/A".into() };
        let (mut yes, mut no, mut na) = (false, false, false);
        for value in values {
            let word = value.trim();
            let lower = word.to_lowercase();
            if !yes && (lower == "yes" || lower == "y") {
                vocabulary.yes = word.to_string();
                yes = true;
            } else if !no && (lower == "no" || lower == "n") {
                vocabulary.no = word.to_string();
                no = true;
            } else if !na && (lower == "n/a" || lower == "na" || lower == "not applicable") {
                vocabulary.na = word.to_string();
                na = true;
            }
        }
        vocabulary
    }

    /// A sheet's words: its response column's dropdown list first, then the values the
    /// column already holds under the header.
    pub fn of_sheet(rows: &[Vec<String>], layout: &Layout, dropdown: &[String]) -> Vocabulary {
        let existing = layout
            .response
            .map(|c| rows.iter().skip(layout.header_row + 1).filter_map(move |r| r.get(c)))
            .into_iter()
            .flatten();
        Vocabulary::from_values(dropdown.iter().chain(existing).map(String::as_str))
    }

    fn word(&self, response: Response) -> &str {
        match response {
            Response::Yes => &self.yes,
            Response::No => &self.no,
            Response::Na => &self.na,
        }
    }
}

/// Whether the sheet's reference column may be matched against the answers' CAIQ ids: not
/// when its ids are those of the other CAIQ version (they name other questions).
pub fn by_reference(rows: &[Vec<String>], layout: &Layout, caiq: &crate::caiq::ids::VersionTell) -> bool {
    let Some(column) = layout.reference else { return true };
    !caiq.is_other(
        rows.iter().skip(layout.header_row + 1).filter_map(|row| row.get(column)).map(String::as_str),
    )
}

/// The plan for every question row of `rows` under `layout`'s header. With `by_reference`
/// false, the reference column is read but not matched (a CAIQ of another version than the
/// answers' ids, whose ids name other questions). `unwritable` is what the values do not show
/// (formulas, merged areas).
pub fn plan(
    rows: &[Vec<String>],
    layout: &Layout,
    matcher: &Matcher,
    vocabulary: &Vocabulary,
    by_reference: bool,
    unwritable: &Unwritable,
) -> Vec<RowPlan> {
    let cell = |row: &[String], column: Option<usize>| -> String {
        column.and_then(|c| row.get(c)).map_or(String::new(), |v| v.trim().to_string())
    };
    let mut plans = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(layout.header_row + 1) {
        let question = cell(row, Some(layout.question));
        if question.is_empty() || is_heading(row, layout) {
            continue;
        }
        let reference = Some(cell(row, layout.reference)).filter(|r| !r.is_empty());
        let decision = matcher.decide(&question, reference.as_deref().filter(|_| by_reference));
        let targets = [layout.response, layout.comment, layout.evidence];
        // A formula is the customer's too, computed or not.
        let filled = targets.iter().any(|column| {
            !cell(row, *column).is_empty()
                || column.is_some_and(|c| unwritable.formulas.contains(&(index, c)))
        });
        let state = if filled {
            RowState::AlreadyFilled
        } else if decision.method == Method::NeedsPerson {
            RowState::NeedsPerson
        } else {
            RowState::Answered
        };
        let mut writes = if state == RowState::Answered {
            writes(&decision, layout, matcher, vocabulary)
        } else {
            Vec::new()
        };
        let (mut state, mut decision) = (state, decision);
        // A spreadsheet cell holds at most CELL_LIMIT characters; Excel calls a workbook with a
        // longer one damaged. The row is left for a person, never cut short.
        let longest = writes.iter().map(|(_, value)| value.encode_utf16().count()).max().unwrap_or(0);
        if longest > CELL_LIMIT {
            decision = Decision {
                method: Method::NeedsPerson,
                reason: format!(
                    "the answer ({}) is {longest} characters long, more than a spreadsheet cell holds ({CELL_LIMIT}): a person shortens it",
                    decision.answers.join(", ")
                ),
                answers: Vec::new(),
                ..decision
            };
            state = RowState::NeedsPerson;
            writes.clear();
        }
        // A row is written whole or not at all: written in part, it would lose its response
        // or its citation while the record says it was answered.
        let covered = writes.iter().find_map(|(column, _)| {
            super::xlsx::covered_by(&unwritable.covered, index, *column).map(|why| (*column, why))
        });
        let unwritten = covered;
        if let Some((column, why)) = covered {
            decision = Decision {
                method: Method::NeedsPerson,
                reason: format!(
                    "cell {} is {why}: the answer ({}) cannot be written whole, so a person fills the row",
                    super::xlsx::reference(index, column),
                    decision.answers.join(", ")
                ),
                answers: Vec::new(),
                ..decision
            };
            state = RowState::NeedsPerson;
            writes.clear();
        }
        plans.push(RowPlan { row: index, reference, question, state, decision, writes, unwritten });
    }
    plans
}

/// The cells an answered row gets: the response word, the answer as plain text, and the
/// citation (its own column, else the end of the comment).
fn writes(
    decision: &Decision,
    layout: &Layout,
    matcher: &Matcher,
    vocabulary: &Vocabulary,
) -> Vec<(usize, String)> {
    let entries: Vec<&Entry> =
        decision.answers.iter().filter_map(|id| matcher.entries().iter().find(|e| e.id == *id)).collect();
    let Some(first) = entries.first() else { return Vec::new() };
    let mut writes = Vec::new();
    if let (Some(column), Some(response)) = (layout.response, first.response) {
        writes.push((column, vocabulary.word(response).to_string()));
    }
    let citation = entries.iter().map(|e| format!("{} {}", e.id, e.url)).collect::<Vec<_>>().join("\n");
    let text = entries.iter().map(|e| e.text.as_str()).collect::<Vec<_>>().join("\n\n");
    match (layout.comment, layout.evidence) {
        (Some(comment), Some(evidence)) => {
            writes.push((comment, text));
            writes.push((evidence, citation));
        }
        (Some(comment), None) => writes.push((comment, format!("{text}\n\nSource: {citation}"))),
        (None, Some(evidence)) => writes.push((evidence, citation)),
        (None, None) => {}
    }
    writes.sort();
    writes
}
