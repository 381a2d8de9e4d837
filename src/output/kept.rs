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
//! - the gate would admit it: its audience is within the build's, and, when a file this
//!   audience may not see has its size, its bytes (read from the output, the file's metadata
//!   checked again after reading) are none of that file's.
//!
//! Files made together under one key are kept together or not at all: the search index (its
//! `meta.json` names the others, read back with `Sink::kept_bytes`), and a page with its
//! markdown copy.
//!
//! Anything else (no record, another binary, a signed build, a file touched by hand) renders
//! the page as before. The record is an accelerator only: a rebuild gives the same output
//! with it, without it and when it cannot be read or written.

pub use crate::load::cache::{key_hex, parse_key, KeptPage, PageKey, PageRecord};
