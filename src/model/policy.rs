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
