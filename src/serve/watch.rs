//! Watching the content folder for changes. The folder is watched recursively (a folder,
//! not single files), so editors' atomic saves (write a temporary file, rename it over the
//! old one), new files and deleted files are all seen. The site config (`site.yaml`) and a
//! theme folder live inside the content folder, so one watch covers them.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

/// Quiet time after the last file event before a rebuild starts. Events of one save (an
/// editor's temporary file, rename and metadata update) arrive within a millisecond or two;
/// a longer wait would only delay every reload.
pub const DEBOUNCE: Duration = Duration::from_millis(20);
/// How often the debouncer looks for quiet paths.
const TICK: Duration = Duration::from_millis(5);

/// What the watcher tells the serve loop.
#[derive(Debug)]
pub enum Change {
    /// These content files (relative to the content folder) changed, appeared or went away.
    Files(Vec<PathBuf>),
    /// Events were lost (the kernel queue overflowed): everything must be read again.
    Everything,
    /// The watcher failed; changes may be missed.
    Problem(String),
}

pub type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Starts watching `folder` (absolute, canonical); changes go to `changes` as `wrap(change)`.
pub fn watch<M: Send + 'static>(
    folder: &Path,
    changes: Sender<M>,
    wrap: fn(Change) -> M,
) -> notify_debouncer_full::notify::Result<Watcher> {
    let root = folder.to_path_buf();
    let mut watcher = new_debouncer(DEBOUNCE, Some(TICK), move |result: DebounceEventResult| {
        let change = match result {
            Ok(events) if events.iter().any(|event| event.need_rescan()) => Change::Everything,
            Ok(events) => {
                let mut paths: Vec<PathBuf> = events
                    .iter()
                    // Opening and reading files (the build itself does) changes nothing.
                    .filter(|event| !matches!(event.kind, EventKind::Access(_)))
                    .flat_map(|event| event.paths.iter())
                    .filter_map(|path| path.strip_prefix(&root).ok())
                    .filter(|path| !is_noise(path))
                    .map(Path::to_path_buf)
                    .collect();
                paths.sort();
                paths.dedup();
                if paths.is_empty() {
                    return;
                }
                Change::Files(paths)
            }
            Err(errors) => {
                Change::Problem(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
            }
        };
        let _ = changes.send(wrap(change));
    })?;
    watcher.watch(folder, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// Files no build reads: version control, editors' swap, lock and backup files. Changes to
/// them do not start a rebuild (content listings skip hidden and backup files too).
pub fn is_noise(relative: &Path) -> bool {
    relative.components().any(|component| match component {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || name == "4913"
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_and_git_files_are_noise() {
        for noise in
            [".git/index", "policies/.access-control.md.swp", "policies/#x.md#", "soa.yaml~", "policies/4913"]
        {
            assert!(is_noise(Path::new(noise)), "{noise}");
        }
        for content in
            ["policies/access-control.md", "site.yaml", "documents/report.pdf", "mytheme/static/site.css"]
        {
            assert!(!is_noise(Path::new(content)), "{content}");
        }
    }
}
