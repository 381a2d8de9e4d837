//! Which folders a build may replace: the marker trustpress leaves in what it made, and the
//! refusals (the content folder, the current folder, a file, a link, a folder of someone
//! else's without `--force`).

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Checks that a build may replace `out`, before anything is built: it is not (and does
/// not hold) the content folder or the current folder; and it does not exist, or is an
/// empty folder, or a folder trustpress made (it holds the [`MARKER`]), or any folder with
/// `force`. A file or a symbolic link is never replaced. Returns `out` without a trailing
/// `/`, as the swap renames it.
pub fn check_output(out: &Path, content: &Path, force: bool) -> Result<PathBuf, WriteError> {
    // `public/` and `public` name the same folder; only the second renames a link itself.
    let out: PathBuf = out.components().collect();
    if out.file_name().is_none() {
        return Err(WriteError::OutputNotNamed(out));
    }
    // A folder under a file cannot be made: a refused --out, like a file named as --out.
    if let Some(file) = out.ancestors().skip(1).find(|a| fs::metadata(a).is_ok_and(|m| !m.is_dir())) {
        return Err(WriteError::OutputUnderFile { out: out.clone(), file: file.to_path_buf() });
    }
    if let Ok(out_absolute) = fs::canonicalize(&out) {
        if let Ok(content) = fs::canonicalize(content) {
            if content.starts_with(&out_absolute) {
                return Err(WriteError::OutputHoldsContent(out));
            }
        }
        let here = std::env::current_dir().and_then(fs::canonicalize);
        if here.is_ok_and(|here| here.starts_with(&out_absolute)) {
            return Err(WriteError::OutputHoldsCurrentFolder(out));
        }
    }
    // Inside the content folder, a build would replace content files with `--force`, and
    // the next load would read its own output: refused, whatever is there now.
    if let (Some(out_absolute), Ok(content)) = (absolute_even_if_missing(&out), fs::canonicalize(content)) {
        if out_absolute.starts_with(&content) {
            return Err(WriteError::OutputInsideContent(out));
        }
    }
    check_existing_output(&out, force)?;
    Ok(out)
}

/// `path` made absolute through its nearest existing ancestor (links resolved), with the
/// rest of it appended: where it is or would be.
fn absolute_even_if_missing(path: &Path) -> Option<PathBuf> {
    let path = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(found) = fs::canonicalize(existing) {
            let mut absolute = found;
            for part in rest.iter().rev() {
                absolute.push(part);
            }
            return Some(absolute);
        }
        rest.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

/// What is at `out` now may be replaced: nothing, an empty folder, a folder with the
/// marker, or (with `force`) any folder.
pub(super) fn check_existing_output(out: &Path, force: bool) -> Result<(), WriteError> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(WriteError::Io { path: out.to_path_buf(), source }),
    };
    if metadata.file_type().is_symlink() {
        return Err(WriteError::OutputIsSymlink(out.to_path_buf()));
    }
    if !metadata.is_dir() {
        return Err(WriteError::OutputIsFile(out.to_path_buf()));
    }
    if force || fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let mut entries = fs::read_dir(out).map_err(io_error(out))?;
    if entries.next().is_some() {
        return Err(WriteError::OutputNotMade(out.to_path_buf()));
    }
    Ok(())
}

/// Holds the folder that holds `out` locked (an advisory `flock`), so that two builds into
/// the same output take turns instead of interleaving their files; the lock goes with the
/// returned file, or with the process. Builds into other folders beside it wait their turn
/// too. Returns whether another build held it first (this one then waited). A folder that
/// cannot be opened for reading, or a file system without locks, builds unlocked.
pub fn lock_beside(out: &Path) -> (Option<fs::File>, bool) {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(folder) = fs::File::open(&parent) else { return (None, false) };
    let waited = match folder.try_lock() {
        Ok(()) => false,
        Err(fs::TryLockError::WouldBlock) => {
            let _ = folder.lock();
            true
        }
        Err(fs::TryLockError::Error(_)) => false,
    };
    (Some(folder), waited)
}
