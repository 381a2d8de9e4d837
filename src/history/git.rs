//! Reading the content's git history with gix (pure Rust, no `git` process): the commits of
//! the first-parent line from a tip, the policy files each one changed, and the content
//! folder's tree at one commit (for `--at`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::ObjectId;

use crate::date::Date;

use super::{Commit, GitText};

/// The content folder's repository, and where the content folder is inside it.
pub struct Repo {
    repo: gix::Repository,
    /// The content folder relative to the repository's work tree (`content`; empty when the
    /// content folder is the work tree).
    prefix: PathBuf,
}

/// Why there is no history to read: said once, as a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoHistory(pub String);

/// A policy file as one commit left it.
pub struct FileAt {
    /// The commit's index in [`Walked::commits`].
    pub commit: usize,
    /// Its path, content-relative (`policies/access-control.md`).
    pub file: PathBuf,
    pub blob: ObjectId,
}

/// Commits of the first-parent line, oldest first, each with its policies folder's tree.
type Line = Vec<(Commit, Option<ObjectId>)>;

/// What a walk of the first-parent line found.
pub struct Walked {
    /// Oldest first.
    pub commits: Vec<Commit>,
    /// Every policy file a commit added or changed (the first commit seen: every policy
    /// file it holds), oldest first.
    pub changed: Vec<FileAt>,
    /// The repository is a shallow clone: the walk stopped at its boundary.
    pub shallow: bool,
}

impl Repo {
    /// The repository holding `content` (its canonical path), or why there is none.
    pub fn discover(content: &Path) -> Result<Repo, NoHistory> {
        if gix::discover::upwards(content).is_err() {
            return Err(NoHistory("the content folder is not in a git repository".to_string()));
        }
        let mut repo = gix::discover(content)
            .map_err(|error| NoHistory(format!("its git repository cannot be opened: {error}")))?;
        let Some(workdir) = repo.workdir() else {
            return Err(NoHistory("its git repository has no work tree".to_string()));
        };
        let workdir = std::fs::canonicalize(workdir)
            .map_err(|error| NoHistory(format!("its git work tree cannot be resolved: {error}")))?;
        let prefix = content
            .strip_prefix(&workdir)
            .map_err(|_| NoHistory("the content folder is outside its git work tree".to_string()))?
            .to_path_buf();
        repo.object_cache_size(Some(16 * 1024 * 1024));
        Ok(Repo { repo, prefix })
    }

    /// Its git folder.
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The content folder's path inside the work tree.
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// What, besides the tip commit, decides the history read from it: the shallow
    /// boundary (a fetch that deepens a clone keeps the tip) and the replacement refs
    /// (`git replace` rewrites what a commit holds without moving the tip), with the two
    /// environment variables that change where those are read. Part of the cache key.
    pub fn object_state(&self) -> String {
        use std::fmt::Write as _;
        let mut state = String::new();
        match self.repo.shallow_commits() {
            Ok(Some(commits)) => commits.iter().for_each(|id| {
                let _ = writeln!(state, "shallow {id}");
            }),
            Ok(None) => {}
            Err(error) => {
                let _ = writeln!(state, "shallow unreadable {error}");
            }
        }
        for name in ["GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS"] {
            if let Some(value) = std::env::var_os(name) {
                let _ = writeln!(state, "{name}={}", value.to_string_lossy());
            }
        }
        match self.repo.references() {
            Ok(refs) => match refs.prefixed("refs/replace/") {
                Ok(iter) => iter.flatten().for_each(|reference| {
                    let _ = writeln!(state, "{} {:?}", reference.name().as_bstr(), reference.target());
                }),
                Err(error) => {
                    let _ = writeln!(state, "replace refs unreadable {error}");
                }
            },
            Err(error) => {
                let _ = writeln!(state, "refs unreadable {error}");
            }
        }
        state
    }

    /// The commit `HEAD` names, or why there is none (a repository with no commit yet).
    pub fn head(&self) -> Result<ObjectId, NoHistory> {
        self.repo
            .head_id()
            .map(|id| id.detach())
            .map_err(|_| NoHistory("its git repository has no commit yet".to_string()))
    }

    /// A commit named as `git` would (`v1.0`, `main~3`, a commit id), or the last commit on
    /// the first-parent line from `HEAD` whose date (the committer's own calendar day) is
    /// on or before `YYYY-MM-DD`.
    /// Returns the commit, the day the content is shown as of, and the commit's time.
    pub fn resolve(&self, at: &str) -> Result<(ObjectId, Date, i64), String> {
        if let Ok(day) = Date::parse(at) {
            let head = self.head().map_err(|NoHistory(why)| why)?;
            for info in self.walk(head)? {
                let info = info.map_err(|error| format!("cannot read the history: {error}"))?;
                let commit = info.object().map_err(|error| error.to_string())?;
                if commit_date(&commit).is_some_and(|date| date <= day) {
                    return Ok((info.id, day, commit_seconds(&commit)));
                }
            }
            return Err(format!("no commit on the first-parent line from HEAD is dated on or before {day}"));
        }
        let id = self
            .repo
            .rev_parse_single(at.as_bytes().as_bstr())
            .map_err(|error| format!("`{at}` names no commit: {error}"))?;
        let object = id.object().map_err(|error| format!("`{at}` names no commit: {error}"))?;
        let commit = object.peel_to_commit().map_err(|error| format!("`{at}` names no commit: {error}"))?;
        let date = commit_date(&commit).ok_or_else(|| format!("commit `{at}` has no readable date"))?;
        Ok((commit.id, date, commit_seconds(&commit)))
    }

    fn walk(&self, tip: ObjectId) -> Result<gix::revision::Walk<'_>, String> {
        self.repo.rev_walk([tip]).first_parent_only().all().map_err(|error| error.to_string())
    }

    /// The commits of the first-parent line from `tip`, and the policy files each changed.
    pub fn walk_policies(&self, tip: ObjectId) -> Result<Walked, String> {
        let shallow = self.repo.is_shallow().unwrap_or(false);
        let line = self.first_parent_line(tip, None, shallow)?.unwrap_or_default();
        self.changes_along(line, None, 0, shallow)
    }

    /// What [`Repo::walk_policies`] from `tip` finds after commit `since`, when `since` is on
    /// `tip`'s first-parent line: its commits after `since` (indexes counted from
    /// `first_index`), and the policy files each changed against `since`. `None` when
    /// `since` is not on that line (the history was rewritten), or the repository is
    /// shallow: then the whole line is read again.
    pub fn walk_policies_since(
        &self,
        tip: ObjectId,
        since: ObjectId,
        first_index: usize,
    ) -> Result<Option<Walked>, String> {
        if self.repo.is_shallow().unwrap_or(true) {
            return Ok(None);
        }
        let Some(line) = self.first_parent_line(tip, Some(since), false)? else { return Ok(None) };
        let before = self.policies_tree(since)?;
        self.changes_along(line, Some(before), first_index, false).map(Some)
    }

    /// The commits of the first-parent line from `tip`, oldest first, each with its
    /// policies folder's tree; with `stop`, only those after it (`None` when the line does
    /// not reach `stop`).
    fn first_parent_line(
        &self,
        tip: ObjectId,
        stop: Option<ObjectId>,
        shallow: bool,
    ) -> Result<Option<Line>, String> {
        // Newest first: each commit with its policies folder's tree.
        let mut line: Line = Vec::new();
        let mut reached = stop.is_none();
        for info in self.walk(tip)? {
            let info = match info {
                Ok(info) => info,
                // A shallow clone ends where its objects do.
                Err(_) if shallow => break,
                Err(error) => return Err(format!("cannot read the history: {error}")),
            };
            if Some(info.id) == stop {
                reached = true;
                break;
            }
            let commit = info.object().map_err(|error| error.to_string())?;
            line.push((describe(&commit), self.policies_folder(&commit)?));
        }
        line.reverse();
        Ok(reached.then_some(line))
    }

    /// The policies folder's tree at `commit`, if it has one.
    fn policies_tree(&self, commit: ObjectId) -> Result<Option<ObjectId>, String> {
        self.policies_folder(&self.repo.find_commit(commit).map_err(|error| error.to_string())?)
    }

    fn policies_folder(&self, commit: &gix::Commit<'_>) -> Result<Option<ObjectId>, String> {
        let tree = commit.tree().map_err(|error| error.to_string())?;
        Ok(tree
            .lookup_entry_by_path(self.prefix.join("policies"))
            .map_err(|error| error.to_string())?
            .filter(|entry| entry.mode().is_tree())
            .map(|entry| entry.object_id()))
    }

    /// The policy files each commit of `line` added or changed, against the policies tree
    /// before it (`start`; `None` for the line's very beginning), with commit indexes
    /// counted from `first_index`.
    fn changes_along(
        &self,
        line: Line,
        start: Option<Option<ObjectId>>,
        first_index: usize,
        shallow: bool,
    ) -> Result<Walked, String> {
        let mut changed = Vec::new();
        let mut before_tree: Option<ObjectId> = start.flatten();
        let mut before: BTreeMap<Vec<u8>, ObjectId> = match before_tree {
            Some(tree) => self.markdown_files(tree)?,
            None => BTreeMap::new(),
        };
        let mut commits = Vec::with_capacity(line.len());
        for (index, (commit, tree)) in line.into_iter().enumerate() {
            commits.push(commit);
            if tree == before_tree {
                continue;
            }
            let now = match tree {
                Some(tree) => self.markdown_files(tree)?,
                None => BTreeMap::new(),
            };
            for (name, blob) in &now {
                if before.get(name) != Some(blob) {
                    let name = String::from_utf8_lossy(name).into_owned();
                    changed.push(FileAt {
                        commit: first_index + index,
                        file: Path::new("policies").join(name),
                        blob: *blob,
                    });
                }
            }
            before = now;
            before_tree = tree;
        }
        Ok(Walked { commits, changed, shallow })
    }

    /// The markdown files directly in a tree, by name (what the loader lists).
    fn markdown_files(&self, tree: ObjectId) -> Result<BTreeMap<Vec<u8>, ObjectId>, String> {
        let tree = self.repo.find_tree(tree).map_err(|error| error.to_string())?;
        let mut files = BTreeMap::new();
        for entry in tree.iter() {
            // A stop removes the export: no file is written into it meanwhile.
            if crate::interrupt::stopping() {
                return Err("stopped".to_string());
            }
            let entry = entry.map_err(|error| error.to_string())?;
            let name: &[u8] = entry.inner.filename.as_ref();
            let hidden = name.starts_with(b".") || name.starts_with(b"#") || name.ends_with(b"~");
            if entry.inner.mode.is_blob() && !hidden && name.ends_with(b".md") {
                files.insert(name.to_vec(), entry.inner.oid.to_owned());
            }
        }
        Ok(files)
    }

    /// A blob's bytes.
    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>, String> {
        let blob = self.repo.find_blob(id).map_err(|error| error.to_string())?;
        Ok(blob.detach().data)
    }

    /// The tree of the content folder at commit `at`: what an export of it writes.
    pub fn content_tree(&self, at: ObjectId) -> Result<ObjectId, String> {
        let commit = self.repo.find_commit(at).map_err(|error| error.to_string())?;
        let tree = commit.tree().map_err(|error| error.to_string())?;
        if self.prefix.as_os_str().is_empty() {
            return Ok(tree.id);
        }
        match tree.lookup_entry_by_path(&self.prefix).map_err(|error| error.to_string())? {
            Some(entry) if entry.mode().is_tree() => Ok(entry.object_id()),
            _ => Err(format!("commit {} has no folder `{}`", short(&at), self.prefix.display())),
        }
    }

    /// Writes the content folder's tree `content` (see [`Repo::content_tree`]) into `into`
    /// (an empty folder): regular files only. Returns the paths (content-relative) of
    /// entries left out: symbolic links and submodules, which the work tree's loader would
    /// refuse or ignore.
    pub fn export_content(&self, content: ObjectId, into: &Path) -> Result<Vec<String>, String> {
        let mut skipped = Vec::new();
        self.export_tree(content, into, Path::new(""), &mut skipped)?;
        Ok(skipped)
    }

    fn export_tree(
        &self,
        tree: ObjectId,
        into: &Path,
        relative: &Path,
        skipped: &mut Vec<String>,
    ) -> Result<(), String> {
        let tree = self.repo.find_tree(tree).map_err(|error| error.to_string())?;
        // One folder at a time, never its parents: a stopped export whose folder was removed
        // (`interrupt`) fails here rather than make it again.
        if !relative.as_os_str().is_empty() {
            std::fs::create_dir(into.join(relative))
                .map_err(|error| format!("cannot export the folder `{}`: {error}", relative.display()))?;
        }
        for entry in tree.iter() {
            let entry = entry.map_err(|error| error.to_string())?;
            let Ok(name) = std::str::from_utf8(entry.inner.filename.as_ref()) else {
                skipped.push(format!(
                    "{}",
                    relative.join(entry.inner.filename.to_str_lossy().as_ref()).display()
                ));
                continue;
            };
            // A name git stores but a path cannot safely be (`..`, a separator) is left out.
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
                skipped.push(relative.join(name).display().to_string());
                continue;
            }
            let path = relative.join(name);
            let mode = entry.inner.mode;
            if mode.is_tree() {
                self.export_tree(entry.inner.oid.to_owned(), into, &path, skipped)?;
            } else if mode.is_blob() {
                let bytes = self.blob(entry.inner.oid.to_owned())?;
                std::fs::write(into.join(&path), bytes).map_err(|error| error.to_string())?;
            } else {
                skipped.push(path.display().to_string());
            }
        }
        Ok(())
    }
}

/// A commit's id, author, date and subject.
fn describe(commit: &gix::Commit<'_>) -> Commit {
    let (author, email) = commit
        .author()
        .map(|author| (GitText::new(&author.name.to_str_lossy()), GitText::new(&author.email.to_str_lossy())))
        .unwrap_or_else(|_| (GitText::new("(unreadable author)"), GitText::default()));
    let subject = commit
        .message()
        .map(|message| GitText::new(&message.summary().to_str_lossy()))
        .unwrap_or_else(|_| GitText::new("(unreadable message)"));
    Commit {
        id: commit.id.to_string(),
        short: short(&commit.id),
        author,
        email,
        date: commit_date(commit).unwrap_or_else(|| Date::new(1970, 1, 1).expect("a valid date")),
        subject,
    }
}

/// A commit's date: the committer's calendar day, in the committer's own time zone.
fn commit_date(commit: &gix::Commit<'_>) -> Option<Date> {
    let time = commit.time().ok()?;
    Date::from_unix_seconds(time.seconds.checked_add(i64::from(time.offset))?)
}

fn commit_seconds(commit: &gix::Commit<'_>) -> i64 {
    commit.time().map(|time| time.seconds).unwrap_or(0)
}

pub fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(10).to_string()
}
