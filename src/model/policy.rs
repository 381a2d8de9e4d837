//! Policies: `policies/*.md`, one per file, each with a page. A teaser policy shows its
//! title and summary to readers below its audience.

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::audience_blocks::cut_field;
use crate::date::Date;
use crate::model::record::MarkdownRecord;
use crate::model::{internal, Markdown, Reference, ReviewInterval, Source, Version};
use crate::site::routes;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub version: Option<Version>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub approved_by: Option<String>,
    #[serde(default)]
    pub approved: Option<Date>,
    #[serde(default)]
    pub review_every: Option<ReviewInterval>,
    #[serde(default)]
    pub next_review: Option<Date>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub teaser: bool,
    /// Set by the audience cut: the reader sees only the title and summary (teaser).
    #[serde(skip_deserializing)]
    pub teaser_only: bool,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub controls: Vec<Reference>,
    /// The ISO/IEC 27001 clauses (4 to 10) this satisfies: `clauses: [5.2]` (see `clauses`).
    #[serde(default)]
    pub clauses: Vec<Reference>,
    #[serde(skip_deserializing)]
    pub body: Markdown,
    #[serde(skip)]
    pub source: Source,
    /// Its approved versions from the content's git history, oldest first (see `history`);
    /// empty without git. The audience cut keeps only versions the reader may read.
    #[serde(skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PolicyVersion>,
}

/// One approved version of a policy, as the commit that approved it left the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyVersion {
    pub version: Option<Version>,
    pub approved: Date,
    pub approved_by: Option<String>,
    /// The day the version took effect: the date of the commit that brought it in.
    pub effective: Date,
    /// The policy's audience in that version: a reader below it sees nothing of the version.
    pub audience: Audience,
    pub controls: Vec<Reference>,
    /// Its text, read and cut to the reader only when a page shows it
    /// ([`VersionText::cut`](crate::history::VersionText::cut)); none when its audience
    /// blocks did not parse. The model holds no past text.
    #[serde(skip)]
    pub text: crate::history::VersionText,
    /// False when its audience blocks did not parse: its text is shown to no one.
    pub readable: bool,
    /// The commit (message, author): for internal readers only, dropped by the cut below.
    pub commit: Option<crate::history::Commit>,
    /// What its text is made from, when known: the SHA-256 (hex) of the text as git holds it,
    /// and after the cut, of that and the reader. A "what changed" page's key uses it
    /// instead of hashing both texts on every rebuild (`render::page_key`). Empty when not
    /// known: the key then hashes the texts.
    #[serde(skip)]
    pub text_key: String,
}

impl PolicyVersion {
    /// The version as `reader` may see it, or `None` when the policy was above the reader
    /// in that version.
    pub fn cut(self, reader: Audience) -> Option<PolicyVersion> {
        if !self.audience.visible_to(reader) {
            return None;
        }
        let mut version = self;
        version.text.cut_for(reader);
        // The cut text is made from the text and the reader alone.
        if !version.text_key.is_empty() {
            version.text_key = crate::history::text_key(&format!("{}\0{reader}", version.text_key));
        }
        if !Audience::Internal.visible_to(reader) {
            version.commit = None;
        }
        Some(version)
    }
}

impl Policy {
    /// The next review date: `next_review`, or `approved` plus `review_every`.
    pub fn next_review_date(&self) -> Option<Date> {
        self.next_review.or_else(|| {
            let approved = self.approved?;
            let interval = self.review_every?;
            Some(approved.add_months(i32::try_from(interval.months).unwrap_or(i32::MAX)))
        })
    }
}

impl MarkdownRecord for Policy {
    const TEMPLATE: &'static str = "policy.html";
    const ITEM: &'static str = "policy";
    const FOLDER: &'static str = "policies";
    const NAME: &'static str = "policy";

    fn route(id: &str) -> String {
        routes::policy(id)
    }
    crate::record_fields!();
    fn clauses(&self) -> &[Reference] {
        &self.clauses
    }
    fn teaser(&self) -> bool {
        self.teaser
    }
    fn teaser_only(&self) -> bool {
        self.teaser_only
    }
    fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }
    fn cut_fields(&mut self, reader: Audience) {
        cut_field(&mut self.summary, reader);
        self.history =
            std::mem::take(&mut self.history).into_iter().filter_map(|version| version.cut(reader)).collect();
    }
    fn teaser_for(&self, reader: Audience) -> Option<Policy> {
        let mut summary = self.summary.clone();
        cut_field(&mut summary, reader);
        Some(Policy {
            id: self.id.clone(),
            title: self.title.clone(),
            version: None,
            owner: None,
            approved_by: None,
            approved: None,
            review_every: None,
            next_review: None,
            audience: self.audience,
            teaser: true,
            teaser_only: true,
            clauses: Vec::new(),
            summary,
            controls: Vec::new(),
            body: Markdown::default(),
            source: self.source.clone(),
            history: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_review_comes_from_interval_or_date() {
        let mut policy: Policy =
            serde_saphyr::from_str("id: POL-A\ntitle: A\napproved: 2026-03-01\nreview_every: 12 months\n")
                .unwrap();
        assert_eq!(policy.next_review_date().unwrap().to_string(), "2027-03-01");
        policy.next_review = Date::parse("2026-12-01").ok();
        assert_eq!(policy.next_review_date().unwrap().to_string(), "2026-12-01");
    }
}
