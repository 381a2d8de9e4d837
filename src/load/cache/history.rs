//! The git history read for each tip commit, kept in the cache folder so the next build of
//! the same repository and folder need not walk it again.

use std::path::{Path, PathBuf};

use super::folder::{cache_file, cache_folder, create_private_folder, open_trusted, private_folder};
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
    let path = history_path(&folder, place);
    // The JSON is read in large pieces (a long history's is a megabyte); the texts after it
    // are not read here at all.
    let mut file = std::io::BufReader::with_capacity(1 << 18, open_trusted(&path, me)?);
    let first = read_line(&mut file)?;
    let (format, identity, kept_place, kept_tip): (u32, String, String, String) =
        serde_json::from_str(&first).ok()?;
    let (commit, state) = kept_tip.split_once('\n')?;
    let (_, wanted_state) = tip.split_once('\n')?;
    let same =
        format == FORMAT && identity == binary_identity()? && kept_place == place && state == wanted_state;
    if !same {
        return None;
    }
    Some((commit.to_string(), read_history(path, file, first.len() as u64 + 1)?))
}

/// One line of `file`, without its `\n`; `None` at the end or on any error.
fn read_line(file: &mut impl std::io::BufRead) -> Option<String> {
    let mut line = String::new();
    file.read_line(&mut line).ok()?;
    line.strip_suffix('\n').map(str::to_string)
}

/// A history as [`write_history`] wrote it, read from `file` from byte `at` on: its JSON,
/// its texts' lengths (JSON), and the texts one after another, as they are. The texts are
/// not read here: each is read from the open file when a page shows it
/// (`history::KeptTexts`). The file must end where the last text does.
fn read_history(
    path: PathBuf,
    mut file: std::io::BufReader<std::fs::File>,
    at: u64,
) -> Option<crate::history::History> {
    use crate::history::{Held, KeptTexts};
    let json = read_line(&mut file)?;
    let lengths_line = read_line(&mut file)?;
    let mut history: crate::history::History = serde_json::from_str(&json).ok()?;
    let lengths: Vec<Option<usize>> = serde_json::from_str(&lengths_line).ok()?;
    // The texts start after the two lines, as they were read.
    let mut offset = at + json.len() as u64 + 1 + lengths_line.len() as u64 + 1;
    let mut spans = Vec::new();
    let mut held = Vec::with_capacity(lengths.len());
    for length in lengths {
        held.push(match length {
            None => None,
            Some(length) => {
                spans.push((offset, length));
                offset = offset.checked_add(length as u64)?;
                Some(spans.len() - 1)
            }
        });
    }
    let file = file.into_inner();
    if file.metadata().ok()?.len() != offset {
        return None;
    }
    // Each snapshot's text is kept under the key its snapshot records (`text_hash`): a text
    // that is not what was stored is never read as it.
    let keys: Vec<String> = history.policies.values().flatten().map(|s| s.text_hash.clone()).collect();
    let texts = std::sync::Arc::new(KeptTexts::new(path, file, spans));
    let held: Vec<Held> = held
        .into_iter()
        .zip(keys)
        .map(|(index, key)| match index {
            Some(index) => Held::Kept { texts: texts.clone(), index, key },
            None => Held::None,
        })
        .collect();
    history.put_texts(held).then_some(history)
}

/// `history` as [`read_history`] reads it. Fails when a text held in an earlier cache
/// file cannot be read from it any more.
fn write_history(out: &mut impl std::io::Write, history: &crate::history::History) -> std::io::Result<()> {
    let texts = history.texts().map_err(std::io::Error::other)?;
    serde_json::to_writer(&mut *out, history)?;
    out.write_all(b"\n")?;
    let lengths: Vec<Option<usize>> = texts.iter().map(|text| text.as_ref().map(|text| text.len())).collect();
    serde_json::to_writer(&mut *out, &lengths)?;
    out.write_all(b"\n")?;
    for text in texts.iter().flatten() {
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
            body: body
                .map_or(crate::history::Held::None, |body| crate::history::Held::here(body.to_string())),
            blocks_parse: true,
            text_hash: crate::history::text_key(body.unwrap_or_default()),
        }
    }

    /// `stored`, written to a file, read back as a history cache file's rest is.
    fn read_back(stored: &[u8]) -> Option<History> {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, stored).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        read_history(PathBuf::from("history.json"), std::io::BufReader::new(file), 0)
    }

    /// The texts stored apart come back to their snapshots exactly, whatever they hold; a
    /// stored history cut short or with a length that does not fit is not read at all, and
    /// a text whose bytes are not what was stored under its key is never read as it.
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
        let read = read_back(&stored).expect("the history reads back");
        assert_eq!(read, history);
        let back: Vec<Option<String>> =
            read.texts().unwrap().into_iter().map(|text| text.map(|text| text.into_owned())).collect();
        assert_eq!(back, [Some(texts[0].into()), None, Some(texts[1].into()), Some(texts[2].into())]);
        // Written again from where it is held, it is the same file.
        let mut again = Vec::new();
        write_history(&mut again, &read).unwrap();
        assert_eq!(again, stored);
        // Every cut of the stored text but the whole is refused, never misread.
        for end in 0..stored.len() {
            assert_eq!(read_back(&stored[..end]), None, "cut at {end}");
        }
        // A byte more, or a length that runs past the end, is refused.
        assert_eq!(read_back(&[&stored[..], b"x"].concat()), None);
        let stored = String::from_utf8(stored).unwrap();
        let lengths = format!("[{},null,{},{}]", texts[0].len(), texts[1].len(), texts[2].len());
        assert!(stored.contains(&lengths), "{stored}");
        let longer = format!("[{},null,{},{}]", texts[0].len() + 1, texts[1].len(), texts[2].len());
        assert_eq!(read_back(stored.replacen(&lengths, &longer, 1).as_bytes()), None);
        // The lengths written another way (JSON allows spaces): the texts are where they are.
        let spaced = format!("[ {}, null, {}, {} ]", texts[0].len(), texts[1].len(), texts[2].len());
        let read = read_back(stored.replacen(&lengths, &spaced, 1).as_bytes()).expect("spaces are JSON");
        assert_eq!(read, history);
        assert!(read.texts().is_ok());
        // Lengths that still add up but split the texts elsewhere: the history reads, and
        // each text whose bytes moved is refused when read, never shown as another.
        let moved = format!("[{},null,{},{}]", texts[0].len() - 1, texts[1].len(), texts[2].len() + 1);
        let read = read_back(stored.replacen(&lengths, &moved, 1).as_bytes()).expect("the lengths add up");
        let held: Vec<&crate::history::Held> = read.policies.values().flatten().map(|s| &s.body).collect();
        assert!(held[0].read().is_err() && held[3].read().is_err(), "{held:?}");
        assert_eq!(held[2].read().unwrap(), "");
        assert!(read.texts().is_err(), "such a history is not written again");
    }
}
