//! The content folder as a past commit holds it, exported from git once and kept in the
//! cache folder, so that the next `build --at` or `bundle --at` of that content reads files
//! already there instead of inflating and writing every one again.
//!
//! An export lives in `at-<place>-<export>/` (each 16 hex digits of a SHA-256): its
//! `content/` folder, and `export.json`, which names the binary, the repository and folder
//! (`place`), the content folder's tree with the object state it was read under (`tree`:
//! commits that did not change the content share an export) and the entries left out. It
//! is made beside, under a temporary name (`at-making-…`), and renamed into place whole, and
//! never once a stop has begun: a folder of that name is always a finished export. It is
//! used only when the cache folder is private and `export.json` is the running user's and
//! names this binary, place and tree; anything else is exported again.
//!
//! A build holds its export's record locked (shared) while it runs. At most [`KEPT`]
//! exports of one place are kept: making another removes the ones used least recently (each
//! use touches its record) that no build holds, each first renamed away whole
//! (`at-removing-…`), so no half-removed export is ever found under its name.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::folder::{cache_file, cache_folder, create_private_folder, private_folder, read_trusted};
use super::{binary_identity, FORMAT};

/// Exports of one repository and folder kept at most.
const KEPT: usize = 3;

/// The record beside an export.
const RECORD: &str = "export.json";

/// An export kept in the cache folder, in use: it is not removed while this lives.
#[derive(Debug)]
pub struct KeptExport {
    /// The exported content folder.
    pub content: PathBuf,
    /// The entries its export left out.
    pub skipped: Vec<String>,
    /// Its record, held with a shared lock: a prune removes only an export whose record it
    /// can lock whole.
    _in_use: fs::File,
}

/// The content folder of `place` at `tree`, kept in the cache folder: an earlier export, or
/// one `export` makes now into the empty folder it is given (and which is then kept). `None`
/// when the cache folder cannot be used, lies in one of `outside` (the content folder, a
/// build's output: past texts of every audience would then be written where a commit or a
/// deploy takes them), or the export cannot be made there (a full disk): the caller exports
/// into a temporary folder instead, where an error of the export itself is reported.
pub fn exported(
    outside: &[&Path],
    place: &str,
    tree: &str,
    export: impl FnOnce(&Path) -> Result<Vec<String>, String>,
) -> Option<KeptExport> {
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
    if let Some(kept) = kept(&name, &header, me) {
        return Some(kept);
    }
    // A folder of that name that does not read as this export (its record damaged): made
    // again.
    if fs::symlink_metadata(&name).is_ok() && !remove_export(&name) {
        return None;
    }
    // Made under a temporary name (removed if the process is stopped), then renamed whole.
    let made = crate::interrupt::TempFolder::new_in(&folder, MAKING).ok()?;
    let content_folder = made.path().join("content");
    fs::create_dir(&content_folder).ok()?;
    let skipped = export(&content_folder).ok()?;
    let record = serde_json::to_string(&(&header, &skipped)).ok()?;
    write_private(&made.path().join(RECORD), record.as_bytes()).ok()?;
    // When another build made the same export meanwhile, the rename fails and theirs is used.
    // Not renamed once a stop has begun: the stop's handler may have removed part of it.
    let renamed = crate::interrupt::unless_stopping(|| fs::rename(made.path(), &name).is_ok())?;
    let kept = kept(&name, &header, me)?;
    if renamed {
        prune_place(&folder, &name);
    }
    Some(kept)
}

/// Names of folders being made or removed: `at-making-` or `at-removing-` and 24 hex digits.
const MAKING: &str = "at-making-";
const REMOVING: &str = "at-removing-";

/// A file only its owner may read or write, whatever the umask (a record others could write
/// would be distrusted: `read_trusted`).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// The export at `name` when it is a finished export this binary made of the same place and
/// tree, locked in use (shared) and touched (used now).
fn kept(name: &Path, header: &str, me: u32) -> Option<KeptExport> {
    let record = name.join(RECORD);
    let in_use = fs::File::options().read(true).append(true).open(&record).ok()?;
    in_use.lock_shared().ok()?;
    // A prune holds the lock whole while it moves an export away: the record locked must
    // still be the one at its path.
    if !same_file(&in_use, &record) {
        return None;
    }
    let text = read_trusted(&record, me)?;
    let (kept_header, skipped): (String, Vec<String>) = serde_json::from_str(&text).ok()?;
    let content = name.join("content");
    if kept_header != header || !content.is_dir() {
        return None;
    }
    let _ = in_use.set_modified(SystemTime::now());
    Some(KeptExport { content, skipped, _in_use: in_use })
}

/// Whether `file` is the file at `path` now.
fn same_file(file: &fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(held), Ok(there)) => held.dev() == there.dev() && held.ino() == there.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Removes the export at `path` unless a build is using it (its record locked): it is first
/// renamed away whole (`at-removing-…`), so no half-removed export is ever found under its
/// name, even when the removal is stopped. True when it is gone.
pub(super) fn remove_export(path: &Path) -> bool {
    let record = fs::File::open(path.join(RECORD));
    if let Ok(record) = &record {
        if record.try_lock().is_err() {
            return false;
        }
    }
    let Some(parent) = path.parent() else { return false };
    let Ok(away) = crate::interrupt::TempFolder::new_in(parent, REMOVING) else { return false };
    // The rename replaces the empty folder just made: the name is then ours alone.
    if fs::rename(path, away.path()).is_err() {
        return false;
    }
    drop(record);
    // Dropped: the folder is removed, now or (when stopped) by the interrupt handler.
    drop(away);
    true
}

/// Whether `name` is a folder this module makes or removes: `at-` and 16 hex digits, `-`
/// and 16 more (an export), or [`MAKING`] / [`REMOVING`] and 24 hex digits.
pub(super) fn ours(name: &str) -> Option<Ours> {
    let hex = |text: &str, digits: usize| text.len() == digits && text.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = name.strip_prefix(MAKING) {
        return hex(rest, 24).then_some(Ours::Making);
    }
    if let Some(rest) = name.strip_prefix(REMOVING) {
        return hex(rest, 24).then_some(Ours::Removing);
    }
    let (place, export) = name.strip_prefix("at-")?.split_once('-')?;
    (hex(place, 16) && hex(export, 16)).then_some(Ours::Export)
}

/// What a folder [`ours`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ours {
    Export,
    Making,
    Removing,
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
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(&place) && ours(name) == Some(Ours::Export))
        })
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
        remove_export(&path);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An export made by hand: `content/` with one file, and its record.
    fn export_at(cache: &Path, name: &str) -> PathBuf {
        let path = cache.join(name);
        fs::create_dir_all(path.join("content")).unwrap();
        fs::write(path.join("content").join("site.yaml"), "title: x\n").unwrap();
        write_private(&path.join(RECORD), b"[\"header\",[]]").unwrap();
        path
    }

    /// An export a build holds (its record locked shared) is not removed; once let go it is,
    /// whole, and nothing of it is left under its name or another.
    #[test]
    fn an_export_in_use_is_not_removed_and_a_removed_one_is_gone_whole() {
        let cache = tempfile::tempdir().unwrap();
        let export = export_at(cache.path(), "at-0123456789abcdef-fedcba9876543210");
        let held = fs::File::open(export.join(RECORD)).unwrap();
        held.lock_shared().unwrap();
        assert!(!remove_export(&export));
        assert!(export.join("content").join("site.yaml").is_file(), "an export in use was touched");
        drop(held);
        assert!(remove_export(&export));
        assert!(!export.exists());
        assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0, "something was left");
    }

    /// A build that waited for the lock while a prune moved the export away finds it gone, not
    /// a half-removed folder.
    #[test]
    fn a_build_waiting_for_a_removed_export_does_not_use_it() {
        let cache = tempfile::tempdir().unwrap();
        let export = export_at(cache.path(), "at-0123456789abcdef-fedcba9876543210");
        let record = fs::File::open(export.join(RECORD)).unwrap();
        // As a prune does: the record locked whole, the folder renamed away.
        record.lock().unwrap();
        let away = cache.path().join("at-removing-000000000000000000000000");
        fs::rename(&export, &away).unwrap();
        // The build opened the record before the rename; it holds the file, not the path.
        let waiting = fs::File::open(away.join(RECORD)).unwrap();
        drop(record);
        waiting.lock_shared().unwrap();
        assert!(!same_file(&waiting, &export.join(RECORD)));
    }

    /// Only folders named as this module names them are its: a user's `at-making-notes` is not.
    #[test]
    fn only_folders_named_as_exports_are_ours() {
        assert_eq!(ours("at-0123456789abcdef-fedcba9876543210"), Some(Ours::Export));
        assert_eq!(ours("at-making-0123456789abcdef01234567"), Some(Ours::Making));
        assert_eq!(ours("at-removing-0123456789abcdef01234567"), Some(Ours::Removing));
        for name in [
            "at-making-mynotes",
            "at-removing-",
            "at-home",
            "at-0123-4567",
            "at-0123456789abcdef-fedcba9876543210x",
        ] {
            assert_eq!(ours(name), None, "{name}");
        }
    }

    /// The record is its owner's alone whatever the umask: one others could write would be
    /// distrusted, and the export made again on every build.
    #[test]
    fn a_record_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        write_private(&folder.path().join(RECORD), b"x").unwrap();
        let mode = fs::metadata(folder.path().join(RECORD)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
