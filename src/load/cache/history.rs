//! The git history read for each tip commit, kept in the cache folder so the next build of
//! the same repository and folder need not walk it again.

use std::path::{Path, PathBuf};

use super::folder::{cache_file, cache_folder, create_private_folder, private_folder, read_trusted};
use super::{binary_identity, FORMAT};

/// The git history of the content in repository-and-folder `place` kept in the cache folder
/// (one file per place, holding the latest tip read), with the commit it was read from:
/// when this binary wrote it from the same object state as `tip`'s (the part of `tip` after
/// its commit id; see `history::Located::tip`). Its commit is `tip`'s, or another one to
/// read on from. `None` on any doubt: the folder or file is not private, another binary
/// or object state wrote it, or it does not read.
pub fn kept_history(place: &str, tip: &str) -> Option<(String, crate::history::History)> {
    let folder = cache_folder()?;
    let me = private_folder(&folder).ok()??;
    let text = read_trusted(&history_path(&folder, place), me)?;
    let (first, rest) = text.split_once('\n')?;
    let (format, identity, kept_place, kept_tip): (u32, String, String, String) =
        serde_json::from_str(first).ok()?;
    let (commit, state) = kept_tip.split_once('\n')?;
    let (_, wanted_state) = tip.split_once('\n')?;
    let same =
        format == FORMAT && identity == binary_identity()? && kept_place == place && state == wanted_state;
    if !same {
        return None;
    }
    Some((commit.to_string(), serde_json::from_str(rest).ok()?))
}

/// Keeps `history`, read from commit `tip`, for the next build of `place` (see [`history`]).
/// Failing to write it changes nothing but the next build's time.
pub fn remember_history(place: &str, tip: &str, history: &crate::history::History) {
    use std::io::Write;
    let Some(folder) = cache_folder() else { return };
    if private_folder(&folder).is_err() || create_private_folder(&folder).is_err() {
        return;
    }
    let (Some(header), Ok(json)) = (history_header(place, tip), serde_json::to_string(history)) else {
        return;
    };
    let Ok(mut file) = tempfile::NamedTempFile::new_in(&folder) else { return };
    if writeln!(file, "{header}").and_then(|()| file.write_all(json.as_bytes())).is_ok() {
        let _ = file.persist(history_path(&folder, place));
    }
}

fn history_path(folder: &Path, place: &str) -> PathBuf {
    cache_file(folder, "history", place.as_bytes(), "json")
}

fn history_header(place: &str, tip: &str) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, place, tip)).ok()
}
