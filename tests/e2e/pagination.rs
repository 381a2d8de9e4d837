//! The policies list in pages of 100 (issue 22): at 10,000 policies one list was megabytes.
//! Every policy the audience may read is listed exactly once, in order, across pages that
//! link to each other and are in the sitemap; a withheld policy is on no page; a list short
//! enough for one page has no pager.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{build, example_copy, read_tree, text};

/// The example plus `count` generated policies, every fourth internal.
pub(crate) fn corpus(dir: &Path, count: usize) -> std::path::PathBuf {
    let content = example_copy(dir);
    for number in 1..=count {
        let audience = if number % 4 == 0 { "internal" } else { "public" };
        std::fs::write(
            content.join(format!("policies/generated-{number:03}.md")),
            format!(
                "---\nid: POL-GEN-{number:03}\ntitle: Generated procedure {number:03}\nversion: \"1.0\"\nowner: Team {}\n\
                 approved_by: Management Board\napproved: 2026-06-01\nreview_every: 12 months\naudience: {audience}\n\
                 summary: Procedure {number:03} of the generated corpus{}.\ncontrols: [A.5.1]\n---\n## Purpose\n\nA generated procedure.\n",
                number % 7,
                if audience == "internal" { " (INTERNALONLY)" } else { "" },
            ),
        )
        .unwrap();
    }
    content
}

/// The policies a list page shows, as the paths its rows link to.
fn listed(page: &str) -> Vec<String> {
    page.split("class=\"row-title\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The pager's link with `rel`, if the page has one.
pub(crate) fn pager_link(page: &str, rel: &str) -> Option<String> {
    let nav = page.split("<nav class=\"pager\"").nth(1)?.split("</nav>").next()?;
    nav.split(&format!("rel=\"{rel}\" href=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
}

/// `link` (relative to the page at `from`, a folder path) as a site path.
pub(crate) fn resolve(from: &str, link: &str) -> String {
    let mut parts: Vec<&str> = from.trim_end_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    for part in link.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "" | "." => {}
            part => parts.push(part),
        }
    }
    format!("{}/", parts.join("/"))
}

/// The pages of the list whose first page is `first`, walked from it by its "next" links,
/// as a reader does; each links back.
pub(crate) fn pages_of(tree: &BTreeMap<String, Vec<u8>>, first: &str) -> Vec<String> {
    let mut pages = vec![first.to_string()];
    loop {
        let current = pages.last().unwrap().clone();
        let page = text(tree, &format!("{current}index.html"));
        match pager_link(&page, "next") {
            Some(next) => {
                let target = resolve(&current, &next);
                assert!(
                    tree.contains_key(&format!("{target}index.html")),
                    "{current} links a page the build has: {target}"
                );
                let back =
                    pager_link(&text(tree, &format!("{target}index.html")), "prev").expect("a previous link");
                assert_eq!(resolve(&target, &back), current, "{target} links back");
                pages.push(target);
            }
            None => return pages,
        }
    }
}

#[test]
fn a_long_policies_list_is_paged_and_every_policy_is_on_exactly_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let content = corpus(dir.path(), 230);
    for (audience, generated) in [("public", 230 - 57), ("internal", 230)] {
        // The example's own policies this audience reads, as its one-page list shows them.
        let example = dir.path().join(format!("example-{audience}"));
        build(&crate::common::example_content(), &example, audience).success();
        let policies: usize = listed(&text(&read_tree(&example), "policies/index.html")).len() + generated;
        let out = dir.path().join(audience);
        build(&content, &out, audience).success();
        let tree = read_tree(&out);
        let pages = pages_of(&tree, "policies/");
        assert_eq!(pages.len(), policies.div_ceil(100), "{audience}: {pages:?}");
        let mut all = Vec::new();
        for (index, path) in pages.iter().enumerate() {
            let page = text(&tree, &format!("{path}index.html"));
            let rows = listed(&page);
            assert!(rows.len() <= 100 && !rows.is_empty(), "{path}: {} rows", rows.len());
            assert!(page.contains(&format!("Page {} of {}", index + 1, pages.len())), "{path}");
            if index > 0 {
                assert!(
                    page.contains(&format!("<title>Policies, page {} of {}", index + 1, pages.len())),
                    "{path}"
                );
                assert_eq!(*path, format!("policies/page/{}/", index + 1), "stable addresses");
            }
            all.extend(rows.into_iter().map(|link| resolve(path, &link)));
        }
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{audience}: no policy is on two pages");
        assert_eq!(all.len(), policies, "{audience}: every policy it may read is listed");
        for path in &all {
            assert!(tree.contains_key(&format!("{path}index.html")), "{path} is a page of the build");
        }
        let sitemap = text(&tree, "sitemap.xml");
        for path in pages.iter().skip(1) {
            assert!(sitemap.contains(&format!("/{path}</loc>")), "the sitemap lists {path}");
        }
        let internal_text = all.iter().any(|p| p.contains("pol-gen-004"));
        assert_eq!(
            internal_text,
            audience == "internal",
            "{audience}: an internal policy is listed only for staff"
        );
        if audience == "public" {
            let every_page: String = pages.iter().map(|p| text(&tree, &format!("{p}index.html"))).collect();
            assert!(!every_page.contains("INTERNALONLY"), "no withheld summary on any page");
        }
    }
}

#[test]
fn a_list_that_fits_one_page_has_no_pager() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build(&crate::common::example_content(), &out, "public").success();
    let tree = read_tree(&out);
    assert!(!text(&tree, "policies/index.html").contains("class=\"pager\""));
    assert!(!tree.keys().any(|path| path.starts_with("policies/page/")));
}

/// Every page of the list says whether some policy on the list is a draft (told once from
/// the model, not by walking every policy on every page), and only when one is.
#[test]
fn every_page_of_the_list_says_when_a_policy_is_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let content = corpus(dir.path(), 150);
    let drafts = "Those marked as drafts are not approved yet.";
    let out = dir.path().join("approved");
    build(&content, &out, "internal").success();
    let tree = read_tree(&out);
    for page in ["policies/index.html", "policies/page/2/index.html"] {
        assert!(!text(&tree, page).contains(drafts), "{page}: every policy is approved");
    }
    crate::common::edit(&content.join("policies/generated-150.md"), "approved: 2026-06-01\n", "");
    let out = dir.path().join("draft");
    build(&content, &out, "internal").success();
    let tree = read_tree(&out);
    for page in ["policies/index.html", "policies/page/2/index.html"] {
        assert!(text(&tree, page).contains(drafts), "{page}: POL-GEN-150 is a draft");
    }
}
