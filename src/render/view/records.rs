//! The views of the markdown records (policies, updates, audits, reviews): what their lists
//! and pages show, each body rendered to HTML (a policy's only when its page renders).

use serde::Serialize;

use crate::audience::Audience;
use crate::date::Date;
use crate::freshness;
use crate::markdown::{self, Heading, LinkBase, LinkTargets};
use crate::model::{Finding, Policy};
use crate::render::RenderTarget;
use crate::site::routes;

use super::{Link, ViewContext};

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
    /// Its approved versions from git, newest first: those this audience may read.
    pub history: Vec<super::VersionRow>,
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
        history: super::history::rows(policy),
    }
}

/// Updates, newest first; teasers, which show no date, last.
pub(super) fn updates(context: &ViewContext) -> Vec<UpdateView> {
    let isms = context.isms;
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
    updates.sort_by(|a, b| (b.date.is_none(), b.date, &a.id).cmp(&(a.date.is_none(), a.date, &b.id)));
    updates
}

pub(super) fn audits(context: &ViewContext) -> Vec<AuditView> {
    let isms = context.isms;
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
    audits
}

pub(super) fn reviews(context: &ViewContext) -> Vec<ReviewView> {
    let isms = context.isms;
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
    reviews
}
