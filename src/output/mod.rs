//! The one place that writes a site to disk. It refuses any file made for an audience above
//! the build's, writes everything into a fresh folder beside the target, and swaps it in
//! only when every file is written: a failed build leaves the previous output untouched.
//!
//! It replaces only what trustpress made: every output folder holds a [`MARKER`] file, and
//! a non-empty folder without one, a file or a symbolic link is refused ([`check_output`]).

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::audience::Audience;

mod folder;
mod in_place;
pub mod kept;
pub mod signed;
mod staging;

pub use folder::{check_output, lock_beside};
pub use in_place::{Changes, Finished, InPlace};
pub use staging::Staging;

/// One file of a build: its path inside the output (with `/`), its bytes, and the lowest
/// audience allowed to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub audience: Audience,
    /// For a page: the key of what it was rendered from, and whether it shows code, which a
    /// rebuild in place records (see [`kept`]).
    pub page: Option<(kept::PageKey, bool)>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>, audience: Audience) -> OutputFile {
        OutputFile { path: path.into(), bytes: bytes.into(), audience, page: None }
    }

    /// This file as a page rendered from `key` (when the sink asked for keys).
    pub fn keyed(mut self, key: Option<kept::PageKey>, has_code: bool) -> OutputFile {
        self.page = key.map(|key| (key, has_code));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write `{path}`: it is for the {file} audience and this build is {build}")]
    AboveAudience { path: String, file: Audience, build: Audience },
    #[error("refusing to write `{0}`: output paths must be relative and stay inside the output folder")]
    BadPath(String),
    #[error(
        "refusing to write `{path}`: its bytes are those of `{withheld}`, a file this audience may not see"
    )]
    WithheldBytes { path: String, withheld: PathBuf },
    #[error("cannot sign the site: {0}")]
    Sign(String),
    #[error("two output files have the same path `{0}`")]
    DuplicatePath(String),
    #[error("refusing to use `{0}` as the output folder: it is, or contains, the content folder")]
    OutputHoldsContent(PathBuf),
    #[error("refusing to use `{0}` as the output folder: it is inside the content folder, whose files a build must never replace; build beside it (the default is `public/`)")]
    OutputInsideContent(PathBuf),
    #[error("refusing to use `{0}` as the output folder: it is, or contains, the current folder")]
    OutputHoldsCurrentFolder(PathBuf),
    #[error("refusing to use `{0}` as the output folder: name the folder itself, not `.`, `..` or `/`")]
    OutputNotNamed(PathBuf),
    #[error(
        "refusing to replace `{0}`: it is a file, not a folder; --out names the folder the site is built into (trustpress never replaces a file, even with --force)"
    )]
    OutputIsFile(PathBuf),
    #[error(
        "refusing to replace `{0}`: it is a symbolic link; give the folder it points to as --out, or remove the link"
    )]
    OutputIsSymlink(PathBuf),
    #[error("refusing to build into `{out}`: `{file}` is a file, not a folder; --out names a folder")]
    OutputUnderFile { out: PathBuf, file: PathBuf },
    #[error(
        "refusing to rebuild into the output: `{0}` is a symbolic link, which a rebuild could follow out of the output folder; remove the link, or build into a new folder"
    )]
    LinkInOutput(PathBuf),
    #[error(
        "refusing to replace `{0}`: it holds files but no `.trustpress-output` marker, so trustpress did not make it, and a build would delete everything in it; pick another --out, empty or remove the folder, or pass --force to replace it and everything in it"
    )]
    OutputNotMade(PathBuf),
    #[error(
        "refusing to build into `{out}`: the cache folder `{cache}` ($TRUSTPRESS_CACHE_DIR, else ~/.cache/trustpress) is inside it or inside the content folder, and holds text of every audience (policy histories, page records); point TRUSTPRESS_CACHE_DIR elsewhere"
    )]
    CacheInside { out: PathBuf, cache: PathBuf },
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl WriteError {
    /// A refused `--out`: a problem of the arguments, not of the content (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            WriteError::OutputHoldsContent(_)
                | WriteError::OutputInsideContent(_)
                | WriteError::OutputHoldsCurrentFolder(_)
                | WriteError::OutputNotNamed(_)
                | WriteError::OutputIsFile(_)
                | WriteError::OutputIsSymlink(_)
                | WriteError::OutputUnderFile { .. }
                | WriteError::LinkInOutput(_)
                | WriteError::OutputNotMade(_)
                | WriteError::CacheInside { .. }
        )
    }
}

/// The file every output folder holds, written by [`Staging`] (not a page of the site): a
/// folder with it is trustpress's to replace; a non-empty folder without it is refused.
pub const MARKER: &str = ".trustpress-output";

pub(crate) const MARKER_TEXT: &str =
    "This folder was made by `trustpress build`, which replaces it whole on every build:\n\
files added here by hand are deleted by the next build.\n";

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Where a build's files go, one at a time as they are rendered. Every sink passes each
/// file through a [`Gate`] before keeping it.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> Result<(), WriteError>;

    /// Files are coming into these folders (paths inside the output, with `/`): a sink on
    /// disk makes them ahead, on a thread of its own, while pages render.
    fn expect_folders(&self, _folders: Vec<String>) {}

    /// Whether [`Sink::keep`] may keep pages: only then does a renderer work out page keys.
    fn keeps_pages(&self) -> bool {
        false
    }

    /// Keeps `files` (each a path inside the output and its audience), made before by a page
    /// with `key`, as they are, without rendering them: `Some(has_code)` when every one was
    /// kept, `None` (and none kept) when the page must be rendered and put. Only a rebuild
    /// in place keeps (see [`kept`]).
    fn keep(&self, _files: &[(String, Audience)], _key: &kept::PageKey) -> Option<bool> {
        None
    }

    /// The bytes of the file at `path`, when a page with `key` made it before and it is, by
    /// its metadata, as written then (as [`Sink::keep`] would find it), without keeping it:
    /// a renderer reads from it which other files that page made. `None` otherwise.
    fn kept_bytes(&self, _path: &str, _key: &kept::PageKey) -> Option<Vec<u8>> {
        None
    }
}

/// Whether `path` is relative and stays inside the output.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

/// The audience gate and the path rules, applied to each file as it arrives: a file above
/// the build's audience means a bug upstream, and fails the build.
pub struct Gate {
    audience: Audience,
    seen: Mutex<HashSet<String>>,
    /// Content files this audience may not see: no output file may have their bytes.
    withheld: crate::withheld::Withheld,
}

impl Gate {
    pub fn new(audience: Audience) -> Gate {
        Gate { audience, seen: Mutex::new(HashSet::new()), withheld: Default::default() }
    }

    /// Refuse any file with the bytes of one of `withheld`.
    pub fn withhold(&mut self, withheld: crate::withheld::Withheld) {
        self.withheld = withheld;
    }

    /// Whether [`Gate::admit`] would admit a file at `path` for `audience` of `size` bytes,
    /// whose bytes `read` gives: they are read only when a withheld file has that size. A page
    /// kept from an earlier build (see [`kept`]) must pass this; any doubt (bytes that cannot
    /// be read) and it is rendered and admitted as usual.
    pub fn would_admit(
        &self,
        path: &str,
        audience: Audience,
        size: u64,
        read: impl FnOnce() -> Option<Vec<u8>>,
    ) -> bool {
        let admits_bytes = || {
            !self.withheld.has_size(size)
                || read().is_some_and(|bytes| {
                    bytes.len() as u64 == size && self.withheld.matching(&bytes).is_none()
                })
        };
        audience.visible_to(self.audience)
            && safe_path(path)
            && path != MARKER
            && !self.seen.lock().unwrap_or_else(PoisonError::into_inner).contains(path)
            && admits_bytes()
    }

    /// Admits the files of a kept page (each passed [`Gate::would_admit`]): false, and none
    /// admitted, when one of them was admitted already.
    pub fn admit_kept<'p>(&self, paths: impl Iterator<Item = &'p str> + Clone) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if paths.clone().any(|path| seen.contains(path)) {
            return false;
        }
        seen.extend(paths.map(str::to_string));
        true
    }

    pub fn admit(&self, file: &OutputFile) -> Result<(), WriteError> {
        if !file.audience.visible_to(self.audience) {
            return Err(WriteError::AboveAudience {
                path: file.path.clone(),
                file: file.audience,
                build: self.audience,
            });
        }
        // The marker's name is the output's own, in every sink, so serve and build agree.
        if !safe_path(&file.path) || file.path == MARKER {
            return Err(WriteError::BadPath(file.path.clone()));
        }
        if !self.seen.lock().unwrap_or_else(PoisonError::into_inner).insert(file.path.clone()) {
            return Err(WriteError::DuplicatePath(file.path.clone()));
        }
        if let Some(withheld) = self.withheld.matching(&file.bytes) {
            return Err(WriteError::WithheldBytes {
                path: file.path.clone(),
                withheld: withheld.to_path_buf(),
            });
        }
        Ok(())
    }
}

/// Checks every file against the build's audience and the path rules.
pub fn check_files(files: &[OutputFile], audience: Audience) -> Result<(), WriteError> {
    let gate = Gate::new(audience);
    files.iter().try_for_each(|file| gate.admit(file))
}

/// A sink that keeps the files in memory (the dev server, the auditor bundle).
pub struct Memory {
    gate: Gate,
    files: Mutex<Vec<OutputFile>>,
}

impl Memory {
    pub fn new(audience: Audience) -> Memory {
        Memory { gate: Gate::new(audience), files: Mutex::new(Vec::new()) }
    }

    /// Refuse any file with the bytes of one of `withheld`.
    pub fn withhold(mut self, withheld: crate::withheld::Withheld) -> Memory {
        self.gate.withhold(withheld);
        self
    }

    /// The files, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.files.into_inner().unwrap_or_else(PoisonError::into_inner);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for Memory {
    fn put(&self, file: OutputFile) -> Result<(), WriteError> {
        self.gate.admit(&file)?;
        self.files.lock().unwrap_or_else(PoisonError::into_inner).push(file);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A whole site written through a `Staging` sink, as `build` does.
    fn write_site(
        files: &[OutputFile],
        out: &Path,
        audience: Audience,
        content: &Path,
    ) -> Result<(), WriteError> {
        use rayon::prelude::*;
        check_files(files, audience)?;
        let staging = Staging::begin(out, audience, content, false)?;
        files.par_iter().try_for_each(|file| staging.put(file.clone()))?;
        staging.finish().map(|_| ())
    }

    #[test]
    fn refuses_files_above_the_audience() {
        let files = vec![
            OutputFile::new("index.html", "ok", Audience::Public),
            OutputFile::new("risks/index.html", "secret", Audience::Internal),
        ];
        let error = check_files(&files, Audience::Public).unwrap_err();
        assert!(matches!(error, WriteError::AboveAudience { .. }), "{error}");
        assert!(check_files(&files, Audience::Internal).is_ok());
    }

    #[test]
    fn refuses_paths_that_leave_the_output() {
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            let files = vec![OutputFile::new(bad, "x", Audience::Public)];
            assert!(matches!(check_files(&files, Audience::Public), Err(WriteError::BadPath(_))), "{bad}");
        }
    }

    #[test]
    fn replaces_output_whole_and_keeps_it_on_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let out = dir.path().join("public");
        write_site(
            &[OutputFile::new("a/index.html", "one", Audience::Public)],
            &out,
            Audience::Public,
            &content,
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");

        let refused = write_site(
            &[OutputFile::new("b.html", "two", Audience::Internal)],
            &out,
            Audience::Public,
            &content,
        );
        assert!(refused.is_err());
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");

        write_site(&[OutputFile::new("b.html", "two", Audience::Public)], &out, Audience::Public, &content)
            .unwrap();
        assert!(!out.join("a/index.html").exists(), "old files are gone after a full rebuild");
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn a_build_that_stops_half_way_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let out = dir.path().join("public");
        write_site(
            &[OutputFile::new("index.html", "old", Audience::Public)],
            &out,
            Audience::Public,
            &content,
        )
        .unwrap();

        let staging = Staging::begin(&out, Audience::Public, &content, false).unwrap();
        staging.put(OutputFile::new("index.html", "new", Audience::Public)).unwrap();
        staging.put(OutputFile::new("policies/a/index.html", "new", Audience::Public)).unwrap();
        let refused = staging.put(OutputFile::new("risks/index.html", "secret", Audience::Internal));
        assert!(matches!(refused, Err(WriteError::AboveAudience { .. })));
        let twice = staging.put(OutputFile::new("index.html", "again", Audience::Public));
        assert!(matches!(twice, Err(WriteError::DuplicatePath(_))));
        drop(staging);

        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 2, "no staging folder is left behind: {leftovers:?}");

        let staging = Staging::begin(&out, Audience::Public, &content, false).unwrap();
        staging.put(OutputFile::new("policies/a/index.html", "new", Audience::Public)).unwrap();
        assert_eq!(staging.finish().unwrap(), 1);
        assert_eq!(fs::read_to_string(out.join("policies/a/index.html")).unwrap(), "new");
        assert!(!out.join("index.html").exists());
    }

    #[test]
    fn folders_made_ahead_hold_the_files_and_go_with_a_failed_build() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let out = dir.path().join("site").join("public");
        let many: Vec<String> = (0..500).map(|i| format!("policies/p{i}")).collect();
        let ahead = || {
            let mut folders = many.clone();
            folders.extend(["../escaped".to_string(), "/abs".to_string(), "policies/p1".to_string()]);
            folders
        };

        // Dropped half way, with the folder thread still busy: nothing is left behind, and
        // nothing is made outside the output.
        let staging = Staging::begin(&out, Audience::Public, &content, false).unwrap();
        staging.expect_folders(ahead());
        staging.put(OutputFile::new("policies/p0/index.html", "x", Audience::Public)).unwrap();
        drop(staging);
        let left: Vec<_> =
            fs::read_dir(dir.path().join("site")).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!dir.path().join("site/escaped").exists() && !dir.path().join("escaped").exists());

        // Finished: files in folders made ahead, in folders not announced, and at the top.
        let staging = Staging::begin(&out, Audience::Public, &content, false).unwrap();
        staging.expect_folders(ahead());
        for folder in many.iter().rev() {
            staging
                .put(OutputFile::new(format!("{folder}/index.html"), folder.clone(), Audience::Public))
                .unwrap();
        }
        staging.put(OutputFile::new("deep/not/announced.txt", "y", Audience::Public)).unwrap();
        staging.put(OutputFile::new("index.html", "z", Audience::Public)).unwrap();
        assert_eq!(staging.finish().unwrap(), 502);
        assert_eq!(fs::read_to_string(out.join("policies/p499/index.html")).unwrap(), "policies/p499");
        assert_eq!(fs::read_to_string(out.join("deep/not/announced.txt")).unwrap(), "y");
        assert_eq!(fs::read_dir(out.join("policies")).unwrap().count(), 500);
    }

    #[test]
    fn refuses_to_replace_the_content_folder() {
        let dir = tempfile::tempdir().unwrap();
        let result = write_site(
            &[OutputFile::new("x", "x", Audience::Public)],
            dir.path(),
            Audience::Public,
            &dir.path().join("."),
        );
        assert!(matches!(result, Err(WriteError::OutputHoldsContent(_))));
    }

    #[test]
    fn every_output_folder_holds_the_marker_and_no_page_may_take_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let content = dir.path().join("content");
        fs::create_dir(&content).unwrap();
        write_site(&[OutputFile::new("index.html", "x", Audience::Public)], &out, Audience::Public, &content)
            .unwrap();
        assert!(fs::read_to_string(out.join(MARKER)).unwrap().contains("trustpress build"));
        let page = vec![OutputFile::new(MARKER, "x", Audience::Public)];
        assert!(matches!(check_files(&page, Audience::Public), Err(WriteError::BadPath(_))));
    }

    #[test]
    fn replaces_only_folders_it_made_unless_forced_and_never_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let site = [OutputFile::new("index.html", "site", Audience::Public)];

        let file = dir.path().join("notes.txt");
        fs::write(&file, "mine").unwrap();
        for force in [false, true] {
            let refused = Staging::begin(&file, Audience::Public, &content, force).map(|_| ());
            assert!(matches!(refused, Err(WriteError::OutputIsFile(_))), "{refused:?}");
            assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
            // A folder under the file is refused as an argument too (exit code 2), not an I/O error.
            let under = Staging::begin(&file.join("sub"), Audience::Public, &content, force).map(|_| ());
            assert!(
                matches!(&under, Err(e @ WriteError::OutputUnderFile { .. }) if e.is_usage()),
                "{under:?}"
            );
            assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
        }

        let folder = dir.path().join("photos");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("cat.jpg"), "meow").unwrap();
        let refused = write_site(&site, &folder, Audience::Public, &content).unwrap_err();
        assert!(matches!(refused, WriteError::OutputNotMade(_)) && refused.is_usage(), "{refused}");
        assert!(refused.to_string().contains("--force") && refused.to_string().contains(MARKER));
        assert_eq!(fs::read_to_string(folder.join("cat.jpg")).unwrap(), "meow");

        // Forced once, the folder is trustpress's: later builds need no --force.
        let staging = Staging::begin(&folder, Audience::Public, &content, true).unwrap();
        staging.put(site[0].clone()).unwrap();
        staging.finish().unwrap();
        assert!(!folder.join("cat.jpg").exists());
        write_site(&site, &folder, Audience::Public, &content).unwrap();

        let empty = dir.path().join("empty");
        fs::create_dir_all(&empty).unwrap();
        write_site(&site, &empty, Audience::Public, &content).unwrap();
        assert_eq!(fs::read_to_string(empty.join("index.html")).unwrap(), "site");
    }

    #[test]
    fn refuses_the_current_folder_and_folders_without_a_name() {
        let dir = tempfile::tempdir().unwrap();
        for out in [".", "..", "/", "x/.."] {
            let result = check_output(Path::new(out), dir.path(), true);
            assert!(
                matches!(
                    result,
                    Err(WriteError::OutputNotNamed(_) | WriteError::OutputHoldsCurrentFolder(_))
                ),
                "{out}: {result:?}"
            );
        }
        let here = std::env::current_dir().unwrap();
        let result = check_output(&here, dir.path(), true);
        assert!(matches!(result, Err(WriteError::OutputHoldsCurrentFolder(_))), "{result:?}");
        assert_eq!(check_output(Path::new("site/"), dir.path(), false).unwrap(), Path::new("site"));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_symbolic_link_and_leaves_what_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let target = dir.path().join("www");
        write_site(
            &[OutputFile::new("old.html", "old", Audience::Public)],
            &target,
            Audience::Public,
            &content,
        )
        .unwrap();
        let link = dir.path().join("public");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for out in [link.clone(), link.join("")] {
            let refused = write_site(
                &[OutputFile::new("new.html", "new", Audience::Public)],
                &out,
                Audience::Public,
                &content,
            );
            assert!(matches!(refused, Err(WriteError::OutputIsSymlink(_))), "{refused:?}");
        }
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(target.join("old.html")).unwrap(), "old");
    }
}
