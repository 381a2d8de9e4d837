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
//!
//! A build has a parse cache of its own, in the same form ([`Kind::Build`]): it reads every
//! file anyway, so its entries are vouched for by the hash (BLAKE3) of the text they were
//! parsed from ([`EntryKey::Text`]), not by metadata, and it saves only the parsing.
//!
//! `cached` holds what an entry keeps of a policy or an evidence index, `history` the git
//! history kept per repository and folder, `exports` the content as past commits hold it
//! (for `--at`), `pages` what a rebuild in place may keep of each output folder's pages,
//! `listing` its folders as last listed, and `folder` the cache folder: where it is, whether
//! only its user could have written it, and the pruning of caches whose content is gone.

mod cached;
mod exports;
mod folder;
mod history;
mod listing;
mod pages;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Location;
use crate::model::{BodyLink, Evidence, Markdown, Policy};

use cached::{CachedEvidence, CachedPolicy};
use folder::{cache_file, cache_folder, create_private_folder, private_folder, prune, read_trusted};

pub use exports::{exported, KeptExport};
pub use folder::{folder_within, unusable_folder};
pub use history::{kept_history, remember_history, KeptHistory};
pub use listing::{output_listing, remember_listing, ListedEntry, ListedFolder, Listing};
pub use pages::{key_hex, page_record, parse_key, remember_pages, KeptPage, PageKey, PageRecord};

/// Bumped whenever what an entry holds changes meaning.
const FORMAT: u32 = 6;

/// Files changed this recently when the check starts are parsed but not cached.
pub const SETTLE: Duration = Duration::from_secs(2);

/// [`SETTLE`] before now, as a file's times are kept: a file or folder whose times are not
/// earlier is not vouched for by them.
pub fn settled_before() -> Option<(i64, i64)> {
    SystemTime::now()
        .checked_sub(SETTLE)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| (i64::try_from(d.as_secs()).unwrap_or(i64::MAX), i64::from(d.subsec_nanos())))
}

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
    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The key as one field of a cache line: seven numbers, space-separated.
    pub(crate) fn field(&self) -> String {
        let FileKey { size, modified, changed, inode, device } = self;
        format!("{size} {} {} {} {} {inode} {device}", modified.0, modified.1, changed.0, changed.1)
    }

    pub(crate) fn parse(field: &str) -> Option<FileKey> {
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

/// What vouches for a cached file's entry: its metadata, for `check`'s cache, which then
/// need not read the file; or the hash of its text, for a build's, which reads every file
/// anyway and saves only the parsing (see [`Kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKey {
    File(FileKey),
    Text([u8; 32]),
}

impl EntryKey {
    /// The key of a file whose text is `text`: its BLAKE3 hash (a cryptographic hash, so
    /// no text can be written to take another's entry; about twice as fast as SHA-256 on
    /// the texts of a large ISMS, and nothing outside the cache folder sees it).
    pub fn of_text(text: &str) -> EntryKey {
        EntryKey::Text(*blake3::hash(text.as_bytes()).as_bytes())
    }

    fn field(&self) -> String {
        match self {
            EntryKey::File(key) => key.field(),
            EntryKey::Text(hash) => format!("blake3 {}", key_hex(hash)),
        }
    }

    fn parse(field: &str) -> Option<EntryKey> {
        match field.strip_prefix("blake3 ") {
            Some(hex) => parse_key(hex).map(EntryKey::Text),
            None => FileKey::parse(field).map(EntryKey::File),
        }
    }
}

impl From<FileKey> for EntryKey {
    fn from(key: FileKey) -> EntryKey {
        EntryKey::File(key)
    }
}

/// Which command a parse cache serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `check`: entries are vouched for by files' metadata, and a cached policy's body is
    /// not read at all (see the module's text).
    Check,
    /// A build: every file is read, and an entry is used only for a file whose text has the
    /// hash the entry was made from. What that text parses to, this binary already worked
    /// out: the entry is it, by construction. Only the parsing (the YAML front matter, the
    /// evidence index, a body's links) is saved.
    Build,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Header {
    format: u32,
    binary: String,
    content: PathBuf,
}

/// A cached file: its key, and where its line and its value are in the cache file.
struct Entry {
    key: EntryKey,
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
    kind: Kind,
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
    pub fn open(canonical: &Path, kind: Kind) -> Option<ParseCache> {
        let folder = cache_folder()?;
        // Inside the content, its files would be committed with it: not used.
        if folder_within(&[canonical]).is_some() {
            return None;
        }
        // A folder others could write is neither read nor written: `check` says so
        // (`unusable_folder`) and parses everything. Not made yet: nothing to read.
        let owner = private_folder(&folder).ok()?;
        let name = match kind {
            Kind::Check => "check",
            Kind::Build => "build",
        };
        let path = cache_file(&folder, name, canonical.as_os_str().as_encoded_bytes(), "tsv");
        let header = Header { format: FORMAT, binary: binary_identity()?, content: canonical.to_path_buf() };
        let settled_before = settled_before()?;
        let mut cache = ParseCache::empty(kind, path, header, settled_before);
        if let Some(text) = owner.and_then(|owner| read_trusted(&cache.path, owner)) {
            cache.read_entries(text);
        }
        Some(cache)
    }

    /// Takes the entries of `text`, a cache file's, when its header is this cache's.
    fn read_entries(&mut self, text: String) {
        let cache = self;
        let Some((first, rest)) = text.split_once('\n') else { return };
        if serde_json::from_str::<Header>(first).ok().as_ref() != Some(&cache.header) {
            return;
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
            let Some(key) = EntryKey::parse(key) else { continue };
            let entry = Entry { key, line: start..offset, value: value_start..value_start + value.len() };
            cache.entries.insert(PathBuf::from(file), entry);
        }
        cache.text = text;
    }

    /// A cache with no entries, to be written at `path`.
    fn empty(kind: Kind, path: PathBuf, header: Header, settled_before: (i64, i64)) -> ParseCache {
        ParseCache {
            kind,
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
    pub fn policy(&self, file: &Path, key: EntryKey) -> Option<(Policy, Markdown)> {
        let (policy, body, links) = self.get::<CachedPolicy>(file, key)?.restore();
        self.keep_links(file, links);
        Some((policy, body))
    }

    /// Offers to cache a policy that parsed without problems (`save` decides), and keeps its
    /// body's links so the checks need not find them again.
    pub fn remember(&self, file: &Path, key: EntryKey, policy: &Policy, body: &Markdown) {
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

    /// Which command this cache serves.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The policy files whose bodies this check did not read: their entries were used. None
    /// for a build's cache, which reads every body.
    pub fn unread(&self) -> HashSet<PathBuf> {
        if self.kind == Kind::Build {
            return HashSet::new();
        }
        let (Ok(used), Ok(links)) = (self.used.lock(), self.links.lock()) else { return HashSet::new() };
        used.iter().filter(|file| links.contains_key(*file)).cloned().collect()
    }

    /// The items of the evidence index `file`, when its metadata still matches.
    pub fn evidence(&self, file: &Path, key: EntryKey) -> Option<Vec<(Evidence, Location)>> {
        let items = self.get::<Vec<CachedEvidence>>(file, key)?;
        Some(items.into_iter().map(|item| item.restore(file)).collect())
    }

    /// Caches the items of an evidence index that parsed without problems.
    pub fn remember_evidence(&self, file: &Path, key: EntryKey, items: &[(Evidence, Location)]) {
        if self.worth_keeping(file, key) {
            let items: Vec<CachedEvidence> = items.iter().map(CachedEvidence::new).collect();
            self.put(file, key, &items);
        }
    }

    /// True when `file`'s entry can be kept: its name fits a line, and, when its metadata
    /// vouches for it, it has settled.
    fn worth_keeping(&self, file: &Path, key: EntryKey) -> bool {
        let fits = file.to_str().is_some_and(|name| !name.contains(['\t', '\n', '\r']));
        fits && match key {
            EntryKey::File(key) => key.settled(self.settled_before),
            EntryKey::Text(_) => true,
        }
    }

    fn get<T: DeserializeOwned>(&self, file: &Path, key: EntryKey) -> Option<T> {
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

    fn put<T: Serialize>(&self, file: &Path, key: EntryKey, value: &T) {
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

/// This binary, as a cache must match it: its version, and the size and time of its file,
/// which any rebuild changes.
fn binary_identity() -> Option<String> {
    let metadata = fs::metadata(std::env::current_exe().ok()?).ok()?;
    let key = FileKey::of(&metadata)?;
    Some(format!("{} {} {}.{:09}", env!("CARGO_PKG_VERSION"), key.size, key.modified.0, key.modified.1))
}

#[cfg(test)]
mod tests;
