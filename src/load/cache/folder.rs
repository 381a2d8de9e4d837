//! The cache folder: where it is, whether only the user running `check` could have written
//! it and its files, and the pruning of the caches of content folders that are gone.

use std::fs;
use std::path::{Path, PathBuf};

use super::Header;

/// Removes the cache files in `folder`, other than `keep`, whose content folder (a parse
/// cache), repository (a history) or output folder (a page record, a listing) no longer
/// exists. A file whose header does not read is left alone: it may be a newer trustpress's.
pub(super) fn prune(folder: &Path, keep: &Path) {
    use std::io::BufRead;
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // A parse cache, `check`'s or a build's: their headers are alike.
        let check = (name.starts_with("check-") || name.starts_with("build-")) && name.ends_with(".tsv");
        let history = name.starts_with("history-") && name.ends_with(".json");
        // A page record or an output listing: their headers are alike.
        let pages = (name.starts_with("pages-") || name.starts_with("listing-")) && name.ends_with(".tsv");
        if let Some(kind) = super::exports::ours(name).filter(|_| entry.file_type().is_ok_and(|t| t.is_dir()))
        {
            prune_export(&path, kind);
            continue;
        }
        if path == keep || !(check || history || pages) {
            continue;
        }
        // Only a regular file is opened: opening a FIFO would wait for a writer forever.
        if !entry.file_type().is_ok_and(|kind| kind.is_file()) {
            continue;
        }
        let Ok(file) = fs::File::open(&path) else { continue };
        let mut first = String::new();
        // The header is one short line; a longer first line is not ours.
        if std::io::Read::take(std::io::BufReader::new(file), 64 * 1024).read_line(&mut first).is_err() {
            continue;
        }
        let first = first.trim_end();
        let gone = if check {
            serde_json::from_str::<Header>(first).ok().map(|header| header.content)
        } else if pages {
            // `output_header`: (format, binary, output folder).
            serde_json::from_str::<(u32, String, PathBuf)>(first).ok().map(|(_, _, out)| out)
        } else {
            // `history_header`: (format, binary, place, tip), the place being the
            // repository's git folder and the content folder in it, joined by a NUL.
            serde_json::from_str::<(u32, String, String, String)>(first)
                .ok()
                .and_then(|(_, _, place, _)| place.split('\0').next().map(PathBuf::from))
        };
        if gone.is_some_and(|gone| gone.is_absolute() && !gone.exists()) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Removes an export (`exports`) whose repository is gone and no build is using, one left
/// half made (by a process killed outright) more than a day ago, and one left half removed.
fn prune_export(path: &Path, kind: super::exports::Ours) {
    use super::exports::Ours;
    match kind {
        Ours::Making => {
            let age = fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|made| made.elapsed().ok());
            if age.is_some_and(|age| age.as_secs() > 24 * 60 * 60) {
                let _ = fs::remove_dir_all(path);
            }
        }
        Ours::Removing => {
            let _ = fs::remove_dir_all(path);
        }
        Ours::Export => {
            if super::exports::export_repository(path)
                .is_some_and(|gone| gone.is_absolute() && !gone.exists())
            {
                super::exports::remove_export(path);
            }
        }
    }
}

/// Why the cache folder cannot be used, when it exists and someone other than the user
/// running `check` could write to it (its owner is another user, or its group or others may
/// write). `None` when it is private or not made yet (it is then made private).
pub fn unusable_folder() -> Option<String> {
    private_folder(&cache_folder()?).err()
}

/// The user running `check` when `folder` is theirs alone; `None` when it is not made yet
/// (it is then made private); why not, when others could write to it.
pub(super) fn private_folder(folder: &Path) -> Result<Option<u32>, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(metadata) = fs::metadata(folder) else { return Ok(None) };
        let shown = folder.display();
        if !metadata.is_dir() {
            return Err(format!("the cache folder {shown} is not a folder"));
        }
        if metadata.mode() & 0o022 != 0 {
            return Err(format!(
                "the cache folder {shown} can be written by other users (make it private: chmod go-w {shown})"
            ));
        }
        match running_user(folder) {
            None => Err(format!("no file can be made in the cache folder {shown}")),
            Some(me) if me != metadata.uid() => {
                Err(format!("the cache folder {shown} belongs to another user"))
            }
            Some(me) => Ok(Some(me)),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(Some(0))
    }
}

/// The cache file's text, when only the user running `check` (`me`, found by
/// [`private_folder`] for the file's folder) could have written it: a regular file owned by
/// that user and not writable by group or others. Anything else is read as no cache: a file
/// others can write could hold entries planted to make `check` pass.
pub(super) fn read_trusted(path: &Path, me: u32) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    open_trusted(path, me)?.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The cache file at `path`, open, when [`read_trusted`] would read it. Only a regular file
/// is opened (not a symbolic link, which a new cache file then replaces, and not a FIFO,
/// whose opening would wait for a writer forever); it is checked again once open.
pub(super) fn open_trusted(path: &Path, me: u32) -> Option<fs::File> {
    if !fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    let file = fs::File::open(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let metadata = file.metadata().ok()?;
        if !metadata.is_file() || metadata.uid() != me || metadata.mode() & 0o022 != 0 {
            return None;
        }
    }
    #[cfg(not(unix))]
    let _ = me;
    Some(file)
}

/// The user running `check`: the owner of a file made in `folder` just now (O_TMPFILE, so
/// nothing is left behind; this needs no `libc`).
#[cfg(unix)]
fn running_user(folder: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    Some(tempfile::tempfile_in(folder).ok()?.metadata().ok()?.uid())
}

/// `$TRUSTPRESS_CACHE_DIR`, else `$XDG_CACHE_HOME/trustpress`, else `~/.cache/trustpress`.
pub(super) fn cache_folder() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(folder) = set("TRUSTPRESS_CACHE_DIR") {
        return Some(folder);
    }
    if let Some(folder) = set("XDG_CACHE_HOME").filter(|folder| folder.is_absolute()) {
        return Some(folder.join("trustpress"));
    }
    set("HOME").map(|home| home.join(".cache").join("trustpress"))
}

pub(super) fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder)
}

/// `path` as the file system would resolve it: its nearest existing ancestor made canonical
/// (links followed), then the rest of it, where a `..` takes back the name before it (which
/// does not exist, so is no link). A folder not made yet is thus compared where it would be
/// made, whatever `..` or link its path goes through.
pub(super) fn resolved(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let absolute = std::path::absolute(path).ok()?;
    let parts: Vec<Component> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let Ok(mut resolved) = parts[..existing].iter().collect::<PathBuf>().canonicalize() else { continue };
        for part in &parts[existing..] {
            match part {
                Component::ParentDir => {
                    resolved.pop();
                }
                Component::CurDir => {}
                other => resolved.push(other),
            }
        }
        return Some(resolved);
    }
    None
}

/// The cache folder, when it is one of `folders` or inside one of them (each compared as
/// the file system resolves it, or would once it is made: [`resolved`]).
pub fn folder_within(folders: &[&Path]) -> Option<PathBuf> {
    let cache = resolved(&cache_folder()?)?;
    folders
        .iter()
        .filter_map(|folder| resolved(folder))
        .any(|folder| cache.starts_with(folder))
        .then_some(cache)
}

/// The lines after the header of output folder `out`'s cache file of `kind` (`pages`,
/// `listing`), when this binary wrote it for that folder and only its user could have.
pub(super) fn read_output_file(kind: &str, out: &Path) -> Option<String> {
    let folder = cache_folder()?;
    let me = private_folder(&folder).ok()??;
    let mut text = read_trusted(&output_file(&folder, kind, out), me)?;
    let end = text.find('\n')?;
    if text[..end] != output_header(out)? {
        return None;
    }
    text.drain(..=end);
    Some(text)
}

/// Writes `lines` as output folder `out`'s cache file of `kind`, after its header, whole (a
/// temporary file renamed over it). Failing to write it changes nothing but the next
/// rebuild's time.
pub(super) fn write_output_file(kind: &str, out: &Path, lines: &str) {
    use std::io::Write as _;
    let Some(folder) = cache_folder() else { return };
    if private_folder(&folder).is_err() || create_private_folder(&folder).is_err() {
        return;
    }
    let Some(header) = output_header(out) else { return };
    let Ok(mut file) = tempfile::NamedTempFile::new_in(&folder) else { return };
    if file.write_all(header.as_bytes()).is_ok()
        && file.write_all(b"\n").is_ok()
        && file.write_all(lines.as_bytes()).is_ok()
    {
        let _ = file.persist(output_file(&folder, kind, out));
    }
}

fn output_file(folder: &Path, kind: &str, out: &Path) -> PathBuf {
    cache_file(folder, kind, out.as_os_str().as_encoded_bytes(), "tsv")
}

/// (format, binary, output folder): an output folder's cache file is this binary's, for this
/// folder. `prune` reads it.
fn output_header(out: &Path) -> Option<String> {
    serde_json::to_string(&(super::FORMAT, super::binary_identity()?, out.to_str()?)).ok()
}

/// The cache file of one kind (`check`, `build`, `history`, `pages`, `listing`) for `key` (a
/// content folder, a repository, an output folder): `<kind>-<16 hex digits of its
/// SHA-256>.<extension>`.
pub(super) fn cache_file(folder: &Path, kind: &str, key: &[u8], extension: &str) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key);
    let name = crate::hex::hex(&digest[..8]);
    folder.join(format!("{kind}-{name}.{extension}"))
}
