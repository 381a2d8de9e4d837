//! Document control from git (ISO/IEC 27001 clause 7.5.3): each policy's approved versions,
//! read from the policy file's front matter at every commit that changed it, and the
//! commits that changed a policy after its last approval.
//!
//! History is read from the git object store with gix; nothing here runs `git`. A policy is
//! followed by its `id`, not its file name, so a file moved or renamed keeps its history.
//! Only the first-parent line is read: a change merged from a branch counts from its merge.
//!
//! What leaves this module for the site is `Policy::history` (see `model::policy`), which
//! the audience cut filters like every other field. Commit messages and authors are free
//! text and are kept only for internal readers by that cut.

pub mod diff;
mod git;
pub mod texts;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::date::Date;
use crate::model::{Policy, PolicyVersion, Reference, Version};

pub use git::{short, NoHistory, Repo};
pub use gix::ObjectId;
pub use texts::{Held, KeptTexts, VersionText};

/// One commit of the first-parent line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    /// The id's first ten hex digits.
    pub short: String,
    pub author: GitText,
    pub email: GitText,
    /// The committer's calendar day, in the committer's time zone.
    pub date: Date,
    /// The message's first line.
    pub subject: GitText,
}

/// Free text from a commit (author, email, subject): plain text written by whoever made the
/// commit, shown escaped to internal readers only. It is never read for audience blocks, so
/// the tripwire (which stops a build on any `:::` left in the cut model) passes over it by
/// this type's name ([`GitText::NAME`]); a subject `::: internal` is shown as written, not
/// taken for a fence. Control characters and bidirectional overrides, which would make
/// the text read differently from what it holds, are replaced with U+FFFD on the way in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GitText(String);

impl GitText {
    /// The name the tripwire recognises (see `crate::tripwire`).
    pub const NAME: &'static str = "trustpress::GitText";

    pub fn new(text: &str) -> GitText {
        GitText(crate::one_line::shown(text))
    }
}

impl Serialize for GitText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(Self::NAME, &self.0)
    }
}

impl std::ops::Deref for GitText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for GitText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where history comes from.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// The repository holding the content folder, from `HEAD`.
    #[default]
    WorkTree,
    /// The repository holding `content` (a canonical path), from commit `tip`: a build
    /// `--at` a commit reads files exported from the object store and history from here.
    At { content: PathBuf, tip: ObjectId },
    /// No history (a test, or content that is not git's).
    Off,
}

/// A policy file as one commit left it: what its history needs of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its commit's index in [`History::commits`].
    pub commit: usize,
    pub version: Option<String>,
    pub approved: Option<Date>,
    pub approved_by: Option<String>,
    pub audience: Audience,
    pub controls: Vec<String>,
    /// SHA-256 of its body (line endings and trailing spaces aside) and controls: two
    /// snapshots with the same substance say the same.
    pub substance: String,
    /// Its body, kept for the snapshots that approved a version (their text is shown);
    /// none for the others, and for a body whose audience blocks do not parse. Stored apart
    /// from the rest ([`History::texts`]), not as a JSON string, and read from there only
    /// when a page shows it ([`Held`]).
    #[serde(skip)]
    pub body: Held,
    /// Its audience blocks parse: its text can be cut.
    pub blocks_parse: bool,
    /// [`text_key`] of its body exactly as written: what its version's `text_key` starts from.
    pub text_hash: String,
}

/// The SHA-256 of `text`, in hex: a text's key (see `PolicyVersion::text_key`).
pub fn text_key(text: &str) -> String {
    crate::hex::sha256(text.as_bytes())
}

impl Snapshot {
    fn of(commit: usize, policy: &Policy, blocks_parse: bool) -> Snapshot {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for line in policy.body.text.trim_end().lines() {
            hash.update(line.trim_end().as_bytes());
            hash.update(b"\n");
        }
        for control in &policy.controls {
            hash.update(b"\0");
            hash.update(control.id.as_bytes());
        }
        Snapshot {
            commit,
            version: policy.version.as_ref().map(|v| v.0.clone()),
            approved: policy.approved,
            approved_by: policy.approved_by.clone(),
            audience: policy.audience,
            controls: policy.controls.iter().map(|c| c.id.clone()).collect(),
            substance: crate::hex::hex(&hash.finalize()),
            body: if blocks_parse { Held::here(policy.body.text.clone()) } else { Held::None },
            blocks_parse,
            text_hash: text_key(&policy.body.text),
        }
    }

    /// The same approval: version and approval date.
    fn same_approval(&self, other: &Snapshot) -> bool {
        self.version == other.version && self.approved == other.approved
    }
}

/// The content's history as far as policies need it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Oldest first.
    pub commits: Vec<Commit>,
    /// Each policy's snapshots, oldest first, by policy id: one per commit that changed its
    /// text, controls, version or approval date (a file that did not parse at a commit is
    /// left out).
    pub policies: BTreeMap<String, Vec<Snapshot>>,
    /// Said once by `build` and `check`: why there is no history, or how little there is.
    pub note: Option<String>,
}

/// What a build and `check` take from a history: each policy's approved versions (their
/// texts still where the history holds them) and the commits that changed it after its
/// latest approval, by policy id, and the note. Made from the whole history of a tip
/// commit ([`History::summary`]) and cached beside it: a build of a tip read before reads
/// this alone, about a third of the whole history's size (which is read only to read on
/// from, after a new commit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Each policy's approved versions, oldest first (see [`History::summary`]).
    pub versions: BTreeMap<String, Vec<PolicyVersion>>,
    /// Each policy's commits that changed its text or controls after the commit that made
    /// its latest approval, without a new `version` or `approved` date: what
    /// `changed-without-approval` reports. No entry for a policy with none.
    pub unapproved: BTreeMap<String, Unapproved>,
    /// Said once by `build` and `check`: why there is no history, or how little there is.
    pub note: Option<String>,
}

impl Summary {
    /// Policy `id`'s approved versions, taken out of the summary (a model holds them from
    /// here on).
    pub fn take_versions(&mut self, id: &str) -> Vec<PolicyVersion> {
        self.versions.remove(id).unwrap_or_default()
    }

    /// Policy `id`'s commits after its latest approval (see [`Summary::unapproved`]).
    pub fn unapproved_changes(&self, id: &str) -> Option<&Unapproved> {
        self.unapproved.get(id)
    }
}

/// The commits that changed a policy after its latest approval, oldest first: what
/// `changed-without-approval` says of them (the first in full, the others by short id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unapproved {
    pub first: Commit,
    /// The short ids of the commits after the first.
    pub later: Vec<String>,
}

/// The repository and the commit a history is read from: found cheaply, before any
/// reading, so that a cache can be asked first.
pub struct Located {
    repo: Repo,
    tip: ObjectId,
}

impl Located {
    /// The tip commit's id.
    pub fn tip_id(&self) -> ObjectId {
        self.tip
    }

    /// Where a history read from here is cached: the repository and the content folder in it.
    pub fn place(&self) -> String {
        format!("{}\0{}", self.repo.git_dir().display(), self.repo.prefix().display())
    }

    /// The tip commit the history is read from, with what else decides what is read from
    /// it (the shallow boundary and the replacement refs, see [`Repo::object_state`]).
    pub fn tip(&self) -> String {
        format!("{}\n{}", self.tip, self.repo.object_state())
    }
}

impl History {
    /// No history, and why.
    fn none(why: &str) -> History {
        History { note: Some(format!("{why}: policies show no revision history")), ..History::default() }
    }

    /// The repository and tip to read the history of the content folder at `content`
    /// (canonical) from; else the empty history, with a note saying why.
    pub fn locate(content: &Path, source: &Source) -> Result<Located, History> {
        let (folder, tip) = match source {
            Source::Off => return Err(History::default()),
            Source::WorkTree => (content, None),
            Source::At { content, tip } => (content.as_path(), Some(*tip)),
        };
        let repo = Repo::discover(folder).map_err(|NoHistory(why)| History::none(&why))?;
        let tip = match tip {
            Some(tip) => tip,
            None => repo.head().map_err(|NoHistory(why)| History::none(&why))?,
        };
        Ok(Located { repo, tip })
    }

    /// Reads the history at `located`. `parse` reads a policy file's bytes as the loader
    /// reads a file: the policy, and whether its audience blocks parse; `None` for a file
    /// today's loader would refuse.
    pub fn read(located: &Located, parse: fn(&[u8]) -> Option<(Policy, bool)>) -> History {
        let Located { repo, tip } = located;
        let walked = match repo.walk_policies(*tip) {
            Ok(walked) => walked,
            Err(error) => return History::none(&format!("the git history cannot be read ({error})")),
        };
        let note = walked.shallow.then(|| {
            format!(
                "the repository is a shallow clone: revision history shows only the last {} commit(s); fetch the whole history (for example `fetch-depth: 0` on GitHub Actions) for all of it",
                walked.commits.len()
            )
        });
        let mut history = History { commits: Vec::new(), policies: BTreeMap::new(), note };
        history.extend(repo, walked, parse);
        history
    }

    /// The history at `located`, made from `previous`, the history read at commit `since`:
    /// when the tip is a later commit of `since`'s first-parent line, only the commits after
    /// `since` are read; when it is an earlier one (a build `--at` an earlier commit), the
    /// history is `previous` cut at the tip, nothing read. Exactly what [`History::read`]
    /// gives, or `None` when the tip and `since` are not on one first-parent line (the
    /// history was rewritten) or the repository is shallow.
    pub fn read_on(
        located: &Located,
        parse: fn(&[u8]) -> Option<(Policy, bool)>,
        previous: History,
        since: ObjectId,
    ) -> Option<History> {
        let Located { repo, tip } = located;
        if previous.note.is_some()
            || previous.commits.last().map(|c| c.id.as_str()) != Some(&since.to_string())
        {
            return None;
        }
        let wanted = tip.to_string();
        if let Some(at) = previous.commits.iter().position(|commit| commit.id == wanted) {
            return Some(previous.cut_at(at));
        }
        let walked = repo.walk_policies_since(*tip, since, previous.commits.len()).ok()??;
        let mut history = previous;
        history.extend(repo, walked, parse);
        Some(history)
    }

    /// This history as it stood at its commit `at` (an index of `commits`): each snapshot
    /// depends only on those before it, so the earlier line's history is a prefix of this.
    fn cut_at(mut self, at: usize) -> History {
        self.commits.truncate(at + 1);
        for snapshots in self.policies.values_mut() {
            snapshots.retain(|snapshot| snapshot.commit <= at);
        }
        self.policies.retain(|_, snapshots| !snapshots.is_empty());
        self
    }

    /// The snapshots' texts in a fixed order (by policy id, each policy's oldest first),
    /// `None` for a snapshot that keeps none, each read where it is held. The history's
    /// cache stores them apart from the rest, as they are, so that reading it back
    /// unescapes no JSON string, and a build reads only those a page shows.
    pub fn texts(&self) -> Result<Vec<Option<std::borrow::Cow<'_, str>>>, String> {
        self.policies
            .values()
            .flatten()
            .map(|snapshot| match &snapshot.body {
                Held::None => Ok(None),
                held => held.read().map(Some),
            })
            .collect()
    }

    /// Puts back the texts [`History::texts`] gave, in its order (held where they are).
    /// False (and the history unchanged) when there are not exactly as many as snapshots.
    pub fn put_texts(&mut self, texts: Vec<Held>) -> bool {
        if texts.len() != self.policies.values().map(Vec::len).sum::<usize>() {
            return false;
        }
        for (snapshot, text) in self.policies.values_mut().flatten().zip(texts) {
            snapshot.body = text;
        }
        true
    }

    /// Adds the commits and changed files of `walked` (which follows this history's last
    /// commit) to this history.
    fn extend(&mut self, repo: &Repo, walked: git::Walked, parse: fn(&[u8]) -> Option<(Policy, bool)>) {
        // Each distinct blob is read and parsed once (a rename or a revert brings one back),
        // in history order: each version is a delta of a neighbour, whose base is then still
        // in the pack cache. Read one by one (a repository handle is not shared between
        // threads), parsed in parallel.
        let mut seen = std::collections::HashSet::new();
        let bytes: Vec<(ObjectId, Option<Vec<u8>>)> = walked
            .changed
            .iter()
            .map(|at| at.blob)
            .filter(|blob| seen.insert(*blob))
            .map(|blob| (blob, repo.blob(blob).ok()))
            .collect();
        let parsed: HashMap<ObjectId, Option<(Policy, bool)>> = bytes
            .into_par_iter()
            .map(|(blob, bytes)| (blob, bytes.and_then(|bytes| parse(&bytes))))
            .collect();
        self.commits.extend(walked.commits);
        let policies = &mut self.policies;
        for at in walked.changed {
            let Some(Some((policy, blocks_parse))) = parsed.get(&at.blob) else { continue };
            let snapshot = Snapshot::of(at.commit, policy, *blocks_parse);
            let snapshots = policies.entry(policy.id.clone()).or_default();
            // A move, or a change of other front matter: not a change of the history.
            if snapshots
                .last()
                .is_some_and(|last| last.substance == snapshot.substance && last.same_approval(&snapshot))
            {
                continue;
            }
            snapshots.push(snapshot);
        }
        // Only an approving snapshot's text is shown: the others keep its hash alone. (Run
        // over every snapshot again after an extension: what it decided before stays.)
        for snapshots in policies.values_mut() {
            let mut previous: Option<(Option<String>, Option<Date>)> = None;
            for snapshot in snapshots.iter_mut() {
                let approval = (snapshot.version.clone(), snapshot.approved);
                if previous.as_ref() == Some(&approval) || snapshot.approved.is_none() {
                    snapshot.body = Held::None;
                }
                previous = Some(approval);
            }
        }
    }

    /// What a build and `check` take from this history (see [`Summary`]).
    pub fn summary(&self) -> Summary {
        let mut summary = Summary { note: self.note.clone(), ..Summary::default() };
        for id in self.policies.keys() {
            summary.versions.insert(id.clone(), self.versions(id));
            if let Some((first, later)) = self.unapproved_changes(id).split_first() {
                let later = later.iter().map(|commit| commit.short.clone()).collect();
                summary.unapproved.insert(id.clone(), Unapproved { first: (*first).clone(), later });
            }
        }
        summary
    }

    /// The approved versions of policy `id`, oldest first: one per change of its `version`
    /// or `approved` date that has an `approved` date, as the commit that made it left the
    /// file (what was approved). Each holds its text where the snapshot holds it.
    fn versions(&self, id: &str) -> Vec<PolicyVersion> {
        let Some(snapshots) = self.policies.get(id) else { return Vec::new() };
        let mut versions = Vec::new();
        let mut previous: Option<(Option<String>, Option<Date>)> = None;
        for snapshot in snapshots {
            let approval = (snapshot.version.clone(), snapshot.approved);
            let new_approval = previous.as_ref() != Some(&approval);
            previous = Some(approval);
            let Some(approved) = snapshot.approved else { continue };
            if !new_approval {
                continue;
            }
            let Some(commit) = self.commits.get(snapshot.commit) else { continue };
            let readable = snapshot.blocks_parse && snapshot.body.is_some();
            let text_key = if readable { snapshot.text_hash.clone() } else { text_key("") };
            versions.push(PolicyVersion {
                version: snapshot.version.clone().filter(|text| unfenced(text)).map(Version),
                approved,
                approved_by: snapshot.approved_by.clone().filter(|text| unfenced(text)),
                effective: commit.date,
                audience: snapshot.audience,
                controls: snapshot.controls.iter().filter(|id| unfenced(id)).map(Reference::new).collect(),
                text: VersionText::new(if readable { snapshot.body.clone() } else { Held::None }),
                readable,
                commit: Some(commit.clone()),
                text_key,
            });
        }
        versions
    }

    /// The commits that changed policy `id`'s text or controls after the commit that made
    /// its latest approval, without a new `version` or `approved` date: what
    /// `changed-without-approval` reports. Empty for a policy never approved.
    fn unapproved_changes(&self, id: &str) -> Vec<&Commit> {
        let Some(snapshots) = self.policies.get(id) else { return Vec::new() };
        let mut found = Vec::new();
        let mut previous: Option<&Snapshot> = None;
        for snapshot in snapshots {
            match previous {
                Some(before) if !before.same_approval(snapshot) => found.clear(),
                Some(before) if before.approved.is_some() && before.substance != snapshot.substance => {
                    found.extend(self.commits.get(snapshot.commit));
                }
                _ => {}
            }
            previous = Some(snapshot);
        }
        found
    }
}

/// The content folder as a past commit holds it, exported from the object store: what
/// `build --at` and `bundle --at` load. The work tree is not touched. The export is kept in
/// the cache folder for the next build at the same commit (`load::cache::exported`), or,
/// where the cache folder cannot be used, made in a private temporary folder removed when
/// this is dropped.
#[derive(Debug)]
pub struct AtCommit {
    pub commit: ObjectId,
    /// Its full id.
    pub id: String,
    /// The day the ISMS is shown as of: the date asked for, or the commit's date.
    pub day: Date,
    /// The commit's time, in Unix seconds (the bundle's reproducible build date).
    pub time: i64,
    /// The exported content.
    pub files: Exported,
    /// Entries left out of the export (symbolic links, submodules), content-relative.
    pub skipped: Vec<String>,
}

impl AtCommit {
    /// Exports the content folder `content` (as given) at `at`: a commit, tag or branch,
    /// or a date `YYYY-MM-DD` (the last commit on `HEAD`'s first-parent line made on or
    /// before that day). The export is kept in the cache folder only when that lies in
    /// neither the content folder nor any of `outside` (a build's output folder: what is
    /// in it may be published).
    pub fn export(content: &Path, at: &str, outside: &[&Path]) -> Result<AtCommit, String> {
        let canonical = std::fs::canonicalize(content)
            .map_err(|error| format!("cannot open content folder `{}`: {error}", content.display()))?;
        let repo = Repo::discover(&canonical)
            .map_err(|NoHistory(why)| format!("--at needs git history, but {why}"))?;
        let (commit, day, time) = repo.resolve(at)?;
        let located = Located { repo, tip: commit };
        // An export is the content folder's tree: commits that did not change it share one.
        let tree = located.repo.content_tree(commit)?;
        let exported = format!("{tree}\n{}", located.repo.object_state());
        let outside: Vec<&Path> =
            std::iter::once(canonical.as_path()).chain(outside.iter().copied()).collect();
        let kept = crate::load::cache::exported(&outside, &located.place(), &exported, |into| {
            located.repo.export_content(tree, into)
        });
        let (files, skipped) = match kept {
            Some(kept) => {
                let skipped = kept.skipped.clone();
                (Exported::Kept(kept), skipped)
            }
            None => {
                let files = crate::interrupt::TempFolder::new("trustpress-at-")
                    .map_err(|error| format!("cannot make a temporary folder: {error}"))?;
                let skipped = located.repo.export_content(tree, files.path())?;
                (Exported::Temporary(files), skipped)
            }
        };
        Ok(AtCommit { commit, id: commit.to_string(), day, time, files, skipped })
    }
}

/// Where a past commit's content was exported.
#[derive(Debug)]
pub enum Exported {
    /// Kept in the cache folder for the next build at the same content, and not removed
    /// while this lives.
    Kept(crate::load::cache::KeptExport),
    /// A temporary folder, removed when dropped or when the process is stopped.
    Temporary(crate::interrupt::TempFolder),
}

impl Exported {
    pub fn path(&self) -> &Path {
        match self {
            Exported::Kept(kept) => &kept.content,
            Exported::Temporary(folder) => folder.path(),
        }
    }
}

/// Whether a one-line field of a past version (its version, approver, a control id) holds no
/// audience fence. One that does is left out of the version: it cannot be mended any more
/// (it is in history), and the tripwire would otherwise stop every build for it.
fn unfenced(text: &str) -> bool {
    crate::audience_blocks::leftover(text).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Runs git in `dir`, isolated from the user's configuration, at a fixed date.
    fn git(dir: &Path, day: u32, args: &[&str]) -> String {
        let date = format!("2026-03-{:02}T10:00:00+00:00", 1 + day % 28);
        let output = Command::new("git")
            .current_dir(dir)
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.com")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn policy(id: &str, version: u32, approved: Option<u32>, audience: &str, body: &str) -> String {
        let approved =
            approved.map(|day| format!("approved: 2026-03-{:02}\n", 1 + day % 28)).unwrap_or_default();
        format!(
            "---\nid: {id}\ntitle: Policy {id}\nversion: \"{version}.0\"\n{approved}audience: {audience}\ncontrols: [A.5.1]\n---\n{body}\n"
        )
    }

    fn located(content: &Path, tip: Option<ObjectId>) -> Located {
        let source = match tip {
            Some(tip) => Source::At { content: content.to_path_buf(), tip },
            None => Source::WorkTree,
        };
        History::locate(content, &source).unwrap_or_else(|_| panic!("a repository"))
    }

    /// Reading on from the history of any earlier commit of the line gives exactly what
    /// reading the whole line gives: seeded random edits, renames, deletions and audiences.
    #[test]
    fn reading_on_from_an_earlier_commit_equals_reading_the_whole_line() {
        let parse = crate::load::markdown_files::parse_policy_bytes;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let policies = root.join("content").join("policies");
        std::fs::create_dir_all(&policies).unwrap();
        std::fs::write(root.join("content").join("README"), "the content\n").unwrap();
        git(root, 0, &["init", "--quiet", "--initial-branch=main"]);
        let mut random = crate::test_rng::Xorshift(0x5eed_1234_abcd);
        let mut next = |n: u64| random.next() % n;
        // Per policy: its file name, version, approval day, audience, body (or deleted).
        type Entry = (String, u32, Option<u32>, &'static str, Option<String>);
        let mut state: Vec<Entry> =
            (0..4).map(|i| (format!("p{i}.md"), 1, Some(i), "public", Some(format!("Body {i}.")))).collect();
        let mut commits = Vec::new();
        for day in 0..40u32 {
            let which = next(state.len() as u64) as usize;
            let entry = &mut state[which];
            match next(7) {
                0 => entry.1 += 1,
                1 => entry.2 = Some(day),
                2 => entry.3 = if entry.3 == "public" { "internal" } else { "public" },
                3 => {
                    let renamed = format!("p{which}-{day}.md");
                    if policies.join(&entry.0).exists() {
                        std::fs::rename(policies.join(&entry.0), policies.join(&renamed)).unwrap();
                    }
                    entry.0 = renamed;
                }
                4 => entry.4 = if entry.4.is_some() { None } else { Some(format!("Back on day {day}.")) },
                5 => entry.2 = None,
                _ => {
                    if let Some(body) = &mut entry.4 {
                        body.push_str(&format!("\n\nEdited on day {day}.\n\n::: internal\nNote {day}.\n:::"));
                    }
                }
            }
            for (file, version, approved, audience, body) in &state {
                let path = policies.join(file);
                match body {
                    Some(body) => {
                        let id = format!("POL-{}", &file[1..2]);
                        std::fs::write(&path, policy(&id, *version, *approved, audience, body)).unwrap();
                    }
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            git(root, day, &["add", "--all"]);
            git(root, day, &["commit", "--quiet", "--allow-empty", "-m", &format!("day {day}")]);
            commits.push(ObjectId::from_hex(git(root, day, &["rev-parse", "HEAD"]).as_bytes()).unwrap());
        }
        let content = std::fs::canonicalize(root.join("content")).unwrap();
        let whole = History::read(&located(&content, None), parse);
        assert_eq!(whole.commits.len(), 40);
        assert!(
            whole.policies.values().map(Vec::len).sum::<usize>() > 12,
            "the story changes policies: {whole:?}"
        );
        for k in [0, 1, 7, 20, 38, 39] {
            let before = History::read(&located(&content, Some(commits[k])), parse);
            let on = History::read_on(&located(&content, None), parse, before, commits[k])
                .unwrap_or_else(|| panic!("read on from commit {k}"));
            assert_eq!(on, whole, "read on from commit {k}");
        }
        // A history read at a commit that is not on the line (a rewritten history) is not
        // read on from.
        git(root, 41, &["checkout", "--quiet", "-b", "other", &commits[10].to_string()]);
        git(root, 41, &["commit", "--quiet", "--allow-empty", "-m", "elsewhere"]);
        let elsewhere = ObjectId::from_hex(git(root, 41, &["rev-parse", "HEAD"]).as_bytes()).unwrap();
        git(root, 41, &["checkout", "--quiet", "main"]);
        // One read at a later commit of the line, cut at an earlier tip, is what reading
        // from that tip gives.
        let later = History::read(&located(&content, Some(commits[30])), parse);
        for k in [0, 5, 20, 29, 30] {
            let cut =
                History::read_on(&located(&content, Some(commits[k])), parse, later.clone(), commits[30]);
            assert_eq!(cut, Some(History::read(&located(&content, Some(commits[k])), parse)), "cut at {k}");
        }
        let before = History::read(&located(&content, Some(elsewhere)), parse);
        assert!(History::read_on(&located(&content, None), parse, before, elsewhere).is_none());
    }
}
