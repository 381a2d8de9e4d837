//! The questionnaire page's search index, in small files a browser fetches as a customer
//! types, as Pagefind does and with no server: at 10,000 policies one page holding every
//! entry was 7.6 MB that a phone downloaded whole.
//!
//! The entries are those of the search pages (`search/`, `search/page/2/`, …), numbered in
//! page order: entry `n` is the `n % per_page`-th result of page `n / per_page + 1`. The
//! index names entries by number only; the page script fetches the pages that hold the
//! results it shows, so every result is drawn by the one template.
//!
//! - `search/index/meta.json`: the build id, the entry count, the page size, each kind's
//!   entries, each chunk's first term and file, and the facets' file.
//! - chunks of sorted terms, about `CHUNK_BYTES` each, with the numbers of the entries
//!   holding each term; a query's word is looked up in the chunk that starts at or before
//!   it and in those that start with it.
//! - a facets file: the entries of each answer category and each framework, fetched when a
//!   filter is chosen.
//!
//! Chunks and facets are named by a hash of their bytes, and the build id is the hash of
//! `meta.json` (which names them all): every search page carries it, so the script never
//! maps one build's index onto another build's pages. Number lists are sorted and written
//! as runs (`runs`). What a word is, is decided here once (`fold`, `terms`, `query_words`);
//! search.js repeats it, and `tests/search/vectors.json` holds the two equal.
//!
//! Everything is made from the search entries, which are made from the cut model: the index
//! holds no word the pages do not (`tests/e2e/search_index.rs` checks it against the pages).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::audience::Audience;
use crate::locale::Locale;
use crate::output::kept::PageKey;
use crate::output::{OutputFile, Sink};
use crate::render::questionnaire::SearchEntry;
use crate::site::routes;

/// The characters that join two runs of letters and digits into one term: `A.5.1`,
/// `POL-AC`, `sign-on`, `snake_case`, and the typographic hyphen (U+2010, which the
/// non-breaking hyphen U+2011 folds to).
const JOINERS: [char; 4] = ['.', '-', '_', '\u{2010}'];

/// A join is indexed from each of its words over at most this many words: a chain of N
/// joined words would otherwise give N terms of up to N words each.
const JOIN_WORDS: usize = 4;

/// A term (and a query word) is at most this many characters: longer ones are cut, so no
/// word of the content makes a large index entry.
const TERM_CHARS: usize = 48;

/// Characters that do not show and only split words: the soft hyphen, zero-width space and
/// joiners, the word joiner, the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// `text` as search compares it, so `Résumé`, `RESUME` and `resume` are one word:
/// decomposed (NFKD), lower-cased, without the combining accents U+0300–U+036F and the
/// invisible characters, the final sigma as σ, and composed again (NFC, so a Japanese
/// voiced kana or a Hangul syllable stays one letter). search.js's `fold` does the same
/// steps in the same order.
pub fn fold(text: &str) -> String {
    // Of these steps only the lower-casing changes ASCII: NFKD and NFC leave it as it is, and
    // no ASCII character is a combining accent, an invisible character or a final sigma.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    fold_unicode(text)
}

/// [`fold`]'s steps, for any text.
fn fold_unicode(text: &str) -> String {
    let decomposed: String = text.nfkd().collect();
    decomposed
        .to_lowercase()
        .chars()
        .filter(|&c| !('\u{300}'..='\u{36f}').contains(&c) && !invisible(c))
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .nfc()
        .collect()
}

/// `text` cut to `TERM_CHARS` characters.
fn capped(text: &str) -> String {
    text.chars().take(TERM_CHARS).collect()
}

/// The runs of `text` (folded) that a query's words are compared with: each run of letters
/// and digits (`char::is_alphanumeric`), and each run joined to the next by one joiner,
/// from every word of the join over up to `JOIN_WORDS` words: `a.5.1` gives `a`, `a.5.1`,
/// `5`, `5.1`, `1`. A query word matches an entry when some term of it starts with the
/// word, so `5.1` and `a.5` both find `A.5.1`. Every term is cut to `TERM_CHARS`.
pub fn terms(text: &str) -> Vec<String> {
    let text = fold(text);
    let mut terms = Vec::new();
    for group in groups(&text) {
        for (index, &(start, word_end)) in group.iter().enumerate() {
            terms.push(capped(&text[start..word_end]));
            let last = (index + JOIN_WORDS).min(group.len()) - 1;
            if last > index {
                terms.push(capped(&text[start..group[last].1]));
            }
        }
    }
    terms
}

/// The words of a query: each join (`sign-on`, `a.5.1`) over at most `JOIN_WORDS` words,
/// or run, folded and cut to `TERM_CHARS`. An entry is a result when each of them starts
/// one of its terms.
pub fn query_words(text: &str) -> Vec<String> {
    let text = fold(text);
    groups(&text)
        .into_iter()
        .map(|group| capped(&text[group[0].0..group[group.len().min(JOIN_WORDS) - 1].1]))
        .collect()
}

/// The runs of letters and digits of `text` as byte ranges, grouped where one joiner stands
/// between two runs.
fn groups(text: &str) -> Vec<Vec<(usize, usize)>> {
    let mut groups: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut run: Option<usize> = None;
    // Where the last run ended and the joiner's width, when only one joiner has followed it.
    let mut joinable: Option<(usize, usize)> = None;
    let mut previous_end: Option<usize> = None;
    for (index, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        if c.is_alphanumeric() && index < text.len() {
            if run.is_none() {
                run = Some(index);
            }
            continue;
        }
        if let Some(start) = run.take() {
            let joined = joinable.is_some_and(|(end, width)| start == end + width);
            match groups.last_mut() {
                Some(group) if joined => group.push((start, index)),
                _ => groups.push(vec![(start, index)]),
            }
            previous_end = Some(index);
        }
        // A joiner right after a run may join it to the next; anything else ends the join.
        joinable = match previous_end {
            Some(end) if index == end && JOINERS.contains(&c) => Some((end, c.len_utf8())),
            _ => None,
        };
    }
    groups
}

/// The text of an entry a search reads: what its result shows (title, id, kind or category,
/// text, state, references), as the page's words.
fn entry_text(entry: &SearchEntry, locale: &Locale) -> String {
    let mut text = vec![entry.title.clone(), entry.id.clone(), html_text(&entry.html)];
    text.push(match entry.kind {
        "answer" => entry.category.clone(),
        "policy" => locale.text("search.kind_policy"),
        _ => locale.text("search.kind_control"),
    });
    match entry.state {
        Some("on-request") => text.push(locale.text("search.on_request")),
        Some(state) => text.extend(status_key(state).map(|key| locale.text(key))),
        None => {}
    }
    text.extend(entry.controls.iter().map(|link| link.id.clone()));
    text.extend(entry.policies.iter().map(|link| link.title.clone()));
    text.extend(entry.caiq.iter().cloned());
    text.join("\n")
}

/// The locale key of a control state's label, as the template's `status` macro shows it.
fn status_key(state: &str) -> Option<&'static str> {
    Some(match state {
        "implemented" => "status.implemented",
        "partial" => "status.partial",
        "planned" => "status.planned",
        "not-implemented" => "status.not-implemented",
        "not-applicable" => "status.not-applicable",
        "undecided" => "status.undecided",
        _ => return None,
    })
}

/// The text of rendered HTML: tags dropped, the entities the renderers write decoded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            // A tag ends a word: `<p>a</p><p>b</p>` is two.
            text.push(' ');
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            continue;
        }
        let entity = rest.find(';').filter(|&end| end <= 10).map(|end| &rest[1..end]);
        let decoded = entity.and_then(|name| match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                let number = name.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, entity) {
            (Some(c), Some(name)) => {
                text.push(c);
                rest = &rest[name.len() + 2..];
            }
            _ => {
                text.push('&');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    text
}

/// A sorted list of entry numbers as runs: pairs of (gap after the previous run's end,
/// length). `[3, 4, 5, 9]` is `[3, 3, 3, 1]`.
fn runs(numbers: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut end = 0;
    let mut index = 0;
    while index < numbers.len() {
        let start = numbers[index];
        let mut length = 1;
        while index + length < numbers.len() && numbers[index + length] == start + length as u32 {
            length += 1;
        }
        out.push(start - end);
        out.push(length as u32);
        end = start + length as u32;
        index += length;
    }
    out
}

/// A chunk holds sorted terms until its JSON passes this many bytes: a query fetches one
/// or two of them.
const CHUNK_BYTES: usize = 16 * 1024;

/// A file of the index named by its bytes' SHA-256 (16 hex digits), so a browser's cached
/// copy is never another build's. (A `meta.json` cached from another build is told by its
/// build id.)
fn hashed_file(bytes: Vec<u8>) -> OutputFile {
    let name = short_hash(&bytes);
    OutputFile::new(format!("{}{name}.json", routes::SEARCH_INDEX), bytes, Audience::Public)
}

/// An index file's name in the index folder.
fn file_name(file: &OutputFile) -> &str {
    &file.path[routes::SEARCH_INDEX.len()..]
}

/// The index of one build's search: its files, and its build id (in `meta.json` and on
/// every search page), so the page's script can tell an index or a page of another build
/// (a page left open across a deploy) and not map its results by position.
pub struct Index {
    pub build: String,
    pub files: Vec<OutputFile>,
}

impl Index {
    /// This index's files as made by a page with `key` (see [`kept`]).
    pub fn keyed(self, key: Option<PageKey>) -> Vec<OutputFile> {
        self.files.into_iter().map(|file| file.keyed(key, false)).collect()
    }
}

/// The build id of the index a rebuild in place keeps as the last one made it, with `key`:
/// its `meta.json` names every other file of it, and all of them, `meta.json` included, are
/// kept (`Sink::keep`) only when each is as that build wrote it. `None` when any is not: the
/// index is then made anew.
pub fn kept(sink: &dyn Sink, key: &PageKey) -> Option<String> {
    #[derive(Deserialize)]
    struct Names {
        build: String,
        chunks: Vec<(String, String)>,
        facets: String,
    }
    let meta = format!("{}meta.json", routes::SEARCH_INDEX);
    let names: Names = serde_json::from_slice(&sink.kept_bytes(&meta, key)?).ok()?;
    let others = names.chunks.into_iter().map(|(_, file)| file).chain([names.facets]);
    let mut files = vec![(meta, Audience::Public)];
    files.extend(others.map(|name| (format!("{}{name}", routes::SEARCH_INDEX), Audience::Public)));
    sink.keep(&files, key)?;
    Some(names.build)
}

/// The first 16 hex digits of the SHA-256 of `bytes`.
fn short_hash(bytes: &[u8]) -> String {
    let mut hex = crate::hex::sha256(bytes);
    hex.truncate(16);
    hex
}

/// The index of the search pages' entries (`per_page` to a page).
pub fn index(entries: &[SearchEntry], locale: &Locale, per_page: usize) -> Index {
    use rayon::prelude::*;
    let entry_terms: Vec<Vec<String>> = entries
        .par_iter()
        .map(|entry| {
            let mut terms = terms(&entry_text(entry, locale));
            terms.sort_unstable();
            terms.dedup();
            terms
        })
        .collect();
    // Each term with the entries holding it, in order; then the terms sorted.
    let mut postings: std::collections::HashMap<&str, Vec<u32>> = std::collections::HashMap::new();
    for (number, terms) in entry_terms.iter().enumerate() {
        for term in terms {
            postings.entry(term.as_str()).or_default().push(number as u32);
        }
    }
    let mut postings: Vec<(&str, Vec<u32>)> = postings.into_iter().collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    // Sorted terms, cut into chunks of about `CHUNK_BYTES`; a chunk is found by its first.
    let mut chunks: Vec<Vec<(String, Vec<u32>)>> = Vec::new();
    let mut size = CHUNK_BYTES;
    for (term, numbers) in postings {
        let runs = runs(&numbers);
        if size >= CHUNK_BYTES {
            chunks.push(Vec::new());
            size = 0;
        }
        size += term.len() + 8 + runs.len() * 4;
        chunks.last_mut().expect("a chunk was started").push((term.to_string(), runs));
    }
    let facet = |of: &dyn Fn(&SearchEntry) -> Vec<String>| -> BTreeMap<String, Vec<u32>> {
        let mut lists: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (number, entry) in entries.iter().enumerate() {
            for name in of(entry) {
                lists.entry(name).or_default().push(number as u32);
            }
        }
        lists.into_iter().map(|(name, numbers)| (name, runs(&numbers))).collect()
    };

    #[derive(Serialize)]
    struct Chunk<'a> {
        terms: &'a [(String, Vec<u32>)],
    }
    let chunk_files: Vec<OutputFile> = chunks
        .iter()
        .map(|terms| hashed_file(serde_json::to_vec(&Chunk { terms }).unwrap_or_default()))
        .collect();
    #[derive(Serialize)]
    struct Facets {
        categories: BTreeMap<String, Vec<u32>>,
        frameworks: BTreeMap<String, Vec<u32>>,
    }
    let facets = hashed_file(
        serde_json::to_vec(&Facets {
            categories: facet(&|entry| {
                if entry.kind == "answer" {
                    vec![entry.category.clone()]
                } else {
                    Vec::new()
                }
            }),
            frameworks: facet(&|entry| entry.frameworks.clone()),
        })
        .unwrap_or_default(),
    );
    /// What the script reads first: the entry count, the page size, each kind's entries,
    /// each chunk's first term and file, and the facets' file.
    #[derive(Serialize)]
    struct Meta<'a> {
        /// The hash of this file without it: every other file's name is in it.
        #[serde(skip_serializing_if = "String::is_empty")]
        build: String,
        version: u32,
        entries: usize,
        per_page: usize,
        kinds: BTreeMap<String, Vec<u32>>,
        chunks: Vec<(&'a str, &'a str)>,
        facets: &'a str,
    }
    let mut meta = Meta {
        build: String::new(),
        version: 1,
        entries: entries.len(),
        per_page,
        kinds: facet(&|entry| vec![entry.kind.to_string()]),
        chunks: chunks
            .iter()
            .zip(&chunk_files)
            .map(|(terms, file)| (terms[0].0.as_str(), file_name(file)))
            .collect(),
        facets: file_name(&facets),
    };
    meta.build = short_hash(&serde_json::to_vec(&meta).unwrap_or_default());
    let build = meta.build.clone();
    let meta = serde_json::to_vec(&meta).unwrap_or_default();
    let mut files =
        vec![OutputFile::new(format!("{}meta.json", routes::SEARCH_INDEX), meta, Audience::Public)];
    files.push(facets);
    files.extend(chunk_files);
    Index { build, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_runs_and_joins_from_each_word() {
        assert_eq!(terms("A.5.1"), ["a", "a.5.1", "5", "5.1", "1"]);
        assert_eq!(terms("Single sign-on (SSO)."), ["single", "sign", "sign-on", "on", "sso"]);
        // Two joiners, or a joiner at an end, join nothing.
        assert_eq!(terms("a..b -c d-"), ["a", "b", "c", "d"]);
        assert_eq!(terms("Résumé ÉCOLE naïve"), ["resume", "ecole", "naive"]);
        // Compatibility forms fold: full-width letters, ligatures, mathematical digits.
        assert_eq!(terms("ＭＦＡ ﬁle 𝟚FA"), ["mfa", "file", "2fa"]);
        assert!(terms("  ,;: ").is_empty());
    }

    #[test]
    fn joins_and_terms_are_capped() {
        // A chain of joined words gives joins of at most four words from each.
        let chain = (0..500).map(|n| format!("w{n}")).collect::<Vec<_>>().join("-");
        let all = terms(&chain);
        assert_eq!(all.len(), 999, "one word and one join from each word, none from the last");
        assert!(all.iter().all(|t| t.split('-').count() <= JOIN_WORDS && t.chars().count() <= TERM_CHARS));
        assert_eq!(query_words("w1-w2-w3-w4-w5"), ["w1-w2-w3-w4"]);
        let long = "x".repeat(1000);
        assert_eq!(terms(&long), [long[..TERM_CHARS].to_string()]);
        assert_eq!(query_words(&long), [long[..TERM_CHARS].to_string()]);
        // A query of a long chain still finds its text.
        assert!(terms(&chain).iter().any(|t| t.starts_with(&query_words(&chain)[0])));
    }

    #[test]
    fn fold_keeps_letters_whole_and_drops_what_does_not_show() {
        assert_eq!(terms("が"), ["が"], "a voiced kana stays one letter");
        assert_eq!(terms("soft\u{ad}ware zero\u{200b}width"), ["software", "zerowidth"]);
        assert_eq!(terms("ΚΩΔΙΚΟΣ κωδικος"), ["κωδικοσ", "κωδικοσ"], "the final sigma is σ");
        assert_eq!(query_words("sign\u{2011}on"), query_words("sign\u{2010}on"));
        assert_eq!(terms("sign\u{2010}on"), ["sign", "sign\u{2010}on", "on"]);
    }

    #[test]
    fn ascii_folds_as_any_text_does() {
        // Every ASCII character alone, and seeded random ASCII texts, through both paths.
        let mut texts: Vec<String> = (0u8..128).map(|b| char::from(b).to_string()).collect();
        let mut random = crate::test_rng::Xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let length = random.0 % 40;
            let text = (0..length).map(|_| char::from((random.next() % 128) as u8)).collect();
            texts.push(text);
        }
        for text in &texts {
            assert_eq!(fold(text), fold_unicode(text), "{text:?}");
        }
    }

    #[test]
    fn a_query_word_is_a_whole_join() {
        assert_eq!(query_words("SINGLE SIGN-ON"), ["single", "sign-on"]);
        assert_eq!(query_words("a.5."), ["a.5"]);
        // Every query word starts a term of the same text: a text always finds itself.
        for text in ["A.5.1 policy", "multi-factor authentication", "x_y-z.1 ÄÖÜ", "sign-on"] {
            let terms = terms(text);
            for word in query_words(text) {
                assert!(terms.iter().any(|t| t.starts_with(&word)), "{word} in {terms:?}");
            }
        }
    }

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        assert_eq!(html_text("<p>Tom &amp; Jerry&#39;s <em>x</em></p>"), " Tom & Jerry's  x  ");
        assert_eq!(html_text("a &unknown; b &#x41; &"), "a &unknown; b A &");
    }

    #[test]
    fn number_lists_are_runs() {
        assert_eq!(runs(&[3, 4, 5, 9]), [3, 3, 3, 1]);
        assert_eq!(runs(&[0]), [0, 1]);
        assert!(runs(&[]).is_empty());
    }

    /// The shared vectors of this module and search.js (checked in Chromium by
    /// `tests/browser/search.test.mjs`): both must read every text into the same terms and
    /// query words. Written again with
    /// `TRUSTPRESS_UPDATE_VECTORS=1 cargo test --lib search_index`.
    #[test]
    fn the_shared_vectors_hold() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Vector {
            text: String,
            terms: Vec<String>,
            query_words: Vec<String>,
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/vectors.json");
        let mut texts: Vec<String> = [
            "A.5.1 Policies for information security",
            "Single sign-on (SSO) and multi-factor authentication (MFA/2FA)",
            "POL-AC, CCC-01.1, IAM_14 and snake_case",
            "Résumé, ÉCOLE, naïve, Ærø, straße, İstanbul, ΟΔΟΣ",
            "ＭＦＡ ﬁle 𝟚FA ½ ㎏",
            "a..b -c d- .e f.",
            "日本語のテキスト 中文 한국어",
            "٣٤ ١٢ arabic digits, हिन्दी",
            "zero\u{200b}width non\u{a0}breaking e\u{301}",
            "emoji 🔒 lock, 10.0.0.1/24 and https://trust.example/a-b",
            "w1-w2-w3-w4-w5-w6 and a.b.c.d.e",
            "sign\u{2011}on sign\u{2010}in en\u{2013}dash soft\u{ad}ware",
            "データは暗号化されています が ガ 한국어 ΚΩΔΙΚΟΣ κωδικος",
            "Supercalifragilisticexpialidocious-and-then-some-more-words-to-pass-the-cap",
            "averyveryveryveryveryveryveryveryveryveryverylongwordthatgoesonandon",
        ]
        .map(String::from)
        .to_vec();
        // Seeded random texts over letters, digits, joiners, accents and spaces.
        let alphabet: Vec<char> = "aZ09.-_ éÉ\u{301}ßİﬁＡ1٣中🔒,/\u{a0}\u{200b}Σς".chars().collect();
        let mut seed: u64 = 0x5eed;
        for _ in 0..60 {
            let mut text = String::new();
            for _ in 0..24 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            texts.push(text);
        }
        let computed: Vec<Vector> = texts
            .into_iter()
            .map(|text| Vector { terms: terms(&text), query_words: query_words(&text), text })
            .collect();
        if std::env::var_os("TRUSTPRESS_UPDATE_VECTORS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(&computed).unwrap() + "\n").unwrap();
            return;
        }
        let recorded: Vec<Vector> =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("tests/search/vectors.json"))
                .unwrap();
        assert_eq!(recorded, computed, "write them again and read the diff");
    }
}
