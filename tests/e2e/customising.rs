//! Custom control catalogs from `frameworks/*.yaml` and theme folders that override the
//! default theme file by file.

use crate::common::{build, build_error, copy_tree, edit, fixture, read_tree, text};

/// The leak fixture in a temporary folder, with a theme folder `mytheme` holding `files`
/// (paths inside the theme) and named in `site.yaml`.
fn leak_with_theme(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    for (path, text) in files {
        let path = content.join("mytheme").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    edit(&content.join("site.yaml"), "frameworks:", "theme: mytheme\nframeworks:");
    (dir, content)
}

#[test]
fn a_custom_catalog_gets_soa_rows_and_control_pages() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    std::fs::create_dir_all(content.join("frameworks")).unwrap();
    std::fs::write(
        content.join("frameworks/baseline.yaml"),
        "id: acme-baseline\nname: Acme Security Baseline\ncontrols:\n  - id: ACME-1\n    title: Laptops are encrypted\n    theme: Endpoint\n    maps_to: [A.8.1]\n  - id: ACME-2\n    title: Vendors are reviewed yearly\n    theme: Suppliers\n",
    )
    .unwrap();
    edit(
        &content.join("site.yaml"),
        "frameworks: [iso27001-2022]",
        "frameworks: [iso27001-2022, acme-baseline]",
    );
    edit(
        &content.join("soa.yaml"),
        "controls:\n",
        "controls:\n  ACME-1:\n    applicable: true\n    status: implemented\n",
    );

    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let page = text(&tree, "soa/acme-1/index.html");
    assert!(page.contains("Laptops are encrypted") && page.contains("Acme Security Baseline"), "{page}");
    assert!(tree.contains_key("soa/acme-2/index.html"));
    let soa = text(&tree, "soa/index.html");
    assert_eq!(soa.matches("<tr data-theme=").count(), 95, "93 Annex A rows and 2 custom ones");
}

#[test]
fn an_unknown_framework_is_an_error_naming_site_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    edit(&content.join("site.yaml"), "frameworks: [iso27001-2022]", "frameworks: [iso27001-2022, pci-dss]");
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("unknown framework `pci-dss`") && stderr.contains("site.yaml"), "{stderr}");
}

#[test]
fn a_theme_folder_overrides_default_files_by_name() {
    let (dir, content) = leak_with_theme(&[
        (
            "templates/policy.html",
            "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ policy.title }}</h1>{% endblock %}",
        ),
        ("static/style.css", "body { color: rebeccapurple; }\n"),
        ("static/brand.css", ".brand { font-weight: 900; }\n"),
    ]);

    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    assert!(text(&tree, "policies/pol-pub/index.html")
        .contains("<h1 class=\"custom\">PUBMARK public policy title</h1>"));
    assert!(
        text(&tree, "policies/index.html").contains("PUBMARK public policy title"),
        "other templates stay the default's"
    );
    assert_eq!(text(&tree, "assets/style.css"), "body { color: rebeccapurple; }\n");
    assert!(tree.contains_key("assets/brand.css"));
    assert!(tree.contains_key("assets/site.js"));
}

#[test]
fn a_template_error_names_the_template_and_line() {
    let (dir, content) = leak_with_theme(&[(
        "templates/faq.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ no_such_variable }}\n{% endblock %}\n",
    )]);
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("faq.html:3"), "{stderr}");
}

/// The navigation is rendered once per section and folder depth and shared by the pages
/// that agree on both: each page must still get the links of its own depth and its own
/// current item.
#[test]
fn each_page_gets_the_navigation_of_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&crate::common::example_content(), &out, "public").success();
    let tree = read_tree(&out);
    let current = |path: &str| -> Vec<String> {
        let page = text(&tree, path);
        let nav = &page[page.find("<nav class=\"site-nav\"").expect(path)..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        nav.split("<a href=\"")
            .skip(1)
            .filter(|link| link.contains("aria-current"))
            .map(|link| link.split("</a>").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(current("index.html"), ["./\" aria-current=\"page\">Overview"]);
    assert_eq!(current("policies/index.html"), ["../policies/\" aria-current=\"page\">Policies"]);
    for policy in ["policies/pol-ac/index.html", "policies/pol-ir/index.html"] {
        assert_eq!(current(policy), ["../../policies/\" aria-current=\"true\">Policies"], "{policy}");
    }
    assert_eq!(current("soa/a-5-1/index.html"), ["../../soa/\" aria-current=\"true\">Controls"]);
    assert_eq!(current("soa/index.html"), ["../soa/\" aria-current=\"page\">Controls"]);
    // A page outside the navigation marks nothing, and links from its own depth.
    assert!(current("frameworks/index.html").is_empty());
    assert!(text(&tree, "frameworks/index.html").contains("<a href=\"../policies/\">Policies</a>"));
    // The 404 page links from the site root, whatever depth it is served at.
    assert!(text(&tree, "404.html").contains("<a href=\"/policies/\">Policies</a>"));
}

#[test]
fn a_theme_overrides_the_navigation_and_sees_only_its_documented_values() {
    let (dir, content) = leak_with_theme(&[(
        "templates/nav.html",
        "<nav class=\"site-nav\" data-section=\"{{ section }}\" data-current=\"{{ current or '' }}\">\
         {% for item in site.nav %}<a href=\"{{ url(item.path) }}\">{{ item.label | upper }}</a>{% endfor %}</nav>",
    )]);
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let policy = text(&tree, "policies/pol-pub/index.html");
    assert!(policy.contains("data-section=\"policies/\" data-current=\"\">"), "{policy}");
    assert!(policy.contains("<a href=\"../../policies/\">POLICIES</a>"), "{policy}");
    assert!(text(&tree, "policies/index.html").contains("data-current=\"policies/\""));

    // The navigation is shared between pages, so it cannot read one page's title: that is
    // a template error naming nav.html, not a blank.
    std::fs::write(content.join("mytheme/templates/nav.html"), "<nav>\n{{ page.title }}</nav>").unwrap();
    let stderr = build_error(&content, &dir.path().join("out2"), "public");
    assert!(stderr.contains("nav.html:2"), "{stderr}");
}

#[test]
fn timings_list_each_template_with_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let assert = crate::common::trustpress()
        .args(["build", "--today", crate::common::TODAY, "--timings", "--content"])
        .arg(crate::common::example_content())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let policies = read_tree(&out)
        .keys()
        .filter(|p| p.starts_with("policies/pol-") && p.ends_with("/index.html"))
        .count();
    let line = stderr.lines().find(|l| l.trim_start().starts_with("policy.html")).expect(&stderr);
    assert_eq!(line.split_whitespace().nth(1), Some(policies.to_string().as_str()), "{line}");
    assert!(stderr.lines().any(|l| l.trim_start().starts_with("search.html ")), "{stderr}");
}
