//! `trustpress import soa`: a Statement of Applicability kept as a spreadsheet into
//! `soa.yaml`. The control id column is found by what it holds (the column with the most
//! Annex A ids, in any of the ways `control_id` reads), the other columns by their header
//! words; each row's values are read by `values`, and what cannot be read is reported with
//! its place, never guessed. A new `soa.yaml` lists every control of the catalog, in the
//! style `trustpress init` writes; with `--merge`, `merge` edits the existing file as text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::columns::{find_header, Keywords, Roles};
use super::control_id::{self, CellId};
use super::sheet::{self, Table};
use super::values::{self, Read};
use super::yaml_text::{flow_list, scalar};
use super::{column_letter, display_name, ImportError, Place};
use crate::answer::text::words;
use crate::catalog::{self, Catalog};
use crate::model::{Applicability, ControlStatus, SoaEntry};

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
const DECISIONS: &[&str] =
    &["applicable", "status", "justification", "reason", "owner", "notes", "policies", "evidence"];

/// How far above the first control id a header row is looked for.
const HEADER_WITHIN_ROWS: usize = 30;

pub struct SoaOptions {
    pub input: PathBuf,
    pub content: PathBuf,
    pub sheet: Option<String>,
    pub merge: bool,
    /// The header row, from 0.
    pub header_row: Option<usize>,
    /// Role → column (from 0), replacing the guesses.
    pub columns: BTreeMap<String, usize>,
}

/// One control as the sheet gives it: each field `None` where the sheet says nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SheetEntry {
    /// The row, from 1.
    pub row: usize,
    pub applicable: Option<Applicability>,
    pub status: Option<ControlStatus>,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub policies: Option<Vec<String>>,
    pub evidence: Option<Vec<String>>,
}

/// A cell the import could not use, with where it is.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// `soa.xlsx, sheet "SoA", row 14, column C`.
    pub place: String,
    pub row: usize,
    pub control: Option<String>,
    pub field: Option<String>,
    pub value: String,
    /// What was expected, or why it was not used.
    pub reason: String,
}

/// A column found, by its header.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnUse {
    pub column: String,
    pub header: String,
    pub role: Option<String>,
}

/// What is left for a person after the import, control by control.
#[derive(Debug, Clone, Serialize)]
pub struct ToDecide {
    pub control: String,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SoaReport {
    pub input: String,
    pub sheet: Option<String>,
    /// From 1.
    pub header_row: usize,
    pub columns: Vec<ColumnUse>,
    /// Columns with a header that the import does not read.
    pub ignored_columns: Vec<ColumnUse>,
    /// Each control the sheet gives, with its row.
    pub controls: BTreeMap<String, SheetEntry>,
    /// Rows with something in them that could not be mapped to a control.
    pub unmapped: Vec<Problem>,
    /// Catalog controls the sheet has no row for.
    pub missing: Vec<String>,
    /// Values not understood (left as they were, or undecided).
    pub not_understood: Vec<Problem>,
    /// How some rows were read, worth a look (`5.1` read as A.5.10 by its title).
    pub notes: Vec<String>,
    /// What `check` will still ask for.
    pub to_decide: Vec<ToDecide>,
    /// The file written.
    pub written: PathBuf,
    pub merged: bool,
    /// With `--merge`: controls whose entry changed, and controls added.
    pub changed: Vec<String>,
    pub added: Vec<String>,
}

/// Reads the sheet and writes `soa.yaml`: a new file, or (`merge`) the existing one edited.
pub fn import(options: &SoaOptions) -> Result<SoaReport, ImportError> {
    let target = options.content.join("soa.yaml");
    if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(ImportError::Usage(format!(
            "`{}` is a symbolic link: import writes soa.yaml itself, never through a link",
            target.display()
        )));
    }
    let existing = match std::fs::read(&target) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ImportError::Usage(format!("cannot read `{}`: {e}", target.display()))),
    };
    match (&existing, options.merge) {
        (Some(_), false) => {
            return Err(ImportError::Usage(format!(
                "`{}` already exists: import never replaces it; add --merge to update it in place (its comments and order are kept), or import into another --content folder",
                target.display()
            )))
        }
        (None, true) => {
            return Err(ImportError::Usage(format!(
                "--merge: `{}` does not exist; without --merge, import writes a new one",
                target.display()
            )))
        }
        _ => {}
    }
    let tables = sheet::read(&options.input, options.sheet.as_deref())?;
    let name = display_name(&options.input);
    let known = Known::of(&options.content);
    // Annex A, then the content's own catalogs with SoA entries, as one list.
    let annex_a = catalog::iso27001_2022().joined(&known.custom);
    let mut report = read_sheet(&name, &tables, &annex_a, &known, options)?;

    let entries: BTreeMap<String, SheetEntry> = report.controls.clone();
    let meta = report_meta(&mut report, &tables, &name);
    let text = match &existing {
        None => {
            let text = new_file(&annex_a, &entries, &meta, &name, report.sheet.as_deref());
            verify(&text, &expected_new(&annex_a, &entries, &meta))?;
            text
        }
        Some(bytes) => {
            if meta != Meta::default() {
                report.notes.push(
                    "the sheet's SoA version and approval were not merged: an approval is soa.yaml's own, changed by the person who gives it"
                        .to_string(),
                );
            }
            let old = std::str::from_utf8(bytes).map_err(|_| {
                ImportError::Content(format!("{}: not UTF-8 text: cannot merge into it", target.display()))
            })?;
            let merged = super::merge::merge(old, &annex_a, &entries)
                .map_err(|e| ImportError::Content(format!("{}: {e}", target.display())))?;
            report.changed = merged.changed;
            report.added = merged.added;
            merged.text
        }
    };
    report.to_decide = to_decide(&annex_a, &text)?;
    report.written = target.clone();
    report.merged = existing.is_some();
    super::write_whole(&target, text.as_bytes(), existing.is_some())?;
    Ok(report)
}

/// The ids (and titles) of the content's policies and evidence, to read a policies or
/// evidence column by; empty when the content does not load.
#[derive(Default)]
pub struct Known {
    pub policies: BTreeMap<String, String>,
    pub evidence: BTreeMap<String, String>,
    /// The content's own catalogs whose controls have SoA entries (`frameworks/*.yaml` with
    /// `coverage: soa`, enabled in site.yaml): their ids are read as written.
    pub custom: Vec<Catalog>,
}

impl Known {
    pub fn of(content: &Path) -> Known {
        if !content.join("site.yaml").is_file() {
            return Known::default();
        }
        let Ok(loaded) = crate::load::load(content) else { return Known::default() };
        let isms = &loaded.isms;
        Known {
            policies: isms.policies.values().map(|p| (p.id.clone(), p.title.clone())).collect(),
            evidence: isms.evidence.values().map(|e| (e.id.clone(), e.title.clone())).collect(),
            custom: isms
                .catalogs
                .soa_catalogs()
                .filter(|c| c.id != catalog::ISO27001_2022)
                .cloned()
                .collect(),
        }
    }
}

/// Finds the SoA sheet (the one named, or the first with a control id column and a header
/// row), its columns, and reads every row.
fn read_sheet(
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

struct Layout {
    header_row: usize,
    id: usize,
    roles: Roles,
    /// How many cells of the id column hold an id.
    ids: usize,
    /// Each column's header text (from the row that named its role).
    headers: Vec<String>,
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
        Some(row) => {
            (row, super::columns::roles_of_row(table.rows.get(row).map_or(&[][..], |r| r), SOA_COLUMNS))
        }
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
            for (role, columns) in super::columns::roles_of_row(cells, SOA_COLUMNS) {
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
fn custom_id(text: &str, custom: &[Catalog]) -> Option<(String, String)> {
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

fn read_rows(
    name: &str,
    table: &Table,
    layout: &Layout,
    annex_a: &Catalog,
    known: &Known,
) -> Result<SoaReport, ImportError> {
    let place = Place::file(name, table.sheet.as_deref());
    let header = layout.headers.clone();
    let used: BTreeSet<usize> = layout.roles.values().flatten().copied().chain([layout.id]).collect();
    let column_use = |column: usize, role: Option<&str>| ColumnUse {
        column: column_letter(column),
        header: header.get(column).map_or("", |h| h.trim()).to_string(),
        role: role.map(str::to_string),
    };
    let mut columns = vec![column_use(layout.id, Some("id"))];
    for (role, list) in &layout.roles {
        for column in list {
            columns.push(column_use(*column, Some(role)));
        }
    }
    columns.sort_by_key(|c| super::parse_column(&c.column));
    let ignored_columns = (0..header.len())
        .filter(|c| !used.contains(c) && !header[*c].trim().is_empty())
        .map(|c| column_use(c, None))
        .collect();
    let mut report = SoaReport {
        input: name.to_string(),
        sheet: table.sheet.clone(),
        header_row: layout.header_row + 1,
        columns,
        ignored_columns,
        controls: BTreeMap::new(),
        unmapped: Vec::new(),
        missing: Vec::new(),
        not_understood: Vec::new(),
        notes: Vec::new(),
        to_decide: Vec::new(),
        written: PathBuf::new(),
        merged: false,
        changed: Vec::new(),
        added: Vec::new(),
    };
    let role = |role: &str| layout.roles.get(role).and_then(|c| c.first().copied());
    let has_applicable = role("applicable").is_some();
    let mut duplicates: Vec<String> = Vec::new();
    let mut bare_numbers = false;
    for row in layout.header_row + 1..table.rows.len() {
        let id_text = table.cell(row, layout.id);
        let decision_columns =
            DECISIONS.iter().filter_map(|r| layout.roles.get(r)).flatten().copied().collect::<Vec<_>>();
        let has_values = decision_columns.iter().any(|&c| !table.cell(row, c).is_empty());
        let unmapped = |reason: String| Problem {
            place: place.cell(row, Some(layout.id)).to_string(),
            row: row + 1,
            control: None,
            field: None,
            value: id_text.to_string(),
            reason,
        };
        let title = role("title").map(|c| table.cell(row, c).to_string());
        if let Some((id, _)) = custom_id(id_text, &known.custom) {
            if let Some(first) = report.controls.get(&id) {
                duplicates.push(format!("{id} in rows {} and {}", first.row, row + 1));
                continue;
            }
            let entry = read_entry(&place, table, row, &id, layout, has_applicable, known, &mut report);
            report.controls.insert(id, entry);
            continue;
        }
        let id = match control_id::parse(id_text) {
            CellId::Id { id, rest, prefixed } => {
                bare_numbers |= !prefixed;
                if matches!(control_id::parse(&rest), CellId::Id { .. }) {
                    report
                        .unmapped
                        .push(unmapped("names more than one control: give each its own row".into()));
                    continue;
                }
                let title = title.clone().filter(|t| !t.is_empty()).unwrap_or(rest);
                match resolve(&id, &title, prefixed, annex_a) {
                    Resolved::Control(found) => {
                        if found != id {
                            report.notes.push(format!(
                                "{}: `{id_text}` read as {found}, whose title the row has (a spreadsheet stores {} as the number {})",
                                place.cell(row, Some(layout.id)),
                                &found[2..],
                                &id[2..]
                            ));
                        }
                        found
                    }
                    Resolved::TitleNames(other) => {
                        report.unmapped.push(unmapped(format!(
                            "the id is {id}, but the title `{title}` is {other}'s: correct the id or the title"
                        )));
                        continue;
                    }
                    Resolved::Unknown => {
                        report.unmapped.push(unmapped(format!(
                            "{id} is not a control of ISO/IEC 27001:2022 Annex A (A.5.1–A.5.37, A.6.1–A.6.8, A.7.1–A.7.14, A.8.1–A.8.34)"
                        )));
                        continue;
                    }
                }
            }
            CellId::Old(id) => {
                report.unmapped.push(unmapped(format!(
                    "{id} is an ISO/IEC 27001:2013 control id; this imports the 2022 Annex A: map the row to its 2022 control first"
                )));
                continue;
            }
            CellId::None if id_text.is_empty() && table.uncomputed(row, layout.id) => {
                report.unmapped.push(unmapped(format!("the control id {}", sheet::UNCOMPUTED)));
                continue;
            }
            CellId::None => {
                if has_values {
                    let reason = if id_text.is_empty() {
                        "the row has values but no control id".to_string()
                    } else {
                        format!("`{id_text}` is not a control id (expected A.5.1, 5.1, A 5.1 or A.05.01)")
                    };
                    report.unmapped.push(unmapped(reason));
                }
                continue;
            }
        };
        if let Some(first) = report.controls.get(&id) {
            duplicates.push(format!("{id} in rows {} and {}", first.row, row + 1));
            continue;
        }
        let entry = read_entry(&place, table, row, &id, layout, has_applicable, known, &mut report);
        report.controls.insert(id, entry);
    }
    if !duplicates.is_empty() {
        let hint = if bare_numbers && role("title").is_none() {
            "\n  hint: one row per control; if the ids are numbers (5.1, 5.10), a spreadsheet may show 5.10 as 5.1: format the column as text, or add a title column"
        } else {
            ""
        };
        return Err(ImportError::Input(format!(
            "{place}: the sheet gives some controls twice, so which row decides is not clear: {} (ids in column {}){hint}",
            duplicates.join(", "),
            column_letter(layout.id)
        )));
    }
    if report.controls.is_empty() {
        return Err(ImportError::Input(format!(
            "{place}: no row holds an ISO/IEC 27001:2022 Annex A control id{}",
            if report.unmapped.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} rows could not be mapped; the first: {}: {})",
                    report.unmapped.len(),
                    report.unmapped[0].place,
                    report.unmapped[0].reason
                )
            }
        )));
    }
    report.missing = annex_a
        .controls
        .iter()
        .filter(|c| !report.controls.contains_key(&c.id))
        .map(|c| c.id.clone())
        .collect();
    Ok(report)
}

enum Resolved {
    Control(String),
    TitleNames(String),
    Unknown,
}

/// The control a row means: its id, unless the row's title is another control's. A number
/// such as 5.10 typed into a spreadsheet becomes 5.1; the title then says which it was.
fn resolve(id: &str, title: &str, prefixed: bool, annex_a: &Catalog) -> Resolved {
    let matches = |control: &str| annex_a.control(control).is_some_and(|c| same_title(&c.title, title));
    if !title.is_empty() && !matches(id) {
        if !prefixed {
            let padded = format!("{id}0");
            if matches(&padded) {
                return Resolved::Control(padded);
            }
        }
        if let Some(other) = annex_a.controls.iter().find(|c| c.id != id && words(&c.title) == words(title)) {
            return Resolved::TitleNames(other.id.clone());
        }
    }
    if annex_a.control(id).is_some() {
        Resolved::Control(id.to_string())
    } else {
        Resolved::Unknown
    }
}

/// Whether a sheet's title is the catalog's, allowing for case, punctuation and small edits.
fn same_title(catalog: &str, sheet: &str) -> bool {
    let (a, b) = (words(catalog).join(" "), words(sheet).join(" "));
    a == b || strsim::normalized_levenshtein(&a, &b) >= 0.85
}

#[allow(clippy::too_many_arguments)]
fn read_entry(
    place: &Place,
    table: &Table,
    row: usize,
    id: &str,
    layout: &Layout,
    has_applicable: bool,
    known: &Known,
    report: &mut SoaReport,
) -> SheetEntry {
    let mut entry = SheetEntry { row: row + 1, ..SheetEntry::default() };
    for (role, columns) in &layout.roles {
        for &c in columns {
            if table.cell(row, c).is_empty() && table.uncomputed(row, c) {
                report.not_understood.push(Problem {
                    place: place.cell(row, Some(c)).to_string(),
                    row: row + 1,
                    control: Some(id.to_string()),
                    field: Some(role.to_string()),
                    value: String::new(),
                    reason: sheet::UNCOMPUTED.to_string(),
                });
            }
        }
    }
    let column = |role: &str| layout.roles.get(role).and_then(|c| c.first().copied());
    let mut problem = |column: usize, field: &str, value: &str, reason: &str| {
        report.not_understood.push(Problem {
            place: place.cell(row, Some(column)).to_string(),
            row: row + 1,
            control: Some(id.to_string()),
            field: Some(field.to_string()),
            value: value.to_string(),
            reason: reason.to_string(),
        });
    };
    if let Some(c) = column("applicable") {
        let text = table.cell(row, c);
        match values::applicability(text) {
            Read::Empty => {}
            Read::Value(value) => entry.applicable = Some(value),
            Read::NotUnderstood => problem(
                c,
                "applicable",
                text,
                "expected Yes or No (Included/Excluded, Applicable/Not applicable, ✓/✗, TRUE/FALSE); left undecided",
            ),
        }
    }
    if let Some(c) = column("status") {
        let text = table.cell(row, c);
        match values::status(text) {
            Read::Empty => {}
            Read::Value(None) => {
                // N/A: an excluded control has no status; without an applicability column it
                // is what says the control is excluded.
                if !has_applicable {
                    entry.applicable = Some(Applicability::Excluded);
                } else if entry.applicable == Some(Applicability::Applicable) {
                    problem(c, "status", text, "the control is applicable: expected implemented, partial, planned or not implemented");
                }
            }
            Read::Value(Some(status)) => {
                if entry.applicable == Some(Applicability::Excluded) {
                    problem(c, "status", text, "the control is excluded, so it has no implementation status; not imported");
                } else {
                    entry.status = Some(status);
                    if !has_applicable {
                        entry.applicable = Some(Applicability::Applicable);
                    }
                }
            }
            Read::NotUnderstood => problem(
                c,
                "status",
                text,
                "expected implemented, partial (in progress), planned or not implemented (or a percentage); left out",
            ),
        }
    }
    let text_field = |role: &str,
                      entry_field: &mut Option<String>,
                      report_problem: &mut dyn FnMut(usize, &str, &str, &str)| {
        let Some(list) = layout.roles.get(role) else { return };
        let mut parts: Vec<String> = Vec::new();
        for &c in list {
            let text = table.cell(row, c).replace("\r\n", "\n").replace('\r', "\n");
            if text.is_empty() || parts.contains(&text) {
                continue;
            }
            if crate::audience_blocks::may_have_blocks(&text)
                || crate::audience_blocks::leftover(&text).is_some()
            {
                report_problem(
                    c,
                    role,
                    &text,
                    "looks like an audience block (`:::`), which a text imported here may not hold; left out",
                );
                continue;
            }
            parts.push(text);
        }
        if !parts.is_empty() {
            *entry_field = Some(parts.join("\n\n"));
        }
    };
    let mut justification = None;
    let mut owner = None;
    let mut notes = None;
    text_field("justification", &mut justification, &mut problem);
    text_field("owner", &mut owner, &mut problem);
    text_field("notes", &mut notes, &mut problem);
    let reasons = reasons(table, row, layout, &mut problem);
    entry.justification = match (justification, reasons) {
        (text, None) => text,
        (None, Some(reasons)) => Some(reasons),
        (Some(text), Some(reasons)) => Some(format!("{text}\n\n{reasons}")),
    };
    entry.owner = owner;
    entry.notes = notes;
    for (role, ids) in [("policies", &known.policies), ("evidence", &known.evidence)] {
        let Some(c) = column(role) else { continue };
        let text = table.cell(row, c);
        if text.is_empty() {
            continue;
        }
        let mut found = Vec::new();
        for part in text.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            let by_id = ids.keys().find(|id| id.eq_ignore_ascii_case(part));
            let by_title = || ids.iter().find(|(_, title)| words(title) == words(part)).map(|(id, _)| id);
            match by_id.or_else(by_title) {
                Some(id) if !found.contains(id) => found.push(id.clone()),
                Some(_) => {}
                None => problem(
                    c,
                    role,
                    part,
                    &format!(
                        "not the id or title of any {} in the content; left out",
                        if role == "policies" { "policy" } else { "evidence item" }
                    ),
                ),
            }
        }
        if !found.is_empty() {
            if role == "policies" {
                entry.policies = Some(found);
            } else {
                entry.evidence = Some(found);
            }
        }
    }
    entry
}

/// `Selected for: legal requirements, risk assessment results.` from the reason columns a
/// row marks (x, ✓, Yes); `None` when it marks none.
fn reasons(
    table: &Table,
    row: usize,
    layout: &Layout,
    problem: &mut dyn FnMut(usize, &str, &str, &str),
) -> Option<String> {
    let header = &layout.headers;
    let mut marked: Vec<String> = Vec::new();
    for &c in layout.roles.get("reason")? {
        let text = table.cell(row, c);
        if text.is_empty() {
            continue;
        }
        let mark = ["x", "✓", "✔", "☑", "•", "*"].contains(&text.to_lowercase().as_str())
            || matches!(values::response(text), Read::Value(crate::model::Response::Yes));
        if !mark {
            problem(c, "justification", text, "expected a mark (x, ✓ or Yes) in a reason column; left out");
            continue;
        }
        let heading = words(header.get(c).map_or("", String::as_str)).join(" ");
        let label = match heading.as_str() {
            "lr" | "legal requirement" | "legal requirements" => "legal requirements".to_string(),
            "co" | "contractual obligation" | "contractual obligations" => {
                "contractual obligations".to_string()
            }
            "br"
            | "bp"
            | "br bp"
            | "business requirement"
            | "business requirements"
            | "best practice"
            | "best practices" => "business requirements or best practice".to_string(),
            "rr" | "rra" | "risk assessment" | "risk assessment results" => {
                "risk assessment results".to_string()
            }
            other => other.to_string(),
        };
        if !marked.contains(&label) {
            marked.push(label);
        }
    }
    (!marked.is_empty()).then(|| format!("Selected for: {}.", marked.join(", ")))
}

/// The SoA's version, approver and approval date, from columns (`soa_version`, as the
/// bundle's soa.csv has them) when every row that has one agrees.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved: Option<crate::date::Date>,
}

fn report_meta(report: &mut SoaReport, tables: &[Table], name: &str) -> Meta {
    let Some(table) = tables.iter().find(|t| t.sheet == report.sheet) else { return Meta::default() };
    let mut meta = Meta::default();
    let place = Place::file(name, table.sheet.as_deref());
    for role in ["version", "approved_by", "approved"] {
        let Some(column) = report.columns.iter().find(|c| c.role.as_deref() == Some(role)) else { continue };
        let column = super::parse_column(&column.column).unwrap_or(0);
        let found: BTreeSet<&str> = report
            .controls
            .values()
            .map(|e| table.cell(e.row - 1, column))
            .filter(|v| !v.is_empty())
            .collect();
        let value = match found.len() {
            0 => continue,
            1 => found.into_iter().next().unwrap_or_default().to_string(),
            _ => {
                report.notes.push(format!(
                    "{place}, column {}: the rows give different values for the SoA's `{role}`; not imported",
                    column_letter(column)
                ));
                continue;
            }
        };
        match role {
            "version" => meta.version = Some(value),
            "approved_by" => meta.approved_by = Some(value),
            _ => match parse_date_text(&value) {
                Some(date) => meta.approved = Some(date),
                None => report.notes.push(format!(
                    "{place}, column {}: `{value}` is not a date (expected YYYY-MM-DD); the SoA's approval date is not imported",
                    column_letter(column)
                )),
            },
        }
    }
    meta
}

/// `2026-09-15`, or the day number Excel stores a date as.
pub fn parse_date_text(text: &str) -> Option<crate::date::Date> {
    let text = text.trim();
    if let Ok(date) = crate::date::Date::parse(text.get(..10).unwrap_or(text)) {
        return Some(date);
    }
    let serial: f64 = text.parse().ok()?;
    if !(20_000.0..80_000.0).contains(&serial) {
        return None;
    }
    crate::date::Date::from_unix_seconds(((serial.floor() as i64) - 25_569) * 86_400)
}

/// A new soa.yaml: every control of the catalog in its order, grouped by theme as
/// `trustpress init` writes it, with what the sheet gave.
fn new_file(
    annex_a: &Catalog,
    entries: &BTreeMap<String, SheetEntry>,
    meta: &Meta,
    input: &str,
    sheet: Option<&str>,
) -> String {
    let from = match sheet {
        Some(sheet) => format!("{input}, sheet \"{sheet}\""),
        None => input.to_string(),
    };
    let mut text = format!(
        "# Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d), imported by\n\
         # `trustpress import soa` from {}.\n\
         # Review it before you commit it: `trustpress check` lists what is still to decide.\n\
         # For every control: `applicable: true` with a `status` (implemented, partial, planned,\n\
         # not-implemented) and the `policies` or `evidence` behind it, or `applicable: false`\n\
         # with a `justification`.\n",
        from.replace('\n', " ")
    );
    if meta == &Meta::default() {
        text.push_str(
            "# When management approves it, add `version`, `approved_by` and `approved` (the date).\n",
        );
    }
    if let Some(version) = &meta.version {
        text.push_str(&format!("version: {}\n", scalar(version)));
    }
    if let Some(by) = &meta.approved_by {
        text.push_str(&format!("approved_by: {}\n", scalar(by)));
    }
    if let Some(date) = &meta.approved {
        text.push_str(&format!("approved: {date}\n"));
    }
    text.push_str("controls:\n");
    let mut theme = None;
    for control in &annex_a.controls {
        if control.theme != theme {
            theme = control.theme.clone();
            text.push_str(&format!("\n  # {}\n", theme.as_deref().unwrap_or("Controls")));
        }
        text.push_str(&format!("  {}:  # {}\n", control.id, control.title));
        let entry = entries.get(&control.id).cloned().unwrap_or_default();
        text.push_str(&entry_lines(&entry, 4));
    }
    text
}

/// An entry's fields as lines at `indent`, in the order soa.yaml documents them;
/// `applicable: undecided` when the sheet did not decide.
pub fn entry_lines(entry: &SheetEntry, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut text = String::new();
    for (key, value) in field_values(entry) {
        text.push_str(&format!("{pad}{key}: {value}\n"));
    }
    text
}

/// The fields the sheet gives, each as its YAML value text, in document order; an entry
/// always has `applicable`.
pub fn field_values(entry: &SheetEntry) -> Vec<(&'static str, String)> {
    let mut fields =
        vec![("applicable", applicable_text(entry.applicable.unwrap_or(Applicability::Undecided)))];
    if let Some(status) = entry.status {
        fields.push(("status", status.as_str().to_string()));
    }
    for (key, value) in
        [("justification", &entry.justification), ("owner", &entry.owner), ("notes", &entry.notes)]
    {
        if let Some(value) = value {
            fields.push((key, scalar(value)));
        }
    }
    for (key, value) in [("policies", &entry.policies), ("evidence", &entry.evidence)] {
        if let Some(list) = value {
            fields.push((key, flow_list(list)));
        }
    }
    fields
}

pub fn applicable_text(value: Applicability) -> String {
    match value.decided() {
        Some(true) => "true".to_string(),
        Some(false) => "false".to_string(),
        None => "undecided".to_string(),
    }
}

/// soa.yaml as the loader reads it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoaFile {
    #[serde(default)]
    pub version: Option<crate::model::Version>,
    #[serde(default)]
    pub approved_by: Option<String>,
    #[serde(default)]
    pub approved: Option<crate::date::Date>,
    pub controls: BTreeMap<String, SoaEntry>,
}

pub fn parse_file(text: &str) -> Result<SoaFile, String> {
    crate::load::yaml::parse::<SoaFile>(text, Path::new("soa.yaml"), 1).map_err(|d| {
        let at = d.location.as_ref().map(|l| format!("line {}: ", l.line)).unwrap_or_default();
        format!("{at}{}", d.message)
    })
}

/// An entry as compared after writing.
pub type Comparable = (
    Option<Applicability>,
    Option<ControlStatus>,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<String>,
    Vec<String>,
);

pub fn comparable(entry: &SoaEntry) -> Comparable {
    (
        entry.applicable,
        entry.status,
        entry.justification.clone(),
        entry.owner.clone(),
        entry.notes.clone(),
        entry.policies.iter().map(|r| r.id.clone()).collect(),
        entry.evidence.iter().map(|r| r.id.clone()).collect(),
    )
}

pub fn comparable_sheet(entry: &SheetEntry) -> Comparable {
    (
        Some(entry.applicable.unwrap_or(Applicability::Undecided)),
        entry.status,
        entry.justification.clone(),
        entry.owner.clone(),
        entry.notes.clone(),
        entry.policies.clone().unwrap_or_default(),
        entry.evidence.clone().unwrap_or_default(),
    )
}

fn expected_new(
    annex_a: &Catalog,
    entries: &BTreeMap<String, SheetEntry>,
    meta: &Meta,
) -> (Meta, BTreeMap<String, Comparable>) {
    let controls = annex_a
        .controls
        .iter()
        .map(|c| (c.id.clone(), comparable_sheet(&entries.get(&c.id).cloned().unwrap_or_default())))
        .collect();
    (meta.clone(), controls)
}

/// The file as written must read back, by the loader's parser, as what was meant.
fn verify(text: &str, expected: &(Meta, BTreeMap<String, Comparable>)) -> Result<(), ImportError> {
    let parsed = parse_file(text).map_err(|e| {
        ImportError::Content(format!("the soa.yaml made does not read back ({e}); nothing was written"))
    })?;
    let meta = Meta {
        version: parsed.version.map(|v| v.0),
        approved_by: parsed.approved_by,
        approved: parsed.approved,
    };
    let controls: BTreeMap<String, Comparable> =
        parsed.controls.iter().map(|(id, e)| (id.clone(), comparable(e))).collect();
    if (&meta, &controls) != (&expected.0, &expected.1) {
        let differs = controls
            .iter()
            .find(|(id, c)| expected.1.get(*id) != Some(c))
            .map_or_else(|| "the SoA's version or approval".to_string(), |(id, _)| id.clone());
        return Err(ImportError::Content(format!(
            "the soa.yaml made does not read back as the sheet says ({differs}); nothing was written"
        )));
    }
    Ok(())
}

/// What `check` will still ask of the SoA in `text`, control by control.
fn to_decide(annex_a: &Catalog, text: &str) -> Result<Vec<ToDecide>, ImportError> {
    let parsed = parse_file(text).map_err(ImportError::Content)?;
    let mut left = Vec::new();
    for control in &annex_a.controls {
        let what = match parsed.controls.get(&control.id) {
            None => "no entry".to_string(),
            Some(entry) => match entry.applicable {
                None => "no `applicable`".to_string(),
                Some(Applicability::Undecided) => "whether it applies (undecided)".to_string(),
                Some(Applicability::Excluded)
                    if entry.justification.as_deref().is_none_or(|j| j.trim().is_empty()) =>
                {
                    "why it is excluded (a justification; check fails without one)".to_string()
                }
                Some(Applicability::Applicable) if entry.status.is_none() => {
                    "its implementation status (check fails without one)".to_string()
                }
                _ => continue,
            },
        };
        left.push(ToDecide { control: control.id.clone(), what });
    }
    let approval = [
        ("version", parsed.version.is_none()),
        ("approved_by", parsed.approved_by.is_none()),
        ("approved", parsed.approved.is_none()),
    ];
    let missing: Vec<&str> = approval.iter().filter(|(_, m)| *m).map(|(k, _)| *k).collect();
    if !missing.is_empty() {
        left.push(ToDecide {
            control: "soa.yaml".to_string(),
            what: format!("the SoA's {} (once management approves it)", missing.join(", ")),
        });
    }
    Ok(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(ids: &[&str]) -> Catalog {
        let controls: String =
            ids.iter().map(|id| format!("  - id: \"{id}\"\n    title: T {id}\n")).collect();
        serde_saphyr::from_str(&format!("id: c\nname: Custom\ncontrols:\n{controls}")).unwrap()
    }

    #[test]
    fn a_custom_id_is_read_alone_or_before_its_title_and_an_empty_cell_names_nothing() {
        let custom = [catalog(&["CB-1", "CB-10", ""])];
        assert_eq!(custom_id("cb-10 Backups", &custom), Some(("CB-10".into(), "Backups".into())));
        assert_eq!(custom_id(" CB-1 ", &custom), Some(("CB-1".into(), String::new())));
        assert_eq!(custom_id("CB-100", &custom), None, "an id that only begins with one is not it");
        assert_eq!(custom_id("", &custom), None, "an empty cell, even with an empty id in a catalog");
        assert_eq!(custom_id("   ", &custom), None);
    }
}
