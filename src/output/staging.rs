//! Writing a build: into a fresh folder beside the output, swapped in only when every file is
//! written; a failed build removes what it wrote and leaves the previous output as it was.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::folder::check_existing_output;
use super::*;

/// A sink that writes each file as it arrives into a fresh folder beside the output, and
/// swaps that folder in on [`Staging::finish`]. Dropped unfinished (an error anywhere in the
/// build), it removes what it wrote: the previous output stays as it was.
pub struct Staging {
    gate: Gate,
    out: PathBuf,
    /// `--force`: checked again just before the swap.
    force: bool,
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
    /// Prepares to replace `out`, after [`check_output`] with the same arguments.
    pub fn begin(out: &Path, audience: Audience, content: &Path, force: bool) -> Result<Staging, WriteError> {
        let out = &check_output(out, content, force)?;
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
        let marker = staging.join(MARKER);
        if let Err(source) = fs::write(&marker, MARKER_TEXT) {
            let _ = fs::remove_dir_all(&staging);
            return Err(WriteError::Io { path: marker, source });
        }
        Ok(Staging {
            gate: Gate::new(audience),
            out: out.to_path_buf(),
            force,
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
        // Whatever came to be at `out` while the site was built passes the same test.
        check_existing_output(out, self.force).map_err(cleanup)?;
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
