//! Reading the SoA's rows: each row's control (by its id, and its title where a spreadsheet
//! changed the id), and each field's value, with every cell that cannot be read reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::answer::text::words;
use crate::catalog::Catalog;
use crate::import::control_id::{self, CellId};
use crate::import::sheet::{self, Table};
use crate::import::values::{self, Read};
use crate::import::{column_letter, parse_column, ImportError, Place};
use crate::model::Applicability;

use super::layout::{custom_id, Layout, DECISIONS};
use super::{ColumnUse, Known, Problem, SheetEntry, SoaReport};

pub(super) fn read_rows(
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
    columns.sort_by_key(|c| parse_column(&c.column));
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
