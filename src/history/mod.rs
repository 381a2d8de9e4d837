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

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::date::Date;
use crate::model::{Markdown, Policy, PolicyVersion, Reference, Version};

pub use git::{short, NoHistory, Repo};
pub use gix::ObjectId;

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
    /// `None` for the others, and for a body whose audience blocks do not parse.
    pub body: Option<String>,
    /// Its audience blocks parse: its text can be cut.
    pub blocks_parse: bool,
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
            substance: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            body: blocks_parse.then(|| policy.body.text.clone()),
            blocks_parse,
        }
    }

    /// The same approval: version and approval date.
    fn same_approval(&self, other: &Snapshot) -> bool {
        self.version == other.version && self.approved == other.approved
    }
}

/// The content's history as far as policies need it.
#[derive(Debug, Default, Serialize, Deserialize)]
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

/// The repository and the commit a history is read from: found cheaply, before any
/// reading, so that a cache can be asked first.
pub struct Located {
    repo: Repo,
    tip: ObjectId,
}

impl Located {
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
        let mut policies: BTreeMap<String, Vec<Snapshot>> = BTreeMap::new();
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
        // Only an approving snapshot's text is shown: the others keep its hash alone.
        for snapshots in policies.values_mut() {
            let mut previous: Option<(Option<String>, Option<Date>)> = None;
            for snapshot in snapshots.iter_mut() {
                let approval = (snapshot.version.clone(), snapshot.approved);
                if previous.as_ref() == Some(&approval) || snapshot.approved.is_none() {
                    snapshot.body = None;
                }
                previous = Some(approval);
            }
        }
        History { commits: walked.commits, policies, note }
    }

    /// The approved versions of policy `id`, oldest first: one per change of its `version`
    /// or `approved` date that has an `approved` date, as the commit that made it left the
    /// file (what was approved).
    pub fn versions(&self, id: &str) -> Vec<PolicyVersion> {
        let Some(snapshots) = self.policies.get(id) else { return Vec::new() };
        let mut versions = Vec::new();
        let mut previous: Option<&Snapshot> = None;
        for snapshot in snapshots {
            let new_approval = previous.is_none_or(|before| !before.same_approval(snapshot));
            previous = Some(snapshot);
            let Some(approved) = snapshot.approved else { continue };
            if !new_approval {
                continue;
            }
            let Some(commit) = self.commits.get(snapshot.commit) else { continue };
            let readable = snapshot.blocks_parse && snapshot.body.is_some();
            versions.push(PolicyVersion {
                version: snapshot.version.clone().filter(|text| unfenced(text)).map(Version),
                approved,
                approved_by: snapshot.approved_by.clone().filter(|text| unfenced(text)),
                effective: commit.date,
                audience: snapshot.audience,
                controls: snapshot.controls.iter().filter(|id| unfenced(id)).map(Reference::new).collect(),
                body: Markdown::new(
                    if readable { snapshot.body.clone().unwrap_or_default() } else { String::new() },
                    1,
                ),
                readable,
                commit: Some(commit.clone()),
            });
        }
        versions
    }

    /// The commits that changed policy `id`'s text or controls after the commit that made
    /// its latest approval, without a new `version` or `approved` date: what
    /// `changed-without-approval` reports. Empty for a policy never approved.
    pub fn unapproved_changes(&self, id: &str) -> Vec<&Commit> {
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

/// The content folder as a past commit holds it, exported from the object store into a
/// private temporary folder (removed when this is dropped): what `build --at` and
/// `bundle --at` load. The work tree is not touched.
#[derive(Debug)]
pub struct AtCommit {
    pub commit: ObjectId,
    /// Its full id.
    pub id: String,
    /// The day the ISMS is shown as of: the date asked for, or the commit's date.
    pub day: Date,
    /// The commit's time, in Unix seconds (the bundle's reproducible build date).
    pub time: i64,
    /// The exported content, removed when dropped or when the process is stopped.
    pub files: crate::interrupt::TempFolder,
    /// Entries left out of the export (symbolic links, submodules), content-relative.
    pub skipped: Vec<String>,
}

impl AtCommit {
    /// Exports the content folder `content` (as given) at `at`: a commit, tag or branch,
    /// or a date `YYYY-MM-DD` (the last commit on `HEAD`'s first-parent line made on or
    /// before that day).
    pub fn export(content: &Path, at: &str) -> Result<AtCommit, String> {
        let canonical = std::fs::canonicalize(content)
            .map_err(|error| format!("cannot open content folder `{}`: {error}", content.display()))?;
        let repo = Repo::discover(&canonical)
            .map_err(|NoHistory(why)| format!("--at needs git history, but {why}"))?;
        let (commit, day, time) = repo.resolve(at)?;
        let files = crate::interrupt::TempFolder::new("trustpress-at-")
            .map_err(|error| format!("cannot make a temporary folder: {error}"))?;
        let skipped = repo.export(commit, files.path())?;
        Ok(AtCommit { commit, id: commit.to_string(), day, time, files, skipped })
    }
}

/// Whether a one-line field of a past version (its version, approver, a control id) holds no
/// audience fence. One that does is left out of the version: it cannot be mended any more
/// (it is in history), and the tripwire would otherwise stop every build for it.
fn unfenced(text: &str) -> bool {
    crate::audience_blocks::leftover(text).is_none()
}
