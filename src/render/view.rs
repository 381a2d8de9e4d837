//! What templates see: plain serializable views built once from the cut model. Every view
//! is made from the cut, so it cannot hold anything the audience may not see.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::audience::Audience;
use crate::catalog::Coverage;
use crate::date::Date;
use crate::freshness::{self, Validity};
use crate::markdown::{self, Heading, LinkBase, LinkTargets};
use crate::model::Applicability;
use crate::model::*;
use crate::render::RenderTarget;
use crate::site::routes::{self, file_name, FiledEvidence};

/// What a certification card and badge show: its validity today, or that it is a teaser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificationState {
    Valid,
    Expiring,
    Expired,
    /// A teaser: it exists, and its details are on request.
    OnRequest,
}

impl From<Validity> for CertificationState {
    fn from(validity: Validity) -> CertificationState {
        match validity {
            Validity::Valid => CertificationState::Valid,
            Validity::Expiring => CertificationState::Expiring,
            Validity::Expired => CertificationState::Expired,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub title: String,
    /// Site path; `None` when the target has no page in this build.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    pub id: String,
    pub path: String,
    pub title: String,
    pub version: Option<String>,
    pub owner: Option<String>,
    pub approved_by: Option<String>,
    pub approved: Option<Date>,
    pub next_review: Option<Date>,
    pub review_overdue: bool,
    pub summary: Option<String>,
    pub audience: Audience,
    pub teaser_only: bool,
    pub controls: Vec<Link>,
    /// The markdown source's path in the auditor bundle; `None` on a site.
    pub source: Option<String>,
}

/// A policy's rendered body. It is not part of the view every page shares: a large ISMS
/// has tens of megabytes of it, so each policy page renders its own body when it renders
/// and drops it once written.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyBody {
    pub html: String,
    pub headings: Vec<Heading>,
    pub has_code: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub result: CheckResult,
    pub checked_at: String,
    pub checked_on: Date,
    pub stale: bool,
    pub source: Option<String>,
    pub details: Option<String>,
    pub controls: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlView {
    pub id: String,
    pub path: String,
    pub title: String,
    pub theme: String,
    pub catalog: String,
    pub applicable: Option<bool>,
    pub status: Option<&'static str>,
    /// One word for filters: the status, `not-applicable` or `undecided`.
    pub state: &'static str,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub policies: Vec<Link>,
    pub evidence: Vec<Link>,
    pub checks: Vec<CheckView>,
    /// The ids of this control in every enabled mapped framework (SOC 2, NIS2).
    pub mappings: Vec<FrameworkIds>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkIds {
    pub framework: String,
    pub links: Vec<Link>,
}

/// A framework whose coverage is derived from the SoA through its mapping.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub path: String,
    pub name: String,
    pub description: Option<String>,
    pub criteria: Vec<CriterionView>,
    pub coverage: ThemeCoverage,
    pub themes: Vec<ThemeCoverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub theme: String,
    /// Derived from the mapped controls' states: see `derive_state`.
    pub state: &'static str,
    pub controls: Vec<MappedControl>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappedControl {
    pub id: String,
    pub title: String,
    pub path: String,
    pub state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeCoverage {
    pub theme: String,
    pub total: usize,
    pub applicable: usize,
    pub not_applicable: usize,
    pub implemented: usize,
    pub partial: usize,
    pub planned: usize,
    pub not_implemented: usize,
    /// Implemented share of applicable controls, in whole percent.
    pub percent: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    pub id: String,
    pub name: String,
    pub issuer: Option<String>,
    pub certificate_number: Option<String>,
    pub scope: Option<String>,
    pub issued: Option<Date>,
    pub expires: Option<Date>,
    pub summary: Option<String>,
    pub teaser_only: bool,
    /// `valid`, `expiring`, `expired`, or `on-request` for teasers.
    pub state: CertificationState,
    pub days_left: Option<i64>,
    pub documents: Vec<FileLink>,
    pub documents_on_request: bool,
    /// The badge's site path; teasers have none (they have no validity to show).
    pub badge: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileLink {
    pub title: String,
    pub path: String,
    pub size: u64,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub teaser_only: bool,
    pub file: Option<FileLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubprocessorView {
    pub name: String,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub data: Vec<String>,
    pub website: Option<String>,
    pub added: Option<Date>,
    pub removed: Option<Date>,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubprocessorChange {
    pub date: Date,
    /// `added` or `removed`.
    pub change: &'static str,
    pub name: String,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaqView {
    pub id: String,
    pub question: String,
    pub html: String,
    pub category: String,
    pub controls: Vec<Link>,
    pub policies: Vec<Link>,
    pub caiq: Vec<String>,
    pub teaser_only: bool,
}

/// The view of a markdown record with a page of its own: what the page list needs of it.
pub trait RecordView: Serialize {
    fn id(&self) -> &str;
    fn path(&self) -> &str;
    fn title(&self) -> &str;
    /// Its body shows code (and its page needs the syntax stylesheet).
    fn has_code(&self) -> bool;
}

macro_rules! record_view {
    ($($view:ty),*) => {$(
        impl RecordView for $view {
            fn id(&self) -> &str {
                &self.id
            }
            fn path(&self) -> &str {
                &self.path
            }
            fn title(&self) -> &str {
                &self.title
            }
            fn has_code(&self) -> bool {
                self.has_code
            }
        }
    )*};
}

record_view!(UpdateView, AuditView, ReviewView);

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    pub id: String,
    pub path: String,
    pub title: String,
    /// `None` for a teaser: its date is withheld.
    pub date: Option<Date>,
    pub summary: Option<String>,
    pub teaser_only: bool,
    pub html: String,
    pub has_code: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub likelihood: u8,
    pub impact: u8,
    pub score: u8,
    /// `low` (1–4), `medium` (5–9), `high` (10–16), `critical` (17–25).
    pub level: &'static str,
    pub treatment: Option<Treatment>,
    pub controls: Vec<Link>,
    pub owner: Option<String>,
    pub review: Option<Date>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    pub id: String,
    pub path: String,
    pub title: String,
    pub date: Date,
    pub auditor: Option<String>,
    pub scope: Option<String>,
    pub findings: Vec<Finding>,
    pub open_findings: usize,
    pub html: String,
    pub has_code: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub id: String,
    pub path: String,
    pub title: String,
    pub date: Date,
    pub attendees: Vec<String>,
    pub decisions: Vec<String>,
    pub html: String,
    pub has_code: bool,
}

/// Monitored checks of one theme: a check counts once in each theme its controls are in.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeChecks {
    pub theme: String,
    pub summary: CheckSummary,
}

/// One evidence file under one control, for the auditor bundle's evidence index.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    /// `None` for evidence that names no control.
    pub control: Option<Link>,
    pub id: String,
    pub title: String,
    pub collected: Option<Date>,
    /// Collected longer ago than its `max_age_days`.
    pub stale: bool,
    pub file: FileLink,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckSummary {
    pub total: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub stale: usize,
}

/// Everything the pages of one build show.
#[derive(Debug, Clone, Serialize)]
pub struct SiteModel {
    /// The build date every state here was computed against.
    pub today: Date,
    /// Handed to templates item by item (`render::LazyList`), not with the rest.
    #[serde(skip)]
    pub policies: Arc<[PolicyView]>,
    pub controls: Vec<ControlView>,
    pub coverage: Vec<ThemeCoverage>,
    pub coverage_total: ThemeCoverage,
    pub soa_version: Option<String>,
    pub soa_approved_by: Option<String>,
    pub soa_approved: Option<Date>,
    pub certifications: Vec<CertificationView>,
    pub documents: Vec<DocumentView>,
    pub checks: Vec<CheckView>,
    pub check_summary: CheckSummary,
    pub checks_by_theme: Vec<ThemeChecks>,
    pub subprocessors: Vec<SubprocessorView>,
    /// Additions and removals, newest first: the page's "recent changes" and the feed.
    pub subprocessor_changes: Vec<SubprocessorChange>,
    pub subprocessors_updated: Option<Date>,
    pub faq: Vec<FaqView>,
    pub faq_categories: Vec<String>,
    pub updates: Vec<UpdateView>,
    pub risks: Vec<RiskView>,
    pub audits: Vec<AuditView>,
    pub reviews: Vec<ReviewView>,
    pub frameworks: Vec<FrameworkView>,
    /// The auditor bundle's evidence index, by control; empty on a site.
    pub evidence: Vec<EvidenceRow>,
}

/// File facts the views need for downloads, gathered by the caller (which reads the disk).
pub struct FileFacts<'a> {
    pub size_of: &'a (dyn Fn(&std::path::Path) -> u64 + Sync),
}

pub struct ViewContext<'a> {
    pub isms: &'a Isms,
    pub today: Date,
    pub targets: &'a LinkTargets,
    pub explicit_index: bool,
    pub files: FileFacts<'a>,
    pub target: RenderTarget,
    /// Where the auditor bundle files each evidence file; empty on a site.
    pub evidence_files: &'a [FiledEvidence],
}

impl ViewContext<'_> {
    fn page_base(&self, path: &str) -> LinkBase {
        LinkBase::Page { path: path.to_string(), explicit_index: self.explicit_index }
    }

    fn control_link(&self, id: &str) -> Link {
        let Some((catalog, control)) = self.isms.catalogs.find_control(id) else {
            return Link { id: id.to_string(), title: String::new(), path: None };
        };
        let path = match catalog.coverage {
            Coverage::Soa => routes::control(id),
            Coverage::Mapping => routes::framework_item(&catalog.id, id),
        };
        Link { id: id.to_string(), title: control.title.clone(), path: Some(path) }
    }

    fn policy_link(&self, id: &str) -> Option<Link> {
        self.isms.policies.get(id).map(|policy| Link {
            id: policy.id.clone(),
            title: policy.title.clone(),
            path: Some(routes::policy(&policy.id)),
        })
    }

    /// Evidence `id` as shown on `control`'s page: in the auditor bundle a link to the file
    /// filed under that control, on a site just the id (and the title when visible).
    fn evidence_link(&self, control: &str, id: &str) -> Link {
        // Evidence ids are shown from internal up; titles only when the item itself is visible.
        let title = self.isms.evidence.get(id).map(|e| e.title.clone()).unwrap_or_default();
        let path = self
            .evidence_files
            .iter()
            .find(|filed| filed.evidence_id == id && filed.control.as_deref() == Some(control))
            .map(|filed| filed.path.clone());
        Link { id: id.to_string(), title, path }
    }

    /// Evidence listed for `control`: its SoA entry's, then (in the auditor bundle) the
    /// evidence items that name the control themselves.
    fn control_evidence(&self, control: &str, entry: Option<&SoaEntry>) -> Vec<Link> {
        let mut links: Vec<Link> = entry
            .map(|e| e.evidence.iter().map(|ev| self.evidence_link(control, &ev.id)).collect())
            .unwrap_or_default();
        if self.target == RenderTarget::AuditorBundle {
            for evidence in self.isms.evidence.values() {
                let names_control = evidence.controls.iter().any(|c| c.id == control);
                if names_control && !links.iter().any(|link| link.id == evidence.id) {
                    links.push(self.evidence_link(control, &evidence.id));
                }
            }
        }
        links
    }

    fn evidence_rows(&self) -> Vec<EvidenceRow> {
        let mut rows: Vec<(usize, EvidenceRow)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for filed in self.evidence_files {
            let Some(evidence) = self.isms.evidence.get(&filed.evidence_id) else { continue };
            if !seen.insert((&filed.control, &filed.evidence_id)) {
                continue;
            }
            let stale = freshness::evidence_is_stale(evidence.collected, evidence.max_age_days, self.today);
            let title = format!("{} {}", evidence.id, evidence.title);
            rows.push((
                filed.control.as_deref().map_or(usize::MAX, |c| self.control_order(c)),
                EvidenceRow {
                    control: filed.control.as_deref().map(|c| self.control_link(c)),
                    id: evidence.id.clone(),
                    title: evidence.title.clone(),
                    collected: evidence.collected,
                    stale,
                    file: self.file_link(&title, &evidence.path, filed.path.clone()),
                },
            ));
        }
        // Controls in catalog order (A.5.2 before A.5.10), evidence by id within a control.
        rows.sort_by(|(a_order, a), (b_order, b)| (a_order, &a.id).cmp(&(b_order, &b.id)));
        rows.into_iter().map(|(_, row)| row).collect()
    }

    /// A control's position across the enabled catalogs, for listing in catalog order.
    fn control_order(&self, id: &str) -> usize {
        self.isms
            .catalogs
            .enabled()
            .flat_map(|catalog| catalog.controls.iter())
            .position(|control| control.id == id)
            .unwrap_or(usize::MAX - 1)
    }

    fn file_link(&self, title: &str, content_path: &std::path::Path, site_path: String) -> FileLink {
        let kind = content_path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_uppercase)
            .unwrap_or_else(|| "FILE".to_string());
        FileLink { title: title.to_string(), path: site_path, size: (self.files.size_of)(content_path), kind }
    }

    fn check_view(&self, check: &ControlCheck) -> CheckView {
        let checked_on = check.checked_at.date();
        CheckView {
            id: check.id.clone(),
            title: check.title.clone(),
            result: check.result,
            checked_at: check.checked_at.to_string(),
            checked_on,
            stale: freshness::check_is_stale(checked_on, self.today),
            source: check.source.clone(),
            details: check.details.clone(),
            controls: check.controls.iter().map(|c| self.control_link(&c.id)).collect(),
        }
    }
}

/// The body of one policy, rendered for its page.
pub fn policy_body(targets: &LinkTargets, explicit_index: bool, policy: &Policy) -> PolicyBody {
    let base = LinkBase::Page { path: routes::policy(&policy.id), explicit_index };
    let rendered = markdown::render(&policy.body.text, &policy.source.file, targets, &base);
    PolicyBody { html: rendered.html, headings: rendered.headings, has_code: rendered.has_code }
}

/// The view of one policy, without its body.
pub fn policy_view(context: &ViewContext, policy: &Policy) -> PolicyView {
    let today = context.today;
    let path = routes::policy(&policy.id);
    let next_review = policy.next_review_date();
    PolicyView {
        id: policy.id.clone(),
        path,
        title: policy.title.clone(),
        version: policy.version.as_ref().map(|v| v.0.clone()),
        owner: policy.owner.clone(),
        approved_by: policy.approved_by.clone(),
        approved: policy.approved,
        next_review,
        review_overdue: freshness::review_overdue(next_review, today),
        summary: policy.summary.clone(),
        audience: policy.audience,
        teaser_only: policy.teaser_only,
        controls: policy.controls.iter().map(|c| context.control_link(&c.id)).collect(),
        source: (context.target == RenderTarget::AuditorBundle)
            .then(|| routes::policy_source(&policy.id, &policy.source.file)),
    }
}

pub fn build(context: &ViewContext) -> SiteModel {
    let isms = context.isms;
    let today = context.today;

    let policies: Vec<PolicyView> = {
        use rayon::prelude::*;
        let list: Vec<&Policy> = isms.policies.values().collect();
        list.par_iter().map(|policy| policy_view(context, policy)).collect()
    };

    let checks: Vec<CheckView> = isms.checks.values().map(|check| context.check_view(check)).collect();
    let mut checks_by_control: BTreeMap<&str, Vec<CheckView>> = BTreeMap::new();
    for (check, view) in isms.checks.values().zip(&checks) {
        for control in &check.controls {
            checks_by_control.entry(control.id.as_str()).or_default().push(view.clone());
        }
    }

    let mut controls = Vec::new();
    let mut coverage: Vec<ThemeCoverage> = Vec::new();
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            let entry = isms.soa.controls.get(&control.id);
            let applicable = entry.and_then(|e| e.applicable).and_then(Applicability::decided);
            let status = entry.and_then(SoaEntry::applicable_status);
            let state = match (applicable, status) {
                (Some(false), _) => "not-applicable",
                (Some(true), Some(status)) => status.as_str(),
                _ => "undecided",
            };
            let theme = catalog.theme_of(control);
            controls.push(ControlView {
                id: control.id.clone(),
                path: routes::control(&control.id),
                title: control.title.clone(),
                theme: theme.clone(),
                catalog: catalog.name.clone(),
                applicable,
                status: status.map(ControlStatus::as_str),
                state,
                justification: entry.and_then(|e| e.justification.clone()),
                owner: entry.and_then(|e| e.owner.clone()),
                notes: entry.and_then(|e| e.notes.clone()),
                policies: entry
                    .map(|e| e.policies.iter().filter_map(|p| context.policy_link(&p.id)).collect())
                    .unwrap_or_default(),
                evidence: context.control_evidence(&control.id, entry),
                checks: checks_by_control.get(control.id.as_str()).cloned().unwrap_or_default(),
                mappings: isms
                    .catalogs
                    .mapped_to(&control.id)
                    .into_iter()
                    .map(|(catalog, ids)| FrameworkIds {
                        framework: catalog.name.clone(),
                        links: ids.into_iter().map(|id| context.control_link(id)).collect(),
                    })
                    .collect(),
            });
            let row = match coverage.iter_mut().position(|c| c.theme == theme) {
                Some(index) => &mut coverage[index],
                None => {
                    coverage.push(ThemeCoverage::empty(&theme));
                    coverage.last_mut().expect("just pushed")
                }
            };
            row.count(applicable, status);
        }
    }
    let mut coverage_total = ThemeCoverage::empty("All controls");
    for row in &mut coverage {
        row.finish();
        coverage_total.add(row);
    }
    coverage_total.finish();

    let mut certifications: Vec<CertificationView> = isms
        .certifications
        .values()
        .map(|certification| {
            let days_left = certification.expires.map(|expires| today.days_until(expires));
            let state = if certification.teaser_only {
                CertificationState::OnRequest
            } else {
                Validity::of(certification.expires, today).into()
            };
            CertificationView {
                id: certification.id.clone(),
                name: certification.name.clone(),
                issuer: certification.issuer.clone(),
                certificate_number: certification.certificate_number.clone(),
                scope: certification.scope.clone(),
                issued: certification.issued,
                expires: certification.expires,
                summary: certification.summary.clone(),
                teaser_only: certification.teaser_only,
                state,
                days_left,
                documents_on_request: certification.documents_on_request,
                badge: (!certification.teaser_only).then(|| routes::badge(&certification.id)),
                documents: certification
                    .documents
                    .iter()
                    .map(|document| {
                        let name = file_name(&document.path);
                        context.file_link(
                            &document.title,
                            &document.path,
                            routes::certification_file(&certification.id, &name),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    // Valid ones first, then by name: what a visitor looks for is what holds today.
    let expired = |c: &CertificationView| c.state == CertificationState::Expired;
    certifications.sort_by(|a, b| (expired(a), &a.name).cmp(&(expired(b), &b.name)));

    let documents = isms
        .documents
        .values()
        .map(|document| DocumentView {
            id: document.id.clone(),
            title: document.title.clone(),
            summary: document.summary.clone(),
            teaser_only: document.teaser_only,
            file: (!document.teaser_only).then(|| {
                context.file_link(
                    &document.title,
                    &document.path,
                    routes::document_file(&file_name(&document.path)),
                )
            }),
        })
        .collect();

    let mut check_summary = CheckSummary::default();
    let mut checks_by_theme: Vec<ThemeChecks> = coverage
        .iter()
        .map(|row| ThemeChecks { theme: row.theme.clone(), summary: CheckSummary::default() })
        .collect();
    for check in &checks {
        check_summary.add(check);
        let mut themes: Vec<String> = check
            .controls
            .iter()
            .filter_map(|link| isms.catalogs.find_control(&link.id))
            .map(|(catalog, control)| catalog.theme_of(control))
            .collect();
        themes.sort();
        themes.dedup();
        for theme in themes {
            if let Some(row) = checks_by_theme.iter_mut().find(|row| row.theme == theme) {
                row.summary.add(check);
            }
        }
    }
    checks_by_theme.retain(|row| row.summary.total > 0);

    let subprocessors = isms
        .subprocessors
        .iter()
        .map(|s| SubprocessorView {
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            location: s.location.clone(),
            data: s.data.clone(),
            website: s.website.clone(),
            added: s.added,
            removed: s.removed,
            current: s.removed.is_none_or(|removed| removed > today)
                && s.added.is_none_or(|added| added <= today),
        })
        .collect();

    let mut subprocessor_changes: Vec<SubprocessorChange> = Vec::new();
    for s in &isms.subprocessors {
        for (date, change) in [(s.added, "added"), (s.removed, "removed")] {
            let Some(date) = date.filter(|d| *d <= today) else { continue };
            subprocessor_changes.push(SubprocessorChange {
                date,
                change,
                name: s.name.clone(),
                purpose: s.purpose.clone(),
                location: s.location.clone(),
                anchor: format!("{}-{change}-{date}", crate::markdown::slug(&s.name)),
            });
        }
    }
    subprocessor_changes.sort_by(|a, b| (b.date, &a.name, a.change).cmp(&(a.date, &b.name, b.change)));
    let subprocessors_updated = subprocessor_changes.first().map(|c| c.date);

    let faq_base = context.page_base(routes::FAQ);
    let faq: Vec<FaqView> = isms
        .faq
        .values()
        .map(|answer| FaqView {
            id: answer.id.clone(),
            question: answer.question.clone(),
            html: markdown::render(&answer.answer.text, &answer.source.file, context.targets, &faq_base).html,
            category: answer.category.clone().unwrap_or_else(|| "General".to_string()),
            controls: answer.controls.iter().map(|c| context.control_link(&c.id)).collect(),
            policies: answer.policies.iter().filter_map(|p| context.policy_link(&p.id)).collect(),
            caiq: answer.caiq.clone(),
            teaser_only: answer.teaser_only,
        })
        .collect();
    let mut faq_categories: Vec<String> = faq.iter().map(|a| a.category.clone()).collect();
    faq_categories.sort();
    faq_categories.dedup();

    let mut updates: Vec<UpdateView> = isms
        .updates
        .values()
        .map(|update| {
            let path = routes::update(&update.id);
            let rendered = markdown::render(
                &update.body.text,
                &update.source.file,
                context.targets,
                &context.page_base(&path),
            );
            UpdateView {
                id: update.id.clone(),
                path,
                title: update.title.clone(),
                date: update.date,
                summary: update.summary.clone(),
                teaser_only: update.teaser_only,
                html: rendered.html,
                has_code: rendered.has_code,
            }
        })
        .collect();
    // Newest first; teasers, which show no date, last.
    updates.sort_by(|a, b| (b.date.is_none(), b.date, &a.id).cmp(&(a.date.is_none(), a.date, &b.id)));

    let mut risks: Vec<RiskView> = isms
        .risks
        .values()
        .map(|risk| {
            let score = risk.likelihood.0 * risk.impact.0;
            RiskView {
                id: risk.id.clone(),
                title: risk.title.clone(),
                description: risk.description.clone(),
                likelihood: risk.likelihood.0,
                impact: risk.impact.0,
                score,
                level: risk_level(score),
                treatment: risk.treatment,
                controls: risk.controls.iter().map(|c| context.control_link(&c.id)).collect(),
                owner: risk.owner.clone(),
                review: risk.review,
                notes: risk.notes.clone(),
            }
        })
        .collect();
    risks.sort_by(|a, b| (b.score, &a.id).cmp(&(a.score, &b.id)));

    let audits = isms
        .audits
        .values()
        .map(|audit| {
            let path = routes::audit(&audit.id);
            let rendered = markdown::render(
                &audit.body.text,
                &audit.source.file,
                context.targets,
                &context.page_base(&path),
            );
            AuditView {
                id: audit.id.clone(),
                path,
                title: audit.title.clone(),
                date: audit.date,
                auditor: audit.auditor.clone(),
                scope: audit.scope.clone(),
                open_findings: audit.findings.iter().filter(|f| freshness::finding_open(f)).count(),
                findings: audit.findings.clone(),
                html: rendered.html,
                has_code: rendered.has_code,
            }
        })
        .collect();

    let reviews = isms
        .reviews
        .values()
        .map(|review| {
            let path = routes::review(&review.id);
            let rendered = markdown::render(
                &review.body.text,
                &review.source.file,
                context.targets,
                &context.page_base(&path),
            );
            ReviewView {
                id: review.id.clone(),
                path,
                title: review.title.clone(),
                date: review.date,
                attendees: review.attendees.clone(),
                decisions: review.decisions.clone(),
                html: rendered.html,
                has_code: rendered.has_code,
            }
        })
        .collect();

    let frameworks = frameworks(isms, &controls);

    SiteModel {
        today,
        frameworks,
        policies: policies.into(),
        controls,
        coverage,
        coverage_total,
        soa_version: isms.soa.version.as_ref().map(|v| v.0.clone()),
        soa_approved_by: isms.soa.approved_by.clone(),
        soa_approved: isms.soa.approved,
        certifications,
        documents,
        checks,
        check_summary,
        checks_by_theme,
        subprocessors,
        subprocessor_changes,
        subprocessors_updated,
        faq,
        faq_categories,
        updates,
        risks,
        audits,
        reviews,
        evidence: context.evidence_rows(),
    }
}

/// Coverage of each enabled mapped framework, derived from the SoA states of the controls
/// each criterion maps to.
fn frameworks(isms: &Isms, controls: &[ControlView]) -> Vec<FrameworkView> {
    let by_id: BTreeMap<&str, &ControlView> = controls.iter().map(|c| (c.id.as_str(), c)).collect();
    isms.catalogs
        .mapped_catalogs()
        .map(|catalog| {
            let criteria: Vec<CriterionView> = catalog
                .controls
                .iter()
                .map(|criterion| {
                    let mapped: Vec<MappedControl> = criterion
                        .maps_to
                        .iter()
                        .filter_map(|id| by_id.get(id.as_str()))
                        .map(|control| MappedControl {
                            id: control.id.clone(),
                            title: control.title.clone(),
                            path: control.path.clone(),
                            state: control.state,
                        })
                        .collect();
                    let states: Vec<&str> = mapped.iter().map(|m| m.state).collect();
                    CriterionView {
                        id: criterion.id.clone(),
                        anchor: crate::markdown::slug(&criterion.id),
                        title: criterion.title.clone(),
                        theme: catalog.theme_of(criterion),
                        state: derive_state(&states),
                        controls: mapped,
                    }
                })
                .collect();
            let mut themes: Vec<ThemeCoverage> = Vec::new();
            let mut total = ThemeCoverage::empty("All criteria");
            for criterion in &criteria {
                let row = match themes.iter_mut().position(|t| t.theme == criterion.theme) {
                    Some(index) => &mut themes[index],
                    None => {
                        themes.push(ThemeCoverage::empty(&criterion.theme));
                        themes.last_mut().expect("just pushed")
                    }
                };
                row.count_state(criterion.state);
                total.count_state(criterion.state);
            }
            for row in &mut themes {
                row.finish();
            }
            total.finish();
            FrameworkView {
                id: catalog.id.clone(),
                path: routes::framework(&catalog.id),
                name: catalog.name.clone(),
                description: catalog.description.clone(),
                criteria,
                coverage: total,
                themes,
            }
        })
        .collect()
}

/// A criterion's state from the states of the controls it maps to: not applicable when all
/// of them are; otherwise judged on the applicable ones — implemented when all are,
/// partial when any is implemented or partial, else planned, not implemented, or undecided.
pub fn derive_state(states: &[&str]) -> &'static str {
    let applicable: Vec<&str> = states.iter().copied().filter(|s| *s != "not-applicable").collect();
    if states.is_empty() {
        return "undecided";
    }
    if applicable.is_empty() {
        return "not-applicable";
    }
    let any = |state: &str| applicable.contains(&state);
    if applicable.iter().all(|s| *s == "implemented") {
        "implemented"
    } else if any("implemented") || any("partial") {
        "partial"
    } else if any("planned") {
        "planned"
    } else if any("not-implemented") {
        "not-implemented"
    } else {
        "undecided"
    }
}

impl CheckSummary {
    fn add(&mut self, check: &CheckView) {
        self.total += 1;
        match check.result {
            CheckResult::Pass => self.pass += 1,
            CheckResult::Warn => self.warn += 1,
            CheckResult::Fail => self.fail += 1,
        }
        if check.stale {
            self.stale += 1;
        }
    }
}

pub fn risk_level(score: u8) -> &'static str {
    match score {
        0..=4 => "low",
        5..=9 => "medium",
        10..=16 => "high",
        _ => "critical",
    }
}

impl ThemeCoverage {
    pub fn empty(theme: &str) -> ThemeCoverage {
        ThemeCoverage {
            theme: theme.to_string(),
            total: 0,
            applicable: 0,
            not_applicable: 0,
            implemented: 0,
            partial: 0,
            planned: 0,
            not_implemented: 0,
            percent: 0,
        }
    }

    fn count(&mut self, applicable: Option<bool>, status: Option<ControlStatus>) {
        self.total += 1;
        match applicable {
            Some(false) => self.not_applicable += 1,
            Some(true) => {
                self.applicable += 1;
                match status {
                    Some(ControlStatus::Implemented) => self.implemented += 1,
                    Some(ControlStatus::Partial) => self.partial += 1,
                    Some(ControlStatus::Planned) => self.planned += 1,
                    Some(ControlStatus::NotImplemented) => self.not_implemented += 1,
                    None => {}
                }
            }
            None => {}
        }
    }

    fn count_state(&mut self, state: &str) {
        let (applicable, status) = match state {
            "not-applicable" => (Some(false), None),
            "implemented" => (Some(true), Some(ControlStatus::Implemented)),
            "partial" => (Some(true), Some(ControlStatus::Partial)),
            "planned" => (Some(true), Some(ControlStatus::Planned)),
            "not-implemented" => (Some(true), Some(ControlStatus::NotImplemented)),
            _ => (None, None),
        };
        self.count(applicable, status);
    }

    fn add(&mut self, other: &ThemeCoverage) {
        self.total += other.total;
        self.applicable += other.applicable;
        self.not_applicable += other.not_applicable;
        self.implemented += other.implemented;
        self.partial += other.partial;
        self.planned += other.planned;
        self.not_implemented += other.not_implemented;
    }

    fn finish(&mut self) {
        self.percent = (self.implemented * 100).checked_div(self.applicable).unwrap_or(0);
    }
}
