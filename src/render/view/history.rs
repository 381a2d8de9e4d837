//! The views of a policy's revision history: one row per approved version the reader may
//! see, and a "what changed" page per version after the first, comparing it with the
//! version shown before it. The model is already cut: every version here is one the reader
//! may read, its text cut to them, and its commit present only for internal readers.

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
    /// Its "what changed" page; `None` for the first version shown.
    pub changes: Option<String>,
    /// Internal readers only: the commit that brought it in.
    pub commit: Option<Commit>,
}

/// What a "what changed" page shows of the policy and the two versions: everything but the
/// comparison of their texts.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesHead {
    /// The page's site path.
    pub path: String,
    /// Who the page is for.
    pub audience: Audience,
    pub policy_id: String,
    pub policy_title: String,
    pub policy_path: String,
    pub from: VersionRow,
    pub to: VersionRow,
    /// False when either version's text cannot be shown (its audience blocks did not
    /// parse): the page then shows no text.
    pub readable: bool,
    pub controls_added: Vec<Link>,
    pub controls_removed: Vec<Link>,
}

/// A "what changed" page as its template sees it: one version against the one shown before
/// it.
#[derive(Debug, Serialize)]
pub struct ChangesView<'a> {
    #[serde(flatten)]
    pub head: &'a ChangesHead,
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
    let slugs = slugs(&policy.history);
    let mut rows: Vec<VersionRow> = policy
        .history
        .iter()
        .zip(&slugs)
        .enumerate()
        .map(|(index, (version, slug))| row(policy, version, (index > 0).then_some(slug.as_str())))
        .collect();
    rows.reverse();
    rows
}

fn row(policy: &Policy, version: &PolicyVersion, slug: Option<&str>) -> VersionRow {
    VersionRow {
        version: version.version.as_ref().map(|v| v.0.clone()),
        approved: version.approved,
        approved_by: version.approved_by.clone(),
        effective: version.effective,
        changes: slug.map(|slug| routes::policy_changes(&policy.id, slug)),
        commit: version.commit.clone(),
    }
}

/// Each version's path segment: its version number made a slug (`1.2` → `1-2`), else its
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
            // A path segment stays short enough for every file system.
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

/// A "what changed" page before its comparison is made: what its view is made from. The
/// word-level comparison is most of the page's cost, so it is made only when the page is
/// rendered ([`ChangesPage::view`]); a rebuild that keeps the page never makes it. The page's
/// key is made from its head and what both texts are made from. The texts themselves stay
/// in the cut model's policy, which the page is rendered with: a rebuild that keeps the
/// page copies neither.
#[derive(Debug, Clone)]
pub struct ChangesPage {
    pub head: ChangesHead,
    /// The newer version's index in its policy's `history` (the older one is just before).
    index: usize,
    /// What the two texts are made from (`PolicyVersion::text_key`), when both are known.
    text_keys: Option<(String, String)>,
}

impl ChangesPage {
    /// The two versions' texts, older first, each cut to the build's audience (read where
    /// they are held, see `history::texts`), from `policy` (the cut model's policy the page
    /// is of: `head.policy_id`). Empty for a policy that does not have those versions; an
    /// error when a text cannot be read or its cut leaves a fence.
    pub fn texts(&self, policy: &Policy) -> Result<(String, String), String> {
        let text = |index: Option<usize>| match index.and_then(|index| policy.history.get(index)) {
            Some(version) => version.text.cut(),
            None => Ok(String::new()),
        };
        Ok((text(self.index.checked_sub(1))?, text(Some(self.index))?))
    }

    /// What the two texts are made from, older first (`PolicyVersion::text_key`): what the
    /// page's key holds in their place; `None` when either is not known.
    pub fn text_keys(&self) -> Option<(&str, &str)> {
        self.text_keys.as_ref().map(|(older, newer)| (older.as_str(), newer.as_str()))
    }

    /// The page's view, its texts (from `policy`, see [`ChangesPage::texts`]) compared word
    /// by word.
    pub fn view(&self, policy: &Policy) -> Result<ChangesView<'_>, String> {
        let (older, newer) = self.texts(policy)?;
        let compared = if self.head.readable { diff::words(&older, &newer) } else { Some(Vec::new()) };
        let too_large = compared.is_none();
        let paragraphs = compared.unwrap_or_default();
        let text_unchanged = paragraphs.iter().all(|p| p.unchanged);
        let (paragraphs, skipped_after) = diff::around_changes(paragraphs, 1);
        Ok(ChangesView { head: &self.head, paragraphs, skipped_after, text_unchanged, too_large })
    }
}

/// Every "what changed" page of the cut model's policies, in policy order.
pub fn all_changes(context: &ViewContext) -> Vec<ChangesPage> {
    use rayon::prelude::*;
    let policies: Vec<&Policy> = context.isms.policies.values().filter(|p| p.history.len() > 1).collect();
    policies
        .par_iter()
        .flat_map_iter(|policy| {
            let slugs = slugs(&policy.history);
            (1..policy.history.len()).filter_map(move |index| changes(context, policy, &slugs, index))
        })
        .collect()
}

/// The "what changed" page of version `index` (not the first) of a cut policy.
/// `slugs` are the policy's version slugs ([`slugs`]).
fn changes(context: &ViewContext, policy: &Policy, slugs: &[String], index: usize) -> Option<ChangesPage> {
    let (older, newer) = (policy.history.get(index.checked_sub(1)?)?, policy.history.get(index)?);
    let readable = older.readable && newer.readable;
    let links = |ids: Vec<&str>| ids.into_iter().map(|id| context.control_link(id)).collect();
    let added =
        newer.controls.iter().map(|c| c.id.as_str()).filter(|id| !older.controls.iter().any(|c| c.id == *id));
    let removed =
        older.controls.iter().map(|c| c.id.as_str()).filter(|id| !newer.controls.iter().any(|c| c.id == *id));
    let head = ChangesHead {
        path: routes::policy_changes(&policy.id, &slugs[index]),
        // For the highest of the policy's page and the two versions.
        audience: crate::render::page::record_page_audience(policy).max(older.audience).max(newer.audience),
        policy_id: policy.id.clone(),
        policy_title: policy.title.clone(),
        policy_path: routes::policy(&policy.id),
        from: row(policy, older, (index > 1).then(|| slugs[index - 1].as_str())),
        to: row(policy, newer, Some(slugs[index].as_str())),
        readable,
        controls_added: links(added.collect()),
        controls_removed: links(removed.collect()),
    };
    let known = !older.text_key.is_empty() && !newer.text_key.is_empty();
    Some(ChangesPage {
        head,
        index,
        text_keys: known.then(|| (older.text_key.clone(), newer.text_key.clone())),
    })
}
