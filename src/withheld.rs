//! The sink's second tripwire: no file above the build's audience may be written under
//! another name. The cut keeps withheld items out of the model, and `check` refuses a file
//! named at two audiences; this catches what both could miss (a hard link, a copy of an
//! evidence file under another name) at the one place that writes output. Files are matched
//! by size first (from metadata, no reading), and hashed only when an output file has the
//! size of a withheld one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::audience::Audience;
use crate::load::ContentRoot;
use crate::model::Isms;

/// The content files a build must not write, by size.
#[derive(Default)]
pub struct Withheld {
    by_size: HashMap<u64, Vec<WithheldFile>>,
}

struct WithheldFile {
    /// Content-relative path, for the error.
    path: PathBuf,
    absolute: PathBuf,
    /// SHA-256 of its bytes, once an output file of its size asked (`None`: unreadable).
    hash: OnceLock<Option<[u8; 32]>>,
}

impl Withheld {
    /// The files of `isms` (the whole loaded model) that `reader` may not see: those named
    /// only by items above it, and below auditor every file under `evidence/` and every
    /// content source file. A file the loader read is sized as it read it; any other is
    /// looked at.
    pub fn of(isms: &Isms, root: &ContentRoot, reader: Audience) -> Withheld {
        let mut paths: Vec<&Path> = Vec::new();
        for certification in isms.certifications.values() {
            for document in &certification.documents {
                if !document.audience.max(certification.audience).visible_to(reader) {
                    paths.push(&document.path);
                }
            }
        }
        for document in isms.documents.values().filter(|d| !d.audience.visible_to(reader)) {
            paths.push(&document.path);
        }
        for evidence in isms.evidence.values().filter(|e| !e.audience.visible_to(reader)) {
            paths.push(&evidence.path);
        }
        let mut found: Vec<PathBuf> = Vec::new();
        if reader < Audience::Auditor {
            let mut stack = vec![PathBuf::from("evidence")];
            while let Some(folder) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(root.join(&folder)) else { continue };
                for entry in entries.flatten() {
                    let path = folder.join(entry.file_name());
                    match entry.file_type() {
                        Ok(kind) if kind.is_dir() => stack.push(path),
                        Ok(kind) if kind.is_file() => found.push(path),
                        _ => {}
                    }
                }
            }
        }
        // Content sources are never copied as they are (the site renders them): a copy or
        // link of one, named as a document, would publish its withheld blocks.
        if reader < Audience::Auditor {
            paths.extend(isms.source_files());
        }
        found.extend(paths.into_iter().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf));
        // Sorted by their bytes, for one order on every run: comparing thousands of paths
        // component by component is slow.
        found.sort_unstable_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
        found.dedup();
        // The loader read most of them (a large ISMS has thousands of source files); the
        // others take one `stat` each, in parallel.
        use rayon::prelude::*;
        let known = root.sizes_read(&found);
        let sized: Vec<(u64, WithheldFile)> = found
            .into_par_iter()
            .zip(known)
            .filter_map(|(path, known)| {
                let absolute = root.join(&path);
                let size = match known {
                    Some(size) => size,
                    None => Some(std::fs::metadata(&absolute).ok()?).filter(|m| m.is_file())?.len(),
                };
                // An empty file has no bytes to leak (and every empty file would match it).
                (size > 0).then(|| (size, WithheldFile { path, absolute, hash: OnceLock::new() }))
            })
            .collect();
        let mut withheld = Withheld::default();
        for (size, file) in sized {
            withheld.by_size.entry(size).or_default().push(file);
        }
        withheld
    }

    /// Whether some withheld file has `size` bytes (and a file of that size must have its
    /// bytes compared).
    pub fn has_size(&self, size: u64) -> bool {
        self.by_size.contains_key(&size)
    }

    /// The withheld file whose bytes `bytes` are, if any.
    pub fn matching(&self, bytes: &[u8]) -> Option<&Path> {
        let candidates = self.by_size.get(&(bytes.len() as u64))?;
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        candidates.iter().find_map(|file| {
            let known = file
                .hash
                .get_or_init(|| std::fs::read(&file.absolute).ok().map(|b| Sha256::digest(b).into()));
            // A withheld file that cannot be read is matched by size alone: fail closed.
            (known.is_none() || *known == Some(hash)).then_some(file.path.as_path())
        })
    }
}
