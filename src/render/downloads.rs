//! The files copied from the content folder into a site as they are: documents and
//! certification documents.

use std::path::PathBuf;

use crate::audience::Audience;
use crate::model::Isms;
use crate::site::routes;

/// A file copied from the content folder into the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its path in the output.
    pub path: String,
    /// Its content-relative path.
    pub source: PathBuf,
    /// The lowest audience allowed to see it.
    pub audience: Audience,
}

/// Downloads: documents and certification documents this audience may see, sorted by
/// output path. A file named twice at the same output path is listed once.
pub fn downloads(isms: &Isms) -> Vec<Download> {
    let mut copies: Vec<Download> = Vec::new();
    for document in isms.documents.values().filter(|d| !d.teaser_only) {
        copies.push(Download {
            path: routes::document_file(&routes::file_name(&document.path)),
            source: document.path.clone(),
            audience: document.audience,
        });
    }
    for certification in isms.certifications.values() {
        for document in &certification.documents {
            copies.push(Download {
                path: routes::certification_file(&certification.id, &routes::file_name(&document.path)),
                source: document.path.clone(),
                audience: document.audience,
            });
        }
    }
    copies.sort_by(|a, b| a.path.cmp(&b.path));
    copies.dedup_by(|a, b| a.path == b.path && a.source == b.source);
    copies
}
