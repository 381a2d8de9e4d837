//! `trustpress import soa`: a Statement of Applicability kept as a spreadsheet into
//! `soa.yaml`. The control id column is found by what it holds (the column with the most
//! Annex A ids, in any of the ways `control_id` reads), the other columns by their header
//! words; each row's values are read by `values`, and what cannot be read is reported with
//! its place, never guessed. A new `soa.yaml` lists every control of the catalog, in the
//! style `trustpress init` writes; with `--merge`, `merge` edits the existing file as text.
//!
//! `layout` finds the sheet, its header row and its columns (`SOA_COLUMNS`); `rows` reads
//! each row into an entry; `meta` reads the SoA's version and approval; `yaml` writes a new
//! `soa.yaml` and reads what is written back.

mod layout;
mod meta;
mod rows;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::sheet;
use super::{display_name, ImportError};
use crate::catalog::{self, Catalog};
use crate::model::{Applicability, ControlStatus};

use layout::read_sheet;
use meta::report_meta;
use yaml::{expected_new, new_file, to_decide, verify};

pub use layout::{ROLES, SOA_COLUMNS};
pub use meta::{parse_date_text, Meta};
pub use yaml::{
    applicable_text, comparable, comparable_sheet, entry_lines, field_values, parse_file, Comparable, SoaFile,
};

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

#[cfg(test)]
mod tests;
