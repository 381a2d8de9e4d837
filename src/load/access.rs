//! The access ledger's loader: `access/shares.yaml`, and how each shared document stands
//! against today's files (the same, changed, replaced by a newer one, removed). Check's
//! warnings and the internal Access page both read that standing from here.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::{line_of, path_error, Loader};
use crate::model::share::LEDGER;
use crate::model::*;

impl Loader<'_> {
    pub(super) fn shares(&mut self, isms: &Isms) -> BTreeMap<String, Share> {
        let mut shares = BTreeMap::new();
        if !self.exists(LEDGER) {
            return shares;
        }
        let file = Path::new(LEDGER);
        let text = self.read(file).unwrap_or_default();
        let documents = shareable_documents(isms);
        let mut hashes = Hashes::default();
        for (mut share, location) in self.yaml_list_text::<Share>(file, &text) {
            if let Some(nda) = &mut share.nda {
                match self.root.resolve_reference(file, &nda.file) {
                    Ok(path) => {
                        share.nda_changed =
                            hashes.of(&self.root.join(&path)).as_deref() != Some(nda.sha256.as_str());
                        nda.path = path;
                    }
                    Err(message) => {
                        let line = line_of(&text, location.line, &nda.file);
                        self.report(path_error(message, file, &text, line, &nda.file));
                    }
                }
            }
            share.standing = share
                .documents
                .iter()
                .map(|shared| standing(shared, &documents, |path| hashes.of(&self.root.join(path))))
                .collect();
            share.source = location.clone();
            let id = share.id.clone();
            self.insert_unique(&mut shares, id, share, &location, "share", |s| &s.source);
        }
        shares
    }
}

/// A document that can be shared: its id, title, file and what it replaces.
pub struct Shareable<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub path: &'a Path,
    pub audience: crate::audience::Audience,
    pub replaces: Option<&'a str>,
}

/// Every document with an id: the documents index, and certification documents that set
/// `id` (at the higher of the certification's and the document's audience).
pub fn shareable_documents(isms: &Isms) -> Vec<Shareable<'_>> {
    let mut found: Vec<Shareable<'_>> = isms
        .documents
        .values()
        .map(|d| Shareable {
            id: &d.id,
            title: &d.title,
            path: &d.path,
            audience: d.audience,
            replaces: d.replaces.as_deref(),
        })
        .collect();
    for certification in isms.certifications.values() {
        for document in &certification.documents {
            let Some(id) = document.id.as_deref() else { continue };
            found.push(Shareable {
                id,
                title: &document.title,
                path: &document.path,
                audience: certification.audience.max(document.audience),
                replaces: document.replaces.as_deref(),
            });
        }
    }
    found
}

fn standing(
    shared: &SharedDocument,
    documents: &[Shareable<'_>],
    mut hash: impl FnMut(&Path) -> Option<String>,
) -> Standing {
    if let Some(newer) = documents.iter().find(|d| d.replaces == Some(shared.id.as_str())) {
        return Standing::Replaced { by: newer.id.to_string(), title: newer.title.to_string() };
    }
    match documents.iter().find(|d| d.id == shared.id) {
        None => Standing::Removed,
        Some(document) if hash(document.path).as_deref() == Some(shared.sha256.as_str()) => Standing::Current,
        Some(_) => Standing::Changed,
    }
}

/// Files' SHA-256, each read once.
#[derive(Default)]
struct Hashes(HashMap<PathBuf, Option<String>>);

impl Hashes {
    fn of(&mut self, path: &Path) -> Option<String> {
        self.0.entry(path.to_path_buf()).or_insert_with(|| sha256_file(path).ok()).clone()
    }
}

/// The lowercase hex SHA-256 of a file, read in pieces.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let (mut file, _) = super::files::open_regular(path, false)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(crate::hex::hex(&hasher.finalize()))
}
