//! The answers' ids (from the sheet's id column, or made) and file names, and the ids the
//! content already has, which new ones are kept clear of.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::import::ImportError;

/// An id from the sheet's id column: letters, digits, `.`, `_` and `-` kept, anything else
/// a `-`; a bare number gets the prefix `FAQ-IMP-`.
pub(super) fn id_from_sheet(text: &str) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches(['-', '.', '_']).chars().take(64).collect::<String>();
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        format!("FAQ-IMP-{id}")
    } else {
        id
    }
}

/// A category as a file name part: lower-case ASCII letters and digits joined by `-`; a
/// category with none of those is named by its hash, and no category is `uncategorised`.
pub fn slug(category: Option<&str>) -> String {
    let Some(category) = category else { return "uncategorised".to_string() };
    let mut slug = String::new();
    for c in category.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        let hash = crate::hex::hex(&Sha256::digest(category.as_bytes())[..4]);
        format!("category-{hash}")
    } else {
        slug
    }
}

/// The ids of the answers the content has. A faq file that does not load is an error: its
/// ids cannot be kept clear of.
pub(super) fn existing_ids(content: &Path) -> Result<Vec<String>, ImportError> {
    if !content.join("site.yaml").is_file() {
        let faq = content.join("faq");
        let has_files = std::fs::read_dir(&faq).map(|mut d| d.next().is_some()).unwrap_or(false);
        if has_files {
            return Err(ImportError::Content(format!(
                "`{}` has a faq folder but no site.yaml: import needs the content folder, to keep new ids clear of existing ones",
                content.display()
            )));
        }
        return Ok(Vec::new());
    }
    let loaded = crate::load::load(content).map_err(|d| {
        ImportError::Content(format!(
            "the content in `{}` does not load ({} error(s)): run `trustpress check --content {}` and fix it first",
            content.display(),
            d.into_sorted().len(),
            content.display()
        ))
    })?;
    if let Some(failed) = loaded.failed_files.iter().find(|f| f.starts_with("faq")) {
        return Err(ImportError::Content(format!(
            "`{}` has errors, so its answer ids are not known: run `trustpress check --content {}` and fix it first",
            failed.display(),
            content.display()
        )));
    }
    Ok(loaded.isms.faq.keys().cloned().collect())
}
