//! Content folder into an `Isms`: every file of the SPEC's layout, parsed into typed items
//! that remember their file and line. Loading never stops at the first problem: each
//! broken file becomes a diagnostic and the rest still loads, so one run shows them all.

pub mod cache;
pub mod files;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use crate::audience_blocks;
use crate::catalog::Catalog;
use crate::config::SiteConfig;
use crate::diagnostic::{display_path, Diagnostic, Diagnostics, Location};
use crate::history::{self, History, Summary};
use crate::model::*;

pub mod access;
mod management;
pub(crate) mod markdown_files;
mod registers;

pub use files::{open_regular, read_regular, ContentRoot};
use markdown_files::{
    fence_diagnostics, parse_markdown_file, parse_policy_by_text, parse_policy_cached, ParsedMarkdown,
};
pub use markdown_files::{reparse_policy, FENCE_HINT};

/// What loading produced: the model (as complete as the content allowed) and every problem.
pub struct Loaded {
    pub isms: Isms,
    pub root: ContentRoot,
    pub diagnostics: Diagnostics,
    /// Files that had errors: what they hold is missing from `isms`, so checks that would
    /// only repeat the error (an SoA that failed to parse is not "missing 93 controls")
    /// leave them out.
    pub failed_files: BTreeSet<PathBuf>,
    /// Ids written in files that failed to load: references to them are not "unknown".
    pub failed_ids: BTreeSet<String>,
    /// Policy bodies' links found ahead of the checks, by file (`check` with its cache, and
    /// the dev server, find them once); the checks find the others' in the text.
    pub body_links: HashMap<PathBuf, Vec<BodyLink>>,
    /// Policy files whose text was not read: `check`'s cache vouched for them (unchanged
    /// since a check of this binary read them and the tripwire found nothing), so their
    /// bodies in `isms` are empty and their links are in `body_links`.
    pub unread: HashSet<PathBuf>,
    /// What the content's git history tells (each policy's `history` holds its approved
    /// versions, taken from here).
    pub history: Summary,
}

impl Loaded {
    /// The links of `body`, the body of `file`: found ahead, else found now.
    pub fn links_of(&self, file: &Path, body: &Markdown) -> std::borrow::Cow<'_, [BodyLink]> {
        match self.body_links.get(file) {
            Some(links) => std::borrow::Cow::Borrowed(links),
            None => std::borrow::Cow::Owned(BodyLink::find(&body.text)),
        }
    }
}

/// Loads the content folder. Fails outright only when the folder or `site.yaml` cannot be
/// read at all; everything else is collected as diagnostics.
pub fn load(content: &Path) -> Result<Loaded, Diagnostics> {
    load_with(content, None, &history::Source::WorkTree).map(|(loaded, _)| loaded)
}

/// `load`, with history from `source` (a build `--at` a commit loads a folder exported from
/// git, and reads history from the repository it came from).
pub fn load_from(content: &Path, source: &history::Source) -> Result<Loaded, Diagnostics> {
    load_with(content, None, source).map(|(loaded, _)| loaded)
}

/// `load` for a build: a policy file or the evidence index whose text is one parsed before
/// (by its SHA-256) is not parsed again, but taken from the build's cache (`cache::Kind::Build`),
/// which is brought up to date before this returns. The result is the one `load` gives.
pub fn load_for_build(content: &Path) -> Result<Loaded, Diagnostics> {
    load_for_build_from(content, &history::Source::WorkTree)
}

/// [`load_for_build`] with history from `source`: a build `--at` a commit whose export is
/// kept in the cache folder (`cache::exported`) parses again only what it has not before.
pub fn load_for_build_from(content: &Path, source: &history::Source) -> Result<Loaded, Diagnostics> {
    let (loaded, cache) = load_with(content, Some(cache::Kind::Build), source)?;
    if let Some(cache) = cache {
        // Every body was read, and the build's own tripwire checks each cut text whatever
        // this cache holds: no entry needs holding back.
        cache.save(&HashSet::new());
    }
    Ok(loaded)
}

/// `load` for `check`: policies and the evidence index come from its cache when unchanged
/// since they were parsed (see `cache`); cached policies' bodies are not read
/// (`Loaded::unread`). The cache is returned for `check` to save once it has run.
pub fn load_cached(content: &Path) -> Result<(Loaded, Option<cache::ParseCache>), Diagnostics> {
    load_with(content, Some(cache::Kind::Check), &history::Source::WorkTree)
}

fn load_with(
    content: &Path,
    cached: Option<cache::Kind>,
    source: &history::Source,
) -> Result<(Loaded, Option<cache::ParseCache>), Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let root = match ContentRoot::open(content) {
        Ok(root) => root,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return Err(diagnostics);
        }
    };
    // The git history is read on a thread of its own while everything else loads: it is
    // the longest single piece of a load when it comes from the cache, and is needed only
    // at the end, where each policy takes its versions.
    let (files, history) = std::thread::scope(|scope| {
        let history = scope.spawn(|| read_history(root.canonical(), source));
        let files = load_files(&root, cached, &mut diagnostics);
        (files, history.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let Ok(Files { mut isms, failed_ids, body_links, unread, cache }) = files else {
        return Err(diagnostics);
    };
    let mut history = history;
    for policy in isms.policies.values_mut() {
        policy.history = history.take_versions(&policy.id);
    }
    let failed_files =
        diagnostics.iter().filter_map(|d| d.location.as_ref()).map(|l| l.file.clone()).collect();
    let loaded = Loaded { isms, root, diagnostics, failed_files, failed_ids, body_links, unread, history };
    Ok((loaded, cache))
}

/// What [`load_with`] loads from the content folder's files: everything but the history.
struct Files {
    isms: Isms,
    failed_ids: BTreeSet<String>,
    body_links: HashMap<PathBuf, Vec<BodyLink>>,
    unread: HashSet<PathBuf>,
    cache: Option<cache::ParseCache>,
}

/// Loads the content folder's files, their problems into `diagnostics`; `Err` when the site
/// configuration does not load (nothing else can then).
fn load_files(
    root: &ContentRoot,
    cached: Option<cache::Kind>,
    diagnostics: &mut Diagnostics,
) -> Result<Files, ()> {
    let mut failed_ids = BTreeSet::new();
    let mut loader =
        Loader { root, cache: None, diagnostics: &mut *diagnostics, failed_ids: &mut failed_ids };
    // The cache is read while the site configuration loads.
    let (cache, site) = rayon::join(
        || cached.and_then(|kind| cache::ParseCache::open(root.canonical(), kind)),
        || loader.site(),
    );
    let Some(site) = site else {
        return Err(());
    };
    let mut isms = Isms { site, ..Isms::default() };
    isms.catalogs = loader.catalogs(&isms.site);
    // Policies are most of the files, and the evidence index is the largest one: they load
    // side by side. Their problems are reported in the order a one-by-one load gives.
    let ((policies, policy_problems), (evidence, evidence_problems)) = rayon::join(
        || Problems::collect(root, cache.as_ref(), |loader| loader.policies()),
        || Problems::collect(root, cache.as_ref(), |loader| loader.evidence()),
    );
    let (body_links, unread) = match &cache {
        Some(cache) => (cache.links(), cache.unread()),
        None => Default::default(),
    };
    isms.policies = policies;
    policy_problems.report_into(diagnostics, &mut failed_ids);

    let mut loader =
        Loader { root, cache: None, diagnostics: &mut *diagnostics, failed_ids: &mut failed_ids };
    isms.soa = loader.soa();
    isms.certifications = loader.certifications();
    isms.documents = loader.documents(&isms.certifications);
    isms.checks = loader.checks();
    isms.subprocessors = loader.subprocessors();
    isms.faq = loader.faq();
    isms.records = Records::make(&mut loader);
    isms.evidence = evidence;
    evidence_problems.report_into(loader.diagnostics, loader.failed_ids);
    isms.risks = loader.risks();
    isms.scope = loader.scope();
    isms.objectives = loader.objectives();
    isms.shares = loader.shares(&isms);
    Ok(Files { isms, failed_ids, body_links, unread, cache })
}

/// The content's git history: from the cache when this tip was read before, made from the
/// cached history of another tip of its first-parent line (read on from it, or cut), else
/// read from git (and cached).
fn read_history(content: &Path, source: &history::Source) -> Summary {
    let located = match History::locate(content, source) {
        Ok(located) => located,
        Err(none) => return none.summary(),
    };
    let (place, tip) = (located.place(), located.tip());
    // A cache folder inside the content would put past texts of every audience where a
    // commit takes them: not used. (A build `--at` a commit loads an export; the content
    // folder it came from counts too.)
    let usable = match source {
        history::Source::At { content: origin, .. } => cache::folder_within(&[content, origin]).is_none(),
        _ => cache::folder_within(&[content]).is_none(),
    };
    let parse = markdown_files::parse_policy_bytes;
    let kept = usable.then(|| cache::kept_history(&place, &tip)).flatten();
    let history = match kept {
        // Read from this very tip before: its summary is all a build needs.
        Some(cache::KeptHistory::Tip(summary)) => return summary,
        // Read from another tip of this one's first-parent line: read on from it (a new
        // commit costs its own reading, not the whole line's) or cut at this tip (`--at` an
        // earlier commit reads nothing).
        Some(cache::KeptHistory::Other { commit, history }) => history::ObjectId::from_hex(commit.as_bytes())
            .ok()
            .and_then(|since| History::read_on(&located, parse, history, since)),
        None => None,
    }
    .unwrap_or_else(|| History::read(&located, parse));
    let summary = history.summary();
    if usable {
        cache::remember_history(&place, &tip, &history, &summary);
    }
    summary
}

/// Runs raw bytes through every text path of the loader — decoding, front matter, YAML for
/// each item kind, audience blocks and markdown — as content files would go. For the fuzzer
/// (`fuzz/`): whatever the input, this must return, never panic or hang. Returns how many
/// item kinds accepted the input.
pub fn parse_every_kind(bytes: &[u8]) -> usize {
    let Ok(text) = files::decode_text(bytes) else { return 0 };
    let file = Path::new("fuzz.md");
    let mut accepted = 0;
    let mut count = |ok: bool| accepted += usize::from(ok);
    if let Ok(split) = yaml::split_front_matter(&text, file) {
        count(yaml::parse::<Policy>(split.yaml, file, 2).is_ok());
        count(yaml::parse::<Update>(split.yaml, file, 2).is_ok());
        count(yaml::parse::<Audit>(split.yaml, file, 2).is_ok());
        count(yaml::parse::<Review>(split.yaml, file, 2).is_ok());
        let _ = audience_blocks::validate(split.body);
        let cut = audience_blocks::cut(split.body, crate::audience::Audience::Public);
        let rendered = crate::markdown::render(
            &cut,
            file,
            &crate::markdown::LinkTargets::default(),
            &crate::markdown::LinkBase::Page { path: String::new(), explicit_index: false },
        );
        count(!rendered.html.is_empty());
    }
    count(yaml::parse::<SiteConfig>(&text, file, 1).is_ok());
    count(yaml::parse::<Soa>(&text, file, 1).is_ok());
    count(yaml::parse::<Certification>(&text, file, 1).is_ok());
    count(yaml::parse::<Catalog>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<FaqAnswer>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Evidence>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Risk>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Scope>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Objective>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Measurement>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Subprocessor>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<Document>>>(&text, file, 1).is_ok());
    count(yaml::parse::<Vec<Spanned<ControlCheck>>>(&text, file, 1).is_ok());
    accepted
}

/// What one part of a load found wrong, when that part loads on its own thread.
#[derive(Default)]
struct Problems {
    diagnostics: Diagnostics,
    failed_ids: BTreeSet<String>,
}

impl Problems {
    /// Runs `part` with a loader of its own.
    fn collect<T>(
        root: &ContentRoot,
        cache: Option<&cache::ParseCache>,
        part: impl FnOnce(&mut Loader) -> T,
    ) -> (T, Problems) {
        let mut problems = Problems::default();
        let mut loader = Loader {
            root,
            cache,
            diagnostics: &mut problems.diagnostics,
            failed_ids: &mut problems.failed_ids,
        };
        let value = part(&mut loader);
        (value, problems)
    }

    fn report_into(self, diagnostics: &mut Diagnostics, failed_ids: &mut BTreeSet<String>) {
        diagnostics.extend(self.diagnostics);
        failed_ids.extend(self.failed_ids);
    }
}

struct Loader<'a> {
    root: &'a ContentRoot,
    /// `check`'s parse cache, when it runs with one.
    cache: Option<&'a cache::ParseCache>,
    diagnostics: &'a mut Diagnostics,
    failed_ids: &'a mut BTreeSet<String>,
}

/// Location of a `Spanned` value in `file`.
fn spanned_location<T>(file: &Path, spanned: &Spanned<T>) -> Location {
    Location::at(
        file,
        u32::try_from(spanned.referenced.line()).unwrap_or(0),
        u32::try_from(spanned.referenced.column()).unwrap_or(0),
    )
}

/// Files whose top level is a list of items (`- id: …`, or `[` in JSON).
fn starts_with_list(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#') && *line != "---")
        .is_some_and(|line| line.starts_with('-') || line.starts_with('['))
}

impl MakeRecords for Loader<'_> {
    /// Every item of a markdown record kind, from its folder.
    fn make<K: MarkdownRecord>(&mut self) -> BTreeMap<String, K> {
        let files = self.markdown_files::<K>(K::FOLDER);
        self.insert_records(files)
    }
}

impl Loader<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn read(&mut self, file: &Path) -> Option<String> {
        match self.root.read_text(file) {
            Ok(text) => Some(text),
            Err(diagnostic) => {
                self.report(diagnostic);
                None
            }
        }
    }

    fn exists(&self, file: &str) -> bool {
        self.root.join(Path::new(file)).exists()
    }

    /// Parses a whole YAML file into `T`.
    fn yaml_file<T: DeserializeOwned>(&mut self, file: &Path) -> Option<T> {
        let text = self.read(file)?;
        self.yaml_text(file, &text)
    }

    /// Parses `text`, the contents of `file`, into `T`.
    fn yaml_text<T: DeserializeOwned>(&mut self, file: &Path, text: &str) -> Option<T> {
        if text.trim().is_empty() {
            self.report(Diagnostic::error("empty-file", "file is empty").at(Location::file(file)));
            return None;
        }
        match yaml::parse::<T>(text, file, 1) {
            Ok(value) => Some(value),
            Err(diagnostic) => {
                self.report(diagnostic);
                self.remember_ids(text);
                None
            }
        }
    }

    /// Keeps the ids written in a file that failed to load (lines `id: X` or `- id: X`).
    fn remember_ids(&mut self, text: &str) {
        for line in text.lines() {
            let trimmed = line.trim_start().trim_start_matches("- ");
            if let Some(id) = trimmed.strip_prefix("id:") {
                let id = id.trim().trim_matches(['"', '\'']);
                if !id.is_empty() {
                    self.failed_ids.insert(id.to_string());
                }
            }
        }
    }

    /// Parses a YAML file whose top level is a list of `T`, each with its location.
    fn yaml_list<T: DeserializeOwned + Send>(&mut self, file: &Path) -> Vec<(T, Location)> {
        let Some(text) = self.read(file) else { return Vec::new() };
        self.yaml_list_text(file, &text)
    }

    /// Parses `text`, the contents of `file`, as a list of `T`.
    fn yaml_list_text<T: DeserializeOwned + Send>(&mut self, file: &Path, text: &str) -> Vec<(T, Location)> {
        if text.trim().is_empty() {
            return Vec::new();
        }
        match yaml::parse_list::<T>(text, file) {
            Ok(items) => items
                .into_iter()
                .map(|(item, line, column)| (item, Location::at(file, line, column)))
                .collect(),
            Err(diagnostic) => {
                self.report(diagnostic);
                self.remember_ids(text);
                Vec::new()
            }
        }
    }

    /// Parses every markdown file of `folder` into `T` and its body, in parallel (reading
    /// and parsing are most of the load time of a large ISMS), then reports in file order.
    fn markdown_files<T: DeserializeOwned + Send>(&mut self, folder: &str) -> Vec<(PathBuf, T, Markdown)> {
        let root = self.root;
        let files = self.list(folder, &["md"]).into_iter().map(|file| (file, ())).collect();
        self.parsed_files(files, |file, ()| parse_markdown_file::<T>(root, file))
    }

    /// `markdown_files` of the given files, each (with what the listing said of it) parsed
    /// by `parse`.
    fn parsed_files<T: Send, K: Send>(
        &mut self,
        files: Vec<(PathBuf, K)>,
        parse: impl Fn(&Path, K) -> ParsedMarkdown<T> + Sync,
    ) -> Vec<(PathBuf, T, Markdown)> {
        use rayon::prelude::*;
        let parsed: Vec<(PathBuf, ParsedMarkdown<T>)> = files
            .into_par_iter()
            .map(|(file, known)| {
                let parsed = parse(&file, known);
                (file, parsed)
            })
            .collect();
        let mut items = Vec::with_capacity(parsed.len());
        for (file, parsed) in parsed {
            for diagnostic in parsed.diagnostics {
                self.report(diagnostic);
            }
            if let Some(text) = parsed.failed_text {
                self.remember_ids(&text);
            }
            if let Some((value, body)) = parsed.item {
                items.push((file, value, body));
            }
        }
        items
    }

    /// Reports malformed `::: audience` blocks at their line in the file.
    fn check_fences(&mut self, file: &Path, markdown: &Markdown) {
        for diagnostic in fence_diagnostics(file, markdown) {
            self.report(diagnostic);
        }
    }

    /// Inserts `item` under `id` unless the id is taken in this kind.
    fn insert_unique<T>(
        &mut self,
        map: &mut BTreeMap<String, T>,
        id: String,
        item: T,
        location: &Location,
        kind: &str,
        existing: impl Fn(&T) -> &Location,
    ) {
        if let Some(first) = map.get(&id) {
            let first = existing(first).clone();
            self.report(
                Diagnostic::error("duplicate-id", format!("duplicate {kind} id `{id}`"))
                    .at(location.clone())
                    .hint(format!("`{id}` is already defined at {first}")),
            );
            return;
        }
        map.insert(id, item);
    }

    fn list(&mut self, folder: &str, extensions: &[&str]) -> Vec<PathBuf> {
        match self.root.list(folder, extensions) {
            Ok(files) => files,
            Err(diagnostic) => {
                self.report(diagnostic);
                Vec::new()
            }
        }
    }

    /// Policies, through `check`'s parse cache when it runs with one.
    fn policies(&mut self) -> BTreeMap<String, Policy> {
        let Some(cache) = self.cache else { return self.make::<Policy>() };
        let root = self.root;
        if cache.kind() == cache::Kind::Build {
            let files = self.list(Policy::FOLDER, &["md"]).into_iter().map(|file| (file, ())).collect();
            let files = self.parsed_files(files, |file, ()| parse_policy_by_text(root, cache, file));
            return self.insert_records(files);
        }
        let files = match root.list_keyed(Policy::FOLDER, &["md"]) {
            Ok(files) => files,
            Err(diagnostic) => {
                self.report(diagnostic);
                Vec::new()
            }
        };
        let files = self.parsed_files(files, |file, key| parse_policy_cached(root, cache, file, key));
        self.insert_records(files)
    }

    /// Parsed markdown records by id: each remembers its file, and takes its file's stem as
    /// its id when its kind is named by file; a second item with an id is an error.
    fn insert_records<K: MarkdownRecord>(
        &mut self,
        files: Vec<(PathBuf, K, Markdown)>,
    ) -> BTreeMap<String, K> {
        let mut records = BTreeMap::new();
        for (file, mut record, body) in files {
            if K::ID_FROM_FILE_NAME {
                record.set_id(file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string());
            }
            *record.body_mut() = body;
            *record.source_mut() = Location::at(&file, 2, 1);
            let id = record.id().to_string();
            let location = record.source().clone();
            self.insert_unique(&mut records, id, record, &location, K::NAME, |r| r.source());
        }
        records
    }
}

/// The first line at or after `from` (1-based) that holds `needle`; `from` when none does.
fn line_of(text: &str, from: u32, needle: &str) -> u32 {
    text.lines()
        .enumerate()
        .skip(from.max(1) as usize - 1)
        .find(|(_, line)| line.contains(needle))
        .map_or(from, |(index, _)| index as u32 + 1)
}

fn path_error(error: files::ReferenceError, file: &Path, text: &str, line: u32, value: &str) -> Diagnostic {
    let column =
        text.lines().nth(line.max(1) as usize - 1).and_then(|l| l.find(value)).map_or(0, |c| c as u32 + 1);
    Diagnostic::error(error.code(), error.to_string()).at(Location::at(file, line, column)).hint(format!(
        "paths are relative to {} and must name a file inside the content folder",
        display_path(file)
    ))
}
