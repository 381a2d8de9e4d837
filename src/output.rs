//! The one place that writes a site to disk. It refuses any file made for an audience above
//! the build's, writes everything into a fresh folder beside the target, and swaps it in
//! only when every file is written: a failed build leaves the previous output untouched.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::audience::Audience;

/// One file of a build: its path inside the output (with `/`), its bytes, and the lowest
/// audience allowed to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub audience: Audience,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>, audience: Audience) -> OutputFile {
        OutputFile { path: path.into(), bytes: bytes.into(), audience }
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
    #[error("two output files have the same path `{0}`")]
    DuplicatePath(String),
    #[error("refusing to use `{0}` as the output folder: it is, or contains, the content folder")]
    OutputHoldsContent(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

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

    pub fn admit(&self, file: &OutputFile) -> Result<(), WriteError> {
        if !file.audience.visible_to(self.audience) {
            return Err(WriteError::AboveAudience {
                path: file.path.clone(),
                file: file.audience,
                build: self.audience,
            });
        }
        if !safe_path(&file.path) {
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

/// A sink that writes each file as it arrives into a fresh folder beside the output, and
/// swaps that folder in on [`Staging::finish`]. Dropped unfinished (an error anywhere in the
/// build), it removes what it wrote: the previous output stays as it was.
pub struct Staging {
    gate: Gate,
    out: PathBuf,
    staging: PathBuf,
    previous: PathBuf,
    /// The thread making folders ahead of the files ([`Sink::expect_folders`]).
    folder_maker: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Tells the folder thread to stop: the build failed, its folders are not needed.
    abandoned: Arc<AtomicBool>,
    written: AtomicUsize,
    finished: bool,
}

impl Staging {
    /// Prepares to replace `out`. `content` is the content folder: an output folder that is
    /// or holds it is refused.
    pub fn begin(out: &Path, audience: Audience, content: &Path) -> Result<Staging, WriteError> {
        guard_output_folder(out, content)?;
        let parent = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("site");
        let staging = parent.join(format!(".{name}.trustpress-new"));
        let previous = parent.join(format!(".{name}.trustpress-old"));
        remove_if_exists(&staging)?;
        fs::create_dir_all(&staging).map_err(io_error(&staging))?;
        Ok(Staging {
            gate: Gate::new(audience),
            out: out.to_path_buf(),
            staging,
            previous,
            folder_maker: Mutex::new(None),
            abandoned: Arc::default(),
            written: AtomicUsize::new(0),
            finished: false,
        })
    }

    /// Refuse any file with the bytes of one of `withheld`.
    pub fn withhold(mut self, withheld: crate::withheld::Withheld) -> Staging {
        self.gate.withhold(withheld);
        self
    }

    /// Waits for the folder thread: nothing may be made in the staging folder after it is
    /// swapped in or removed.
    fn join_folder_maker(&self) {
        let maker = self.folder_maker.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(maker) = maker {
            let _ = maker.join();
        }
    }

    /// Swaps the staged folder in for the output; returns the number of files written.
    pub fn finish(mut self) -> Result<usize, WriteError> {
        self.join_folder_maker();
        self.finished = true;
        let (out, staging, previous) = (&self.out, &self.staging, &self.previous);
        let cleanup = |error: WriteError| {
            let _ = fs::remove_dir_all(staging);
            error
        };
        remove_if_exists(previous).map_err(cleanup)?;
        let had_previous = out.exists();
        if had_previous {
            fs::rename(out, previous).map_err(io_error(out)).map_err(cleanup)?;
        }
        if let Err(error) = fs::rename(staging, out) {
            // Put the previous output back: the user keeps what they had.
            if had_previous {
                let _ = fs::rename(previous, out);
            }
            return Err(cleanup(WriteError::Io { path: out.to_path_buf(), source: error }));
        }
        if had_previous {
            remove_tree(previous)?;
        }
        Ok(self.written.load(Ordering::Relaxed))
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<(), WriteError> {
        self.gate.admit(&file)?;
        let path = self.staging.join(&file.path);
        // Most folders exist by now (made ahead, or by an earlier file): try first.
        match fs::write(&path, &file.bytes) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                if let Some(folder) = path.parent() {
                    fs::create_dir_all(folder).map_err(io_error(folder))?;
                }
                fs::write(&path, &file.bytes).map_err(|source| WriteError::Io { path, source })?;
            }
            result => result.map_err(|source| WriteError::Io { path, source })?,
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// On ext4 a new folder costs about as much as rendering a page, and two threads making
    /// folders in one parent wait on its lock: one thread makes them all, in order, while
    /// pages render. A folder it fails to make is made (or its error reported) by the
    /// file that needs it.
    fn expect_folders(&self, mut folders: Vec<String>) {
        folders.retain(|folder| safe_path(folder));
        folders.sort_unstable();
        folders.dedup();
        let (staging, abandoned) = (self.staging.clone(), Arc::clone(&self.abandoned));
        let maker = std::thread::Builder::new().name("folders".into()).spawn(move || {
            for folder in folders {
                if abandoned.load(Ordering::Relaxed) {
                    return;
                }
                let _ = fs::create_dir_all(staging.join(folder));
            }
        });
        self.join_folder_maker();
        // Without a thread (the system has none to give), each file makes its folder.
        *self.folder_maker.lock().unwrap_or_else(PoisonError::into_inner) = maker.ok();
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            self.abandoned.store(true, Ordering::Relaxed);
        }
        self.join_folder_maker();
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Removes a folder tree, its files in parallel: for a site of thousands of pages this is a
/// large share of the write step, and it is only syscalls.
fn remove_tree(folder: &Path) -> Result<(), WriteError> {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => return Err(WriteError::Io { path: dir, source }),
        };
        for entry in entries.flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(entry.path()),
                _ => files.push(entry.path()),
            }
        }
    }
    files.par_iter().try_for_each(|file| match fs::remove_file(file) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(WriteError::Io { path: file.clone(), source: error })
        }
        _ => Ok(()),
    })?;
    remove_if_exists(folder)
}

fn remove_if_exists(path: &Path) -> Result<(), WriteError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(WriteError::Io { path: path.to_path_buf(), source }),
    }
}

/// The output folder is replaced whole, so it must not be (or contain) the content folder.
fn guard_output_folder(out: &Path, content: &Path) -> Result<(), WriteError> {
    let Ok(content) = fs::canonicalize(content) else { return Ok(()) };
    let out_absolute = match fs::canonicalize(out) {
        Ok(path) => path,
        Err(_) => return Ok(()),
    };
    if content.starts_with(&out_absolute) {
        return Err(WriteError::OutputHoldsContent(out.to_path_buf()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole site written through a `Staging` sink, as `build` does.
    fn write_site(
        files: &[OutputFile],
        out: &Path,
        audience: Audience,
        content: &Path,
    ) -> Result<(), WriteError> {
        use rayon::prelude::*;
        check_files(files, audience)?;
        let staging = Staging::begin(out, audience, content)?;
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

        let staging = Staging::begin(&out, Audience::Public, &content).unwrap();
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

        let staging = Staging::begin(&out, Audience::Public, &content).unwrap();
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
        let staging = Staging::begin(&out, Audience::Public, &content).unwrap();
        staging.expect_folders(ahead());
        staging.put(OutputFile::new("policies/p0/index.html", "x", Audience::Public)).unwrap();
        drop(staging);
        let left: Vec<_> =
            fs::read_dir(dir.path().join("site")).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!dir.path().join("site/escaped").exists() && !dir.path().join("escaped").exists());

        // Finished: files in folders made ahead, in folders not announced, and at the top.
        let staging = Staging::begin(&out, Audience::Public, &content).unwrap();
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
}
