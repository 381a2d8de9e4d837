//! The files copied from the content folder into a site as they are: documents and
//! certification documents.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::audience::Audience;
use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::load::ContentRoot;
use crate::model::Isms;
use crate::output::{OutputFile, Sink};
use crate::render::RenderError;
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

/// The downloads of a site, read into memory (they are small; the bundle streams them).
pub(crate) fn copy_files(isms: &Isms, root: &ContentRoot, sink: &dyn Sink) -> Result<(), RenderError> {
    downloads(isms).into_par_iter().try_for_each(|download| {
        let absolute = root.ensure_inside(&download.source)?;
        let bytes = std::fs::read(&absolute).map_err(|error| {
            Diagnostic::error(
                "io-error",
                format!("cannot read `{}`: {error}", display_path(&download.source)),
            )
            .at(Location::file(&download.source))
        })?;
        sink.put(OutputFile::new(download.path, bytes, download.audience))?;
        Ok(())
    })
}
