//! Snapshots of each template's `<main>` on the example ISMS (as mdBook keeps snapshots of
//! its pages): a change to a template, a view or the markdown rendering shows up as a
//! reviewed diff in `tests/templates/snapshots/`. Accept an intended change with
//! `INSTA_UPDATE=always cargo test --test e2e templates` (or `cargo insta review`), and read
//! the diff before committing it.

use crate::common::{build, example_content, read_tree, text};

/// (snapshot name, page) for each template, in the build that has it.
const PUBLIC: &[(&str, &str)] = &[
    ("overview", "index.html"),
    ("policies", "policies/index.html"),
    ("policy", "policies/pol-ac/index.html"),
    ("soa", "soa/index.html"),
    ("control", "soa/a-5-15/index.html"),
    ("certifications", "certifications/index.html"),
    ("documents", "documents/index.html"),
    ("subprocessors", "subprocessors/index.html"),
    ("faq", "faq/index.html"),
    ("updates", "updates/index.html"),
    ("update", "updates/2026-05-12-email-provider-change/index.html"),
    ("search", "search/index.html"),
    ("frameworks", "frameworks/index.html"),
    ("framework", "frameworks/soc2-2017/index.html"),
    ("404", "404.html"),
];
const INTERNAL: &[(&str, &str)] = &[
    ("health", "health/index.html"),
    ("scope", "scope/index.html"),
    ("risks", "risks/index.html"),
    ("audits", "audits/index.html"),
    ("audit", "audits/ia-2026-01/index.html"),
    ("reviews", "reviews/index.html"),
    ("review", "reviews/mr-2026-01/index.html"),
    ("policy-internal", "policies/pol-ac/index.html"),
];

fn main_of(html: &str, page: &str) -> String {
    let start = html.find("<main").unwrap_or_else(|| panic!("{page} has no <main>"));
    let end = html.find("</main>").unwrap_or_else(|| panic!("{page} has no </main>")) + "</main>".len();
    html[start..end].to_string()
}

fn snapshot(name: &str, page: &str, main: &str) {
    insta::with_settings!({
        snapshot_path => "../templates/snapshots",
        prepend_module_to_snapshot => false,
        description => page,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, main);
    });
}

#[test]
fn each_template_renders_the_example_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    // A copy outside git: the pages do not depend on this repository's history (a shallow
    // clone sees less of it). The revision history is tested in `history`.
    let content = dir.path().join("content");
    crate::common::copy_tree(&example_content(), &content);
    for (audience, pages) in [("public", PUBLIC), ("internal", INTERNAL)] {
        let out = dir.path().join(audience);
        build(&content, &out, audience).success();
        let tree = read_tree(&out);
        for (name, page) in pages {
            snapshot(name, page, &main_of(&text(&tree, page), page));
        }
    }
}

/// The auditor bundle's own page: the evidence index.
#[test]
fn the_bundle_evidence_index_renders_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = crate::common::example_bundle(&dir.path().join("bundle.zip"), "1790000000");
    let mut html = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("evidence/index.html").unwrap(), &mut html).unwrap();
    snapshot("evidence", "evidence/index.html (bundle)", &main_of(&html, "evidence"));
}
