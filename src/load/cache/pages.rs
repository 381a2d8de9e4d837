//! The pages of each output folder as the last rebuild in place left them: for each page,
//! the key of everything it was rendered from, whether it shows code, and the file's
//! metadata once written. The next rebuild into the same folder keeps a page whose key and
//! file are unchanged instead of rendering it again (see `crate::output::kept`, which uses
//! these types).

use std::collections::HashMap;
use std::path::Path;

use super::folder::{read_output_file, write_output_file};
use super::FileKey;

/// The SHA-256 of everything a page's rendering reads.
pub type PageKey = [u8; 32];

/// What the record keeps of one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptPage {
    pub key: PageKey,
    /// The page shows code (and the site needs the syntax stylesheet).
    pub has_code: bool,
    /// Its file in the output, as written.
    pub file: FileKey,
}

/// The pages of one output folder, by path inside it (`policies/pol-ac/index.html`).
pub type PageRecord = HashMap<String, KeptPage>;

/// A page's key, in hex.
pub fn key_hex(key: &PageKey) -> String {
    crate::hex::hex(key)
}

/// A key written by [`key_hex`]: 64 hex digits.
pub fn parse_key(hex: &str) -> Option<PageKey> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[index * 2..index * 2 + 2], 16).ok()?;
    }
    Some(key)
}

/// The record of output folder `out` (canonical), as this binary left it. An empty record on
/// any doubt: the folder or file is not private, another binary or folder wrote it, or a
/// line does not read.
pub fn page_record(out: &Path) -> PageRecord {
    read(out).unwrap_or_default()
}

fn read(out: &Path) -> Option<PageRecord> {
    let text = read_output_file("pages", out)?;
    let mut record = PageRecord::default();
    for line in text.lines() {
        let mut fields = line.split('\t');
        let (Some(path), Some(key), Some(has_code), Some(file), None) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let key = parse_key(key)?;
        let has_code = match has_code {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        record.insert(path.to_string(), KeptPage { key, has_code, file: FileKey::parse(file)? });
    }
    Some(record)
}

/// Keeps `record` for the next rebuild into `out` (canonical). Failing to write it changes
/// nothing but the next rebuild's time.
pub fn remember_pages(out: &Path, record: &PageRecord) {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut paths: Vec<&String> = record.keys().collect();
    paths.sort_unstable();
    for path in paths {
        // A path that would break the line format is not kept: that page is rendered again.
        if path.contains(['\t', '\n', '\r']) {
            continue;
        }
        let page = &record[path];
        let key = key_hex(&page.key);
        let _ = writeln!(text, "{path}\t{key}\t{}\t{}", u8::from(page.has_code), page.file.field());
    }
    write_output_file("pages", out, &text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_written_and_nothing_else_reads() {
        let key: PageKey = std::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(parse_key(&key_hex(&key)), Some(key));
        for bad in
            ["", "ab", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{}é", "a".repeat(62))]
        {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
