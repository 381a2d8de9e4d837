//! The audience guarantee. The fixture `tests/fixtures/leak` plants markers: `PUBMARK` in
//! public places, `TEASERMARK` in the title and summary of teasers (which every audience
//! sees), `INTMARK` in every place only staff may see, `AUDMARK` in every place only
//! auditors may see. Every byte of every output file, and every file name, is searched.

use std::collections::BTreeMap;

use crate::common::{build, fixture, read_tree};

/// Every file, with the entries of compressed archives (the XLSX export) as files of their
/// own: a marker inside a deflated entry is invisible to a byte search of the archive.
fn expand_archives(tree: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let mut expanded = tree.clone();
    for (path, bytes) in tree {
        if !(path.ends_with(".xlsx") || path.ends_with(".zip")) {
            continue;
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a valid archive");
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let mut contents = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut contents).unwrap();
            let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
            expanded.insert(format!("{path}!/{name}"), contents);
        }
    }
    expanded
}

/// Where a marker occurs: file names and file contents, case-insensitively (page addresses
/// are lower-cased ids).
fn occurrences(tree: &BTreeMap<String, Vec<u8>>, marker: &str) -> Vec<String> {
    let needle = marker.to_lowercase();
    let mut found = Vec::new();
    let tree = &expand_archives(tree);
    for (path, bytes) in tree {
        if path.to_lowercase().contains(&needle) {
            found.push(format!("file name {path}"));
        }
        let haystack = String::from_utf8_lossy(bytes).to_lowercase();
        for (index, _) in haystack.match_indices(&needle) {
            let start = haystack[..index].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
            let end = haystack[index..].char_indices().nth(60).map_or(haystack.len(), |(i, _)| index + i);
            found.push(format!("{path}: …{}…", &haystack[start..end].replace('\n', " ")));
        }
    }
    found
}

fn built(audience: &str) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(audience);
    build(&fixture("leak"), &out, audience).success();
    let tree = read_tree(&out);
    (dir, tree)
}

#[test]
fn public_output_holds_no_internal_or_auditor_byte() {
    let (_dir, tree) = built("public");
    for marker in ["INTMARK", "AUDMARK"] {
        let found = occurrences(&tree, marker);
        assert!(found.is_empty(), "{marker} leaked into the public site:\n{}", found.join("\n"));
    }
}

#[test]
fn internal_output_holds_no_auditor_byte() {
    let (_dir, tree) = built("internal");
    let found = occurrences(&tree, "AUDMARK");
    assert!(found.is_empty(), "AUDMARK leaked into the internal site:\n{}", found.join("\n"));
}

/// A test that only looks for absence passes on an empty site; these make sure the same
/// builds do show what they should, in the places it belongs.
#[test]
fn public_output_shows_public_content_and_teasers() {
    let (_dir, tree) = built("public");
    let policy = crate::common::text(&tree, "policies/pol-pub/index.html");
    assert!(policy.contains("PUBMARK public body"));
    assert!(policy.contains("PUBMARK after the fences"));
    assert!(
        policy.contains("Read the staff procedure and the key ceremony."),
        "withheld links become plain text"
    );
    assert!(
        policy.contains(r#"<a href="../../policies/pol-teaser/">teaser</a>"#),
        "links to visible pages stay links"
    );

    // The copies for AI agents hold the same text, and the leak checks above read them too.
    let copy = crate::common::text(&tree, "policies/pol-pub/index.md");
    assert!(copy.contains("PUBMARK public body") && copy.contains("PUBMARK after the fences"), "{copy}");
    assert!(copy.contains("Read the staff procedure and the key ceremony."), "{copy}");
    let llms = crate::common::text(&tree, "llms.txt");
    assert!(
        llms.contains("policies/pol-pub/index.md") && llms.contains("policies/pol-teaser/index.md"),
        "{llms}"
    );
    assert!(crate::common::text(&tree, "policies/pol-teaser/index.md")
        .contains("TEASERMARK teaser policy summary"));

    // The search index (words in lower case, in chunks) holds the public words, so the
    // searches for withheld markers above read it too.
    let index: String = tree
        .iter()
        .filter(|(path, _)| path.starts_with("search/index/"))
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert!(index.contains("pubmark") && index.contains("teasermark"), "{index}");

    let teaser = crate::common::text(&tree, "policies/pol-teaser/index.html");
    assert!(teaser.contains("TEASERMARK teaser policy title"));
    assert!(teaser.contains("TEASERMARK teaser policy summary"));
    assert!(teaser.contains("Request access"));

    for (path, expected) in [
        ("certifications/index.html", "TEASERMARK teaser certification summary"),
        ("certifications/index.html", "PUBMARK issuer"),
        ("certifications/index.html", "Further reports for this certification are available on request"),
        ("documents/index.html", "TEASERMARK teaser paper"),
        ("documents/index.html", "PUBMARK public paper"),
        ("faq/index.html", "PUBMARK public answer"),
        ("faq/index.html", "TEASERMARK teaser question?"),
        ("updates/index.html", "TEASERMARK teaser update"),
        ("updates/feed.xml", "PUBMARK update body"),
        ("subprocessors/index.html", "PUBMARK Hosting"),
        ("soa/a-5-1/index.html", "PUBMARK public check"),
        ("soa/index.html", "PUBMARK board"),
        ("index.html", "PUBMARK public check"),
        ("index.html", "Continuous monitoring"),
        ("index.html", "PUBMARK scope statement"),
        ("index.html", "PUBMARK objective title"),
        ("index.html", "PUBMARK objective measure"),
        ("scope/index.html", "PUBMARK scope statement"),
        ("scope/index.html", "is not published here"),
    ] {
        assert!(crate::common::text(&tree, path).contains(expected), "{path} should show {expected:?}");
    }
    assert!(tree.contains_key("documents/pubmark-paper.pdf"));
    assert!(tree.contains_key("certifications/public-cert/pubmark-certificate.pdf"));
    // The self-service exports hold the public answers.
    assert!(crate::common::text(&tree, "faq/answers.csv").contains("PUBMARK public answer"));
    // The questionnaire page matches with the public answers' other phrasings; a withheld
    // block inside one is cut as in an answer.
    let library = crate::common::text(&tree, "faq/answers.json");
    assert!(library.contains("PUBMARK public phrasing?"), "{library}");
    assert!(library.contains("PUBMARK phrasing with a withheld part?"), "{library}");
    assert!(crate::common::text(&tree, "search/index.html").contains("PUBMARK public answer"));
    let expanded = expand_archives(&tree);
    let sheet =
        expanded.keys().find(|k| k.starts_with("faq/answers.xlsx!/") && k.contains("sharedStrings")).unwrap();
    assert!(String::from_utf8_lossy(&expanded[sheet]).contains("PUBMARK public answer"));
    assert!(!tree.contains_key("risks/index.html"), "the public site has no risk register");
}

#[test]
fn internal_output_shows_internal_content() {
    let (_dir, tree) = built("internal");
    for (path, expected) in [
        ("policies/pol-intmark/index.html", "INTMARK internal policy body"),
        ("policies/pol-teaser/index.html", "INTMARK teaser policy body"),
        ("policies/pol-pub/index.html", "INTMARK fenced block in a public policy"),
        ("soa/index.html", "INTMARK soa justification"),
        ("soa/a-5-1/index.html", "INTMARK soa notes"),
        ("soa/a-5-1/index.html", "EV-INTMARK-ID"),
        ("soa/a-5-1/index.html", "INTMARK internal evidence title"),
        ("soa/a-5-1/index.html", "INTMARK failing check details"),
        ("certifications/index.html", "INTMARK teaser scope"),
        ("documents/index.html", "INTMARK internal paper"),
        ("subprocessors/index.html", "INTMARK Pilot Vendor"),
        ("faq/index.html", "INTMARK internal answer"),
        ("updates/feed.xml", "INTMARK internal update body"),
        ("risks/index.html", "INTMARK risk description"),
        ("audits/ia-intmark/index.html", "INTMARK finding description"),
        ("reviews/mr-intmark/index.html", "INTMARK decision"),
        ("access/index.html", "INTMARK ledger recipient"),
        ("access/index.html", "INTMARK ledger organisation"),
        ("access/index.html", "INTMARK ledger title of a teaser"),
        ("access/index.html", "intmark-nda.txt"),
        ("scope/index.html", "INTMARK fenced scope statement"),
        ("scope/index.html", "INTMARK boundary"),
        ("scope/index.html", "INTMARK climate"),
        ("health/index.html", "INTMARK objective title"),
        ("health/index.html", "INTMARK fenced objective measure"),
        ("health/index.html", "INTMARK corrective action"),
    ] {
        assert!(crate::common::text(&tree, path).contains(expected), "{path} should show {expected:?}");
    }
    assert!(tree.contains_key("documents/intmark-internal-paper.pdf"));
    // An entry that was all an auditor block is dropped, not shown as an empty line.
    let scope = crate::common::text(&tree, "scope/index.html");
    assert!(!scope.contains("<li></li>"), "{scope}");
    let robots = crate::common::text(&tree, "robots.txt");
    assert!(robots.contains("Disallow: /"), "{robots}");
    assert!(crate::common::text(&tree, "index.html")
        .contains(r#"<meta name="robots" content="noindex, nofollow">"#));
}

/// `check` finds links to withheld content with targets computed from the full model; they
/// must be exactly the targets of each audience's real (cut) build.
#[test]
fn link_targets_from_the_full_model_equal_the_cut_builds() {
    let loaded = trustpress::load::load(&fixture("leak")).ok().unwrap();
    for audience in trustpress::Audience::ALL {
        use trustpress::site::{targets, RenderTarget};
        for target in [RenderTarget::Site, RenderTarget::AuditorBundle] {
            let from_full = targets::link_targets_for(&loaded.isms, audience, target);
            let from_cut = targets::link_targets(&trustpress::cut::cut(&loaded.isms, audience), target);
            assert!(from_full == from_cut, "{audience}: {from_full:?}\n!=\n{from_cut:?}");
        }
    }
}

/// A rebuild in place keeps pages it recorded (`output::kept`): a public build into a folder
/// that held the internal site, recorded and kept by rebuilds, keeps no internal page, and
/// the public rebuilds after it, which keep pages, equal a public build into a new folder.
#[test]
fn a_public_rebuild_over_the_internal_site_keeps_no_internal_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    for _ in 0..3 {
        build(&fixture("leak"), &out, "internal").success();
    }
    for round in 0..3 {
        let message = crate::common::stderr(&build(&fixture("leak"), &out, "public").success());
        assert!(
            round < 2 || message.contains("not rendered again"),
            "the third rebuild keeps pages: {message}"
        );
        let tree = read_tree(&out);
        for marker in ["INTMARK", "AUDMARK"] {
            let found = occurrences(&tree, marker);
            assert!(found.is_empty(), "{marker} kept in the public site:\n{}", found.join("\n"));
        }
        let (_fresh_dir, fresh) = built("public");
        assert!(tree == fresh, "the public site rebuilt over the internal one equals a fresh one");
    }
}
