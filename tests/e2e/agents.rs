//! The public trust center for AI agents: `llms.txt` and a markdown copy of every page,
//! made from the page itself, so they can hold nothing the page does not.

use crate::common::{build, example_content, read_tree, text};

#[test]
fn every_public_page_has_a_markdown_copy_listed_in_llms_txt() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let site = read_tree(&out);
    let pages: Vec<&String> = site.keys().filter(|path| path.ends_with("index.html")).collect();
    assert!(pages.len() > 20);
    for page in &pages {
        let copy = page.replace("index.html", "index.md");
        let markdown = text(&site, &copy);
        assert!(markdown.contains("\n# "), "{copy} has the page's heading");
        for interface in ["<svg", "<form", "<button", "<script"] {
            assert!(!markdown.contains(interface), "{copy} holds {interface}");
        }
    }
    assert!(!site.contains_key("404.md"));

    let llms = text(&site, "llms.txt");
    assert!(llms.starts_with("# Halcyon Ledger Trust Center\n\n> "), "{llms}");
    let policies: Vec<&String> = pages
        .iter()
        .copied()
        .filter(|p| p.starts_with("policies/pol-") && !p.contains("/changes/"))
        .collect();
    for policy in policies {
        let copy = policy.replace("index.html", "index.md");
        assert!(llms.contains(&format!("https://trust.halcyon-ledger.example/{copy}")), "{copy} is listed");
    }
    // Every fixed page is listed, a paginated list (policies, the questionnaire search) by
    // its first page.
    for fixed in ["index.md", "policies/index.md", "search/index.md", "soa/index.md", "faq/index.md"] {
        assert!(llms.contains(&format!("(https://trust.halcyon-ledger.example/{fixed})")), "{fixed}: {llms}");
    }
    // The SoA's copy keeps every control id: the table's row headers are not dropped.
    let soa = text(&site, "soa/index.md");
    for id in ["A.5.1", "A.8.34", "A.7.14"] {
        assert!(soa.contains(&format!("[{id}](")), "{id}");
    }
    // Copies are for agents, the sitemap for people.
    assert!(!text(&site, "sitemap.xml").contains(".md<"));
}

#[test]
fn the_internal_edition_has_no_copies_for_agents() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("internal");
    build(&example_content(), &out, "internal").success();
    let site = read_tree(&out);
    assert!(!site.contains_key("llms.txt"));
    assert!(!site.keys().any(|path| path.ends_with("index.md")));
}

/// A link or image in content whose scheme runs or embeds something (`javascript:`,
/// `data:`) is shown as its text, on the page and in its copy; http(s) and mailto stay links.
#[test]
fn script_links_in_content_become_text_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    crate::common::copy_tree(&crate::common::fixture("leak"), &content);
    crate::common::edit(
        &content.join("faq/answers.yaml"),
        "PUBMARK public answer",
        "PUBMARK public answer [click](javascript:alert(9)) ![pic](JavaScript:alert(10)) [raw](data:text/html,x) [ok](https://example.com/ok) [mail](mailto:a@example.com)",
    );
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let site = read_tree(&out);
    for page in ["faq/index.html", "faq/index.md", "search/index.html"] {
        let text = text(&site, page).to_lowercase();
        assert!(text.contains("click") && text.contains("raw"), "{page}: the words stay");
        for unsafe_link in
            ["href=\"javascript", "src=\"javascript", "href=\"data:", "](javascript", "](data:"]
        {
            assert!(!text.contains(unsafe_link), "{page} has {unsafe_link}");
        }
    }
    assert!(text(&site, "faq/index.html").contains("href=\"https://example.com/ok\""));
    assert!(text(&site, "faq/index.html").contains("href=\"mailto:a@example.com\""));
}

/// Without `markdown_copies` (the default) the public site has `llms.txt`, linking the pages
/// themselves, and no copies.
#[test]
fn without_markdown_copies_llms_txt_links_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let content = crate::common::example_copy(dir.path());
    crate::common::edit(&content.join("site.yaml"), "markdown_copies: true\n", "");
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let site = read_tree(&out);
    assert!(!site.keys().any(|path| path.ends_with(".md")));
    let llms = text(&site, "llms.txt");
    assert!(llms.contains("(https://trust.halcyon-ledger.example/policies/pol-ac/)"), "{llms}");
    assert!(!llms.contains("index.md") && !llms.contains("markdown copy"), "{llms}");
}
