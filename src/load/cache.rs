//! `check`'s parse cache. A large ISMS is mostly policy files and a long evidence index, and
//! reading and parsing them is most of a check: the cache keeps, per policy file, what parsing
//! it gave (the front matter and the body's links), and the evidence index's items, so the
//! next `check` parses only the files that changed.
//!
//! A file's entry is used only while the file is, by its metadata, the file that was parsed:
//! same size, modification and change times (to the nanosecond), inode and device. An edit,
//! a `git checkout`, a copy or an atomic save changes the change time, which no tool can set
//! back. A file changed within [`SETTLE`] of the check's start is not cached at all, so an
//! edit in the same clock tick as the parse cannot hide behind an unchanged time. Only files
//! that parsed without any problem are cached: a broken file is parsed (and reported) every
//! time. The cache belongs to one content folder and one trustpress binary; anything else, or
//! a cache that does not read back, is ignored and written anew. It is only an accelerator:
//! `check` gives the same report with it, without it (`--no-cache`) and when it cannot be
//! read or written.
//!
//! The cache keeps a policy's links, not its text: a cached policy comes back with an empty
//! body, and its file is listed as unread ([`ParseCache::unread`]). What the checks read of
//! the text is its links (kept) and the audience tripwire, which only the text could fail.
//! So an entry is written only after the whole check, and only for a file the tripwire found
//! nothing in ([`ParseCache::save`]): an unread body is one a check of this binary has read
//! and passed, unchanged since.
//!
//! It lives in the user's cache folder (`$TRUSTPRESS_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/trustpress`, else `~/.cache/trustpress`), never in the content folder,
//! readable by its owner only: it holds policy titles, owners and link targets of every
//! audience, as the content folder does.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::Location;
use crate::model::{BodyLink, Evidence, Markdown, Policy, Reference, ReviewInterval, Version};

/// Bumped whenever what an entry holds changes meaning.
const FORMAT: u32 = 3;

/// Files changed this recently when the check starts are parsed but not cached.
pub const SETTLE: Duration = Duration::from_secs(2);

/// What a file's metadata says of its contents: while all of it is unchanged, so is the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKey {
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    inode: u64,
    device: u64,
}

impl FileKey {
    /// The key as one field of a cache line: seven numbers, space-separated.
    fn field(&self) -> String {
        let FileKey { size, modified, changed, inode, device } = self;
        format!("{size} {} {} {} {} {inode} {device}", modified.0, modified.1, changed.0, changed.1)
    }

    fn parse(field: &str) -> Option<FileKey> {
        let numbers: Vec<&str> = field.split(' ').collect();
        let [size, m0, m1, c0, c1, inode, device] = numbers[..] else { return None };
        Some(FileKey {
            size: size.parse().ok()?,
            modified: (m0.parse().ok()?, m1.parse().ok()?),
            changed: (c0.parse().ok()?, c1.parse().ok()?),
            inode: inode.parse().ok()?,
            device: device.parse().ok()?,
        })
    }

    #[cfg(unix)]
    pub fn of(metadata: &fs::Metadata) -> Option<FileKey> {
        use std::os::unix::fs::MetadataExt;
        Some(FileKey {
            size: metadata.size(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
            device: metadata.dev(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_metadata: &fs::Metadata) -> Option<FileKey> {
        None
    }

    /// True when neither time is later than `before`.
    fn settled(&self, before: (i64, i64)) -> bool {
        self.modified < before && self.changed < before
    }
}

/// One policy file as parsing gave it, in a form that reads back exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CachedPolicy {
    id: String,
    title: String,
    version: Option<String>,
    owner: Option<String>,
    approved_by: Option<String>,
    approved: Option<Date>,
    review_every_months: Option<u32>,
    next_review: Option<Date>,
    audience: Audience,
    teaser: bool,
    summary: Option<String>,
    /// Each control reference: id, line, column.
    controls: Vec<(String, u32, u32)>,
    clauses: Vec<(String, u32, u32)>,
    body_first_line: u32,
    links: Vec<BodyLink>,
}

impl CachedPolicy {
    fn new(policy: &Policy, body: &Markdown, links: Vec<BodyLink>) -> CachedPolicy {
        // Every field named: a field added to `Policy` does not compile until it is cached.
        let Policy {
            id,
            title,
            version,
            owner,
            approved_by,
            approved,
            review_every,
            next_review,
            audience,
            teaser,
            teaser_only: _,
            summary,
            controls,
            clauses,
            body: _,
            source: _,
            // Attached from git after loading, never cached with the file.
            history: _,
        } = policy;
        CachedPolicy {
            id: id.clone(),
            title: title.clone(),
            version: version.as_ref().map(|v| v.0.clone()),
            owner: owner.clone(),
            approved_by: approved_by.clone(),
            approved: *approved,
            review_every_months: review_every.map(|r| r.months),
            next_review: *next_review,
            audience: *audience,
            teaser: *teaser,
            summary: summary.clone(),
            controls: references(controls),
            clauses: references(clauses),
            body_first_line: body.first_line,
            links,
        }
    }

    /// The policy, its body as an empty text at its first line, and the body's links.
    fn restore(self) -> (Policy, Markdown, Vec<BodyLink>) {
        let policy = Policy {
            id: self.id,
            title: self.title,
            version: self.version.map(Version),
            owner: self.owner,
            approved_by: self.approved_by,
            approved: self.approved,
            review_every: self.review_every_months.map(|months| ReviewInterval { months }),
            next_review: self.next_review,
            audience: self.audience,
            teaser: self.teaser,
            teaser_only: false,
            summary: self.summary,
            controls: restore_references(self.controls),
            clauses: restore_references(self.clauses),
            body: Markdown::default(),
            source: Location::default(),
            history: Vec::new(),
        };
        (policy, Markdown::new(String::new(), self.body_first_line), self.links)
    }
}

/// One item of an evidence index as parsing gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CachedEvidence {
    id: String,
    title: String,
    file: String,
    controls: Vec<(String, u32, u32)>,
    clauses: Vec<(String, u32, u32)>,
    collected: Option<Date>,
    max_age_days: Option<u32>,
    audience: Audience,
    line: u32,
    column: u32,
}

impl CachedEvidence {
    fn new((item, location): &(Evidence, Location)) -> CachedEvidence {
        // Every field named: a field added to `Evidence` does not compile until it is cached.
        let Evidence {
            id,
            title,
            file,
            controls,
            clauses,
            collected,
            max_age_days,
            audience,
            path: _,
            source: _,
        } = item;
        CachedEvidence {
            id: id.clone(),
            title: title.clone(),
            file: file.clone(),
            controls: references(controls),
            clauses: references(clauses),
            collected: *collected,
            max_age_days: *max_age_days,
            audience: *audience,
            line: location.line,
            column: location.column,
        }
    }

    fn restore(self, index: &Path) -> (Evidence, Location) {
        let item = Evidence {
            id: self.id,
            title: self.title,
            file: self.file,
            controls: restore_references(self.controls),
            clauses: restore_references(self.clauses),
            collected: self.collected,
            max_age_days: self.max_age_days,
            audience: self.audience,
            path: PathBuf::new(),
            source: Location::default(),
        };
        (item, Location::at(index, self.line, self.column))
    }
}

fn references(references: &[Reference]) -> Vec<(String, u32, u32)> {
    references.iter().map(|r| (r.id.clone(), r.line, r.column)).collect()
}

fn restore_references(references: Vec<(String, u32, u32)>) -> Vec<Reference> {
    references.into_iter().map(|(id, line, column)| Reference { id, line, column }).collect()
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Header {
    format: u32,
    binary: String,
    content: PathBuf,
}

/// A cached file: its key, and where its line and its value are in the cache file.
struct Entry {
    key: FileKey,
    line: Range<usize>,
    value: Range<usize>,
}

/// The cache of one check: the entries read at the start, and what this check adds.
///
/// The cache file is a JSON header line, then a line per cached file: its path, its key and
/// what parsing it gave (JSON), separated by tabs. Only the path and key are read up front; a
/// value is decoded when its file is found unchanged. A later line for the same file takes
/// the place of an earlier one.
pub struct ParseCache {
    path: PathBuf,
    header: Header,
    /// The cache file as read.
    text: String,
    /// Each file's entry in `text`.
    entries: HashMap<PathBuf, Entry>,
    /// Entry lines in the cache file, later ones taking the place of earlier ones for the
    /// same file; and whether more can be appended to it (its header matched and its last
    /// line is whole).
    lines: usize,
    appendable: bool,
    /// Files whose entry this check used.
    used: Mutex<HashSet<PathBuf>>,
    /// Every policy body's links, by file: from the entries used, and found in the bodies
    /// parsed.
    links: Mutex<HashMap<PathBuf, Vec<BodyLink>>>,
    /// New entries: file, and its whole line.
    fresh: Mutex<Vec<(PathBuf, String)>>,
    /// Files changed at or after this instant are not cached.
    settled_before: (i64, i64),
}

impl ParseCache {
    /// The cache of the content folder at `canonical`, read from the user's cache folder.
    /// `None` when there is no cache folder to use or no binary to tie it to.
    pub fn open(canonical: &Path) -> Option<ParseCache> {
        let folder = cache_folder()?;
        // A folder others could write is neither read nor written: `check` says so
        // (`unusable_folder`) and parses everything. Not made yet: nothing to read.
        let owner = private_folder(&folder).ok()?;
        let name: String = Sha256::digest(canonical.as_os_str().as_encoded_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = folder.join(format!("check-{name}.tsv"));
        let header = Header { format: FORMAT, binary: binary_identity()?, content: canonical.to_path_buf() };
        let settled_before = SystemTime::now()
            .checked_sub(SETTLE)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| (i64::try_from(d.as_secs()).unwrap_or(i64::MAX), i64::from(d.subsec_nanos())))?;
        let mut cache = ParseCache::empty(path, header, settled_before);
        let Some(text) = owner.and_then(|owner| read_trusted(&cache.path, owner)) else { return Some(cache) };
        let Some((first, rest)) = text.split_once('\n') else { return Some(cache) };
        if serde_json::from_str::<Header>(first).ok().as_ref() != Some(&cache.header) {
            return Some(cache);
        }
        let mut offset = first.len() + 1;
        cache.appendable = text.ends_with('\n');
        for line in rest.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            cache.lines += 1;
            // A line cut short (a full disk) is no entry.
            let Some(line) = line.strip_suffix('\n') else { continue };
            let mut fields = line.splitn(3, '\t');
            let (Some(file), Some(key), Some(value)) = (fields.next(), fields.next(), fields.next()) else {
                continue;
            };
            let value_start = start + file.len() + 1 + key.len() + 1;
            let Some(key) = FileKey::parse(key) else { continue };
            let entry = Entry { key, line: start..offset, value: value_start..value_start + value.len() };
            cache.entries.insert(PathBuf::from(file), entry);
        }
        cache.text = text;
        Some(cache)
    }

    /// A cache with no entries, to be written at `path`.
    fn empty(path: PathBuf, header: Header, settled_before: (i64, i64)) -> ParseCache {
        ParseCache {
            path,
            header,
            text: String::new(),
            entries: HashMap::new(),
            lines: 0,
            appendable: false,
            used: Mutex::default(),
            links: Mutex::default(),
            fresh: Mutex::default(),
            settled_before,
        }
    }

    /// The policy cached for `file`, when its metadata still matches, with an empty body
    /// (the file is then one of [`ParseCache::unread`]); its links are kept for
    /// [`ParseCache::links`].
    pub fn policy(&self, file: &Path, key: FileKey) -> Option<(Policy, Markdown)> {
        let (policy, body, links) = self.get::<CachedPolicy>(file, key)?.restore();
        self.keep_links(file, links);
        Some((policy, body))
    }

    /// Offers to cache a policy that parsed without problems (`save` decides), and keeps its
    /// body's links so the checks need not find them again.
    pub fn remember(&self, file: &Path, key: FileKey, policy: &Policy, body: &Markdown) {
        let links = BodyLink::find(&body.text);
        if self.worth_keeping(file, key) {
            self.put(file, key, &CachedPolicy::new(policy, body, links.clone()));
        }
        self.keep_links(file, links);
    }

    fn keep_links(&self, file: &Path, links: Vec<BodyLink>) {
        if let Ok(mut kept) = self.links.lock() {
            kept.insert(file.to_path_buf(), links);
        }
    }

    /// Every policy body's links found or read back so far, by file: the checks use them
    /// instead of parsing the bodies again.
    pub fn links(&self) -> HashMap<PathBuf, Vec<BodyLink>> {
        self.links.lock().map(|links| links.clone()).unwrap_or_default()
    }

    /// The policy files whose bodies this check did not read: their entries were used.
    pub fn unread(&self) -> HashSet<PathBuf> {
        let (Ok(used), Ok(links)) = (self.used.lock(), self.links.lock()) else { return HashSet::new() };
        used.iter().filter(|file| links.contains_key(*file)).cloned().collect()
    }

    /// The items of the evidence index `file`, when its metadata still matches.
    pub fn evidence(&self, file: &Path, key: FileKey) -> Option<Vec<(Evidence, Location)>> {
        let items = self.get::<Vec<CachedEvidence>>(file, key)?;
        Some(items.into_iter().map(|item| item.restore(file)).collect())
    }

    /// Caches the items of an evidence index that parsed without problems.
    pub fn remember_evidence(&self, file: &Path, key: FileKey, items: &[(Evidence, Location)]) {
        if self.worth_keeping(file, key) {
            let items: Vec<CachedEvidence> = items.iter().map(CachedEvidence::new).collect();
            self.put(file, key, &items);
        }
    }

    /// True when `file`'s entry can be kept: its name fits a line, and it has settled.
    fn worth_keeping(&self, file: &Path, key: FileKey) -> bool {
        let fits = file.to_str().is_some_and(|name| !name.contains(['\t', '\n', '\r']));
        fits && key.settled(self.settled_before)
    }

    fn get<T: DeserializeOwned>(&self, file: &Path, key: FileKey) -> Option<T> {
        let entry = self.entries.get(file)?;
        if entry.key != key {
            return None;
        }
        let value = serde_json::from_str(&self.text[entry.value.clone()]).ok()?;
        if let Ok(mut used) = self.used.lock() {
            used.insert(file.to_path_buf());
        }
        Some(value)
    }

    fn put<T: Serialize>(&self, file: &Path, key: FileKey, value: &T) {
        let Some(name) = file.to_str() else { return };
        if let (Ok(json), Ok(mut fresh)) = (serde_json::to_string(value), self.fresh.lock()) {
            fresh.push((file.to_path_buf(), format!("{name}\t{}\t{json}\n", key.field())));
        }
    }

    /// Brings the cache file up to date, after the whole check: `failed` are the files the
    /// tripwire found anything in, whose new entries are dropped (an entry vouches for a body
    /// the check will not read again). New entries are appended; the file is written anew
    /// (with only the entries this check used and made, sorted by file) when it is new or
    /// when over a quarter of its lines are dead: replaced by later lines, or about files that
    /// changed or are gone. Best effort: a cache that cannot be written is simply not there
    /// next time.
    pub fn save(self, failed: &HashSet<PathBuf>) {
        let used = self.used.into_inner().unwrap_or_default();
        let mut fresh = self.fresh.into_inner().unwrap_or_default();
        fresh.retain(|(file, _)| !failed.contains(file));
        let dead = self.lines - used.len();
        if fresh.is_empty() && dead == 0 {
            return;
        }
        let Some(folder) = self.path.parent() else { return };
        if self.appendable && dead <= self.lines / 4 + 64 {
            if !fresh.is_empty() {
                let out: String = fresh.iter().map(|(_, line)| line.as_str()).collect();
                // One write, appended: another check appending at the same time cannot split it.
                let _ = fs::OpenOptions::new()
                    .append(true)
                    .open(&self.path)
                    .and_then(|mut file| file.write_all(out.as_bytes()));
            }
            return;
        }
        let mut lines: Vec<(&Path, &str)> = self
            .entries
            .iter()
            .filter(|(file, _)| used.contains(*file))
            .map(|(file, entry)| (file.as_path(), &self.text[entry.line.clone()]))
            .chain(fresh.iter().map(|(file, line)| (file.as_path(), line.as_str())))
            .collect();
        lines.sort();
        let Ok(header) = serde_json::to_string(&self.header) else { return };
        let mut out = String::with_capacity(lines.iter().map(|(_, line)| line.len()).sum::<usize>() + 256);
        out.push_str(&header);
        out.push('\n');
        for (_, line) in lines {
            out.push_str(line);
        }
        let _ = create_private_folder(folder).and_then(|()| {
            let mut file = tempfile::NamedTempFile::new_in(folder)?;
            file.write_all(out.as_bytes())?;
            file.persist(&self.path).map_err(|error| error.error)?;
            Ok(())
        });
        // A new cache file (a new content folder: a fresh clone, a temporary copy) or a
        // compacted one: the moment to drop the caches of content folders that are gone, so
        // the folder holds no more files than there are content folders checked.
        prune(folder, &self.path);
    }
}

/// The git history of the content in repository-and-folder `place`, as read from commit
/// `tip` by this binary, from the cache folder (one file per place, holding the latest tip
/// read). `None` on any doubt: the folder or file is not private, another binary or tip
/// wrote it, or it does not read.
pub fn history(place: &str, tip: &str) -> Option<crate::history::History> {
    let folder = cache_folder()?;
    let me = private_folder(&folder).ok()??;
    let text = read_trusted(&history_path(&folder, place), me)?;
    let (first, rest) = text.split_once('\n')?;
    if first != history_header(place, tip)? {
        return None;
    }
    serde_json::from_str(rest).ok()
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
    let name: String = Sha256::digest(place.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    folder.join(format!("history-{name}.json"))
}

fn history_header(place: &str, tip: &str) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, place, tip)).ok()
}

/// Removes the cache files in `folder`, other than `keep`, whose content folder (a parse
/// cache) or repository (a history) no longer exists. A file whose header does not read is
/// left alone: it may be a newer trustpress's.
fn prune(folder: &Path, keep: &Path) {
    use std::io::BufRead;
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let check = name.starts_with("check-") && name.ends_with(".tsv");
        let history = name.starts_with("history-") && name.ends_with(".json");
        if path == keep || !(check || history) {
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

/// Why the cache folder cannot be used, when it exists and someone other than the user
/// running `check` could write to it (its owner is another user, or its group or others may
/// write). `None` when it is private or not made yet (it is then made private).
pub fn unusable_folder() -> Option<String> {
    private_folder(&cache_folder()?).err()
}

/// The user running `check` when `folder` is theirs alone; `None` when it is not made yet
/// (it is then made private); why not, when others could write to it.
fn private_folder(folder: &Path) -> Result<Option<u32>, String> {
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
fn read_trusted(path: &Path, me: u32) -> Option<String> {
    use std::io::Read;
    let mut file = fs::File::open(path).ok()?;
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
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The user running `check`: the owner of a file made in `folder` just now (O_TMPFILE, so
/// nothing is left behind; this needs no `libc`).
#[cfg(unix)]
fn running_user(folder: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    Some(tempfile::tempfile_in(folder).ok()?.metadata().ok()?.uid())
}

/// `$TRUSTPRESS_CACHE_DIR`, else `$XDG_CACHE_HOME/trustpress`, else `~/.cache/trustpress`.
fn cache_folder() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(folder) = set("TRUSTPRESS_CACHE_DIR") {
        return Some(folder);
    }
    if let Some(folder) = set("XDG_CACHE_HOME").filter(|folder| folder.is_absolute()) {
        return Some(folder.join("trustpress"));
    }
    set("HOME").map(|home| home.join(".cache").join("trustpress"))
}

/// This binary, as a cache must match it: its version, and the size and time of its file,
/// which any rebuild changes.
fn binary_identity() -> Option<String> {
    let metadata = fs::metadata(std::env::current_exe().ok()?).ok()?;
    let key = FileKey::of(&metadata)?;
    Some(format!("{} {} {}.{:09}", env!("CARGO_PKG_VERSION"), key.size, key.modified.0, key.modified.1))
}

fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> (Policy, Markdown) {
        let text = "---\nid: POL-X\ntitle: X\nversion: 2.1\nowner: CISO\napproved: 2026-01-02\nreview_every: 1 year\naudience: public\nteaser: true\nsummary: S\ncontrols: [A.5.1, A.8.2]\n---\nSee [the SoA](/soa/).\n\n::: internal\nAnd [this](other.md).\n:::\n";
        let split = crate::load::yaml::split_front_matter(text, Path::new("policies/x.md")).unwrap();
        let policy: Policy = crate::load::yaml::parse(split.yaml, Path::new("policies/x.md"), 2).unwrap();
        (policy, Markdown::new(split.body, split.body_first_line))
    }

    #[test]
    fn a_policy_reads_back_as_it_was_parsed() {
        let (policy, body) = policy();
        let links = BodyLink::find(&body.text);
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].audience, Audience::Internal);
        let cached = CachedPolicy::new(&policy, &body, links.clone());
        let line = serde_json::to_string(&cached).unwrap();
        let (restored, restored_body, restored_links) =
            serde_json::from_str::<CachedPolicy>(&line).unwrap().restore();
        // Everything but the body text, which the cache does not keep.
        let mut expected = policy.clone();
        expected.body = Markdown::default();
        expected.source = Location::default();
        assert_eq!(format!("{restored:?}"), format!("{expected:?}"));
        assert_eq!(restored_body.first_line, body.first_line);
        assert_eq!(restored_body.text, "");
        assert_eq!(restored_links, links);
        assert_eq!(restored.controls[1], Reference { id: "A.8.2".into(), ..policy.controls[1].clone() });
    }

    #[test]
    fn a_body_the_tripwire_stopped_is_never_vouched_for() {
        let folder = tempfile::tempdir().unwrap();
        let header = Header { format: FORMAT, binary: "test".into(), content: folder.path().into() };
        let cache = ParseCache::empty(folder.path().join("check-test.tsv"), header, (i64::MAX, 0));
        let key = FileKey { size: 1, modified: (1, 0), changed: (1, 0), inode: 1, device: 1 };
        let (policy, body) = policy();
        let (clean, stopped) = (Path::new("policies/clean.md"), Path::new("policies/stopped.md"));
        cache.remember(clean, key, &policy, &body);
        cache.remember(stopped, key, &policy, &body);
        // Both bodies' links are kept for this check, whatever is saved.
        assert_eq!(cache.links().len(), 2);
        assert!(cache.unread().is_empty(), "both bodies were read");
        cache.save(&HashSet::from([stopped.to_path_buf()]));
        let saved = fs::read_to_string(folder.path().join("check-test.tsv")).unwrap();
        let files: Vec<&str> = saved.lines().skip(1).filter_map(|line| line.split('\t').next()).collect();
        assert_eq!(files, ["policies/clean.md"]);
    }

    #[test]
    fn a_key_reads_back_from_its_field() {
        let key = FileKey {
            size: 4101,
            modified: (1_795_239_840, 24_792_358),
            changed: (-1, 0),
            inode: u64::MAX,
            device: 27,
        };
        assert_eq!(FileKey::parse(&key.field()), Some(key));
        for bad in ["", "1 2 3", "1 2 3 4 5 6 7 8", "1 2 3 4 5 x 7", "-1 2 3 4 5 6 7"] {
            assert_eq!(FileKey::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn prune_drops_the_caches_of_folders_and_repositories_that_are_gone() {
        let folder = tempfile::tempdir().unwrap();
        let alive = tempfile::tempdir().unwrap();
        let history = |name: &str, git_dir: &Path| {
            let header = serde_json::to_string(&(
                FORMAT,
                "binary",
                format!("{}\0content", git_dir.display()),
                "tip\nstate",
            ))
            .unwrap();
            fs::write(folder.path().join(name), format!("{header}\n{{}}")).unwrap();
        };
        history("history-gone.json", &alive.path().join("deleted/.git"));
        history("history-alive.json", alive.path());
        fs::write(folder.path().join("history-newer.json"), "[not, ours]\n{}").unwrap();
        let check = |name: &str, content: &Path| {
            let header = serde_json::json!({ "format": FORMAT, "binary": "binary", "content": content });
            fs::write(folder.path().join(name), format!("{header}\n")).unwrap();
        };
        check("check-gone.tsv", &alive.path().join("deleted"));
        check("check-alive.tsv", alive.path());
        fs::write(folder.path().join("other.json"), "x").unwrap();
        prune(folder.path(), &folder.path().join("check-alive.tsv"));
        let mut left: Vec<String> = fs::read_dir(folder.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["check-alive.tsv", "history-alive.json", "history-newer.json", "other.json"]);
    }

    #[test]
    fn recent_changes_are_not_settled() {
        let key = FileKey { size: 1, modified: (100, 5), changed: (100, 5), inode: 1, device: 1 };
        assert!(key.settled((100, 6)));
        assert!(!key.settled((100, 5)));
        assert!(!FileKey { changed: (101, 0), ..key }.settled((100, 6)));
    }
}
