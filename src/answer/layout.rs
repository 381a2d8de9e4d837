//! Finding a questionnaire's layout in a sheet: the header row (within the first rows;
//! instruction rows above it are allowed), and in it the question column, the reference (id)
//! column, the response column, the comment column and the evidence column, by the header
//! texts listed in `rules.json`. Each guess can be overridden.

use serde::{Deserialize, Serialize};

use super::text::words;

/// The header words of each column role, as `rules.json` lists them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnWords {
    #[serde(default)]
    pub about: String,
    pub reference: Vec<String>,
    pub response: Vec<String>,
    pub evidence: Vec<String>,
    pub comment: Vec<String>,
    pub question: Vec<String>,
}

/// Where a questionnaire's parts are in its sheet; rows and columns count from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub header_row: usize,
    pub question: usize,
    pub reference: Option<usize>,
    pub response: Option<usize>,
    pub comment: Option<usize>,
    pub evidence: Option<usize>,
}

/// Columns given on the command line, each replacing its guess.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub header_row: Option<usize>,
    pub question: Option<usize>,
    pub reference: Option<usize>,
    pub response: Option<usize>,
    pub comment: Option<usize>,
    pub evidence: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Reference,
    Response,
    Evidence,
    Comment,
    Question,
}

/// The header words of each role, read once (lower-case words joined by one space), in the
/// order roles are tried; and whether a header that merely holds the keyword matches.
struct Keywords(Vec<(Role, Vec<(String, bool)>)>);

impl Keywords {
    fn new(columns: &ColumnWords) -> Keywords {
        let read = |keywords: &[String]| {
            keywords
                .iter()
                .map(|keyword| {
                    let keyword = words(keyword).join(" ");
                    let inside = keyword.contains(' ') || keyword.len() >= 5;
                    (keyword, inside)
                })
                .collect()
        };
        Keywords(vec![
            (Role::Reference, read(&columns.reference)),
            (Role::Response, read(&columns.response)),
            (Role::Evidence, read(&columns.evidence)),
            (Role::Comment, read(&columns.comment)),
            (Role::Question, read(&columns.question)),
        ])
    }

    /// A header matches a keyword when it is that keyword, or (for keywords of two words or
    /// more, or five letters or more) holds it.
    fn role_of(&self, header: &str) -> Option<Role> {
        let header = words(header).join(" ");
        if header.is_empty() {
            return None;
        }
        let padded = format!(" {header} ");
        self.0
            .iter()
            .find(|(_, keywords)| {
                keywords.iter().any(|(keyword, inside)| {
                    header == *keyword || (*inside && padded.contains(&format!(" {keyword} ")))
                })
            })
            .map(|(role, _)| *role)
    }
}

/// The layout of `rows`, from the header rows found within the first `within` rows; the
/// row with a question column and the most roles wins (the first of equals). `None` when
/// no row names a question column, unless the overrides give one.
pub fn detect(
    rows: &[Vec<String>],
    columns: &ColumnWords,
    within: usize,
    overrides: Overrides,
) -> Option<Layout> {
    let candidates = match overrides.header_row {
        Some(row) => vec![row],
        None => (0..rows.len().min(within)).collect(),
    };
    let keywords = Keywords::new(columns);
    let mut best: Option<(usize, Layout)> = None;
    for row in candidates {
        let Some(cells) = rows.get(row) else { continue };
        let mut found = Layout {
            header_row: row,
            question: usize::MAX,
            reference: None,
            response: None,
            comment: None,
            evidence: None,
        };
        for (column, cell) in cells.iter().enumerate() {
            match keywords.role_of(cell) {
                Some(Role::Question) if found.question == usize::MAX => found.question = column,
                Some(Role::Reference) if found.reference.is_none() => found.reference = Some(column),
                Some(Role::Response) if found.response.is_none() => found.response = Some(column),
                Some(Role::Comment) if found.comment.is_none() => found.comment = Some(column),
                Some(Role::Evidence) if found.evidence.is_none() => found.evidence = Some(column),
                _ => {}
            }
        }
        let found = apply(found, overrides);
        if found.question == usize::MAX {
            continue;
        }
        let roles =
            1 + [found.reference, found.response, found.comment, found.evidence].iter().flatten().count();
        if best.is_none_or(|(most, _)| roles > most) {
            best = Some((roles, found));
        }
    }
    best.map(|(_, layout)| layout)
}

fn apply(mut layout: Layout, overrides: Overrides) -> Layout {
    if let Some(column) = overrides.question {
        layout.question = column;
    }
    layout.reference = overrides.reference.or(layout.reference);
    layout.response = overrides.response.or(layout.response);
    layout.comment = overrides.comment.or(layout.comment);
    layout.evidence = overrides.evidence.or(layout.evidence);
    layout
}

/// Whether a row under the header is a section heading rather than a question: it has no
/// reference where the sheet has a reference column, or (without one) it is a few words
/// that do not ask anything; either way with nothing in the answer columns.
pub fn is_heading(row: &[String], layout: &Layout) -> bool {
    let cell = |column: Option<usize>| column.and_then(|c| row.get(c)).map_or("", |v| v.trim());
    let question = cell(Some(layout.question));
    let answered = !cell(layout.response).is_empty() || !cell(layout.comment).is_empty();
    if answered || question.ends_with('?') {
        return false;
    }
    match layout.reference {
        Some(_) => cell(layout.reference).is_empty(),
        None => words(question).len() <= 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> ColumnWords {
        let rules: serde_json::Value = serde_json::from_str(super::super::text::RULES_JSON).unwrap();
        serde_json::from_value(rules["columns"].clone()).unwrap()
    }

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn a_caiq_shaped_sheet_with_a_title_above_its_header() {
        let rows = sheet(&[
            &["Consensus-style assessment (our own wording)"],
            &[],
            &[
                "Question ID",
                "Question",
                "CSP CAIQ Answer",
                "SSRM Control Ownership",
                "CSP Implementation Description",
            ],
            &["A&A-01.1", "Are audit policies documented?", "", "", ""],
        ]);
        let layout = detect(&rows, &columns(), 30, Overrides::default()).unwrap();
        assert_eq!(
            layout,
            Layout {
                header_row: 2,
                question: 1,
                reference: Some(0),
                response: Some(2),
                comment: Some(4),
                evidence: None
            }
        );
    }

    #[test]
    fn a_customers_sheet_with_instructions_and_sections() {
        let rows = sheet(&[
            &["Please answer every question. Use the dropdown for the answer."],
            &["#", "Requirement", "Yes/No", "Comments", "Evidence / link"],
            &["", "Access control", "", "", ""],
            &["1.1", "Is MFA enforced for administrators?", "", "", ""],
        ]);
        let layout = detect(&rows, &columns(), 30, Overrides::default()).unwrap();
        assert_eq!(
            (layout.header_row, layout.question, layout.response, layout.comment, layout.evidence),
            (1, 1, Some(2), Some(3), Some(4))
        );
        assert_eq!(layout.reference, None, "`#` is not a keyword");
        assert!(is_heading(&rows[2], &layout));
        assert!(!is_heading(&rows[3], &layout));
    }

    /// Shapes of the common questionnaires, in our own header wording where theirs is licensed.
    #[test]
    fn sig_lite_and_hecvat_shaped_headers() {
        let sig = sheet(&[
            &["Lite questionnaire (fixture)"],
            &["Ques Num", "Question/Request", "Response", "Additional Information", "Scoring"],
        ]);
        let layout = detect(&sig, &columns(), 30, Overrides::default()).unwrap();
        assert_eq!(
            (layout.header_row, layout.reference, layout.question, layout.response, layout.comment),
            (1, Some(0), 1, Some(2), Some(3))
        );
        let hecvat = sheet(&[
            &["Instructions: answer in column C."],
            &[],
            &["", "", ""],
            &["ID", "Question", "Vendor Answer", "Additional Info", "Guidance"],
        ]);
        let layout = detect(&hecvat, &columns(), 30, Overrides::default()).unwrap();
        assert_eq!(
            (layout.header_row, layout.reference, layout.question, layout.response),
            (3, Some(0), 1, Some(2))
        );
    }

    #[test]
    fn no_header_is_none_unless_the_flags_say_where() {
        let rows = sheet(&[&["a", "b"], &["c", "d"]]);
        assert_eq!(detect(&rows, &columns(), 30, Overrides::default()), None);
        let overrides =
            Overrides { header_row: Some(0), question: Some(1), response: Some(0), ..Overrides::default() };
        assert_eq!(
            detect(&rows, &columns(), 30, overrides).map(|l| (l.question, l.response)),
            Some((1, Some(0)))
        );
    }
}
