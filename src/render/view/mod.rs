//! What templates see: plain serializable views built once from the cut model. Every view
//! is made from the cut, so it cannot hold anything the audience may not see. One file per
//! part of the site: `records` (policies, updates, audits, reviews), `controls` (the SoA,
//! coverage, frameworks, evidence) and `registers` (certifications, documents,
//! subprocessors, FAQ, risks).

mod access;
mod controls;
mod history;
mod management;
mod records;
mod registers;

use std::sync::Arc;

use serde::Serialize;

use crate::catalog::Coverage;
use crate::date::Date;
use crate::markdown::{LinkBase, LinkTargets};
use crate::model::{Isms, Policy};
use crate::render::RenderTarget;
use crate::site::routes::{self, FiledEvidence};

pub use access::{HeldView, HolderView, HoldingView, ShareView};
pub use controls::{
    derive_state, CheckSummary, CheckView, ControlView, CriterionView, EvidenceRow, FrameworkIds,
    FrameworkView, MappedControl, ThemeChecks, ThemeCoverage,
};
pub use history::{ChangesHead, ChangesPage, ChangesView, VersionChange, VersionChangeView, VersionRow};
pub use management::{phases, ClauseView, ObjectiveView, PhaseView, SatisfierView};
pub use records::{
    policy_body, policy_view, PolicyBody, PolicyView, RecordPage, RecordPageVisitor, RecordPages,
};
pub use registers::{
    risk_level, CertificationState, CertificationView, DocumentView, FaqView, RiskView, SubprocessorChange,
    SubprocessorView,
};

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub title: String,
    /// Site path; `None` when the target has no page in this build.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileLink {
    pub title: String,
    pub path: String,
    pub size: u64,
    pub kind: String,
}

/// One "security at a glance" card: site.yaml's words, and the page that backs them (none
/// when this build has no such page; `check` reports that).
#[derive(Debug, Clone, Serialize)]
pub struct HighlightView {
    pub title: String,
    pub text: String,
    pub path: Option<String>,
}

/// Everything the pages of one build show.
#[derive(Debug, Clone, Serialize)]
pub struct SiteModel {
    /// The build date every state here was computed against.
    pub today: Date,
    /// Handed to templates item by item (`render::LazyList`), not with the rest.
    #[serde(skip)]
    pub policies: Arc<[PolicyView]>,
    /// Whether a policy this audience reads in full is not approved yet (the policies list
    /// says so): made once, where a template's filter would walk every policy on every page
    /// of the list.
    pub policy_drafts: bool,
    /// The policies' "what changed" pages (one per policy that shows more than one
    /// version); each page gets its own.
    #[serde(skip)]
    pub policy_changes: Vec<ChangesPage>,
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
    /// Updates, audits, management reviews: `model.updates`, `model.audits`, `model.reviews`.
    #[serde(flatten)]
    pub records: RecordPages,
    pub risks: Vec<RiskView>,
    /// The ISMS scope (clause 4.3) and context, as far as this audience sees it.
    pub scope: Option<crate::model::Scope>,
    /// The security objectives (clause 6.2) this audience sees, with their trends.
    pub objectives: Vec<ObjectiveView>,
    /// Each clause 4 to 10 that requires a record, and what satisfies it here.
    pub clauses: Vec<ClauseView>,
    pub frameworks: Vec<FrameworkView>,
    /// The auditor bundle's evidence index, by control; empty on a site.
    pub evidence: Vec<EvidenceRow>,
    /// The access ledger, newest share first; empty below `internal`.
    pub shares: Vec<ShareView>,
    /// Each document ever shared, with who holds it.
    pub holdings: Vec<HoldingView>,
    /// The overview's "security at a glance" cards.
    pub highlights: Vec<HighlightView>,
}

/// The size of each content file a build links for download (see [`linked_files`]),
/// read from disk by the caller: rendering itself reads nothing.
pub type FileSizes = std::collections::BTreeMap<std::path::PathBuf, u64>;

/// The content files whose sizes the views show: documents and certification documents
/// with a file, and in the auditor bundle every evidence file.
pub fn linked_files(isms: &Isms, target: RenderTarget) -> Vec<&std::path::Path> {
    let mut files: Vec<&std::path::Path> =
        isms.documents.values().filter(|d| !d.teaser_only).map(|d| d.path.as_path()).collect();
    files.extend(isms.certifications.values().flat_map(|c| c.documents.iter().map(|d| d.path.as_path())));
    if target == RenderTarget::AuditorBundle {
        files.extend(isms.evidence.values().map(|e| e.path.as_path()));
    }
    files
}

pub struct ViewContext<'a> {
    pub isms: &'a Isms,
    pub today: Date,
    pub targets: &'a LinkTargets,
    pub explicit_index: bool,
    pub files: &'a FileSizes,
    pub target: RenderTarget,
    /// Where the auditor bundle files each evidence file; empty on a site.
    pub evidence_files: &'a [FiledEvidence],
    /// The site's language, for the few words views make (a chart's text alternative).
    pub locale: &'a crate::locale::Locale,
}

impl ViewContext<'_> {
    pub(super) fn page_base(&self, path: &str) -> LinkBase {
        LinkBase::Page { path: path.to_string(), explicit_index: self.explicit_index }
    }

    pub(super) fn control_link(&self, id: &str) -> Link {
        let Some((catalog, control)) = self.isms.catalogs.find_control(id) else {
            return Link { id: id.to_string(), title: String::new(), path: None };
        };
        let path = match catalog.coverage {
            Coverage::Soa => routes::control(id),
            Coverage::Mapping => routes::framework_item(&catalog.id, id),
        };
        Link { id: id.to_string(), title: control.title.clone(), path: Some(path) }
    }

    pub(super) fn policy_link(&self, id: &str) -> Option<Link> {
        self.isms.policies.get(id).map(|policy| Link {
            id: policy.id.clone(),
            title: policy.title.clone(),
            path: Some(routes::policy(&policy.id)),
        })
    }

    pub(super) fn file_link(
        &self,
        title: &str,
        content_path: &std::path::Path,
        site_path: String,
    ) -> FileLink {
        let kind = content_path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_uppercase)
            .unwrap_or_else(|| "FILE".to_string());
        FileLink {
            title: title.to_string(),
            path: site_path,
            size: self.files.get(content_path).copied().unwrap_or(0),
            kind,
        }
    }
}

fn highlights(context: &ViewContext) -> Vec<HighlightView> {
    use crate::site::targets::{destination, Destination};
    let isms = context.isms;
    isms.site
        .overview
        .iter()
        .map(|card| HighlightView {
            title: card.title.clone(),
            text: card.text.clone(),
            path: match destination(isms, context.targets, isms.audience, &card.link) {
                Destination::Page(path) => Some(path),
                Destination::Withheld(_) | Destination::Unknown => None,
            },
        })
        .collect()
}

pub fn build(context: &ViewContext) -> SiteModel {
    let isms = context.isms;
    let policies: Vec<PolicyView> = {
        use rayon::prelude::*;
        let list: Vec<&Policy> = isms.policies.values().collect();
        list.par_iter().map(|policy| policy_view(context, policy)).collect()
    };
    let (checks, controls, coverage, coverage_total) = controls::controls(context);
    let (check_summary, checks_by_theme) = controls::check_summaries(isms, &checks, &coverage);
    let (subprocessors, subprocessor_changes, subprocessors_updated) = registers::subprocessors(context);
    let (faq, faq_categories) = registers::faq(context);
    let shares = access::shares(context);
    SiteModel {
        today: context.today,
        frameworks: controls::frameworks(isms, &controls),
        policy_drafts: policies.iter().any(|policy| !policy.teaser_only && policy.approved.is_none()),
        policy_changes: history::all_changes(context, &policies),
        policies: policies.into(),
        controls,
        coverage,
        coverage_total,
        soa_version: isms.soa.version.as_ref().map(|v| v.0.clone()),
        soa_approved_by: isms.soa.approved_by.clone(),
        soa_approved: isms.soa.approved,
        certifications: registers::certifications(context),
        documents: registers::documents(context),
        checks,
        check_summary,
        checks_by_theme,
        subprocessors,
        subprocessor_changes,
        subprocessors_updated,
        faq,
        faq_categories,
        records: RecordPages::new(context),
        risks: registers::risks(context),
        scope: management::scope(context),
        objectives: management::objectives(context),
        clauses: management::clauses(context),
        evidence: context.evidence_rows(),
        holdings: access::holdings(&shares),
        shares,
        highlights: highlights(context),
    }
}
