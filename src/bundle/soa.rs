//! `soa.csv` and `soa.json`: the Statement of Applicability as an auditor's tools read it,
//! one row per control of the enabled catalogs (controls the SoA does not mention yet are
//! rows too, with applicability empty: a gap is something an auditor must see).

use crate::render::questionnaire::defuse;
use serde::Serialize;

use crate::model::{ControlStatus, Isms, SoaEntry};
use crate::site::routes::FiledEvidence;

/// One control's row.
#[derive(Debug, Clone, Serialize)]
pub struct SoaRow {
    pub control: String,
    pub title: String,
    pub theme: String,
    pub framework: String,
    /// `null` when the SoA has not decided it.
    pub applicable: Option<bool>,
    /// Only for applicable controls.
    pub status: Option<&'static str>,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    /// Policy ids.
    pub policies: Vec<String>,
    /// Evidence ids: the SoA entry's, and the evidence items that name this control.
    pub evidence: Vec<String>,
    /// Where those evidence files are in the bundle.
    pub evidence_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct SoaDocument<'a> {
    format: &'static str,
    organization: &'a str,
    version: Option<&'a str>,
    approved_by: Option<&'a str>,
    approved: Option<String>,
    controls: &'a [SoaRow],
}

/// The rows, in catalog order.
pub fn rows(isms: &Isms, evidence_files: &[FiledEvidence]) -> Vec<SoaRow> {
    let mut rows = Vec::new();
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            let entry = isms.soa.controls.get(&control.id);
            let applicable = entry.and_then(|e| e.applicable).and_then(crate::model::Applicability::decided);
            let filed: Vec<&FiledEvidence> =
                evidence_files.iter().filter(|f| f.control.as_deref() == Some(control.id.as_str())).collect();
            let mut evidence: Vec<String> =
                entry.map(|e| e.evidence.iter().map(|r| r.id.clone()).collect()).unwrap_or_default();
            for file in &filed {
                if !evidence.contains(&file.evidence_id) {
                    evidence.push(file.evidence_id.clone());
                }
            }
            let mut files: Vec<String> = filed.iter().map(|f| f.path.clone()).collect();
            files.dedup();
            rows.push(SoaRow {
                control: control.id.clone(),
                title: control.title.clone(),
                theme: catalog.theme_of(control),
                framework: catalog.name.clone(),
                applicable,
                status: entry.and_then(SoaEntry::applicable_status).map(ControlStatus::as_str),
                justification: entry.and_then(|e| e.justification.clone()),
                owner: entry.and_then(|e| e.owner.clone()),
                notes: entry.and_then(|e| e.notes.clone()),
                policies: entry
                    .map(|e| e.policies.iter().map(|r| r.id.clone()).collect())
                    .unwrap_or_default(),
                evidence,
                evidence_files: files,
            });
        }
    }
    rows
}

/// `soa.json`: the SoA's version, approver and approval date, and every row.
pub fn to_json(isms: &Isms, rows: &[SoaRow]) -> Vec<u8> {
    let document = SoaDocument {
        format: "trustpress-soa/1",
        organization: &isms.site.organization.name,
        version: isms.soa.version.as_ref().map(|v| v.0.as_str()),
        approved_by: isms.soa.approved_by.as_deref(),
        approved: isms.soa.approved.map(|d| d.to_string()),
        controls: rows,
    };
    let mut json = serde_json::to_vec_pretty(&document).unwrap_or_default();
    json.push(b'\n');
    json
}

pub const CSV_HEADER: [&str; 14] = [
    "control",
    "title",
    "theme",
    "framework",
    "applicable",
    "status",
    "justification",
    "owner",
    "notes",
    "policies",
    "evidence",
    "soa_version",
    "soa_approved_by",
    "soa_approved",
];

/// `soa.csv` (RFC 4180, UTF-8, CRLF line ends). `applicable` is `yes`, `no` or empty
/// (undecided); lists are joined with `; `. The SoA's version, approver and approval date
/// are repeated on every row, so any spreadsheet or script that reads one row has them.
pub fn to_csv(isms: &Isms, rows: &[SoaRow]) -> Vec<u8> {
    let version = isms.soa.version.as_ref().map(|v| v.0.clone()).unwrap_or_default();
    let approved_by = isms.soa.approved_by.clone().unwrap_or_default();
    let approved = isms.soa.approved.map(|d| d.to_string()).unwrap_or_default();
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(CSV_HEADER);
    for row in rows {
        let applicable = match row.applicable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let record = [
            row.control.clone(),
            row.title.clone(),
            row.theme.clone(),
            row.framework.clone(),
            applicable.to_string(),
            row.status.unwrap_or_default().to_string(),
            row.justification.clone().unwrap_or_default(),
            row.owner.clone().unwrap_or_default(),
            row.notes.clone().unwrap_or_default(),
            row.policies.join("; "),
            row.evidence.join("; "),
            version.clone(),
            approved_by.clone(),
            approved.clone(),
        ];
        let _ = writer.write_record(record.iter().map(|cell| defuse(cell)));
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed_and_formulas_defused() {
        let isms = Isms::default();
        let row = |justification: &str| SoaRow {
            control: "A.5.15".into(),
            title: "Access control".into(),
            theme: "Organizational".into(),
            framework: "ISO".into(),
            applicable: Some(true),
            status: Some("implemented"),
            justification: Some(justification.into()),
            owner: None,
            notes: None,
            policies: vec![],
            evidence: vec![],
            evidence_files: vec![],
        };
        let text =
            String::from_utf8(to_csv(&isms, &[row("risk R-004, contracts"), row("=HYPERLINK(\"x\")")]))
                .unwrap();
        assert!(
            text.contains(
                "A.5.15,Access control,Organizational,ISO,yes,implemented,\"risk R-004, contracts\","
            ),
            "{text}"
        );
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    }
}
