//! Finding an answer library in a sheet: its header row and its columns, by their header
//! words (a filled CAIQ's own headers among them).

use crate::import::columns::{find_header, roles_of_row, Keywords, Roles};
use crate::import::sheet::Table;

use super::AnswersOptions;

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

pub(super) fn layout(table: &Table, options: &AnswersOptions) -> Result<(usize, Roles), String> {
    let (row, mut roles) = match options.header_row {
        Some(row) => (row, roles_of_row(table.rows.get(row).map_or(&[][..], |r| r), ANSWER_COLUMNS)),
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
