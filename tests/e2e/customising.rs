//! Custom control catalogs from `frameworks/*.yaml` and theme folders that override the
//! default theme file by file.

use crate::common::{build, copy_tree, edit, fixture, read_tree, text};

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
    let assert = build(&content, &dir.path().join("out"), "public").failure().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("unknown framework `pci-dss`") && stderr.contains("site.yaml"), "{stderr}");
}

#[test]
fn a_theme_folder_overrides_default_files_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    let theme = content.join("mytheme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    std::fs::write(
        theme.join("templates/policy.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ policy.title }}</h1>{% endblock %}",
    )
    .unwrap();
    std::fs::write(theme.join("static/style.css"), "body { color: rebeccapurple; }\n").unwrap();
    std::fs::write(theme.join("static/brand.css"), ".brand { font-weight: 900; }\n").unwrap();
    std::fs::write(
        content.join("site.yaml"),
        std::fs::read_to_string(content.join("site.yaml")).unwrap() + "theme: mytheme\n",
    )
    .unwrap();

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
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    std::fs::create_dir_all(content.join("mytheme/templates")).unwrap();
    std::fs::write(
        content.join("mytheme/templates/faq.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{{ no_such_variable }}\n{% endblock %}\n",
    )
    .unwrap();
    std::fs::write(
        content.join("site.yaml"),
        std::fs::read_to_string(content.join("site.yaml")).unwrap() + "theme: mytheme\n",
    )
    .unwrap();
    let assert = build(&content, &dir.path().join("out"), "public").failure().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("faq.html:3"), "{stderr}");
}
