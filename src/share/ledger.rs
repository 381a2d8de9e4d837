//! Appending a share to the access ledger, `access/shares.yaml`. The file's existing text
//! (the team's comments, earlier entries) is kept byte for byte; the new entry is added at
//! the end, every string written as a double-quoted scalar, and the file replaced in one
//! rename so that a reader never sees half an entry.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::ShareError;
use crate::model::Share;

const HEADER: &str =
    "# The access ledger: one entry per package `trustpress share` made. Commit it: git history\n\
# is the record of who was sent which document. It is shown on the internal site's Access\n\
# page and never on the public site.\n";

/// The ledger's text, or empty when there is none yet.
pub fn read(path: &Path) -> Result<String, ShareError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(ShareError::Write { path: path.to_path_buf(), source }),
    }
}

/// How many entries the ledger holds: its top-level list items.
pub fn entries(text: &str) -> usize {
    text.lines().filter(|line| line.starts_with("- ")).count()
}

/// A content-relative path as the ledger (in `access/`) names it.
pub fn from_ledger_folder(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    match parts.split_first() {
        Some((first, rest)) if first == "access" && !rest.is_empty() => rest.join("/"),
        _ => format!("../{}", parts.join("/")),
    }
}

/// Appends `share` to the ledger at `path`, whose text is `text`.
pub fn append(path: &Path, text: &str, share: &Share) -> Result<(), ShareError> {
    let error = |source: io::Error| ShareError::Write { path: path.to_path_buf(), source };
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&folder).map_err(error)?;
    let mut updated = if text.is_empty() { HEADER.to_string() } else { text.to_string() };
    if !updated.ends_with('\n') {
        updated.push('\n');
    }
    updated.push('\n');
    updated.push_str(&entry(share));
    let mut temporary = tempfile::Builder::new().prefix(".shares-").tempfile_in(&folder).map_err(error)?;
    temporary.write_all(updated.as_bytes()).map_err(error)?;
    temporary.as_file().sync_all().map_err(error)?;
    temporary.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// One ledger entry as YAML.
pub fn entry(share: &Share) -> String {
    let q = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string());
    let mut out = format!("- id: {}\n  to: {}\n", q(&share.id), q(&share.to));
    if let Some(organization) = &share.organization {
        out.push_str(&format!("  organization: {}\n", q(organization)));
    }
    out.push_str(&format!("  date: {}\n", share.date));
    if let Some(expires) = share.expires {
        out.push_str(&format!("  expires: {expires}\n"));
    }
    if let Some(key) = &share.encrypted_to {
        out.push_str(&format!("  encrypted_to: {}\n", q(key)));
    }
    if let Some(nda) = &share.nda {
        out.push_str(&format!("  nda:\n    file: {}\n    sha256: {}\n", q(&nda.file), q(&nda.sha256)));
    }
    if let Some(commit) = &share.commit {
        out.push_str(&format!("  commit: {}\n", q(commit)));
    }
    out.push_str("  documents:\n");
    for document in &share.documents {
        out.push_str(&format!("    - id: {}\n", q(&document.id)));
        if let Some(title) = &document.title {
            out.push_str(&format!("      title: {}\n", q(title)));
        }
        out.push_str(&format!("      sha256: {}\n", q(&document.sha256)));
    }
    out
}
