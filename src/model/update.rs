//! Security updates: `updates/*.md`, one per file, named by its file (the stem is the id),
//! each with a page and an entry in the Atom feed. A teaser update shows its title and
//! summary, without its date, to readers below its audience.

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::audience_blocks::cut_field;
use crate::date::Date;
use crate::model::record::MarkdownRecord;
use crate::model::{internal, required, Markdown, Source};
use crate::site::routes;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// The file stem (`updates/2026-10-14-recertification.md`).
    #[serde(skip_deserializing)]
    pub id: String,
    pub title: String,
    /// Required in every file; `None` only in a teaser after the cut, whose date is withheld.
    #[serde(deserialize_with = "required")]
    pub date: Option<Date>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub teaser: bool,
    /// Set by the audience cut: the reader sees only the title and summary (teaser).
    #[serde(skip_deserializing)]
    pub teaser_only: bool,
    /// Its markdown body (not serialized: its view holds it rendered).
    #[serde(skip)]
    pub body: Markdown,
    #[serde(skip)]
    pub source: Source,
}

impl MarkdownRecord for Update {
    const TEMPLATE: &'static str = "update.html";
    const ITEM: &'static str = "update";
    const FOLDER: &'static str = "updates";
    const NAME: &'static str = "update";
    const ID_FROM_FILE_NAME: bool = true;

    fn route(id: &str) -> String {
        routes::update(id)
    }
    crate::record_fields!();
    fn teaser(&self) -> bool {
        self.teaser
    }
    fn teaser_only(&self) -> bool {
        self.teaser_only
    }
    fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }
    /// Newest first.
    fn list_order(&self, other: &Self) -> std::cmp::Ordering {
        (other.date.is_none(), other.date, &self.id).cmp(&(self.date.is_none(), self.date, &other.id))
    }
    fn cut_fields(&mut self, reader: Audience) {
        cut_field(&mut self.summary, reader);
    }
    fn teaser_for(&self, reader: Audience) -> Option<Update> {
        let mut summary = self.summary.clone();
        cut_field(&mut summary, reader);
        Some(Update {
            id: self.id.clone(),
            title: self.title.clone(),
            date: None,
            summary,
            audience: self.audience,
            teaser: true,
            teaser_only: true,
            body: Markdown::default(),
            source: self.source.clone(),
        })
    }
}
