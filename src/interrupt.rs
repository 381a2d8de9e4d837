//! What a stopped command leaves behind. A temporary file or folder a command makes (the
//! content exported by `build --at`, a bundle's `.partial` archive) is noted here while it
//! exists; when the process is stopped by Ctrl-C, SIGTERM or SIGHUP before it finishes,
//! [`install`]'s handler removes every noted path, then exits with 130. Without it the
//! process would die with its temporary files in place: destructors do not run on a signal.
//!
//! `serve` has its own handler (it stops its server cleanly), so it does not call
//! [`install`]; nothing it makes is noted here.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A private folder (mode 0700), noted as it is made (so a stop at any moment removes it)
/// and removed when dropped. None is made once a stop has begun.
#[derive(Debug)]
pub struct TempFolder {
    path: PathBuf,
    _pending: Pending,
}

impl TempFolder {
    /// A new folder in the system's temporary folder, named `prefix` and 24 random hex digits.
    pub fn new(prefix: &str) -> std::io::Result<TempFolder> {
        TempFolder::new_in(&std::env::temp_dir(), prefix)
    }

    /// A new folder in `parent`, named `prefix` and 24 random hex digits.
    pub fn new_in(parent: &Path, prefix: &str) -> std::io::Result<TempFolder> {
        TempFolder::made_unless(&STOPPING, parent, prefix)
    }

    /// [`TempFolder::new_in`], refused (`Interrupted`) once `stopping` is set. The folder is
    /// made and noted while the list of noted paths is held: a stop's handler, which holds it
    /// while it removes what is noted, either removes this folder or runs before it is made,
    /// and then it is not made. (Made after the handler had gone through the list, it would
    /// be left behind.)
    fn made_unless(
        stopping: &std::sync::atomic::AtomicBool,
        parent: &Path,
        prefix: &str,
    ) -> std::io::Result<TempFolder> {
        use std::os::unix::fs::DirBuilderExt;
        loop {
            let mut bytes = [0u8; 12];
            getrandom::fill(&mut bytes).map_err(|error| std::io::Error::other(error.to_string()))?;
            let name = crate::hex::hex(&bytes);
            let path = parent.join(format!("{prefix}{name}"));
            let mut pending = lock();
            if stopping.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped"));
            }
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    pending.push(path.clone());
                    return Ok(TempFolder { path: path.clone(), _pending: Pending(path) });
                }
                // Someone else's (or a link planted there): not ours to remove; try another.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        // Once a stop has begun, the handler removes it (it was noted as it was made): two
        // removals of one folder at once make each other fail.
        if stopping() {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The paths to remove if the process is stopped now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A noted path: removed on a stop while this lives; no longer noted once dropped (the
/// owner removes or keeps it as its work ends).
#[derive(Debug)]
pub struct Pending(PathBuf);

impl Pending {
    /// Notes `path` (a file or a folder) for removal if the process is stopped.
    pub fn note(path: &Path) -> Pending {
        lock().push(path.to_path_buf());
        Pending(path.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut pending = lock();
        if let Some(at) = pending.iter().rposition(|path| *path == self.0) {
            pending.remove(at);
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every noted path: folders with what they hold, files alone. Never follows a
/// symbolic link out of a folder (`remove_dir_all` does not). Other threads may still be
/// writing into a folder as it goes, so a removal is tried again until the path is gone.
fn remove_pending() {
    for path in lock().drain(..) {
        for _ in 0..200 {
            let removed = match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&path),
                Ok(_) => std::fs::remove_file(&path),
                Err(_) => break,
            };
            if removed.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

/// Set when a stop has begun: the handler is removing what is noted and will exit.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a stop has begun: long work that writes into a noted folder stops writing, so the
/// handler's removal of the folder is not outrun.
pub fn stopping() -> bool {
    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Runs `step` unless a stop has begun, with no removal by the handler meanwhile: for a step
/// that makes a noted path lasting (renames a finished export into place), which must happen
/// whole before a stop or not at all. `None` when a stop had begun: the handler may have
/// removed part of what the step would keep.
pub fn unless_stopping<T>(step: impl FnOnce() -> T) -> Option<T> {
    unless(&STOPPING, step)
}

fn unless<T>(stopping: &std::sync::atomic::AtomicBool, step: impl FnOnce() -> T) -> Option<T> {
    let _noted = lock();
    (!stopping.load(std::sync::atomic::Ordering::SeqCst)).then(step)
}

/// Installs the handler for Ctrl-C, SIGTERM and SIGHUP: remove what is noted, then exit
/// with 130. A failure to install is not an error: the command runs as before.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
        remove_pending();
        std::process::exit(130);
    });
}

/// The command's exit code, unless a stop has begun: then the command may have failed only
/// because the handler was removing its files (a build reading the copy `--at` made), so
/// this waits for the handler to exit with 130 instead.
pub fn exit_code(code: std::process::ExitCode) -> std::process::ExitCode {
    while STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::park_timeout(std::time::Duration::from_millis(50));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Once a stop has begun no temporary folder is made and no step that would keep one runs;
    /// before, both do. (A flag of the test's own: the process's is not touched.)
    #[test]
    fn nothing_is_made_or_kept_once_a_stop_has_begun() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let stopping = AtomicBool::new(false);
        let made = TempFolder::made_unless(&stopping, dir.path(), "t-").unwrap();
        assert!(made.path().is_dir());
        assert!(lock().contains(&made.path().to_path_buf()), "made but not noted");
        assert_eq!(unless(&stopping, || 1), Some(1));
        stopping.store(true, Ordering::SeqCst);
        let refused = TempFolder::made_unless(&stopping, dir.path(), "t-").unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::Interrupted);
        assert_eq!(unless(&stopping, || 1), None);
        drop(made);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "a folder was made after the stop");
    }

    #[test]
    fn a_noted_path_is_removed_on_a_stop_and_forgotten_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("at");
        std::fs::create_dir_all(folder.join("policies")).unwrap();
        std::fs::write(folder.join("policies/a.md"), "x").unwrap();
        let file = dir.path().join("bundle.zip.partial");
        std::fs::write(&file, "x").unwrap();
        let kept = dir.path().join("kept");
        std::fs::write(&kept, "x").unwrap();
        let _folder = Pending::note(&folder);
        let _file = Pending::note(&file);
        drop(Pending::note(&kept));
        remove_pending();
        assert!(!folder.exists() && !file.exists());
        assert!(kept.exists(), "a path no longer noted is left alone");
    }
}
