//! The folders of each output folder as the last rebuild in place listed them: for each
//! folder, its metadata and its entries. The next rebuild lists again only the folders whose
//! metadata changed: adding, removing or renaming anything in a folder changes its
//! modification and change times, and no tool can set a change time back. This is git's
//! untracked cache, with the rule the parse cache keeps for files: a folder changed within
//! [`super::SETTLE`] of the listing is not recorded, so a change in the same clock tick as the
//! listing cannot hide behind an unchanged time. `crate::output::InPlace` reads and makes it.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::Path;

use super::folder::{read_output_file, write_output_file};
use super::FileKey;

/// One entry of a listed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEntry {
    /// As the file system has it: not always UTF-8 (such a folder is not recorded).
    pub name: OsString,
    /// A folder (else a file).
    pub folder: bool,
}

/// One folder as listed: its metadata when listed, and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    pub folder: FileKey,
    pub entries: Vec<ListedEntry>,
}

impl ListedFolder {
    /// The listing may be kept: listed long enough after the folder last changed, and every
    /// name fits the record's line format.
    pub fn keepable(&self, settled_before: (i64, i64)) -> bool {
        self.folder.settled(settled_before) && self.entries.iter().all(|entry| fits_name(&entry.name))
    }
}

/// The listed folders of one output folder, by path inside it (`""` for the output itself,
/// `policies/pol-ac`).
pub type Listing = HashMap<String, ListedFolder>;

/// A name the line format keeps as it is.
fn fits_name(name: &OsStr) -> bool {
    name.to_str().is_some_and(fits)
}

/// A name or path segment that the line format keeps as it is.
fn fits(name: &str) -> bool {
    !name.is_empty() && !name.contains(['\t', '\n', '\r', '/'])
}

/// The listing of output folder `out` (canonical), as this binary left it. Empty on any
/// doubt: the folder or file is not private, another binary or folder wrote it, or a line
/// does not read.
pub fn output_listing(out: &Path) -> Listing {
    read(out).unwrap_or_default()
}

fn read(out: &Path) -> Option<Listing> {
    parse(&read_output_file("listing", out)?)
}

/// The listing `text` holds (the record's lines after its header), when every line reads.
fn parse(text: &str) -> Option<Listing> {
    let mut listing = Listing::default();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (path, key) = (fields.next()?, FileKey::parse(fields.next()?)?);
        let path = if path == "." { "" } else { path };
        if !path.is_empty() && !path.split('/').all(fits) {
            return None;
        }
        let entries = fields
            .map(|field| {
                let (name, folder) = match field.strip_suffix('/') {
                    Some(name) => (name, true),
                    None => (field, false),
                };
                fits(name).then(|| ListedEntry { name: name.into(), folder })
            })
            .collect::<Option<Vec<ListedEntry>>>()?;
        listing.insert(path.to_string(), ListedFolder { folder: key, entries });
    }
    Some(listing)
}

/// `listing` as the record's lines, one folder per line, sorted; a folder whose path or a
/// name would break the line format is left out (and listed again).
fn format(listing: &Listing) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut paths: Vec<&String> = listing.keys().collect();
    paths.sort_unstable();
    for path in paths {
        let listed = &listing[path];
        if !(path.is_empty() || path.split('/').all(fits))
            || !listed.entries.iter().all(|e| fits_name(&e.name))
        {
            continue;
        }
        let _ = write!(text, "{}\t{}", if path.is_empty() { "." } else { path }, listed.folder.field());
        for entry in &listed.entries {
            let _ = write!(text, "\t{}{}", entry.name.to_string_lossy(), if entry.folder { "/" } else { "" });
        }
        text.push('\n');
    }
    text
}

/// Keeps `listing` for the next rebuild into `out` (canonical). Failing to write it changes
/// nothing but the next rebuild's time.
pub fn remember_listing(out: &Path, listing: &Listing) {
    write_output_file("listing", out, &format(listing));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_reads_back_as_written_and_a_name_that_would_not_is_left_out() {
        let key = FileKey::parse("4096 100 5 100 5 77 2049").unwrap();
        let entry = |name: &str, folder: bool| ListedEntry { name: name.into(), folder };
        let mut listing = Listing::default();
        listing.insert(
            String::new(),
            ListedFolder { folder: key, entries: vec![entry("index.html", false), entry("policies", true)] },
        );
        listing.insert("policies".into(), ListedFolder { folder: key, entries: vec![entry("pol-ac", true)] });
        listing.insert("policies/pol-ac".into(), ListedFolder { folder: key, entries: vec![] });
        let mut written = listing.clone();
        written.insert("odd".into(), ListedFolder { folder: key, entries: vec![entry("a\tb", false)] });
        written.insert("odd\nline".into(), ListedFolder { folder: key, entries: vec![] });
        let text = format(&written);
        assert_eq!(parse(&text), Some(listing));
        // A record with a line that does not read is not read.
        assert_eq!(parse(&format!("{text}policies/x\t1 2\n")), None);
        assert_eq!(parse(&format!("{text}policies//x\t{}\n", key.field())), None);
    }
}
