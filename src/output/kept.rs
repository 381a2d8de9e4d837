//! Pages a rebuild in place keeps without rendering them again.
//!
//! Each page of a build is given a key: the SHA-256 of everything its rendering reads (the
//! theme, the build's options, the shared site and model values, the search entries, the link
//! targets, and the page's own template, path, title, audience and item; see
//! `crate::render::page_key`). A rebuild in place records each page's key and the metadata of
//! its file once written ([`PageRecord`], kept in the cache folder by
//! `crate::load::cache::page_record`). The next rebuild into the same folder keeps a page
//! without rendering it when:
//!
//! - its key is the recorded one, so rendering it would give the recorded bytes;
//! - its file in the output is, by its metadata (size, modification and change times to the
//!   nanosecond, inode and device), the file that was written, so nobody changed it since;
//! - the gate would admit it: its audience is within the build's, and no file this audience
//!   may not see has its size (the withheld-bytes rule is then checked on its bytes, by
//!   rendering it).
//!
//! Anything else (no record, another binary, a signed build, a file touched by hand) renders
//! the page as before. The record is an accelerator only: a rebuild gives the same output
//! with it, without it and when it cannot be read or written.

use std::collections::HashMap;

use crate::load::cache::FileKey;

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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in key {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    hex
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_written_and_nothing_else_reads() {
        let key: PageKey = std::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(parse_key(&key_hex(&key)), Some(key));
        for bad in ["", "ab", &"g".repeat(64), &"a".repeat(63), &"a".repeat(65), &format!("{}é", "a".repeat(62))] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
