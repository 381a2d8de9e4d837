//! The views of the markdown records (policies, and the kinds in `record_kinds!`): what
//! their lists and pages show, each body rendered to HTML (a policy's only when its page
//! renders).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audience::Audience;
use crate::date::Date;
use crate::freshness;
use crate::markdown::{self, Heading, LinkBase, LinkTargets};
use crate::model::{MarkdownRecord, Policy};
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

/// The view of an item of a kind in [`record_kinds!`](crate::record_kinds): its own fields
/// as cut for this build (every one but its body and source), its page's path, the facts
/// its kind works out (an audit's `open_findings`), and its body rendered.
#[derive(Debug, Clone, Serialize)]
pub struct RecordPage<K> {
    #[serde(flatten)]
    pub record: K,
    pub path: String,
    #[serde(flatten)]
    pub facts: BTreeMap<&'static str, usize>,
    pub html: String,
    pub has_code: bool,
}

/// A kind's views, in its list order.
fn record_pages<K: MarkdownRecord>(
    context: &ViewContext,
    records: &BTreeMap<String, K>,
) -> Vec<RecordPage<K>> {
    let mut pages: Vec<RecordPage<K>> = records
        .values()
        .map(|record| {
            let path = K::route(record.id());
            let body = record.body();
            let rendered = markdown::render(
                &body.text,
                &record.source().file,
                context.targets,
                &context.page_base(&path),
            );
            RecordPage {
                record: record.clone(),
                path,
                facts: record.facts().into_iter().collect(),
                html: rendered.html,
                has_code: rendered.has_code,
            }
        })
        .collect();
    pages.sort_by(|a, b| a.record.list_order(&b.record));
    pages
}

/// Visits each kind's views (see [`RecordPages::visit`]).
pub trait RecordPageVisitor<'a> {
    fn visit<K: MarkdownRecord>(&mut self, field: &'static str, pages: &'a [RecordPage<K>]);
}

macro_rules! record_pages {
    ($($field:ident: $kind:ty),* $(,)?) => {
        /// The views of each kind in [`record_kinds!`](crate::record_kinds), under the kind's
        /// field name: `model.updates` in templates.
        #[derive(Debug, Clone, Serialize)]
        pub struct RecordPages {
            $(pub $field: Vec<RecordPage<$kind>>,)*
        }

        impl RecordPages {
            pub(super) fn new(context: &ViewContext) -> RecordPages {
                RecordPages { $($field: record_pages(context, &context.isms.records.$field),)* }
            }

            /// Visits each kind's views, with the kind's field name.
            pub fn visit<'a>(&'a self, visitor: &mut impl RecordPageVisitor<'a>) {
                $(visitor.visit(stringify!($field), &self.$field);)*
            }

            /// Some item's body shows code.
            pub fn have_code(&self) -> bool {
                false $(|| self.$field.iter().any(|page| page.has_code))*
            }
        }
    };
}
crate::record_kinds!(record_pages);

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
