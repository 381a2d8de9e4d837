//! Markdown files (policies, updates, audits, reviews): the front matter parsed into the
//! item, the rest kept as its body, and the body's audience blocks checked at their line.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::{cache, yaml, ContentRoot};
use crate::audience_blocks;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::{Markdown, Policy};

/// One markdown file's outcome: its item (when the front matter parsed), its problems, and,
/// when it failed, the text to recover its ids from.
pub(super) struct ParsedMarkdown<T> {
    pub(super) item: Option<(T, Markdown)>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) failed_text: Option<String>,
}

impl<T> ParsedMarkdown<T> {
    /// A file that failed: its problem, and the text to recover its ids from, when read.
    fn failed(diagnostic: Diagnostic, text: Option<String>) -> ParsedMarkdown<T> {
        ParsedMarkdown { item: None, diagnostics: vec![diagnostic], failed_text: text }
    }

    /// An item with `body`, the body's audience blocks checked.
    fn parsed(file: &Path, item: T, body: Markdown) -> ParsedMarkdown<T> {
        let diagnostics = fence_diagnostics(file, &body);
        ParsedMarkdown { item: Some((item, body)), diagnostics, failed_text: None }
    }
}

pub(super) fn parse_markdown_file<T: DeserializeOwned>(root: &ContentRoot, file: &Path) -> ParsedMarkdown<T> {
    match root.read_text(file) {
        Ok(text) => parse_markdown_text(file, text, None),
        Err(diagnostic) => ParsedMarkdown::failed(diagnostic, None),
    }
}

/// [`parse_markdown_file`] of `text`, the text of `file`.
/// `hash` is the BLAKE3 hash of `text`, where the caller has it: the body then knows what it is
/// made from (`Markdown::made_from`).
fn parse_markdown_text<T: DeserializeOwned>(
    file: &Path,
    text: String,
    hash: Option<[u8; 32]>,
) -> ParsedMarkdown<T> {
    let split = match yaml::split_front_matter(&text, file) {
        Ok(split) => split,
        Err(diagnostic) => return ParsedMarkdown::failed(diagnostic, Some(text.clone())),
    };
    let (body_start, body_first_line) = (text.len() - split.body.len(), split.body_first_line);
    match yaml::parse::<T>(split.yaml, file, split.yaml_first_line) {
        Ok(value) => ParsedMarkdown::parsed(file, value, body_of(text, body_start, body_first_line, hash)),
        Err(diagnostic) => ParsedMarkdown::failed(diagnostic, Some(split.yaml.to_string())),
    }
}

/// The body of a markdown file's `text`, which starts at byte `start` and line `first_line`:
/// it keeps the file's buffer, the front matter taken off its front. `hash`: the BLAKE3 hash of
/// `text`, where known.
fn body_of(mut text: String, start: usize, first_line: u32, hash: Option<[u8; 32]>) -> Markdown {
    text.drain(..start);
    match hash {
        Some(hash) => Markdown::of_file(text, first_line, hash),
        None => Markdown::new(text, first_line),
    }
}

/// `parsed`, after `cache` is offered it under `key` when it parsed without any problem.
fn remember_clean(
    cache: &cache::ParseCache,
    file: &Path,
    key: cache::EntryKey,
    parsed: ParsedMarkdown<Policy>,
) -> ParsedMarkdown<Policy> {
    if parsed.diagnostics.is_empty() {
        if let Some((policy, body)) = parsed.item.as_ref() {
            cache.remember(file, key, policy, body);
        }
    }
    parsed
}

/// A policy file from `check`'s cache when it has not changed since it was cached, else
/// parsed, and cached when it parsed without problems.
/// `key` is the file's metadata key from the listing, taken before the file is read: a file
/// that changes in between is cached under its old key, which then no longer matches.
pub(super) fn parse_policy_cached(
    root: &ContentRoot,
    cache: &cache::ParseCache,
    file: &Path,
    key: Option<cache::FileKey>,
) -> ParsedMarkdown<Policy> {
    let Some(key) = key else { return parse_markdown_file(root, file) };
    if let Some(item) = cache.policy(file, key.into()) {
        return ParsedMarkdown { item: Some(item), diagnostics: Vec::new(), failed_text: None };
    }
    remember_clean(cache, file, key.into(), parse_markdown_file::<Policy>(root, file))
}

/// A policy file for a build: its text is always read; what its front matter parses to and
/// its body's links come from the build's cache when the cache holds them for this very text
/// (`cache::Kind::Build`), else it is parsed, and cached when it parsed without problems.
/// Either way the body is the file's, and its audience blocks are checked.
pub(super) fn parse_policy_by_text(
    root: &ContentRoot,
    cache: &cache::ParseCache,
    file: &Path,
) -> ParsedMarkdown<Policy> {
    let text = match root.read_text(file) {
        Ok(text) => text,
        Err(diagnostic) => return ParsedMarkdown::failed(diagnostic, None),
    };
    let key = cache::EntryKey::of_text(&text);
    let hash = match key {
        cache::EntryKey::Text(hash) => Some(hash),
        cache::EntryKey::File(_) => None,
    };
    if let Some((policy, cached)) = cache.policy(file, key) {
        let split = yaml::split_front_matter(&text, file).ok();
        if let Some(body_start) = split
            .filter(|split| split.body_first_line == cached.first_line)
            .map(|split| text.len() - split.body.len())
        {
            return ParsedMarkdown::parsed(file, policy, body_of(text, body_start, cached.first_line, hash));
        }
    }
    remember_clean(cache, file, key, parse_markdown_text::<Policy>(file, text, hash))
}

/// Parses one policy file again (the dev server, after an edit): the policy and its body, or
/// `None` when the file has any problem at all (a full build then reports it).
pub fn reparse_policy(root: &ContentRoot, file: &Path) -> Option<(crate::model::Policy, Markdown)> {
    let parsed = parse_markdown_file::<crate::model::Policy>(root, file);
    if !parsed.diagnostics.is_empty() {
        return None;
    }
    parsed.item
}

/// A policy file's bytes from git history, read as a file of the content folder is: the
/// policy with its body, and whether its audience blocks parse. `None` when the loader would
/// refuse the file (not UTF-8, no front matter, a field it does not know).
pub fn parse_policy_bytes(bytes: &[u8]) -> Option<(Policy, bool)> {
    if bytes.len() as u64 > super::files::MAX_TEXT_FILE_BYTES {
        return None;
    }
    let text = super::files::decode_text(bytes).ok()?;
    let file = Path::new("policy.md");
    let split = yaml::split_front_matter(&text, file).ok()?;
    let mut policy: Policy = yaml::parse(split.yaml, file, split.yaml_first_line).ok()?;
    policy.body = Markdown::new(split.body, split.body_first_line);
    let blocks_parse = audience_blocks::validate(&policy.body.text).is_empty();
    Some((policy, blocks_parse))
}

/// What every audience-block error says a fence is.
pub const FENCE_HINT: &str = "an audience block is a line `::: internal` or `::: auditor` and a line `:::`, each at the first column of top-level text (the grammar is in docs/AUDIENCES.md)";

/// Malformed `::: audience` blocks, at their line in the file.
pub(super) fn fence_diagnostics(file: &Path, markdown: &Markdown) -> Vec<Diagnostic> {
    audience_blocks::validate(&markdown.text)
        .into_iter()
        .map(|error| {
            let line = markdown.first_line.max(1) + error.line - 1;
            Diagnostic::error("audience-block", error.message)
                .at(Location::at(file, line, error.column))
                .hint(FENCE_HINT)
        })
        .collect()
}
