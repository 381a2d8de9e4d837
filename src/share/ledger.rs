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

/// The ledger's text with `share` appended, checked to read back as the ledger it was plus
/// exactly this entry: a ledger the command cannot append to safely (a flow list `[…]`, an
/// indented list, a document end marker) is refused rather than left unreadable.
pub fn appended(text: &str, share: &Share) -> Result<String, ShareError> {
    let line_end = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut updated = if text.trim().is_empty() { HEADER.replace('\n', line_end) } else { text.to_string() };
    if !updated.ends_with('\n') {
        updated.push_str(line_end);
    }
    updated.push_str(line_end);
    updated.push_str(&entry(share).replace('\n', line_end));
    let file = Path::new(crate::model::share::LEDGER);
    let read = |text: &str| -> Result<Vec<String>, String> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        crate::load::yaml::parse_list::<Share>(text, file)
            .map(|items| items.into_iter().map(|(share, _, _)| share.id).collect())
            .map_err(|diagnostic| diagnostic.message)
    };
    let before = read(text).map_err(|message| {
        super::usage(format!("{}: cannot be read, so nothing was appended to it: {message}", file.display()))
    })?;
    if before.contains(&share.id) {
        return Err(super::usage(format!("{}: already holds share {}", file.display(), share.id)));
    }
    match read(&updated) {
        Ok(after) if after.len() == before.len() + 1 && after.last() == Some(&share.id) => Ok(updated),
        _ => Err(super::usage(format!(
            "{}: a new entry cannot be appended to it safely; it must be a block list, each entry a line `- id: …` at the first column (as `share` writes it)",
            file.display()
        ))),
    }
}

/// Writes `updated` (from [`appended`]) to the ledger at `path` in one rename, keeping the
/// file's permissions. A ledger that is a symbolic link is refused: replacing the link would
/// leave its target unchanged.
pub fn write(path: &Path, updated: &str) -> Result<(), ShareError> {
    let error = |source: io::Error| ShareError::Write { path: path.to_path_buf(), source };
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&folder).map_err(error)?;
    let permissions = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(super::usage(format!(
                "{} is a symbolic link: the ledger must be a file of its own",
                path.display()
            )))
        }
        Ok(metadata) => Some(metadata.permissions()),
        Err(_) => None,
    };
    let mut temporary = tempfile::Builder::new().prefix(".shares-").tempfile_in(&folder).map_err(error)?;
    temporary.write_all(updated.as_bytes()).map_err(error)?;
    let permissions = permissions.unwrap_or_else(|| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::Permissions::from_mode(0o644)
        }
        #[cfg(not(unix))]
        {
            temporary.as_file().metadata().map(|m| m.permissions()).expect("a temporary file has metadata")
        }
    });
    temporary.as_file().set_permissions(permissions).map_err(error)?;
    temporary.as_file().sync_all().map_err(error)?;
    temporary.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// One line of plain text, as the ledger may hold it: control characters, bidirectional
/// controls and Unicode noncharacters become U+FFFD, and text holding `:::` (which content
/// reads as an audience fence) is not written at all.
pub fn plain(text: &str) -> Option<String> {
    if text.contains(":::") {
        return None;
    }
    let cleaned = crate::one_line::shown(text.trim());
    (!cleaned.is_empty()).then_some(cleaned)
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
