//! The git history read for each tip commit, kept in the cache folder so the next build of
//! the same repository and folder need not walk it again.
//!
//! One file per repository and folder holds the latest tip read, in four lines and the
//! texts after them:
//! 1. the header: format, binary, place and tip (with the object state it was read in), and
//!    the BLAKE3 sum of each of lines 2, 3 and 4 ([`Sums`]): a line changed in any way since it
//!    was written (a byte flipped, a date edited by hand) is not read;
//! 2. the tip's [`Summary`] (what a build takes from the history), with each version's
//!    text by its index among the texts, the length of line 3 in bytes, and the place and
//!    tip again ([`ReadAt`]): the header has no sum of its own, so a header changed since it
//!    was written (its tip edited to a later commit) does not match this line;
//! 3. the whole history (JSON), for reading on from after a new commit;
//! 4. the texts' lengths (JSON), one per snapshot of line 3, `null` for one that keeps none;
//!
//! then the texts, one after another, as they are. A build of the same tip reads lines 1, 2
//! and 4 and skips line 3 (most of the file); no text is read until a page shows it
//! (`history::KeptTexts`), and each is checked then against the key its version records.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::folder::{cache_file, cache_folder, create_private_folder, open_trusted, private_folder};
use super::{binary_identity, FORMAT};
use crate::audience::Audience;
use crate::date::Date;
use crate::history::{Commit, GitText, Held, History, KeptTexts, Summary, Unapproved, VersionText};
use crate::model::{PolicyVersion, Reference, Version};

/// What the cache holds for a repository and folder.
pub enum KeptHistory {
    /// The summary of the very tip asked for.
    Tip(Summary),
    /// The whole history of another tip, `commit`, to read on from (or cut).
    Other { commit: String, history: History },
}

/// The git history of the content in repository-and-folder `place` kept in the cache folder,
/// when this binary wrote it from the same object state as `tip`'s (the part of `tip` after
/// its commit id; see `history::Located::tip`): the summary when it was read at `tip`'s
/// commit, else the whole history of the commit it was read at. `None` on any doubt: the
/// folder or file is not private, another binary or object state wrote it, or it does not
/// read.
pub fn kept_history(place: &str, tip: &str) -> Option<KeptHistory> {
    let folder = cache_folder()?;
    let me = private_folder(&folder).ok()??;
    let path = history_path(&folder, place);
    // The lines are read in large pieces (a long history's is a megabyte).
    let mut file = std::io::BufReader::with_capacity(1 << 18, open_trusted(&path, me)?);
    let first = read_line(&mut file)?;
    let (format, identity, kept_place, kept_tip, sums): (u32, String, String, String, Sums) =
        serde_json::from_slice(&first).ok()?;
    let (commit, state) = kept_tip.split_once('\n')?;
    let (wanted, wanted_state) = tip.split_once('\n')?;
    let same =
        format == FORMAT && identity == binary_identity()? && kept_place == place && state == wanted_state;
    if !same {
        return None;
    }
    let read_at = ReadAt { place: kept_place.clone(), tip: kept_tip.clone() };
    read_rest(path, file, first.len() as u64 + 1, &sums, &read_at, (commit != wanted).then_some(commit))
}

/// Where and at which tip a history was read, as the header says it and as the summary's
/// line (which has a sum) says it again: a header changed since it was written (its tip
/// edited to a later commit, say) does not match, and the file is not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ReadAt {
    place: String,
    /// The tip commit and the object state (see `history::Located::tip`).
    tip: String,
}

/// The BLAKE3 sum (hex) of each line after the header, as written: the summary, the whole
/// history, the texts' lengths. A build of the same tip checks the two it reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Sums {
    summary: String,
    history: String,
    lengths: String,
}

/// Whether `line` is the line whose sum is `sum`.
fn holds(line: &[u8], sum: &str) -> bool {
    line_sum(line) == sum
}

/// A line's sum (hex): BLAKE3, as the cache's other keys, which never leave the cache folder
/// (a summary's line is read on every build of a cached tip).
fn line_sum(line: &[u8]) -> String {
    blake3::hash(line).to_hex().to_string()
}

/// What [`Rest::write`] wrote, read from `file` from byte `at` on: the summary, or with
/// `other` (the tip the file was read at, when it is not the one asked for), the whole
/// history.
fn read_rest(
    path: PathBuf,
    mut file: std::io::BufReader<std::fs::File>,
    at: u64,
    sums: &Sums,
    read_at: &ReadAt,
    other: Option<&str>,
) -> Option<KeptHistory> {
    let summary_line = read_line(&mut file)?;
    if !holds(&summary_line, &sums.summary) {
        return None;
    }
    let at = at + summary_line.len() as u64 + 1;
    match other {
        None => {
            let kept: KeptSummary = serde_json::from_slice(&summary_line).ok()?;
            if kept.read_at != *read_at {
                return None;
            }
            read_summary(path, file, at, kept, sums).map(KeptHistory::Tip)
        }
        Some(commit) => {
            #[derive(Deserialize)]
            struct Only {
                read_at: ReadAt,
            }
            let Only { read_at: said } = serde_json::from_slice(&summary_line).ok()?;
            if said != *read_at {
                return None;
            }
            let history = read_history(path, file, at, sums)?;
            Some(KeptHistory::Other { commit: commit.to_string(), history })
        }
    }
}

/// A summary as the cache stores it: each commit once, each version's commit by its index
/// among them and its text by its index among the file's texts, and how long the whole
/// history's line after it is. Short field names: a build of a cached tip reads this line,
/// and nothing else of the history, every time.
#[derive(Serialize, Deserialize)]
struct KeptSummary {
    read_at: ReadAt,
    history_bytes: u64,
    commits: Vec<KeptCommit>,
    versions: BTreeMap<String, Vec<KeptVersion>>,
    unapproved: BTreeMap<String, Unapproved>,
    note: Option<String>,
}

/// A commit as the cache stores it: id, author, email, date, subject (its short id is the
/// id's start). Its free text was made safe to show when it was read from git
/// ([`GitText::new`]), and the cache file is the build's own, its lines checked by sum.
#[derive(Serialize, Deserialize)]
struct KeptCommit(String, GitText, GitText, Date, GitText);

impl KeptCommit {
    fn of(commit: &Commit) -> KeptCommit {
        KeptCommit(
            commit.id.clone(),
            commit.author.clone(),
            commit.email.clone(),
            commit.date,
            commit.subject.clone(),
        )
    }

    /// The commit, its short id made as git's history makes it ([`crate::history::short`]);
    /// `None` for an id that is not an object id.
    fn commit(self) -> Option<Commit> {
        let KeptCommit(id, author, email, date, subject) = self;
        let object = crate::history::ObjectId::from_hex(id.as_bytes()).ok()?;
        Some(Commit { short: crate::history::short(&object), id, author, email, date, subject })
    }
}

/// A `PolicyVersion` as the cache stores it.
#[derive(Serialize, Deserialize)]
struct KeptVersion {
    #[serde(rename = "v")]
    version: Option<String>,
    #[serde(rename = "a")]
    approved: Date,
    #[serde(rename = "b")]
    approved_by: Option<String>,
    #[serde(rename = "e")]
    effective: Date,
    #[serde(rename = "u")]
    audience: Audience,
    #[serde(rename = "c")]
    controls: Vec<String>,
    #[serde(rename = "r")]
    readable: bool,
    /// Its commit's index among the summary's commits.
    #[serde(rename = "m")]
    commit: Option<usize>,
    #[serde(rename = "k")]
    text_key: String,
    /// Its text's index among the file's texts; none for a version without one.
    #[serde(rename = "t")]
    text: Option<usize>,
}

impl KeptVersion {
    fn of(version: &PolicyVersion, commit: Option<usize>, text: Option<usize>) -> KeptVersion {
        KeptVersion {
            version: version.version.as_ref().map(|v| v.0.clone()),
            approved: version.approved,
            approved_by: version.approved_by.clone(),
            effective: version.effective,
            audience: version.audience,
            controls: version.controls.iter().map(|c| c.id.clone()).collect(),
            readable: version.readable,
            commit,
            text_key: version.text_key.clone(),
            text,
        }
    }

    /// The version, its commit `commit` and its text held at `text` (see
    /// [`KeptVersion::text`]).
    fn version(self, commit: Option<Commit>, text: Held) -> PolicyVersion {
        PolicyVersion {
            version: self.version.map(Version),
            approved: self.approved,
            approved_by: self.approved_by,
            effective: self.effective,
            audience: self.audience,
            controls: self.controls.into_iter().map(Reference::new).collect(),
            text: VersionText::new(text),
            readable: self.readable,
            commit,
            text_key: self.text_key,
        }
    }
}

/// One line of `file`, without its `\n`; `None` at the end or on any error. As bytes: a
/// summary's line is hundreds of kilobytes, and JSON reads bytes (checking each string's
/// UTF-8 as it goes) without a copy.
fn read_line(file: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    file.read_until(b'\n', &mut line).ok()?;
    (line.pop() == Some(b'\n')).then_some(line)
}

/// Where each text lies, read from the lengths' line (line 4) of `file`, which starts at
/// byte `at`: the texts follow that line, and the file must end where the last one does.
/// Each snapshot's entry: its text's index among the texts, or `None`.
fn read_spans(file: &mut std::io::BufReader<std::fs::File>, at: u64, sums: &Sums) -> Option<Spans> {
    let lengths_line = read_line(file)?;
    if !holds(&lengths_line, &sums.lengths) {
        return None;
    }
    let lengths: Vec<Option<usize>> = serde_json::from_slice(&lengths_line).ok()?;
    // The texts start after the line, as it was read.
    let mut offset = at + lengths_line.len() as u64 + 1;
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
    (file.get_ref().metadata().ok()?.len() == offset).then_some(Spans { spans, held })
}

struct Spans {
    /// Each text's offset in the file and its length.
    spans: Vec<(u64, usize)>,
    /// Each snapshot's text's index in `spans`, or `None`.
    held: Vec<Option<usize>>,
}

/// The summary of the tip the file was read at: line 2 (`kept`, read), line 3 skipped,
/// line 4 read from byte `at` + line 3's length.
fn read_summary(
    path: PathBuf,
    mut file: std::io::BufReader<std::fs::File>,
    at: u64,
    kept: KeptSummary,
    sums: &Sums,
) -> Option<Summary> {
    let skip = kept.history_bytes.checked_add(1)?;
    file.seek_relative(i64::try_from(skip).ok()?).ok()?;
    let Spans { spans, .. } = read_spans(&mut file, at.checked_add(skip)?, sums)?;
    let count = spans.len();
    let texts = std::sync::Arc::new(KeptTexts::new(path, file.into_inner(), spans));
    // Each commit goes to the versions that name it: moved to the last, cloned for the
    // others (most are named by one version only).
    let mut commits =
        kept.commits.into_iter().map(|commit| commit.commit().map(Some)).collect::<Option<Vec<_>>>()?;
    let mut uses = vec![0usize; commits.len()];
    for index in kept.versions.values().flatten().filter_map(|version| version.commit) {
        *uses.get_mut(index)? += 1;
    }
    let mut versions = BTreeMap::new();
    for (id, kept_versions) in kept.versions {
        let mut policy_versions = Vec::with_capacity(kept_versions.len());
        for version in kept_versions {
            let commit = match version.commit {
                Some(index) => {
                    let left = uses.get_mut(index)?;
                    *left -= 1;
                    let slot = commits.get_mut(index)?;
                    Some(if *left == 0 { slot.take()? } else { slot.clone()? })
                }
                None => None,
            };
            // Each text is kept under the key its version records (`text_key`, the key of
            // the text as written): a text that is not what was stored is never read as it.
            let held = match version.text {
                Some(index) if index < count => {
                    Held::Kept { texts: texts.clone(), index, key: version.text_key.clone() }
                }
                Some(_) => return None,
                None => Held::None,
            };
            policy_versions.push(version.version(commit, held));
        }
        versions.insert(id, policy_versions);
    }
    Some(Summary { versions, unapproved: kept.unapproved, note: kept.note })
}

/// The whole history (line 3 of `file`, which starts at byte `at`), its texts held where
/// they are in the file (see [`read_spans`]).
fn read_history(
    path: PathBuf,
    mut file: std::io::BufReader<std::fs::File>,
    at: u64,
    sums: &Sums,
) -> Option<History> {
    let json = read_line(&mut file)?;
    if !holds(&json, &sums.history) {
        return None;
    }
    let mut history: History = serde_json::from_slice(&json).ok()?;
    let Spans { spans, held } = read_spans(&mut file, at + json.len() as u64 + 1, sums)?;
    // Each snapshot's text is kept under the key its snapshot records (`text_hash`).
    let keys: Vec<String> = history.policies.values().flatten().map(|s| s.text_hash.clone()).collect();
    let texts = std::sync::Arc::new(KeptTexts::new(path, file.into_inner(), spans));
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

/// What follows the header of a history's cache file (lines 2 to 4, and the texts), made
/// ready to write, with the sums the header records.
struct Rest<'a> {
    lines: [Vec<u8>; 3],
    texts: Vec<Option<std::borrow::Cow<'a, str>>>,
    sums: Sums,
}

/// `history` and its `summary` as [`kept_history`] reads them. Fails when a text held in an
/// earlier cache file cannot be read from it any more, or when a version of the summary has
/// a text the history does not hold.
fn rest<'a>(history: &'a History, summary: &Summary, read_at: ReadAt) -> std::io::Result<Rest<'a>> {
    let texts = history.texts().map_err(std::io::Error::other)?;
    // Each version's text is the one of the snapshot it was taken from: found by its key.
    let keys = history.policies.values().flatten().map(|snapshot| snapshot.text_hash.as_str());
    let held = keys.zip(&texts).filter(|(_, text)| text.is_some());
    let mut index_of = HashMap::new();
    for (index, (key, _)) in held.enumerate() {
        index_of.entry(key).or_insert(index);
    }
    let whole = serde_json::to_vec(history)?;
    let mut commits = Vec::new();
    let mut commit_index: HashMap<&str, usize> = HashMap::new();
    let mut versions = BTreeMap::new();
    for (id, policy_versions) in &summary.versions {
        let mut kept = Vec::with_capacity(policy_versions.len());
        for version in policy_versions {
            let commit = version.commit.as_ref().map(|commit| {
                *commit_index.entry(commit.id.as_str()).or_insert_with(|| {
                    commits.push(KeptCommit::of(commit));
                    commits.len() - 1
                })
            });
            let text =
                match version.readable {
                    true => Some(*index_of.get(version.text_key.as_str()).ok_or_else(|| {
                        std::io::Error::other("a version's text is not among the history's")
                    })?),
                    false => None,
                };
            kept.push(KeptVersion::of(version, commit, text));
        }
        versions.insert(id.clone(), kept);
    }
    let kept = KeptSummary {
        read_at,
        history_bytes: whole.len() as u64,
        commits,
        versions,
        unapproved: summary.unapproved.clone(),
        note: summary.note.clone(),
    };
    let kept = serde_json::to_vec(&kept)?;
    let lengths: Vec<Option<usize>> = texts.iter().map(|text| text.as_ref().map(|text| text.len())).collect();
    let lengths = serde_json::to_vec(&lengths)?;
    let sum = line_sum;
    let sums = Sums { summary: sum(&kept), history: sum(&whole), lengths: sum(&lengths) };
    Ok(Rest { lines: [kept, whole, lengths], texts, sums })
}

impl Rest<'_> {
    fn write(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for line in &self.lines {
            out.write_all(line)?;
            out.write_all(b"\n")?;
        }
        for text in self.texts.iter().flatten() {
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

/// Keeps `history`, read from commit `tip`, and its `summary` for the next build of `place`
/// (see [`kept_history`]). Failing to write it changes nothing but the next build's time.
pub fn remember_history(place: &str, tip: &str, history: &History, summary: &Summary) {
    use std::io::Write;
    let Some(folder) = cache_folder() else { return };
    if private_folder(&folder).is_err() || create_private_folder(&folder).is_err() {
        return;
    }
    let Ok(rest) = rest(history, summary, ReadAt { place: place.to_string(), tip: tip.to_string() }) else {
        return;
    };
    let Some(header) = history_header(place, tip, &rest.sums) else { return };
    let Ok(mut file) = tempfile::NamedTempFile::new_in(&folder) else { return };
    let mut out = std::io::BufWriter::new(&mut file);
    let written = writeln!(out, "{header}").and_then(|()| rest.write(&mut out)).and_then(|()| out.flush());
    drop(out);
    if written.is_ok() {
        let _ = file.persist(history_path(&folder, place));
    }
}

fn history_path(folder: &Path, place: &str) -> PathBuf {
    cache_file(folder, "history", place.as_bytes(), "json")
}

fn history_header(place: &str, tip: &str, sums: &Sums) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, place, tip, sums)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{GitText, Snapshot};

    fn snapshot(commit: usize, body: Option<&str>) -> Snapshot {
        Snapshot {
            commit,
            version: Some(format!("{commit}.0")),
            // A snapshot with a text approved a version (only those keep one).
            approved: body.map(|_| Date::new(2026, 3, 1 + commit as i8).unwrap()),
            approved_by: None,
            audience: Audience::Public,
            controls: vec!["A.5.1".into()],
            substance: format!("{commit:064x}"),
            body: body.map_or(Held::None, |body| Held::here(body.to_string())),
            blocks_parse: true,
            text_hash: crate::history::text_key(body.unwrap_or_default()),
        }
    }

    fn commit(index: usize) -> Commit {
        // As git's: the short id is the id's start.
        Commit {
            id: format!("{index:010x}{:030x}", 0xc0ffee),
            short: format!("{index:010x}"),
            author: GitText::new("A"),
            email: GitText::new("a@example.com"),
            date: Date::new(2026, 3, 1 + index as i8).unwrap(),
            subject: GitText::new(&format!("change {index}")),
        }
    }

    /// `stored`, written to a file, read back as a history cache file's rest is: for the
    /// tip it was read at (`other` none: the summary) or for another (the whole history).
    /// Its lines' sums are taken from what it holds, so that each check behind them is
    /// tested too (see [`read_back_as`] for the sums recorded when it was written).
    fn read_back(stored: &[u8], other: Option<&str>) -> Option<KeptHistory> {
        let mut lines = stored.split(|&byte| byte == b'\n').map(line_sum);
        let sums = Sums { summary: lines.next()?, history: lines.next()?, lengths: lines.next()? };
        read_back_as(stored, &sums, other)
    }

    fn read_back_as(stored: &[u8], sums: &Sums, other: Option<&str>) -> Option<KeptHistory> {
        read_back_at(stored, sums, &read_at(), other)
    }

    /// As [`read_back_as`], with a header that says the history was read at `header`.
    fn read_back_at(stored: &[u8], sums: &Sums, header: &ReadAt, other: Option<&str>) -> Option<KeptHistory> {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, stored).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        read_rest(PathBuf::from("history.json"), std::io::BufReader::new(file), 0, sums, header, other)
    }

    /// Where the tests' histories were read.
    fn read_at() -> ReadAt {
        ReadAt { place: "/repo/.git\0content".into(), tip: format!("{}\nfull", commit(4).id) }
    }

    fn history_back(stored: &[u8]) -> Option<History> {
        match read_back(stored, Some("c0ffee"))? {
            KeptHistory::Other { commit, history } if commit == "c0ffee" => Some(history),
            _ => panic!("the whole history is read for another tip"),
        }
    }

    fn summary_back(stored: &[u8]) -> Option<Summary> {
        match read_back(stored, None)? {
            KeptHistory::Tip(summary) => Some(summary),
            KeptHistory::Other { .. } => panic!("the summary is read for the same tip"),
        }
    }

    /// A version's text as an internal reader reads it.
    fn text(version: &PolicyVersion) -> Result<String, String> {
        let mut text = version.text.clone();
        text.cut_for(Audience::Internal);
        text.cut()
    }

    /// The texts stored apart come back to their snapshots and versions exactly, whatever
    /// they hold; a stored history cut short or with a length that does not fit is not read
    /// at all, and a text whose bytes are not what was stored under its key is never read
    /// as it.
    #[test]
    fn a_history_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let mut history = History { commits: (0..5).map(commit).collect(), ..History::default() };
        let texts = ["Line one\nline \"two\"\r\n\n::: internal\nß ✓ 中文\n:::\n", "", "\\n\u{0}"];
        history.policies.insert(
            "POL-1".into(),
            vec![snapshot(0, Some(texts[0])), snapshot(1, None), snapshot(2, Some(texts[1]))],
        );
        // A change after POL-2's approval, not approved.
        let unapproved = Snapshot {
            version: Some("3.0".into()),
            approved: snapshot(3, Some("")).approved,
            ..snapshot(4, None)
        };
        history.policies.insert("POL-2".into(), vec![snapshot(3, Some(texts[2])), unapproved]);
        // Two versions with one text (a new version number, the text unchanged), ahead of the
        // others: each text is found by its place among the texts, not among distinct ones.
        let same = "The same text.\n";
        history.policies.insert("POL-0".into(), vec![snapshot(0, Some(same)), snapshot(1, Some(same))]);
        let summary = history.summary();
        assert_eq!(summary.versions["POL-1"].len(), 2, "{summary:?}");
        let unapproved = summary.unapproved_changes("POL-2").expect("POL-2 changed after approval");
        assert_eq!((unapproved.first.id.as_str(), unapproved.later.len()), (commit(4).id.as_str(), 0));
        let mut stored = Vec::new();
        let written = rest(&history, &summary, read_at()).unwrap();
        written.write(&mut stored).unwrap();
        let sums = written.sums.clone();
        // Any byte of lines 2 to 4 changed (a date edited by hand, a flipped bit): not read,
        // by the summary's reader (which skips line 3) or the whole history's.
        let line_ends: Vec<usize> =
            stored.iter().enumerate().filter(|(_, &byte)| byte == b'\n').map(|(at, _)| at).take(3).collect();
        for at in 0..line_ends[2] {
            let mut changed = stored.clone();
            changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
            let in_skipped_line = (line_ends[0] + 1..=line_ends[1]).contains(&at);
            assert!(in_skipped_line || read_back_as(&changed, &sums, None).is_none(), "byte {at}");
            assert!(read_back_as(&changed, &sums, Some("c0ffee")).is_none(), "byte {at}");
        }
        let read = history_back(&stored).expect("the history reads back");
        assert_eq!(read, history);
        let back: Vec<Option<String>> =
            read.texts().unwrap().into_iter().map(|text| text.map(|text| text.into_owned())).collect();
        let both = [Some(same.to_string()), Some(same.to_string())];
        assert_eq!(
            back,
            [&both[..], &[Some(texts[0].into()), None, Some(texts[1].into()), Some(texts[2].into()), None]]
                .concat()
        );
        // A header that says another tip or place than the summary's line does (a tip edited
        // to a later commit, say): neither the summary nor the whole history is read.
        let later = ReadAt { tip: format!("{}\nfull", commit(3).id), ..read_at() };
        let elsewhere = ReadAt { place: "/other/.git\0content".into(), ..read_at() };
        for header in [&later, &elsewhere] {
            assert!(read_back_at(&stored, &sums, header, None).is_none(), "{header:?}");
            assert!(read_back_at(&stored, &sums, header, Some("c0ffee")).is_none(), "{header:?}");
        }
        let read_summary = summary_back(&stored).expect("the summary reads back");
        assert_eq!(read_summary, summary);
        assert_eq!(read_summary, read.summary());
        let cut = |text: &str| crate::audience_blocks::cut(text, Audience::Internal);
        let versions: Vec<&PolicyVersion> = read_summary.versions.values().flatten().collect();
        let shown: Vec<String> = versions.iter().map(|version| text(version).unwrap()).collect();
        assert_eq!(shown, [cut(same), cut(same), cut(texts[0]), cut(texts[1]), cut(texts[2])]);
        // Written again from where it is held, it is the same file.
        let mut again = Vec::new();
        rest(&read, &read_summary, read_at()).unwrap().write(&mut again).unwrap();
        assert_eq!(again, stored);
        // Every cut of the stored text but the whole is refused, never misread.
        for end in 0..stored.len() {
            assert!(history_back(&stored[..end]).is_none(), "cut at {end}");
            assert!(summary_back(&stored[..end]).is_none(), "cut at {end}");
        }
        // A byte more, or a length that runs past the end, is refused.
        assert!(history_back(&[&stored[..], b"x"].concat()).is_none());
        assert!(summary_back(&[&stored[..], b"x"].concat()).is_none());
        let stored = String::from_utf8(stored).unwrap();
        let head = format!("[{},{},", same.len(), same.len());
        let lengths = format!("{head}{},null,{},{},null]", texts[0].len(), texts[1].len(), texts[2].len());
        assert!(stored.contains(&lengths), "{stored}");
        let longer = format!("{head}{},null,{},{},null]", texts[0].len() + 1, texts[1].len(), texts[2].len());
        assert!(history_back(stored.replacen(&lengths, &longer, 1).as_bytes()).is_none());
        assert!(summary_back(stored.replacen(&lengths, &longer, 1).as_bytes()).is_none());
        // The whole history's length recorded wrong: the summary is not read.
        let whole = serde_json::to_vec(&history).unwrap().len();
        let recorded = format!("\"history_bytes\":{whole},");
        assert!(stored.contains(&recorded), "{stored}");
        for wrong in [whole - 1, whole + 1, 0, u64::MAX as usize] {
            let wrong = stored.replacen(&recorded, &format!("\"history_bytes\":{wrong},"), 1);
            assert!(summary_back(wrong.as_bytes()).is_none(), "{wrong}");
        }
        // The lengths written another way (JSON allows spaces): the texts are where they are.
        let spaced =
            format!("{head} {}, null, {}, {}, null ]", texts[0].len(), texts[1].len(), texts[2].len());
        let read = history_back(stored.replacen(&lengths, &spaced, 1).as_bytes()).expect("spaces are JSON");
        assert_eq!(read, history);
        assert!(read.texts().is_ok());
        let read = summary_back(stored.replacen(&lengths, &spaced, 1).as_bytes()).expect("spaces are JSON");
        assert_eq!(read, summary);
        // Lengths that still add up but split the texts elsewhere: the history reads, and
        // each text whose bytes moved is refused when read, never shown as another.
        let moved =
            format!("{head}{},null,{},{},null]", texts[0].len() - 1, texts[1].len(), texts[2].len() + 1);
        let moved = stored.replacen(&lengths, &moved, 1);
        let read = history_back(moved.as_bytes()).expect("the lengths add up");
        let held: Vec<&Held> = read.policies.values().flatten().map(|s| &s.body).collect();
        assert!(held[2].read().is_err() && held[5].read().is_err(), "{held:?}");
        assert_eq!(held[4].read().unwrap(), "");
        assert!(read.texts().is_err(), "such a history is not written again");
        let read = summary_back(moved.as_bytes()).expect("the lengths add up");
        let shown: Vec<Result<String, String>> = read.versions.values().flatten().map(text).collect();
        assert_eq!(shown[..2], [Ok(cut(same)), Ok(cut(same))]);
        assert!(shown[2].is_err() && shown[4].is_err(), "{shown:?}");
        assert_eq!(shown[3], Ok(String::new()));
        // A version's text index out of range: the summary is not read.
        let index = "\"t\":4}";
        assert!(stored.contains(index), "{stored}");
        assert!(summary_back(stored.replacen(index, "\"t\":5}", 1).as_bytes()).is_none());
        // A version's commit index out of range, or a commit id that is not one: the same.
        let commit = "\"m\":3,";
        assert!(stored.contains(commit), "{stored}");
        assert!(summary_back(stored.replacen(commit, "\"m\":4,", 1).as_bytes()).is_none());
        let id = "[\"0000000003000000000000000000000000c0ffee\"";
        assert!(stored.contains(id), "{stored}");
        assert!(summary_back(stored.replacen(id, "[\"0000000003\"", 1).as_bytes()).is_none());
    }
}
