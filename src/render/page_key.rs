//! The key of everything one page's rendering reads, for a rebuild in place to keep the pages
//! whose key did not change (see `crate::output::kept`).
//!
//! A page is rendered by the theme's templates, in the interface language, from the template
//! variables every page shares (`site`, `model`, `search`, and `nav`, which is rendered from
//! `site` and `model`), the build's options, the link targets its markdown resolves against,
//! and its own template, path, title, audience and item. [`build_key`] hashes what every page
//! shares; [`page_key`] adds the page's own. The strings of the shipped languages and the
//! default theme are part of the binary, which the record names (a record of another binary
//! is not read). Every value is hashed as JSON in a fixed order: maps and sets are sorted.

use std::io;

use minijinja::Value;
use serde::Serialize;

use crate::markdown::LinkTargets;
use crate::output::kept::PageKey;
use crate::render::page::{Item, Page};
use crate::render::questionnaire::SearchEntry;
use crate::render::theme::Theme;
use crate::render::view::SiteModel;
use crate::render::RenderOptions;

/// A BLAKE3 hasher that serde writes JSON into, through a buffer: serde writes a value in
/// many small pieces (a quote, a comma, a key), and hashing each piece as it comes costs more
/// than gathering them. The hash is that of the bytes in the order written. BLAKE3, not
/// SHA-256: a key is never shown or kept outside the cache folder, and BLAKE3 hashes a
/// buffer of 16 KB about two and a half times as fast, its chunks side by side.
struct Hasher {
    hash: blake3::Hasher,
    buffer: Vec<u8>,
}

/// How many bytes [`Hasher`] gathers before hashing them.
const BUFFER: usize = 16 * 1024;

impl io::Write for Hasher {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.put(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Hasher {
    fn new(tag: &str) -> Hasher {
        let mut hasher = Hasher { hash: blake3::Hasher::new(), buffer: Vec::with_capacity(BUFFER) };
        hasher.text(tag);
        hasher
    }

    /// A value as JSON, then a separator no JSON text holds: no two values run together.
    fn json(&mut self, value: &impl Serialize) -> Result<(), serde_json::Error> {
        self.json_with(|hasher| serde_json::to_writer(hasher, value))
    }

    /// JSON written by `write`, then the separator (see [`Hasher::json`]). `write` gets the
    /// hasher itself, not a `dyn Write`: serde writes a large value in millions of small
    /// pieces, and each is then a call the compiler can inline.
    fn json_with(
        &mut self,
        write: impl FnOnce(&mut Hasher) -> Result<(), serde_json::Error>,
    ) -> Result<(), serde_json::Error> {
        write(self)?;
        self.put(&[0xff]);
        Ok(())
    }

    /// A text, with its length first.
    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.put(&(bytes.len() as u64).to_le_bytes());
        self.put(bytes);
    }

    /// Bytes to hash: gathered, or (a large piece) hashed at once after what was gathered.
    fn put(&mut self, bytes: &[u8]) {
        if self.buffer.len() + bytes.len() > BUFFER {
            self.hash.update(&self.buffer);
            self.buffer.clear();
        }
        if bytes.len() > BUFFER {
            self.hash.update(bytes);
        } else {
            self.buffer.extend_from_slice(bytes);
        }
    }

    fn finish(mut self) -> PageKey {
        self.hash.update(&self.buffer);
        *self.hash.finalize().as_bytes()
    }
}

/// What every page of one build reads. `None` when a value does not serialize: every page
/// is then rendered.
pub(crate) fn build_key(
    theme: &Theme,
    options: &RenderOptions,
    site: &Value,
    model: &SiteModel,
    search: &[SearchEntry],
    targets: &LinkTargets,
) -> Option<PageKey> {
    let mut hasher = Hasher::new("trustpress pages 1");
    for (name, source) in &theme.templates {
        hasher.text(name);
        hasher.text(source);
    }
    for (name, bytes) in &theme.statics {
        hasher.text(name);
        hasher.bytes(bytes);
    }
    for (language, source) in &theme.locales {
        hasher.text(language);
        hasher.text(&source.file);
        hasher.text(&source.text);
    }
    let RenderOptions { today, base_url, target, signed } = options;
    hasher.json(&(today, base_url, format!("{target:?}"), signed)).ok()?;
    hasher.json(site).ok()?;
    // The model, its policies (which it hands to templates apart from the rest: its JSON
    // leaves them out), the search entries and the link targets (one per policy, sorted)
    // are the large values: hashed in parallel.
    let hash = |tag: &str, value: &(dyn Fn(&mut Hasher) -> Result<(), serde_json::Error> + Sync)| {
        let mut hasher = Hasher::new(tag);
        value(&mut hasher).ok().map(|()| hasher.finish())
    };
    let link_targets = |hasher: &mut Hasher| {
        // As text, sorted: comparing paths component by component is several times slower,
        // and any one order will do. The loader names no file that is not UTF-8; were one
        // here, the build would have no key and render every page.
        let mut sources = Vec::with_capacity(targets.sources.len());
        for (source, path) in &targets.sources {
            let source = source.to_str().ok_or_else(|| serde::ser::Error::custom("a path is not UTF-8"))?;
            sources.push((source, path));
        }
        sources.sort_unstable();
        let mut pages: Vec<&String> = targets.pages.iter().collect();
        pages.sort_unstable();
        let mut anchors: Vec<&String> = targets.faq_anchors.iter().collect();
        anchors.sort_unstable();
        hasher.json(&(sources, pages, anchors))
    };
    let ((model, policies), (search, targets)) = rayon::join(
        || {
            rayon::join(
                || hash("model", &|hasher| hasher.json(model)),
                || hash("policies", &|hasher| hasher.json(&&model.policies[..])),
            )
        },
        || rayon::join(|| hash("search", &|hasher| hasher.json(&search)), || hash("targets", &link_targets)),
    );
    for part in [model, policies, search, targets] {
        hasher.bytes(&part?);
    }
    Some(hasher.finish())
}

/// What one page reads beyond what every page does (`build`, from [`build_key`]).
pub(crate) fn page_key(build: &PageKey, page: &Page) -> Option<PageKey> {
    let mut hasher = Hasher::new("page");
    hasher.bytes(build);
    hasher.text(page.template);
    hasher.text(&page.path);
    hasher.text(&page.title);
    hasher.json(&(page.audience, page.has_code)).ok()?;
    match &page.item {
        None => hasher.text(""),
        Some((name, Item::Value(value))) => {
            hasher.text(name);
            hasher.json(value).ok()?;
        }
        Some((name, Item::Lazy(item))) => {
            hasher.text(name);
            hasher.json_with(|out| item.write_json(out)).ok()?;
        }
        Some((name, Item::Listing(listing))) => {
            // Its items are a run of a list the build key holds whole: its place in that
            // list stands for them.
            hasher.text(name);
            hasher.json_with(|out| listing.write_place(out)).ok()?;
        }
        Some((name, Item::Changes(changes, policy))) => {
            // What its view is made from, every text included: the view itself (their
            // comparisons) is made only when the page renders. Each section by what is not
            // in the build key already: its two rows are its policy's view's (every policy
            // view, history rows and all, is), and its control links the model's controls.
            hasher.text(name);
            hasher.json(&changes.head).ok()?;
            for change in &changes.versions {
                hasher.json(&change.made_from()).ok()?;
                // Each text by what it is made from (the text git holds, and the reader it
                // was cut for) where that is known, which spares hashing them; else as it is.
                match change.text_keys() {
                    Some((older, newer)) => {
                        hasher.text("made from");
                        hasher.text(older);
                        hasher.text(newer);
                    }
                    None => {
                        // A text that cannot be read gives no key: the page renders, and
                        // reports why.
                        let (older, newer) = change.texts(policy).ok()?;
                        hasher.text("texts");
                        hasher.text(&older);
                        hasher.text(&newer);
                    }
                }
            }
        }
        Some((name, Item::Policy(_view, policy))) => {
            hasher.text(name);
            // Its view is not hashed again: the build key holds every policy's view, in
            // order, and the page's path is its view's. Its body is rendered from its text,
            // which no view holds, and its links resolved from its file. The text by what it
            // is made from where that is known (its file's hash, which the build's parse
            // cache has taken already, and the reader it was cut for), which spares hashing
            // a large site's text a second time; else as it is.
            match policy.body.made_from() {
                Some((file, cut_for)) => {
                    hasher.text("made from");
                    hasher.bytes(&file);
                    hasher.json(&cut_for).ok()?;
                }
                None => {
                    hasher.text("text");
                    hasher.text(&policy.body.text);
                }
            }
            hasher.json(&policy.source.file).ok()?;
        }
    }
    Some(hasher.finish())
}

/// The key of the search index: made from the search entries, in the interface language,
/// a page size the build's target sets, all of which every page reads too.
pub(crate) fn search_index_key(build: &PageKey) -> PageKey {
    let mut hasher = Hasher::new("search index");
    hasher.bytes(build);
    hasher.finish()
}

/// The key of a file made by code from `inputs` alone (not by a template): the workbook of
/// answers, the syntax stylesheet. `tag` names the file's maker.
pub(crate) fn file_key(tag: &str, inputs: &impl Serialize) -> Option<PageKey> {
    let mut hasher = Hasher::new(tag);
    hasher.json(inputs).ok()?;
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the pieces' sizes, the buffered hash is the BLAKE3 hash of the bytes in order.
    #[test]
    fn the_buffered_hash_is_the_hash_of_the_bytes_written() {
        let mut random = crate::test_rng::Xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            let mut hasher = Hasher { hash: blake3::Hasher::new(), buffer: Vec::with_capacity(BUFFER) };
            let mut all = Vec::new();
            for _ in 0..(random.0 % 40) {
                let seed = random.next();
                let size = match seed % 4 {
                    0 => (seed >> 8) as usize % 3,
                    1 => (seed >> 8) as usize % 100,
                    2 => BUFFER - 2 + (seed >> 8) as usize % 5,
                    _ => (seed >> 8) as usize % (3 * BUFFER),
                };
                let piece: Vec<u8> = (0..size).map(|i| (i as u64 ^ seed) as u8).collect();
                io::Write::write_all(&mut hasher, &piece).unwrap();
                all.extend_from_slice(&piece);
            }
            let expected: PageKey = *blake3::hash(&all).as_bytes();
            assert_eq!(hasher.finish(), expected);
        }
    }
}
