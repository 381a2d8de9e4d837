//! `trustpress check`: the ISMS checked like code. On top of what loading finds (syntax,
//! types, unknown keys, missing files), this module checks references, completeness of the
//! Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d), freshness against a date, and
//! the audience rules. Every problem is a `Diagnostic` with a stable code.

mod access;
mod answers;
mod completeness;
mod file_audience;
mod freshness;
mod history;
mod links;
mod management;
mod overview;
mod references;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::load::{ContentRoot, Loaded};

pub use references::references;

/// The ISMS-quality checks: SoA completeness, freshness against `today`, and the audience
/// rules for links, teasers and documents. `check` fails on their errors; `build` reports
/// them as warnings, because the site shows these states honestly (an "overdue" or
/// "expired" badge, a withheld link as plain text) and a calendar date or a half-written
/// SoA must not stop a fix from being published. Problems that make content unreadable or
/// ambiguous (syntax, types, unknown keys and ids, missing files, paths leaving the
/// content folder) come from loading and `references`, and stop the build.
pub fn quality(loaded: &Loaded, today: Date, placing: Placing) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let mut sources = match placing {
        Placing::KeyLine => Sources::new(&loaded.root),
        Placing::ItemLine => Sources::unread(&loaded.root),
    };
    if !loaded.failed_files.contains(Path::new("soa.yaml")) {
        completeness::soa(&loaded.isms, &mut sources, &mut diagnostics);
    }
    freshness::check(&loaded.isms, today, &mut sources, &mut diagnostics);
    let targets = links::Targets::default();
    links::check(loaded, &targets, &mut sources, &mut diagnostics);
    overview::check(loaded, &targets, &mut diagnostics);
    answers::check(&loaded.isms, &mut sources, &mut diagnostics);
    management::check(&loaded.isms, today, &mut sources, &mut diagnostics);
    history::check(loaded, &mut sources, &mut diagnostics);
    access::check(&loaded.isms, today, &mut sources, &mut diagnostics);
    diagnostics
}

/// Where a finding about one key of an item is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placing {
    /// On the line of the key: its file is read back to find it (`check`, the dev server,
    /// the bundle, which print every finding).
    KeyLine,
    /// On the item's own line, without reading any file back: `build` prints only how many
    /// warnings there are, of which codes, and the command that lists them.
    ItemLine,
}

/// Loads `content` and runs every check: the diagnostics `trustpress check` reports,
/// sorted by file and line. With `cached`, unchanged policies come from the parse cache
/// (`load::cache`); the report is the same either way. Also returns a note when there is no
/// git history to check (or only a shallow part of it).
pub fn check_content(content: &Path, today: Date, cached: bool) -> (Vec<Diagnostic>, Option<String>) {
    let loaded = if cached {
        crate::load::load_cached(content)
    } else {
        crate::load::load(content).map(|l| (l, None))
    };
    match loaded {
        Ok((loaded, cache)) => {
            let mut diagnostics = loaded.diagnostics.clone();
            let ((references, quality), leftovers) = rayon::join(
                || rayon::join(|| references(&loaded), || quality(&loaded, today, Placing::KeyLine)),
                || crate::tripwire::check_every_audience(&loaded.isms),
            );
            diagnostics.extend(references);
            diagnostics.extend(quality);
            if let Some(cache) = cache {
                let failed =
                    leftovers.iter().filter_map(|d| d.location.as_ref()).map(|l| l.file.clone()).collect();
                cache.save(&failed);
            }
            for leftover in leftovers {
                diagnostics.push(leftover);
            }
            let note = loaded.history.note.clone();
            crate::drop_in_background(loaded);
            (diagnostics.into_sorted(), note)
        }
        Err(diagnostics) => (diagnostics.into_sorted(), None),
    }
}

/// Content files read back to place diagnostics on the line of the key they are about.
pub struct Sources<'a> {
    root: &'a ContentRoot,
    /// Whether files are read back at all (not for [`Placing::ItemLine`]).
    read: bool,
    texts: HashMap<PathBuf, Option<String>>,
}

impl<'a> Sources<'a> {
    pub fn new(root: &'a ContentRoot) -> Sources<'a> {
        Sources { root, read: true, texts: HashMap::new() }
    }

    /// Sources that read no file: every finding stays on its item's own line.
    pub fn unread(root: &'a ContentRoot) -> Sources<'a> {
        Sources { root, read: false, texts: HashMap::new() }
    }

    fn text(&mut self, file: &Path) -> Option<&str> {
        if !self.read {
            return None;
        }
        let root = self.root;
        self.texts.entry(file.to_path_buf()).or_insert_with(|| root.read_text(file).ok()).as_deref()
    }

    /// Where `key:` is written in `file`, searching from `item`'s line to the end of that
    /// item (the next top-level list entry). Falls back to the item's own location.
    pub fn key(&mut self, item: &Location, key: &str) -> Location {
        let Some(text) = self.text(&item.file) else { return item.clone() };
        let start = item.line.max(1) as usize;
        let pattern = format!("{key}:");
        for (index, line) in text.lines().enumerate().skip(start - 1) {
            let number = index + 1;
            if number > start && line.starts_with('-') {
                break;
            }
            let trimmed =
                line.trim_start().trim_start_matches("- ").trim_start_matches(['{', '[']).trim_start();
            if trimmed.starts_with(&pattern) || trimmed.starts_with(&format!("\"{key}\":")) {
                let column = line.len() - trimmed.len() + 1;
                return Location::at(&item.file, number as u32, column as u32);
            }
        }
        item.clone()
    }

    /// Where a mapping key (`A.5.15:`) is written, anywhere after `from`'s line.
    pub fn mapping_key(&mut self, from: &Location, key: &str) -> Location {
        let Some(text) = self.text(&from.file) else { return from.clone() };
        let pattern = format!("{key}:");
        for (index, line) in text.lines().enumerate().skip(from.line.max(1) as usize - 1) {
            let trimmed = line.trim_start();
            if trimmed.starts_with(&pattern) {
                return Location::at(&from.file, (index + 1) as u32, (line.len() - trimmed.len() + 1) as u32);
            }
        }
        from.clone()
    }

    /// The line of `text` (a value) in `file`, at or after `item`'s line.
    pub fn value(&mut self, item: &Location, value: &str) -> Location {
        let Some(text) = self.text(&item.file) else { return item.clone() };
        let start = item.line.max(1) as usize;
        for (index, line) in text.lines().enumerate().skip(start - 1) {
            if let Some(column) = line.find(value) {
                return Location::at(&item.file, (index + 1) as u32, (column + 1) as u32);
            }
        }
        item.clone()
    }

    /// The source line of a location, for the snippet under a diagnostic.
    pub fn line(&mut self, location: &Location) -> Option<String> {
        if location.line == 0 {
            return None;
        }
        self.text(&location.file)?.lines().nth(location.line as usize - 1).map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build places its warnings on their items' lines and reads no file back; they are
    /// otherwise the very findings `check` reports, in the same order, each on the same line
    /// or on the line of the item that holds its key.
    #[test]
    fn findings_placed_on_item_lines_are_the_findings_placed_on_key_lines() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let loaded = crate::load::load(&content).expect("the example loads");
        // Years after the example's dates: reviews, evidence and answers are all overdue.
        let today = Date::parse("2031-06-01").expect("a date");
        let on_keys: Vec<Diagnostic> = quality(&loaded, today, Placing::KeyLine).iter().cloned().collect();
        let on_items: Vec<Diagnostic> = quality(&loaded, today, Placing::ItemLine).iter().cloned().collect();
        assert_eq!(on_keys.len(), on_items.len());
        let mut moved = 0;
        for (on_key, on_item) in on_keys.iter().zip(&on_items) {
            let what = |d: &Diagnostic| (d.severity, d.code, d.message.clone(), d.hint.clone());
            assert_eq!(what(on_key), what(on_item));
            let (Some(key), Some(item)) = (&on_key.location, &on_item.location) else {
                assert_eq!(on_key.location, on_item.location);
                continue;
            };
            assert_eq!(key.file, item.file, "{}", on_key.message);
            assert!(
                item.line <= key.line,
                "{}: item line {} after key line {}",
                on_key.message,
                item.line,
                key.line
            );
            moved += usize::from(item.line != key.line);
        }
        // The example at that date has findings of many kinds, most placed on a key's line.
        assert!(on_keys.len() >= 20, "{} findings", on_keys.len());
        assert!(moved >= 10, "{moved} findings placed on a key's line");
    }
}
