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
        .filter(|p| {
            p.starts_with("policies/pol-") && p.ends_with("/index.html") && p.matches('/').count() == 2
        })
        .count();
    let line = stderr.lines().find(|l| l.trim_start().starts_with("policy.html")).expect(&stderr);
    assert_eq!(line.split_whitespace().nth(1), Some(policies.to_string().as_str()), "{line}");
    assert!(stderr.lines().any(|l| l.trim_start().starts_with("search.html ")), "{stderr}");
}

/// A theme changes one block of a default page without copying the page: the defaults are
/// also registered as `default/<name>`, and `base.html` has `head` and `scripts` blocks.
#[test]
fn a_theme_extends_a_default_template_and_replaces_one_block() {
    let (dir, content) = leak_with_theme(&[
        (
            "templates/policy.html",
            "{% extends \"default/policy.html\" %}\
             {% block description %}Policy {{ policy.id }} of {{ site.name }}{% endblock %}",
        ),
        (
            "templates/base.html",
            "{% extends \"default/base.html\" %}\
             {% block head %}<link rel=\"stylesheet\" href=\"{{ url('assets/brand.css') }}\">{% endblock %}\
             {% block scripts %}<script src=\"{{ url('assets/brand.js') }}\" defer></script>{% endblock %}",
        ),
        ("static/brand.css", ".brand { font-weight: 900; }\n"),
        ("static/brand.js", "console.log('brand');\n"),
    ]);
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let policy = text(&tree, "policies/pol-pub/index.html");
    // The replaced block, and everything else of the default page.
    assert!(policy.contains("<meta name=\"description\" content=\"Policy POL-PUB of"), "{policy}");
    assert!(policy.contains("<h1>PUBMARK public policy title</h1>"), "{policy}");
    assert!(policy.contains("<nav class=\"breadcrumb\""), "{policy}");
    // The head and scripts blocks, on every page (the base is shared).
    for page in ["policies/pol-pub/index.html", "index.html", "soa/index.html"] {
        let html = text(&tree, page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(head.contains("assets/brand.css\">"), "{page}");
        let tail = &html[html.find("assets/site.js").unwrap()..];
        assert!(tail.contains("assets/brand.js\" defer></script></body>"), "{page}");
    }
}

/// `init --theme` writes the default theme out; used as a theme unchanged, it builds the
/// same site as the default theme, byte for byte.
#[test]
fn init_theme_writes_the_default_theme_which_builds_the_same_site() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    let made =
        crate::common::trustpress().args(["init", "--theme"]).arg(content.join("mytheme")).assert().success();
    let stdout = String::from_utf8_lossy(&made.get_output().stdout).to_string();
    assert!(stdout.contains("templates/policy.html"), "{stdout}");
    assert!(content.join("mytheme/templates/base.html").is_file());
    assert!(content.join("mytheme/static/style.css").is_file());
    assert!(content.join("mytheme/locales/de.yaml").is_file());
    // Into a folder that is not empty: refused, nothing written.
    crate::common::trustpress().args(["init", "--theme"]).arg(content.join("mytheme")).assert().code(2);

    let default_out = dir.path().join("default");
    build(&content, &default_out, "public").success();
    edit(&content.join("site.yaml"), "frameworks:", "theme: mytheme\nframeworks:");
    let themed_out = dir.path().join("themed");
    build(&content, &themed_out, "public").success();
    let (default, themed) = (read_tree(&default_out), read_tree(&themed_out));
    assert_eq!(default.keys().collect::<Vec<_>>(), themed.keys().collect::<Vec<_>>());
    for (path, bytes) in &default {
        assert!(themed[path] == *bytes, "{path} differs");
    }
}

/// Dates and control links have one definition each (the `date()` and `control_links()`
/// functions), used by every page, policy pages included: no template writes their markup.
#[test]
fn dates_and_control_links_have_one_definition() {
    let templates = crate::common::repo().join("themes/default/templates");
    for entry in std::fs::read_dir(&templates).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(!source.contains("<time datetime"), "{name} writes a date's markup itself");
        assert!(!source.contains("title=\"{{ link.title }}\""), "{name} writes control links itself");
        assert!(!source.contains("macro date(") && !source.contains("macro control_links("), "{name}");
    }
    // And a theme that restyles nothing still gets the same markup from both on policy pages
    // and on the control pages, whichever page renders it.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&crate::common::example_content(), &out, "public").success();
    let tree = read_tree(&out);
    let policy = text(&tree, "policies/pol-ac/index.html");
    assert!(
        policy.contains(
            "<ul class=\"tags\"><li><a href=\"../../soa/a-5-15/\" title=\"Access control\">A.5.15</a></li>"
        ),
        "{policy}"
    );
    assert!(policy.contains("<dd><time datetime=\""), "{policy}");
}

/// A FIFO where a content file is read (a theme's static file, `site.yaml`) is refused with
/// an error naming it; the command never waits on it.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_content_file_is_refused_not_waited_on() {
    fn mkfifo(path: &std::path::Path) {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
    }
    let (dir, content) = leak_with_theme(&[("static/extra.css", "body {}")]);
    std::fs::remove_file(content.join("mytheme/static/extra.css")).unwrap();
    mkfifo(&content.join("mytheme/static/extra.css"));
    let out = dir.path().join("public");
    let failed = crate::common::trustpress()
        .args(["build", "--today", crate::common::TODAY, "--audience", "public", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&failed.get_output().stderr).to_string();
    assert!(stderr.contains("extra.css") && stderr.contains("not a regular file"), "{stderr}");
    assert!(!out.exists(), "nothing was written");

    // `site.yaml` itself, read first for its `as_of` day (no --today given).
    let (dir, content) = leak_with_theme(&[]);
    std::fs::remove_file(content.join("site.yaml")).unwrap();
    mkfifo(&content.join("site.yaml"));
    for command in ["build", "check"] {
        let mut run = crate::common::trustpress();
        run.arg(command).arg("--content").arg(&content);
        if command == "build" {
            run.arg("--out").arg(dir.path().join("out"));
        }
        let failed = run.timeout(std::time::Duration::from_secs(60)).assert().failure();
        let output = failed.get_output();
        let printed =
            format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(
            printed.contains("site.yaml") && printed.contains("not a regular file"),
            "{command}: {printed}"
        );
    }
}
