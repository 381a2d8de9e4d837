//! The questionnaire search at scale (issue 22): the entries in pages of 100 that a reader
//! without JavaScript walks, and the index in chunks the page's script fetches. The index is
//! held to the pages: every word it gives an entry is on that entry's result, every word of
//! a result's title and text is in the index, and its kinds and facets are the results'. A
//! withheld entry is on no page and in no index file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{build, example_content, read_tree, text};
use crate::pagination::{corpus, pages_of};
use trustpress::render::search_index::{query_words, terms};

/// One result of a search page: its kind, id, frameworks, and its text and its title and
/// body's text (tags dropped, entities decoded).
#[derive(Debug)]
struct Result {
    kind: String,
    id: String,
    frameworks: Vec<String>,
    text: String,
    title_and_body: String,
}

fn attribute(tag: &str, name: &str) -> String {
    tag.split(&format!(" {name}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// HTML as text, independently of the index's own reader: tags become spaces.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The results of one search page, in order.
fn results(page: &str) -> Vec<Result> {
    // Answers hold lists of their own: the list ends where the "more" button follows it.
    let list = page.split("<ol class=\"results\" id=\"results\">").nth(1).expect("a results list");
    let list = list.split("id=\"more-results\"").next().unwrap();
    list.split("<li class=\"result ")
        .skip(1)
        .map(|item| {
            let tag = item.split('>').next().unwrap();
            let title =
                item.split("<h2 class=\"result-title\">").nth(1).unwrap().split("</h2>").next().unwrap();
            let body = item
                .split("<div class=\"prose result-body\">")
                .nth(1)
                .map(|rest| rest.split("<p class=\"").next().unwrap())
                .unwrap_or_default();
            Result {
                kind: attribute(tag, "data-kind"),
                id: attribute(tag, "data-id"),
                frameworks: attribute(tag, "data-frameworks")
                    .split('|')
                    .filter(|f| !f.is_empty())
                    .map(html_text)
                    .collect(),
                text: html_text(&item[tag.len() + 1..]),
                title_and_body: html_text(&format!("{title} {body}")),
            }
        })
        .collect()
}

/// A list written as runs (gap after the previous run's end, length), as numbers.
fn decode(runs: &Value) -> Vec<usize> {
    let runs: Vec<usize> = runs.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as usize).collect();
    let mut out = Vec::new();
    let mut at = 0;
    for pair in runs.chunks(2) {
        at += pair[0];
        out.extend(at..at + pair[1]);
        at += pair[1];
    }
    out
}

fn json(tree: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_str(&text(tree, &format!("search/index/{name}"))).unwrap()
}

/// Every result of the search, page after page.
fn every_result(tree: &BTreeMap<String, Vec<u8>>) -> (Vec<String>, Vec<Result>) {
    let pages = pages_of(tree, "search/");
    let results = pages.iter().flat_map(|path| results(&text(tree, &format!("{path}index.html")))).collect();
    (pages, results)
}

#[test]
fn the_index_holds_exactly_the_words_of_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let tree = read_tree(&out);
    let (pages, results) = every_result(&tree);
    assert!(pages.len() >= 2, "the example's search has two pages: {pages:?}");
    let meta = json(&tree, "meta.json");
    assert_eq!(meta["entries"].as_u64().unwrap() as usize, results.len());
    assert_eq!(meta["per_page"], 100);

    // Each entry's terms, from every chunk; the chunks in order, as the script's lookup
    // assumes: each starts after the one before, and holds its terms from its first on.
    let chunks = meta["chunks"].as_array().unwrap();
    let mut indexed: Vec<BTreeSet<String>> = vec![BTreeSet::new(); results.len()];
    let mut last = String::new();
    for (index, chunk) in chunks.iter().enumerate() {
        let first = chunk[0].as_str().unwrap();
        let file = json(&tree, chunk[1].as_str().unwrap());
        let next = chunks.get(index + 1).map(|c| c[0].as_str().unwrap());
        for pair in file["terms"].as_array().unwrap() {
            let term = pair[0].as_str().unwrap();
            assert!(term > last.as_str() || last.is_empty(), "terms are sorted: {last} then {term}");
            assert!(term >= first && next.is_none_or(|next| term < next), "{term} is in its chunk");
            for number in decode(&pair[1]) {
                indexed[number].insert(term.to_string());
            }
            last = term.to_string();
        }
    }
    let mut words_checked = 0;
    for (number, result) in results.iter().enumerate() {
        let on_page: BTreeSet<String> =
            terms(&format!("{} {}", result.text, result.id)).into_iter().collect();
        let extra: Vec<&String> = indexed[number].difference(&on_page).collect();
        assert!(
            extra.is_empty(),
            "{} {}: the index has words its result does not show: {extra:?}",
            result.kind,
            result.id
        );
        for term in terms(&result.title_and_body) {
            assert!(
                indexed[number].contains(&term),
                "{} {}: {term} is not in the index",
                result.kind,
                result.id
            );
            words_checked += 1;
        }
    }
    assert!(words_checked > 2000, "{words_checked}");

    // The kinds and facets are the results'.
    for (kind, runs) in meta["kinds"].as_object().unwrap() {
        let expected: Vec<usize> = (0..results.len()).filter(|&n| &results[n].kind == kind).collect();
        assert_eq!(decode(runs), expected, "{kind}");
    }
    let facets = json(&tree, meta["facets"].as_str().unwrap());
    let frameworks = facets["frameworks"].as_object().unwrap();
    assert!(frameworks.len() >= 3);
    for (name, runs) in frameworks {
        let expected: Vec<usize> =
            (0..results.len()).filter(|&n| results[n].frameworks.contains(name)).collect();
        assert_eq!(decode(runs), expected, "{name}");
    }
    // A query word is looked up as its whole join.
    assert_eq!(query_words("Single sign-on"), ["single", "sign-on"]);
}

#[test]
fn the_search_is_paged_and_every_entry_is_on_exactly_one_page_of_its_audience() {
    let dir = tempfile::tempdir().unwrap();
    let content = corpus(dir.path(), 230);
    for audience in ["public", "internal"] {
        let out = dir.path().join(audience);
        build(&content, &out, audience).success();
        let tree = read_tree(&out);
        let (pages, results) = every_result(&tree);
        for (index, path) in pages.iter().enumerate() {
            let page = text(&tree, &format!("{path}index.html"));
            let count = results_on(&page);
            assert!(count <= 100 && count > 0, "{path}: {count}");
            if index > 0 {
                assert_eq!(*path, format!("search/page/{}/", index + 1), "stable addresses");
                assert!(page.contains(&format!("data-first=\"{}\"", index * 100)), "{path}");
            }
        }
        let keys: BTreeSet<(String, String)> =
            results.iter().map(|r| (r.kind.clone(), r.id.clone())).collect();
        assert_eq!(keys.len(), results.len(), "{audience}: no entry is on two pages");
        let meta = json(&tree, "meta.json");
        assert_eq!(meta["entries"].as_u64().unwrap() as usize, results.len());
        let sitemap = text(&tree, "sitemap.xml");
        for path in pages.iter().skip(1) {
            assert!(sitemap.contains(&format!("/{path}</loc>")), "the sitemap lists {path}");
        }
        // Every fourth generated policy is internal, with a marker in its summary.
        let internal = results.iter().any(|r| r.id == "POL-GEN-004");
        assert_eq!(internal, audience == "internal", "{audience}");
        let index_files: String = tree
            .iter()
            .filter(|(path, _)| path.starts_with("search/"))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).to_lowercase())
            .collect();
        assert_eq!(index_files.contains("internalonly"), audience == "internal", "{audience}");
        assert_eq!(index_files.contains("pol-gen-004"), audience == "internal", "{audience}");
    }
}

fn results_on(page: &str) -> usize {
    page.matches("<li class=\"result ").count()
}

/// The bundle is read from disk, where a page cannot fetch: one page with every entry, and
/// no index.
#[test]
fn the_bundle_has_one_search_page_and_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut bundle = crate::common::example_bundle(&dir.path().join("bundle.zip"), "1780000000");
    let names: Vec<String> =
        (0..bundle.len()).map(|i| bundle.by_index(i).unwrap().name().unwrap().to_string()).collect();
    assert!(!names.iter().any(|n| n.contains("search/index/") || n.contains("search/page/")), "{names:?}");
    let name = names.iter().find(|n| n.ends_with("search/index.html")).expect("a search page").clone();
    let mut page = String::new();
    std::io::Read::read_to_string(&mut bundle.by_name(&name).unwrap(), &mut page).unwrap();
    assert!(results_on(&page) > 100, "{}", results_on(&page));
    assert!(!page.contains("data-index="), "the bundle's search filters in place");
}

/// Content cannot make the index large: a chain of 3,000 joined words and a word of 20,000
/// letters give terms of at most four words and 48 characters, so the index grows with the
/// text, not with its square, and `meta.json` (which every search fetches) stays small.
#[test]
fn joined_chains_and_long_words_keep_the_index_small() {
    let dir = tempfile::tempdir().unwrap();
    let content = crate::common::example_copy(dir.path());
    let chain = (0..3000).map(|n| format!("w{n}")).collect::<Vec<_>>().join("-");
    let long = "x".repeat(20_000);
    std::fs::write(
        content.join("policies/chain.md"),
        format!(
            "---\nid: POL-CHAIN\ntitle: Chain\nversion: \"1.0\"\nowner: Team\napproved_by: Board\n\
             approved: 2026-06-01\nreview_every: 12 months\naudience: public\nsummary: {chain} {long}\n---\nText.\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let index: usize =
        tree.iter().filter(|(p, _)| p.starts_with("search/index/")).map(|(_, b)| b.len()).sum();
    assert!(index < 400_000, "the index is {index} bytes");
    let meta = text(&tree, "search/index/meta.json");
    assert!(meta.len() < 4_000, "meta.json is {} bytes", meta.len());
    let meta: Value = serde_json::from_str(&meta).unwrap();
    for chunk in meta["chunks"].as_array().unwrap() {
        assert!(chunk[0].as_str().unwrap().chars().count() <= 48);
    }
    // The chain is still found by any of its words or joins.
    let (_, results) = every_result(&tree);
    assert!(results.iter().any(|r| r.id == "POL-CHAIN"));
    for query in ["w1500-w1501", "w2999", "w0-w1-w2-w3-w4-w5"] {
        let words = query_words(query);
        assert!(words.iter().all(|w| terms(&chain).iter().any(|t| t.starts_with(w.as_str()))), "{query}");
    }
}
