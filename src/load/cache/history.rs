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
    Some((commit.to_string(), read_history(rest)?))
}

/// A history as [`write_history`] wrote it: its JSON, its texts' lengths (JSON), and the
/// texts one after another, as they are.
fn read_history(text: &str) -> Option<crate::history::History> {
    let (json, rest) = text.split_once('\n')?;
    let (lengths, mut texts) = rest.split_once('\n')?;
    let mut history: crate::history::History = serde_json::from_str(json).ok()?;
    let lengths: Vec<Option<usize>> = serde_json::from_str(lengths).ok()?;
    let mut read = Vec::with_capacity(lengths.len());
    for length in lengths {
        read.push(match length {
            None => None,
            Some(length) => {
                let text = texts.get(..length)?;
                texts = &texts[length..];
                Some(text.to_string())
            }
        });
    }
    (texts.is_empty() && history.put_texts(read)).then_some(history)
}

/// `history` as [`read_history`] reads it.
fn write_history(out: &mut impl std::io::Write, history: &crate::history::History) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, history)?;
    out.write_all(b"\n")?;
    let lengths: Vec<Option<usize>> = history.texts().map(|text| text.map(str::len)).collect();
    serde_json::to_writer(&mut *out, &lengths)?;
    out.write_all(b"\n")?;
    for text in history.texts().flatten() {
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// Keeps `history`, read from commit `tip`, for the next build of `place` (see [`history`]).
/// Failing to write it changes nothing but the next build's time.
pub fn remember_history(place: &str, tip: &str, history: &crate::history::History) {
    use std::io::Write;
    let Some(folder) = cache_folder() else { return };
    if private_folder(&folder).is_err() || create_private_folder(&folder).is_err() {
        return;
    }
    let Some(header) = history_header(place, tip) else { return };
    let Ok(mut file) = tempfile::NamedTempFile::new_in(&folder) else { return };
    let mut out = std::io::BufWriter::new(&mut file);
    let written =
        writeln!(out, "{header}").and_then(|()| write_history(&mut out, history)).and_then(|()| out.flush());
    drop(out);
    if written.is_ok() {
        let _ = file.persist(history_path(&folder, place));
    }
}

fn history_path(folder: &Path, place: &str) -> PathBuf {
    cache_file(folder, "history", place.as_bytes(), "json")
}

fn history_header(place: &str, tip: &str) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, place, tip)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{History, Snapshot};

    fn snapshot(commit: usize, body: Option<&str>) -> Snapshot {
        Snapshot {
            commit,
            version: Some(format!("{commit}.0")),
            approved: None,
            approved_by: None,
            audience: crate::audience::Audience::Public,
            controls: vec!["A.5.1".into()],
            substance: format!("{commit:064x}"),
            body: body.map(str::to_string),
            blocks_parse: true,
            text_hash: crate::history::text_key(body.unwrap_or_default()),
        }
    }

    /// The texts stored apart come back to their snapshots exactly, whatever they hold; a
    /// stored history cut short or with a length that does not fit is not read at all.
    #[test]
    fn a_history_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let mut history = History::default();
        let texts = ["Line one\nline \"two\"\r\n\n::: internal\nß ✓ 中文\n:::\n", "", "\\n\u{0}"];
        history.policies.insert(
            "POL-1".into(),
            vec![snapshot(0, Some(texts[0])), snapshot(1, None), snapshot(2, Some(texts[1]))],
        );
        history.policies.insert("POL-2".into(), vec![snapshot(3, Some(texts[2]))]);
        let mut stored = Vec::new();
        write_history(&mut stored, &history).unwrap();
        let stored = String::from_utf8(stored).unwrap();
        assert_eq!(read_history(&stored), Some(history.clone()));
        // Every cut of the stored text but the whole is refused, never misread.
        for end in 0..stored.len() {
            if let Some(cut) = stored.get(..end) {
                assert_eq!(read_history(cut), None, "cut at {end}");
            }
        }
        // A byte more, or a length that lands inside a character, is refused.
        assert_eq!(read_history(&format!("{stored}x")), None);
        let shifted =
            stored.replacen(&format!("[{},", texts[0].len()), &format!("[{},", texts[0].len() + 1), 1);
        assert_ne!(shifted, stored);
        assert_eq!(read_history(&shifted), None);
    }
}
