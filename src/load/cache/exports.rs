//! The content folder as a past commit holds it, exported from git once and kept in the
//! cache folder, so that the next `build --at` or `bundle --at` of that commit reads files
//! already there instead of inflating and writing every one again.
//!
//! An export lives in `at-<place>-<export>/` (each 16 hex digits of a SHA-256): its
//! `content/` folder, and `export.json`, which names the binary, the repository and
//! folder (`place`), the content folder's tree with the object state it was read under
//! (`tree`: commits that did not change the content share an export) and the entries left
//! out. It is made beside, under a temporary
//! name, and renamed into place whole: a folder of that name is always a finished export.
//! It is used only when the cache folder is private and `export.json` is the running
//! user's and names this binary, place and tree; anything else is exported again.
//!
//! At most [`KEPT`] exports of one place are kept: making another removes the ones used
//! least recently (each use touches its `export.json`). A build reading an export that
//! another build, `--at` two other commits meanwhile, removes fails with the missing file
//! named, and the next one exports again.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::folder::{cache_file, cache_folder, create_private_folder, private_folder, read_trusted};
use super::{binary_identity, FORMAT};

/// Exports of one repository and folder kept at most.
const KEPT: usize = 3;

/// The record beside an export.
const RECORD: &str = "export.json";

/// The content folder of `place` at `tree`, kept in the cache folder, with the entries its
/// export left out: an earlier export, or one `export` makes now into the empty folder it is
/// given (and which is then kept). `None` when the cache folder cannot be used or lies in
/// one of `outside` (the content folder, a build's output: past texts of every audience
/// would then be written where a commit or a deploy takes them): the caller exports into a
/// temporary folder instead.
pub fn exported(
    outside: &[&Path],
    place: &str,
    tree: &str,
    export: impl FnOnce(&Path) -> Result<Vec<String>, String>,
) -> Option<Result<(PathBuf, Vec<String>), String>> {
    let folder = cache_folder()?;
    if super::folder_within(outside).is_some() {
        return None;
    }
    let me = match private_folder(&folder) {
        Ok(Some(me)) => me,
        Ok(None) => {
            create_private_folder(&folder).ok()?;
            private_folder(&folder).ok()??
        }
        Err(_) => return None,
    };
    let header = header(place, tree)?;
    let name = export_name(&folder, place, &header)?;
    if let Some(skipped) = kept(&name, &header, me) {
        return Some(Ok((name.join("content"), skipped)));
    }
    // A folder of that name that does not read as this export (its record damaged): made
    // again.
    if fs::symlink_metadata(&name).is_ok() && fs::remove_dir_all(&name).is_err() {
        return None;
    }
    // Made under a temporary name (removed if the process is stopped), then renamed whole.
    let made = match crate::interrupt::TempFolder::new_in(&folder, "at-making-") {
        Ok(made) => made,
        Err(_) => return None,
    };
    let content_folder = made.path().join("content");
    if fs::create_dir(&content_folder).is_err() {
        return None;
    }
    let skipped = match export(&content_folder) {
        Ok(skipped) => skipped,
        Err(error) => return Some(Err(error)),
    };
    let Ok(record) = serde_json::to_string(&(&header, &skipped)) else { return None };
    if fs::write(made.path().join(RECORD), record).is_err() {
        return None;
    }
    if fs::rename(made.path(), &name).is_err() {
        // Another build made the same export meanwhile: theirs is used.
        return kept(&name, &header, me).map(|skipped| Ok((name.join("content"), skipped)));
    }
    prune_place(&folder, &name);
    Some(Ok((name.join("content"), skipped)))
}

/// The entries an export left out, when `name` is a finished export this binary made of the
/// same place and tree; its record is touched (it was used now).
fn kept(name: &Path, header: &str, me: u32) -> Option<Vec<String>> {
    let record = name.join(RECORD);
    let text = read_trusted(&record, me)?;
    let (kept_header, skipped): (String, Vec<String>) = serde_json::from_str(&text).ok()?;
    if kept_header != header || !name.join("content").is_dir() {
        return None;
    }
    let _ =
        fs::File::options().append(true).open(&record).and_then(|file| file.set_modified(SystemTime::now()));
    Some(skipped)
}

/// `at-<place>-<export>`: the place's part is shared by all exports of one repository and
/// folder; the export's is of its whole header (this binary, the place, the tree).
fn export_name(folder: &Path, place: &str, header: &str) -> Option<PathBuf> {
    let digits = |key: &str| -> Option<String> {
        let file = cache_file(folder, "at", key.as_bytes(), "x");
        let name = file.file_name()?.to_str()?;
        Some(name.strip_prefix("at-")?.strip_suffix(".x")?.to_string())
    };
    Some(folder.join(format!("at-{}-{}", digits(place)?, digits(header)?)))
}

fn header(place: &str, tree: &str) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, place, tree)).ok()
}

/// Removes the exports of `made`'s place beyond the [`KEPT`] used most recently.
fn prune_place(folder: &Path, made: &Path) {
    let Some(name) = made.file_name().and_then(|name| name.to_str()) else { return };
    let Some(place) = name.rsplit_once('-').map(|(place, _)| format!("{place}-")) else { return };
    let Ok(entries) = fs::read_dir(folder) else { return };
    let mut exports: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|entry| entry.file_name().to_str().is_some_and(|name| name.starts_with(&place)))
        .map(|entry| entry.path())
        .filter(|path| path != made)
        .map(|path| {
            let used =
                fs::metadata(path.join(RECORD)).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
            (used, path)
        })
        .collect();
    exports.sort();
    let beyond = (exports.len() + 1).saturating_sub(KEPT);
    for (_, path) in exports.into_iter().take(beyond) {
        let _ = fs::remove_dir_all(path);
    }
}

/// The repository an export at `path` (an `at-…` folder) was made from, as its record
/// names it; `None` when the record does not read (it may be a newer trustpress's).
pub(super) fn export_repository(path: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(path.join(RECORD)).ok()?;
    let (header, _): (String, Vec<String>) = serde_json::from_str(&text).ok()?;
    let (_, _, place, _): (u32, String, String, String) = serde_json::from_str(&header).ok()?;
    place.split('\0').next().map(PathBuf::from)
}
