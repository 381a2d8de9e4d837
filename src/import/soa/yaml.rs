//! `soa.yaml`: a new one written in `trustpress init`'s style, and the file written read back
//! by the loader's parser, compared with what was meant and for what is still to decide.

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::Catalog;
use crate::import::yaml_text::{flow_list, scalar};
use crate::import::ImportError;
use crate::model::{Applicability, ControlStatus, SoaEntry};

use super::{Meta, SheetEntry, ToDecide};

/// A new soa.yaml: every control of the catalog in its order, grouped by theme as
/// `trustpress init` writes it, with what the sheet gave.
pub(super) fn new_file(
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

pub(super) fn expected_new(
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
pub(super) fn verify(text: &str, expected: &(Meta, BTreeMap<String, Comparable>)) -> Result<(), ImportError> {
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
pub(super) fn to_decide(annex_a: &Catalog, text: &str) -> Result<Vec<ToDecide>, ImportError> {
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
