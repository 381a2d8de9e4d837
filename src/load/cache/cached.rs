//! What a cache entry holds: a policy file, or an evidence index's items, as parsing gave
//! them, in a form that reads back exactly.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::Location;
use crate::model::{BodyLink, Evidence, Markdown, Policy, Reference, ReviewInterval, Version};

/// One policy file as parsing gave it, in a form that reads back exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct CachedPolicy {
    id: String,
    title: String,
    version: Option<String>,
    owner: Option<String>,
    approved_by: Option<String>,
    approved: Option<Date>,
    review_every_months: Option<u32>,
    next_review: Option<Date>,
    audience: Audience,
    teaser: bool,
    summary: Option<String>,
    /// Each control reference: id, line, column.
    controls: Vec<(String, u32, u32)>,
    clauses: Vec<(String, u32, u32)>,
    body_first_line: u32,
    links: Vec<BodyLink>,
}

impl CachedPolicy {
    pub(super) fn new(policy: &Policy, body: &Markdown, links: Vec<BodyLink>) -> CachedPolicy {
        // Every field named: a field added to `Policy` does not compile until it is cached.
        let Policy {
            id,
            title,
            version,
            owner,
            approved_by,
            approved,
            review_every,
            next_review,
            audience,
            teaser,
            teaser_only: _,
            summary,
            controls,
            clauses,
            body: _,
            source: _,
            // Attached from git after loading, never cached with the file.
            history: _,
        } = policy;
        CachedPolicy {
            id: id.clone(),
            title: title.clone(),
            version: version.as_ref().map(|v| v.0.clone()),
            owner: owner.clone(),
            approved_by: approved_by.clone(),
            approved: *approved,
            review_every_months: review_every.map(|r| r.months),
            next_review: *next_review,
            audience: *audience,
            teaser: *teaser,
            summary: summary.clone(),
            controls: references(controls),
            clauses: references(clauses),
            body_first_line: body.first_line,
            links,
        }
    }

    /// The policy, its body as an empty text at its first line, and the body's links.
    pub(super) fn restore(self) -> (Policy, Markdown, Vec<BodyLink>) {
        let policy = Policy {
            id: self.id,
            title: self.title,
            version: self.version.map(Version),
            owner: self.owner,
            approved_by: self.approved_by,
            approved: self.approved,
            review_every: self.review_every_months.map(|months| ReviewInterval { months }),
            next_review: self.next_review,
            audience: self.audience,
            teaser: self.teaser,
            teaser_only: false,
            summary: self.summary,
            controls: restore_references(self.controls),
            clauses: restore_references(self.clauses),
            body: Markdown::default(),
            source: Location::default(),
            history: Vec::new(),
        };
        (policy, Markdown::new(String::new(), self.body_first_line), self.links)
    }
}

/// One item of an evidence index as parsing gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct CachedEvidence {
    id: String,
    title: String,
    file: String,
    controls: Vec<(String, u32, u32)>,
    clauses: Vec<(String, u32, u32)>,
    collected: Option<Date>,
    max_age_days: Option<u32>,
    audience: Audience,
    line: u32,
    column: u32,
}

impl CachedEvidence {
    pub(super) fn new((item, location): &(Evidence, Location)) -> CachedEvidence {
        // Every field named: a field added to `Evidence` does not compile until it is cached.
        let Evidence {
            id,
            title,
            file,
            controls,
            clauses,
            collected,
            max_age_days,
            audience,
            path: _,
            source: _,
        } = item;
        CachedEvidence {
            id: id.clone(),
            title: title.clone(),
            file: file.clone(),
            controls: references(controls),
            clauses: references(clauses),
            collected: *collected,
            max_age_days: *max_age_days,
            audience: *audience,
            line: location.line,
            column: location.column,
        }
    }

    pub(super) fn restore(self, index: &Path) -> (Evidence, Location) {
        let item = Evidence {
            id: self.id,
            title: self.title,
            file: self.file,
            controls: restore_references(self.controls),
            clauses: restore_references(self.clauses),
            collected: self.collected,
            max_age_days: self.max_age_days,
            audience: self.audience,
            path: PathBuf::new(),
            source: Location::default(),
        };
        (item, Location::at(index, self.line, self.column))
    }
}

fn references(references: &[Reference]) -> Vec<(String, u32, u32)> {
    references.iter().map(|r| (r.id.clone(), r.line, r.column)).collect()
}

fn restore_references(references: Vec<(String, u32, u32)>) -> Vec<Reference> {
    references.into_iter().map(|(id, line, column)| Reference { id, line, column }).collect()
}
