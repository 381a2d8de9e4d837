//! Management reviews: `reviews/*.md`, one per file. Their pages are internal and up,
//! whatever a review's own audience says.

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::date::Date;
use crate::model::record::MarkdownRecord;
use crate::model::{internal, Markdown, Reference, Source};
use crate::site::routes;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub id: String,
    pub title: String,
    pub date: Date,
    #[serde(default)]
    pub attendees: Vec<String>,
    #[serde(default)]
    pub decisions: Vec<String>,
    /// The ISO/IEC 27001 clauses (4 to 10) this satisfies: `clauses: [5.2]` (see `clauses`).
    #[serde(default)]
    pub clauses: Vec<Reference>,
    #[serde(default = "internal")]
    pub audience: Audience,
    /// Its markdown body (not serialized: its view holds it rendered).
    #[serde(skip)]
    pub body: Markdown,
    #[serde(skip)]
    pub source: Source,
}

impl MarkdownRecord for Review {
    const TEMPLATE: &'static str = "review.html";
    const ITEM: &'static str = "review";
    const FOLDER: &'static str = "reviews";
    const NAME: &'static str = "management review";
    const PAGES_FROM: Audience = Audience::Internal;

    fn route(id: &str) -> String {
        routes::review(id)
    }
    crate::record_fields!();
    fn clauses(&self) -> &[Reference] {
        &self.clauses
    }
    fn cut_fields(&mut self, _reader: Audience) {}
}
