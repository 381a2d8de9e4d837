//! The views of a policy's revision history: one row per approved version the reader may
//! see, and one "what changed" page per policy, with a section for each version after the
//! first comparing it with the version shown before it. The model is already cut: every
//! version here is one the reader may read, its text cut to them, and its commit present
//! only for internal readers.

use serde::Serialize;

use crate::audience::Audience;
use crate::date::Date;
use crate::history::diff::{self, Paragraph};
use crate::history::Commit;
use crate::model::{Policy, PolicyVersion};
use crate::site::routes;

use super::{Link, ViewContext};

/// One approved version in a policy's revision history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    pub version: Option<String>,
    pub approved: Date,
    pub approved_by: Option<String>,
    /// The day it took effect: the date of the commit that brought it in.
    pub effective: Date,
    /// Its section of the policy's "what changed" page; `None` for the first version shown.
    pub changes: Option<String>,
    /// Internal readers only: the commit that brought it in.
    pub commit: Option<Commit>,
}

/// What a "what changed" page shows of its policy.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesHead {
    /// The page's site path.
    pub path: String,
    /// Who the page is for: the highest of the policy's page and every version shown.
    pub audience: Audience,
    pub policy_id: String,
    pub policy_title: String,
    pub policy_path: String,
}

/// One version against the one shown before it, everything but the comparison of their
/// texts: a section of its policy's "what changed" page.
#[derive(Debug, Clone, Serialize)]
pub struct VersionChange {
    /// The section's anchor on the page (`version-1-2`).
    pub anchor: String,
    pub from: VersionRow,
    pub to: VersionRow,
    /// False when either version's text cannot be shown (its audience blocks did not
    /// parse): the section then shows no text.
    pub readable: bool,
    pub controls_added: Vec<Link>,
    pub controls_removed: Vec<Link>,
    /// The newer version's index in its policy's `history` (the older one is just before).
    #[serde(skip)]
    index: usize,
    /// What the two texts are made from (`PolicyVersion::text_key`), when both are known.
    #[serde(skip)]
    text_keys: Option<(String, String)>,
}

/// A "what changed" page as its template sees it: the policy, and each version after the
/// first shown against the one shown before it, newest first.
#[derive(Debug, Serialize)]
pub struct ChangesView<'a> {
    #[serde(flatten)]
    pub head: &'a ChangesHead,
    pub versions: Vec<VersionChangeView<'a>>,
}

/// One section of a "what changed" page: a version against the one shown before it.
#[derive(Debug, Serialize)]
pub struct VersionChangeView<'a> {
    #[serde(flatten)]
    pub change: &'a VersionChange,
    /// The changed paragraphs of the text, with removed and added words marked, and one
    /// unchanged paragraph on each side; each says how many it follows that were left out.
    pub paragraphs: Vec<Paragraph>,
    /// Unchanged paragraphs left out after the last one shown.
    pub skipped_after: usize,
    /// No word of the text changed.
    pub text_unchanged: bool,
    /// The two versions are too long to compare word by word (see [`diff::MAX_WORDS`]).
    pub too_large: bool,
}

/// The rows of a policy's revision history, newest first.
pub fn rows(policy: &Policy) -> Vec<VersionRow> {
    let mut rows = oldest_first(policy, &slugs(&policy.history));
    rows.reverse();
    rows
}

/// The rows of a policy's revision history, oldest first. `slugs` are its version slugs
/// ([`slugs`]).
fn oldest_first(policy: &Policy, slugs: &[String]) -> Vec<VersionRow> {
    // Each row after the first links its section of the policy's one "what changed" page.
    let page = (policy.history.len() > 1).then(|| routes::policy_changes(&policy.id));
    let section = |slug: &str| Some(routes::change_section(page.as_deref()?, slug));
    policy
        .history
        .iter()
        .zip(slugs)
        .enumerate()
        .map(|(index, (version, slug))| VersionRow {
            version: version.version.as_ref().map(|v| v.0.clone()),
            approved: version.approved,
            approved_by: version.approved_by.clone(),
            effective: version.effective,
            changes: if index > 0 { section(slug) } else { None },
            commit: version.commit.clone(),
        })
        .collect()
}

/// Each version's slug, which names its section on the "what changed" page
/// ([`routes::change_anchor`]): its version number made a slug (`1.2` → `1-2`), else its
/// approval date; a repeat gets `-2`, `-3`. Stable as long as history is only added to.
fn slugs(history: &[PolicyVersion]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::with_capacity(history.len());
    let mut used = std::collections::HashSet::new();
    for version in history {
        let base = version
            .version
            .as_ref()
            .map(|v| crate::markdown::slug(&v.0))
            .filter(|slug| !slug.is_empty())
            // An anchor stays short enough to read in an address.
            .map(|slug| slug.chars().take(60).collect::<String>())
            .unwrap_or_else(|| version.approved.to_string());
        let mut slug = base.clone();
        let mut n = 2;
        while used.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        used.insert(slug.clone());
        taken.push(slug);
    }
    taken
}

/// A policy's "what changed" page before its comparisons are made: what its view is made
/// from. The word-level comparison is most of the page's cost, so it is made only when the
/// page is rendered ([`ChangesPage::view`]); a rebuild that keeps the page never makes it.
/// The page's key is made from its head, its sections and what each text is made from. The
/// texts themselves stay in the cut model's policy, which the page is rendered with: a
/// rebuild that keeps the page copies none.
#[derive(Debug, Clone)]
pub struct ChangesPage {
    pub head: ChangesHead,
    /// Each version after the first shown, newest first.
    pub versions: Vec<VersionChange>,
}

impl VersionChange {
    /// The two versions' texts, older first, each cut to the build's audience (read where
    /// they are held, see `history::texts`), from `policy` (the cut model's policy the page
    /// is of). Empty for a policy that does not have those versions; an error when a text
    /// cannot be read or its cut leaves a fence.
    pub fn texts(&self, policy: &Policy) -> Result<(String, String), String> {
        let text = |index: Option<usize>| match index.and_then(|index| policy.history.get(index)) {
            Some(version) => version.text.cut(),
            None => Ok(String::new()),
        };
        Ok((text(self.index.checked_sub(1))?, text(Some(self.index))?))
    }

    /// What the section is made from beyond its policy's view (which holds both rows) and
    /// the model's controls (which make its links): its anchor, its place in the policy's
    /// history, whether it is readable, and the ids of the controls added and removed. Its
    /// page's key holds this, and each text's key ([`VersionChange::text_keys`]).
    pub fn made_from(&self) -> impl Serialize + '_ {
        fn ids(links: &[Link]) -> Vec<&str> {
            links.iter().map(|link| link.id.as_str()).collect()
        }
        (&self.anchor, self.index, self.readable, ids(&self.controls_added), ids(&self.controls_removed))
    }

    /// What the two texts are made from, older first (`PolicyVersion::text_key`): what the
    /// page's key holds in their place; `None` when either is not known.
    pub fn text_keys(&self) -> Option<(&str, &str)> {
        self.text_keys.as_ref().map(|(older, newer)| (older.as_str(), newer.as_str()))
    }

    /// The section's view, its texts (from `policy`, see [`VersionChange::texts`]) compared
    /// word by word.
    fn view(&self, policy: &Policy) -> Result<VersionChangeView<'_>, String> {
        let (older, newer) = self.texts(policy)?;
        let compared = if self.readable { diff::words(&older, &newer) } else { Some(Vec::new()) };
        let too_large = compared.is_none();
        let paragraphs = compared.unwrap_or_default();
        let text_unchanged = paragraphs.iter().all(|p| p.unchanged);
        let (paragraphs, skipped_after) = diff::around_changes(paragraphs, 1);
        Ok(VersionChangeView { change: self, paragraphs, skipped_after, text_unchanged, too_large })
    }
}

impl ChangesPage {
    /// The page's view, each section's texts (from `policy`, the cut model's policy the page
    /// is of: `head.policy_id`) compared word by word.
    pub fn view(&self, policy: &Policy) -> Result<ChangesView<'_>, String> {
        let versions = self.versions.iter().map(|change| change.view(policy)).collect::<Result<_, _>>()?;
        Ok(ChangesView { head: &self.head, versions })
    }
}

/// Every "what changed" page of the cut model's policies (one per policy that shows more
/// than one version), in policy order. `views` are the policies' views, in the same order:
/// each section's two rows are its policy's view's.
pub fn all_changes(context: &ViewContext, views: &[super::PolicyView]) -> Vec<ChangesPage> {
    use rayon::prelude::*;
    let policies: Vec<(&Policy, &super::PolicyView)> = context
        .isms
        .policies
        .values()
        .zip(views)
        // Paired by id, not only by order: a section's rows are never another policy's.
        .filter(|(policy, view)| {
            policy.history.len() > 1 && view.id == policy.id && view.history.len() == policy.history.len()
        })
        .collect();
    policies.par_iter().map(|(policy, view)| changes(context, policy, &view.history)).collect()
}

/// The "what changed" page of a cut policy that shows more than one version. `rows` are
/// its history's rows, newest first ([`rows`]).
fn changes(context: &ViewContext, policy: &Policy, rows: &[VersionRow]) -> ChangesPage {
    let slugs = slugs(&policy.history);
    let mut versions: Vec<VersionChange> =
        (1..policy.history.len()).filter_map(|index| change(context, policy, rows, &slugs, index)).collect();
    versions.reverse();
    let page_audience = crate::render::page::record_page_audience(policy);
    let head = ChangesHead {
        path: routes::policy_changes(&policy.id),
        // For the highest of the policy's page and every version shown.
        audience: policy.history.iter().map(|version| version.audience).fold(page_audience, Audience::max),
        policy_id: policy.id.clone(),
        policy_title: policy.title.clone(),
        policy_path: routes::policy(&policy.id),
    };
    ChangesPage { head, versions }
}

/// Version `index` (not the first) of a cut policy against the one before it. `rows` are
/// its history's rows, newest first ([`rows`]), and `slugs` its version slugs.
fn change(
    context: &ViewContext,
    policy: &Policy,
    rows: &[VersionRow],
    slugs: &[String],
    index: usize,
) -> Option<VersionChange> {
    let before = index.checked_sub(1)?;
    let (older, newer) = (policy.history.get(before)?, policy.history.get(index)?);
    let links = |ids: Vec<&str>| ids.into_iter().map(|id| context.control_link(id)).collect();
    let added =
        newer.controls.iter().map(|c| c.id.as_str()).filter(|id| !older.controls.iter().any(|c| c.id == *id));
    let removed =
        older.controls.iter().map(|c| c.id.as_str()).filter(|id| !newer.controls.iter().any(|c| c.id == *id));
    let known = !older.text_key.is_empty() && !newer.text_key.is_empty();
    Some(VersionChange {
        anchor: routes::change_anchor(slugs.get(index)?),
        from: rows.get(rows.len().checked_sub(1 + before)?)?.clone(),
        to: rows.get(rows.len().checked_sub(1 + index)?)?.clone(),
        readable: older.readable && newer.readable,
        controls_added: links(added.collect()),
        controls_removed: links(removed.collect()),
        index,
        text_keys: known.then(|| (older.text_key.clone(), newer.text_key.clone())),
    })
}
