//! Finding the SoA in a workbook: the sheet, its control id column (by what it holds), its
//! header row and the other columns (by their header words).

use crate::catalog::Catalog;
use crate::import::columns::{find_header, roles_of_row, Keywords, Roles};
use crate::import::control_id::{self, CellId};
use crate::import::sheet::Table;
use crate::import::{ImportError, Place};

use super::rows::read_rows;
use super::{Known, SoaOptions, SoaReport};

/// The header words of each column of an SoA, tried in this order (see `columns::role_of`).
pub const SOA_COLUMNS: Keywords = &[
    ("version", &["soa version"]),
    ("approved_by", &["soa approved by", "approved by"]),
    ("approved", &["soa approved", "approval date", "date approved"]),
    (
        "justification",
        &[
            "justification",
            "justifications",
            "reason",
            "reasons",
            "rationale",
            "reason for selection",
            "reason for inclusion",
            "reason for exclusion",
        ],
    ),
    // A consultant's template marks why a control is selected with an x in one column per
    // reason: legal requirement, contractual obligation, business requirement or best
    // practice, risk assessment.
    (
        "reason",
        &[
            "lr",
            "co",
            "br",
            "bp",
            "br bp",
            "rra",
            "rr",
            "legal requirement",
            "legal requirements",
            "contractual obligation",
            "contractual obligations",
            "business requirement",
            "business requirements",
            "best practice",
            "best practices",
            "risk assessment",
            "risk assessment results",
        ],
    ),
    (
        "notes",
        &[
            "implementation notes",
            "implementation description",
            "implementation details",
            "how implemented",
            "how it is implemented",
            "notes",
            "note",
            "comments",
            "comment",
            "remarks",
        ],
    ),
    (
        "applicable",
        &["applicable", "applicability", "applies", "included", "inclusion", "in scope", "selected"],
    ),
    ("status", &["implementation status", "status", "implemented", "implementation", "progress", "state"]),
    (
        "owner",
        &["owner", "control owner", "owners", "responsible", "responsibility", "accountable", "owned by"],
    ),
    ("policies", &["policy", "policies", "policy ids", "related policies", "policy reference"]),
    ("evidence", &["evidence", "evidence ids"]),
    (
        "id",
        &[
            "control id",
            "control ref",
            "control no",
            "control number",
            "control reference",
            "ref",
            "reference",
            "id",
            "no",
            "clause",
            "annex a",
        ],
    ),
    ("title", &["control title", "control name", "title", "name", "control"]),
];

/// The roles a `--column` flag may name.
pub const ROLES: &[&str] = &[
    "id",
    "title",
    "applicable",
    "status",
    "justification",
    "reason",
    "owner",
    "notes",
    "policies",
    "evidence",
    "version",
    "approved_by",
    "approved",
];

/// Roles that say something about a control (a sheet needs one of them).
pub(super) const DECISIONS: &[&str] =
    &["applicable", "status", "justification", "reason", "owner", "notes", "policies", "evidence"];

/// How far above the first control id a header row is looked for.
const HEADER_WITHIN_ROWS: usize = 30;

/// Finds the SoA sheet (the one named, or the first with a control id column and a header
/// row), its columns, and reads every row.
pub(super) fn read_sheet(
    name: &str,
    tables: &[Table],
    annex_a: &Catalog,
    known: &Known,
    options: &SoaOptions,
) -> Result<SoaReport, ImportError> {
    // The sheet with the most control ids (a cover or summary sheet may name a few).
    let mut reasons = Vec::new();
    let mut best: Option<(&Table, Layout)> = None;
    for table in tables {
        match layout(table, annex_a, known, options) {
            Ok(found) => {
                if best.as_ref().is_none_or(|(_, b)| found.ids > b.ids) {
                    best = Some((table, found));
                }
            }
            Err(reason) => reasons.push(format!("{}: {reason}", Place::file(name, table.sheet.as_deref()))),
        }
    }
    if let Some((table, layout)) = best {
        return read_rows(name, table, &layout, annex_a, known);
    }
    Err(ImportError::Input(match reasons.as_slice() {
        [one] => one.clone(),
        many => format!("no sheet holds a Statement of Applicability:\n  {}", many.join("\n  ")),
    }))
}

pub(super) struct Layout {
    pub(super) header_row: usize,
    pub(super) id: usize,
    pub(super) roles: Roles,
    /// How many cells of the id column hold an id.
    ids: usize,
    /// Each column's header text (from the row that named its role).
    pub(super) headers: Vec<String>,
}

fn layout(table: &Table, annex_a: &Catalog, known: &Known, options: &SoaOptions) -> Result<Layout, String> {
    let counts = id_counts(table, annex_a, &known.custom);
    let id = match options.columns.get("id") {
        Some(column) => *column,
        None => most(&counts).ok_or_else(|| {
            "no column holds control ids (A.5.1, 5.1, A 5.1, A.05.01 …); name it with --column id=COL"
                .to_string()
        })?,
    };
    let ids = counts.get(id).copied().unwrap_or(0);
    let first_id_row = (0..table.rows.len())
        .find(|&row| {
            let cell = table.cell(row, id);
            matches!(control_id::parse(cell), CellId::Id { .. } | CellId::Old(_))
                || custom_id(cell, &known.custom).is_some()
        })
        .unwrap_or(table.rows.len());
    let (header_row, mut roles) = match options.header_row {
        Some(row) => (row, roles_of_row(table.rows.get(row).map_or(&[][..], |r| r), SOA_COLUMNS)),
        None => {
            let from = first_id_row.saturating_sub(HEADER_WITHIN_ROWS);
            match find_header(&table.rows, from..first_id_row, SOA_COLUMNS, &[]) {
                Some(found) => found,
                None if !options.columns.is_empty() => (first_id_row.saturating_sub(1), Roles::new()),
                None => {
                    return Err(format!(
                        "no header row above the first control id (row {}): expected headers such as `Applicable`, `Justification`, `Implementation status`, `Owner`; name the row with --header-row and the columns with --column ROLE=COL",
                        first_id_row + 1
                    ))
                }
            }
        }
    };
    // A header of two rows (`Reason for selection` over `LR`, `CO`, `BR/BP`, `RRA`): the row
    // next to the header row names the columns it leaves unnamed, and a reason column always.
    let mut headers: Vec<String> = table.rows.get(header_row).cloned().unwrap_or_default();
    if options.header_row.is_none() {
        for neighbour in [header_row.checked_sub(1), Some(header_row + 1)].into_iter().flatten() {
            if neighbour >= first_id_row {
                continue;
            }
            let Some(cells) = table.rows.get(neighbour) else { continue };
            for (role, columns) in roles_of_row(cells, SOA_COLUMNS) {
                for column in columns {
                    let taken = roles.values().any(|list| list.contains(&column));
                    if taken && role != "reason" {
                        continue;
                    }
                    for list in roles.values_mut() {
                        list.retain(|&c| c != column);
                    }
                    roles.entry(role).or_default().push(column);
                    if headers.len() <= column {
                        headers.resize(column + 1, String::new());
                    }
                    headers[column] = cells[column].clone();
                }
            }
        }
        for list in roles.values_mut() {
            list.sort_unstable();
        }
    }
    // The id column is the one holding ids, whatever its header says.
    for columns in roles.values_mut() {
        columns.retain(|&c| c != id);
    }
    roles.retain(|_, columns| !columns.is_empty());
    for (role, column) in &options.columns {
        let role = ROLES.iter().find(|r| *r == role).copied().unwrap_or("notes");
        for columns in roles.values_mut() {
            columns.retain(|c| c != column);
        }
        roles.insert(role, vec![*column]);
    }
    roles.remove("id");
    if !DECISIONS.iter().any(|role| roles.contains_key(role)) {
        return Err(format!(
            "the header row (row {}) names no column that says whether a control applies, why, or how far it is implemented; name one with --column applicable=COL (or status, justification)",
            header_row + 1
        ));
    }
    Ok(Layout { header_row, id, roles, ids, headers })
}

/// The column with the most ids (the leftmost of equals), if any has one.
fn most(counts: &[usize]) -> Option<usize> {
    let most = *counts.iter().max()?;
    (most > 0).then(|| counts.iter().position(|&c| c == most)).flatten()
}

/// A control of the content's own catalogs that `text` names: the id as the catalog writes
/// it (any case), alone or followed by its title (`CB-1 Audit logging on`), and that title.
pub(super) fn custom_id(text: &str, custom: &[Catalog]) -> Option<(String, String)> {
    let text = text.trim();
    let mut best: Option<(String, String)> = None;
    // An empty cell names nothing, whatever ids a catalog has.
    if text.is_empty() {
        return None;
    }
    for control in custom.iter().flat_map(|c| &c.controls).filter(|c| !c.id.is_empty()) {
        let Some(head) = text.get(..control.id.len()) else { continue };
        let rest = &text[control.id.len()..];
        let ends =
            rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || matches!(c, ':' | '–' | '—'));
        // The longest id that fits (`CB-10` before `CB-1`).
        if head.eq_ignore_ascii_case(&control.id)
            && ends
            && best.as_ref().is_none_or(|(id, _)| id.len() < control.id.len())
        {
            let title = rest.trim_start_matches([' ', ':', '-', '–', '—', '\t']).trim().to_string();
            best = Some((control.id.clone(), title));
        }
    }
    best
}

/// How many Annex A (or 2013) ids, or ids of the content's own catalogs, each column holds.
fn id_counts(table: &Table, annex_a: &Catalog, custom: &[Catalog]) -> Vec<usize> {
    let mut counts = vec![0usize; table.width()];
    for row in &table.rows {
        for (column, cell) in row.iter().enumerate() {
            if custom_id(cell, custom).is_some() {
                counts[column] += 1;
                continue;
            }
            // 2013 ids count too: such a column is the id column, and its rows are then
            // reported one by one as not mapped.
            match control_id::parse(cell) {
                CellId::Id { id, .. } if annex_a.control(&id).is_some() => counts[column] += 1,
                CellId::Old(_) => counts[column] += 1,
                _ => {}
            }
        }
    }
    counts
}
