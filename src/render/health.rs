//! The internal health page's data: what needs attention, with its pictures.

use minijinja::value::Serde;
use minijinja::{context, Value};
use serde::Serialize;

use crate::locale::Locale;
use crate::render::svg;
use crate::render::view::{self, SiteModel};

/// The internal health page: what needs attention, with its pictures.
pub(crate) fn health(model: &SiteModel, locale: &Locale) -> Value {
    #[derive(Serialize)]
    struct OpenFinding<'a> {
        audit_title: &'a str,
        audit_path: &'a str,
        finding: &'a crate::model::Finding,
        overdue: bool,
    }
    use view::CertificationState::{Expired, Expiring};
    let today = model.today;
    let mut findings: Vec<OpenFinding> = model
        .records
        .audits
        .iter()
        .flat_map(|page| {
            page.record.findings.iter().filter(|f| f.is_open()).map(move |finding| OpenFinding {
                audit_title: &page.record.title,
                audit_path: &page.path,
                finding,
                overdue: crate::freshness::finding_overdue(finding, today),
            })
        })
        .collect();
    findings.sort_by(|a, b| (a.finding.due, &a.finding.id).cmp(&(b.finding.due, &b.finding.id)));
    let overdue: Vec<_> = model.policies.iter().filter(|p| p.review_overdue).collect();
    let failing: Vec<_> =
        model.checks.iter().filter(|c| c.result == crate::model::CheckResult::Fail).collect();
    let stale: Vec<_> = model.checks.iter().filter(|c| c.stale).collect();
    let certifications: Vec<_> =
        model.certifications.iter().filter(|c| matches!(c.state, Expiring | Expired)).collect();
    let phases = view::phases(&model.clauses, &model.objectives, failing.len(), findings.len(), locale);
    context! {
        phases => Value::from(Serde(phases)),
        overdue_policies => Value::from(Serde(overdue)),
        open_findings => Value::from(Serde(findings)),
        heat_map => svg::heat_map(&model.risks, locale),
        progress => svg::progress(&model.coverage, locale),
        failing_checks => Value::from(Serde(failing)),
        stale_checks => Value::from(Serde(stale)),
        certifications => Value::from(Serde(certifications)),
        risks_high => model.risks.iter().filter(|r| r.score >= 10).count(),
    }
}
