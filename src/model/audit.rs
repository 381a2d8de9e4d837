//! Internal audits: `audits/*.md`, one per file, with their findings. Their pages are
//! internal and up, whatever an audit's own audience says.

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::audience_blocks::cut_field;
use crate::date::Date;
use crate::model::record::MarkdownRecord;
use crate::model::{internal, Markdown, Reference, Source};
use crate::site::routes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Major,
    Minor,
    Observation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    #[serde(default)]
    pub control: Option<Reference>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub corrective_action: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub status: Option<FindingStatus>,
}

impl Finding {
    /// Not (yet) closed.
    pub fn is_open(&self) -> bool {
        self.status != Some(FindingStatus::Closed)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub id: String,
    pub title: String,
    pub date: Date,
    #[serde(default)]
    pub auditor: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub findings: Vec<Finding>,
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

impl MarkdownRecord for Audit {
    const TEMPLATE: &'static str = "audit.html";
    const ITEM: &'static str = "audit";
    const FOLDER: &'static str = "audits";
    const NAME: &'static str = "audit";
    const PAGES_FROM: Audience = Audience::Internal;

    fn route(id: &str) -> String {
        routes::audit(id)
    }
    crate::record_fields!();
    fn clauses(&self) -> &[Reference] {
        &self.clauses
    }
    fn facts(&self) -> Vec<(&'static str, usize)> {
        vec![("open_findings", self.findings.iter().filter(|f| f.is_open()).count())]
    }
    fn cut_fields(&mut self, reader: Audience) {
        cut_field(&mut self.scope, reader);
        for finding in &mut self.findings {
            cut_field(&mut finding.description, reader);
            cut_field(&mut finding.corrective_action, reader);
        }
    }
}
