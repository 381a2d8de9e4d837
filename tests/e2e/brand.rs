//! The brand from site.yaml (logo, dark logo, favicon, hero, colour), the overview's "at a
//! glance" cards, and the overview's honest states: what a marketing team sets, what a
//! reader sees, and what `check` and `build` refuse.

use std::path::{Path, PathBuf};

use crate::common::{build, build_error, copy_tree, fixture, read_tree, text, trustpress, TODAY};

fn minimal_copy(dir: &Path) -> PathBuf {
    let content = dir.join("content");
    copy_tree(&fixture("minimal"), &content);
    content
}

fn append(path: &Path, more: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(more);
    std::fs::write(path, text).unwrap();
}

/// An internal FAQ answer, `FAQ-SECRET`, whose text is the marker `Marker-oncall-roster`.
fn add_internal_answer(content: &Path) {
    append(
        &content.join("faq/general.yaml"),
        "- id: FAQ-SECRET\n  question: Who is on call tonight?\n  answer: Marker-oncall-roster\n  category: Operations\n  audience: internal\n",
    );
}

fn check_output(content: &Path) -> (i32, String) {
    let output = trustpress().args(["check", "--today", TODAY, "--content"]).arg(content).output().unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

const SVG: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>"#;

#[test]
fn the_brand_reaches_every_page_from_site_yaml_alone() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    std::fs::create_dir_all(content.join("brand")).unwrap();
    for name in ["logo.svg", "logo-dark.svg", "icon.svg"] {
        std::fs::write(content.join("brand").join(name), SVG).unwrap();
    }
    std::fs::write(content.join("brand/hero.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    append(
        &content.join("site.yaml"),
        "brand:\n  logo: brand/logo.svg\n  logo_dark: ./brand/logo-dark.svg\n  favicon: brand/icon.svg\n  hero: brand/hero.png\n  hero_alt: Our operations team\n  color: \"#0b6b5d\"\n",
    );
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let site = read_tree(&out);
    assert_eq!(text(&site, "assets/brand-logo.svg"), SVG);
    assert_eq!(text(&site, "assets/brand-logo-dark.svg"), SVG);
    assert_eq!(text(&site, "assets/brand-favicon.svg"), SVG);
    assert!(site.contains_key("assets/brand-hero.png"));
    let palette = text(&site, "assets/palette.css");
    assert!(palette.contains("--brand: #0b6b5d;"), "{palette}");
    assert!(palette.contains("prefers-color-scheme: dark"), "a dark shade is derived: {palette}");
    for page in ["index.html", "policies/index.html", "policies/pol-isp/index.html", "404.html"] {
        let html = text(&site, page);
        assert!(html.contains(r#"class="brand-logo" src="#), "{page} shows the logo");
        assert!(html.contains(r#"alt="Minimal Co""#), "{page}: the logo is named for screen readers");
        assert!(html.contains(r#"media="(prefers-color-scheme: dark)""#), "{page} has the dark logo");
        assert!(html.contains("brand-favicon.svg\" type=\"image/svg+xml\""), "{page} has the favicon");
        assert!(html.contains("palette.css"), "{page} loads the brand colour");
    }
    let overview = text(&site, "index.html");
    assert!(overview.contains(r#"class="hero-image" src="assets/brand-hero.png" alt="Our operations team""#));
    // The same content builds the same bytes.
    let again = dir.path().join("again");
    build(&content, &again, "public").success();
    assert_eq!(read_tree(&again), site);
}

#[test]
fn a_brand_colour_readers_could_not_read_is_refused_with_one_that_they_can() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    append(&content.join("site.yaml"), "brand:\n  color: \"#ffcc00\"\n");
    let out = dir.path().join("public");
    let stderr = build_error(&content, &out, "public");
    assert!(stderr.contains("error[brand-color-contrast]"), "{stderr}");
    assert!(stderr.contains("site.yaml:9:"), "{stderr}");
    assert!(stderr.contains("WCAG AA"), "{stderr}");
    let suggestion = stderr.split("the closest darker shade that passes is `").nth(1).unwrap();
    let suggestion = &suggestion[..7];
    assert!(!out.exists(), "nothing is written");
    let (code, stdout) = check_output(&content);
    assert_eq!(code, 1, "check fails on it too: {stdout}");
    assert!(stdout.contains("brand-color-contrast"));

    // The suggested colour passes.
    let site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
    std::fs::write(content.join("site.yaml"), site.replace("#ffcc00", suggestion)).unwrap();
    build(&content, &out, "public").success();

    std::fs::write(content.join("site.yaml"), site.replace("\"#ffcc00\"", "teal")).unwrap();
    let stderr = build_error(&content, &out, "public");
    assert!(stderr.contains("is not a colour: write it as #rrggbb"), "{stderr}");
}

#[test]
fn brand_files_are_public_so_they_may_not_be_anything_withheld() {
    let cases: &[(&str, &str, &str)] = &[
        // An internal document's file, named as the logo, would be on every public page.
        ("documents/internal.png", "brand:\n  logo: documents/internal.png\n", "file-audience-conflict"),
        ("evidence/shot.png", "brand:\n  logo: evidence/shot.png\n", "file-audience-conflict"),
        ("", "brand:\n  logo: ../outside.svg\n", "path-escapes-content"),
        ("", "brand:\n  logo: /etc/hostname\n", "path-escapes-content"),
        ("", "brand:\n  favicon: brand/missing.svg\n", "missing-file"),
        ("brand/logo.gif", "brand:\n  logo: brand/logo.gif\n", "invalid-brand-file"),
        ("brand/hero.png", "brand:\n  hero: brand/hero.png\n", "missing-field"),
        ("brand/dark.svg", "brand:\n  logo_dark: brand/dark.svg\n", "invalid-brand-file"),
    ];
    for (file, yaml, code) in cases {
        let dir = tempfile::tempdir().unwrap();
        let content = minimal_copy(dir.path());
        if !file.is_empty() {
            let path = content.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, SVG).unwrap();
        }
        if file.starts_with("documents/") {
            append(
                &content.join("documents/documents.yaml"),
                "- id: DOC-INTERNAL\n  title: Internal diagram\n  file: internal.png\n  audience: internal\n",
            );
        }
        if file.starts_with("evidence/") {
            append(
                &content.join("evidence/evidence.yaml"),
                "- id: EV-SHOT\n  title: Screenshot\n  file: shot.png\n  controls: [A.5.1]\n",
            );
        }
        append(&content.join("site.yaml"), yaml);
        let out = dir.path().join("public");
        let stderr = build_error(&content, &out, "public");
        assert!(stderr.contains(code), "{yaml}: {stderr}");
        assert!(stderr.contains("site.yaml"), "{yaml}: the error names site.yaml: {stderr}");
        assert!(!out.exists(), "{yaml}: nothing is written");
    }
}

#[test]
fn overview_cards_link_to_what_backs_them_and_check_verifies_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    add_internal_answer(&content);
    let cards = "overview:\n  - title: Encryption\n    text: AES-256 at rest\n    link: FAQ-001\n  - title: Policy\n    text: Reviewed yearly\n    link: POL-ISP\n  - title: Control\n    text: MFA everywhere\n    link: A.5.17\n  - title: Vendors\n    text: Listed\n    link: subprocessors/\n";
    append(&content.join("site.yaml"), cards);
    let (code, stdout) = check_output(&content);
    assert!(!stdout.contains("overview-link"), "{stdout}");
    assert!(code == 0, "{stdout}");
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let overview = text(&read_tree(&out), "index.html");
    for (title, href) in [
        ("AES-256 at rest", "faq/#faq-001"),
        ("Reviewed yearly", "policies/pol-isp/"),
        ("MFA everywhere", "soa/a-5-17/"),
        ("Listed", "subprocessors/"),
    ] {
        let card = overview.split("<li class=\"highlight\">").find(|c| c.contains(title)).unwrap();
        assert!(card.contains(&format!("href=\"{href}\"")), "{title}: {card}");
    }

    // A card that leads to an internal answer, or to nothing.
    let site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
    std::fs::write(
        content.join("site.yaml"),
        site.replace("link: FAQ-001", "link: FAQ-SECRET").replace("link: POL-ISP", "link: POL-ISX"),
    )
    .unwrap();
    let (code, stdout) = check_output(&content);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("error[overview-link-withheld]: the overview card \"Encryption\" links to `FAQ-SECRET`, which is internal"), "{stdout}");
    assert!(stdout.contains("error[overview-link-unknown]"), "{stdout}");
    assert!(stdout.contains("did you mean `POL-ISP`?"), "{stdout}");
    let lines: Vec<&str> = site.lines().collect();
    let faq_line = lines.iter().position(|l| l.contains("link: FAQ-001")).unwrap() + 1;
    assert!(stdout.contains(&format!("site.yaml:{faq_line}:11")), "the card's own line: {stdout}");
    // A page's path names the page whole: a fragment could name a withheld answer, and
    // files for machines are not pages.
    let mut current = "A.5.17".to_string();
    for link in ["\"#x\"", "\"faq/#faq-secret\"", "llms.txt", "faq/?q=1", "trust.json", "A.5.17"] {
        let site_text = std::fs::read_to_string(content.join("site.yaml")).unwrap();
        let edited = site_text.replace(&format!("link: {current}\n"), &format!("link: {link}\n"));
        assert_ne!(edited, site_text, "{link}");
        std::fs::write(content.join("site.yaml"), edited).unwrap();
        current = link.to_string();
        if link == "A.5.17" {
            break;
        }
        let (code, stdout) = check_output(&content);
        assert_eq!(code, 1, "{link}: {stdout}");
        assert!(stdout.contains("overview card \"Control\" links to"), "{link}: {stdout}");
    }
    // The build shows the card's words without the link, and nothing of the internal answer.
    build(&content, &out, "public").success();
    let public = read_tree(&out);
    let overview = text(&public, "index.html");
    let card = overview.split("<li class=\"highlight\">").find(|c| c.contains("AES-256 at rest")).unwrap();
    assert!(!card.contains("href"), "{card}");
    for (path, bytes) in &public {
        let page = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(!page.contains("faq-secret") && !page.contains("marker-oncall"), "{path}");
    }
    let internal = dir.path().join("internal");
    build(&content, &internal, "internal").success();
    assert!(text(&read_tree(&internal), "index.html").contains("href=\"faq/#faq-secret\""));
}

#[test]
fn a_body_link_to_a_withheld_answer_keeps_neither_its_id_nor_its_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    add_internal_answer(&content);
    // Written every way a link can name the answer: a site path, percent-encoded, in
    // capitals, and beside a link to a public answer, which keeps its fragment.
    append(
        &content.join("policies/incident.md"),
        "\nSee [who is on call](/faq/#faq-secret), [again](/faq/#FAQ%2DSECRET), [and](/faq#Faq-Secret), [queried](/faq/?x=1#faq-secret), [ref][r] and [encryption](/faq/#faq-001).\n\n[r]: /faq/?#faq-secret \"title\"\n",
    );
    // A public answer's link to a place on its own page (the FAQ page) names that anchor too.
    let faq = std::fs::read_to_string(content.join("faq/general.yaml")).unwrap();
    let faq =
        faq.replacen("answer: |\n", "answer: |\n    See [on call](#faq-secret) and [tops](#faq-001).\n", 1);
    std::fs::write(content.join("faq/general.yaml"), faq).unwrap();
    // And in the fields that hold a URL as the team typed it.
    let site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
    let site = site
        .replace(
            "  security_email: security@minimal.example\n",
            "  security_email: security@minimal.example\n  website: https://trust.minimal.example/faq/#FAQ-SECRET\n",
        )
        .replace(
            "security_txt:\n",
            "access:\n  request_url: /faq/#faq-secret\nsecurity_txt:\n  policy: https://trust.minimal.example/faq/#faq%2Dsecret\n  hiring: ../faq/#faq-secret-roles\n",
        );
    std::fs::write(content.join("site.yaml"), site).unwrap();
    append(
        &content.join("subprocessors.yaml"),
        "- name: On-call rota\n  purpose: Paging\n  location: EU\n  data: [staff names]\n  added: 2025-01-01\n  audience: public\n  website: /faq/?x#faq-secret\n",
    );
    std::fs::write(
        content.join("policies/teaser.md"),
        "---\nid: POL-T\ntitle: Teased\nversion: \"1\"\nowner: CISO\napproved_by: Board\napproved: 2026-04-01\nnext_review: 2027-04-01\naudience: internal\nteaser: true\nsummary: Shown as a teaser.\n---\nInternal text.\n",
    )
    .unwrap();
    let output = trustpress()
        .args(["check", "--format", "json", "--today", TODAY, "--content"])
        .arg(&content)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let named = stdout.matches("the FAQ answer FAQ-SECRET, which public readers cannot see").count();
    assert_eq!(named, 6, "every link to it is named: {stdout}");
    assert!(!stdout.contains("broken-link"), "{stdout}");
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let public = read_tree(&out);
    for (path, bytes) in &public {
        let page = String::from_utf8_lossy(bytes).to_lowercase();
        assert!(!page.contains("faq-secret") && !page.contains("faq%2dsecret"), "{path}");
        assert!(!page.contains("marker-oncall"), "{path}");
    }
    let policy = text(&public, "policies/pol-ir/index.html");
    assert!(policy.contains("faq/#faq-001\">encryption</a>"), "a public answer's fragment stays: {policy}");
    assert!(policy.contains(">who is on call</a>"), "the link still opens the FAQ page: {policy}");
    assert!(policy.contains("faq/?x=1\">queried</a>"), "its query stays, its fragment goes: {policy}");
    let faq_page = text(&public, "faq/index.html");
    assert!(faq_page.contains("href=\"#faq-001\">tops</a>"), "a shown answer's anchor stays: {faq_page}");
    assert!(faq_page.contains("on call") && !faq_page.contains(">on call</a>"), "{faq_page}");
    assert!(
        text(&public, ".well-known/security.txt").contains("Policy: https://trust.minimal.example/faq/\n")
    );
    let internal = dir.path().join("internal");
    build(&content, &internal, "internal").success();
    let internal = read_tree(&internal);
    assert!(text(&internal, "policies/pol-ir/index.html").contains("faq/#faq-secret\""));
    assert!(text(&internal, ".well-known/security.txt").contains("#faq%2Dsecret"), "kept for who may see it");
}

#[test]
fn a_starter_shows_an_soa_in_progress_and_nothing_nobody_stated() {
    let dir = tempfile::tempdir().unwrap();
    let starter = dir.path().join("starter");
    trustpress().arg("init").arg(&starter).assert().success();
    for policy in ["information-security", "access-control", "incident-response"] {
        let text = std::fs::read_to_string(starter.join(format!("policies/{policy}.md"))).unwrap();
        assert!(!text.contains("approved"), "{policy}: no invented approval");
    }
    let soa = std::fs::read_to_string(starter.join("soa.yaml")).unwrap();
    assert!(!soa.contains("\napproved") && !soa.contains("\nversion"), "no invented SoA approval");
    assert!(!soa.contains("status: implemented"), "nothing marked implemented");
    let (code, stdout) = check_output(&starter);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("policy-unapproved"), "check says what to fill in: {stdout}");

    let out = dir.path().join("public");
    build(&starter, &out, "public").success();
    let site = read_tree(&out);
    let overview = text(&site, "index.html");
    assert!(overview.contains("In progress"), "{overview}");
    assert!(overview.contains("0 of 93 controls decided"), "{overview}");
    for absent in [
        "Controls implemented",
        "100%",
        "currently valid",
        "Monitored checks",
        "answers to security questions",
    ] {
        assert!(!overview.contains(absent), "{absent} is not shown on a starter");
    }
    assert!(
        !text(&site, "faq/index.html").contains("Every account requires multi-factor"),
        "example answers stay internal"
    );
    // Drafts say so, on their page and in the list, and the list does not claim approval.
    assert!(text(&site, "policies/pol-isp/index.html").contains("Draft: not approved yet"));
    let list = text(&site, "policies/index.html");
    assert!(list.contains("Draft: not approved yet") && !list.contains("approved by management"), "{list}");
    let soa = text(&site, "soa/index.html");
    assert!(
        soa.contains("This Statement of Applicability is in progress: 0 of 93 controls are decided so far. Not approved yet."),
        "{soa}"
    );
}

#[test]
fn each_check_can_set_its_own_staleness_window() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    // CHK-MFA last ran on 2026-11-20; a monthly scan ran 20 days before TODAY.
    append(
        &content.join("status/checks.yaml"),
        "- id: CHK-PENTEST\n  controls: [A.8.8]\n  title: External scan\n  result: pass\n  checked_at: 2026-11-01T06:00:00Z\n  stale_after: 31\n  audience: public\n- id: CHK-BACKUP\n  controls: [A.8.13]\n  title: Restore test\n  result: pass\n  checked_at: 2026-11-01T06:00:00Z\n  audience: public\n",
    );
    let (_, stdout) = check_output(&content);
    assert!(!stdout.contains("CHK-PENTEST"), "within its window: {stdout}");
    assert!(stdout.contains("control check CHK-BACKUP last ran 20 days ago"), "{stdout}");
    assert!(stdout.contains("can set `stale_after: DAYS`"), "{stdout}");

    append(&content.join("site.yaml"), "checks:\n  stale_after: 30\n");
    let (_, stdout) = check_output(&content);
    assert!(!stdout.contains("check-stale"), "the site's window covers both: {stdout}");

    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let json: serde_json::Value = serde_json::from_str(&text(&read_tree(&out), "trust.json")).unwrap();
    assert_eq!(json["monitoring"]["stale"], 0, "{json}");
}

/// A brand file that is another name for a withheld file (a symlink, or a copy) is caught by
/// the output gate, which compares every output file's bytes with the withheld files'.
#[cfg(unix)]
#[test]
fn a_brand_file_that_is_a_withheld_file_under_another_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    std::fs::write(content.join("documents/internal.svg"), SVG).unwrap();
    append(
        &content.join("documents/documents.yaml"),
        "- id: DOC-INTERNAL\n  title: Internal diagram\n  file: internal.svg\n  audience: internal\n",
    );
    std::fs::create_dir_all(content.join("brand")).unwrap();
    std::os::unix::fs::symlink("../documents/internal.svg", content.join("brand/logo.svg")).unwrap();
    std::fs::write(content.join("brand/copy.svg"), SVG).unwrap();
    for logo in ["brand/logo.svg", "brand/copy.svg"] {
        let site = std::fs::read_to_string(fixture("minimal").join("site.yaml")).unwrap();
        std::fs::write(content.join("site.yaml"), format!("{site}brand:\n  logo: {logo}\n")).unwrap();
        let out = dir.path().join("public");
        let stderr = build_error(&content, &out, "public");
        assert!(stderr.contains("its bytes are those of `documents/internal.svg`"), "{logo}: {stderr}");
        assert!(!out.exists());
        // The internal build may show it.
        build(&content, &dir.path().join("internal"), "internal").success();
    }
}

/// The cards have no audience of their own: an audience block in one is refused at its line,
/// never cut silently and never published.
#[test]
fn an_audience_block_in_a_card_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let content = minimal_copy(dir.path());
    append(
        &content.join("site.yaml"),
        "overview:\n  - title: T\n    text: |\n      public\n      ::: internal\n      CARDMARK secret\n      :::\n    link: FAQ-001\n",
    );
    let out = dir.path().join("public");
    let stderr = build_error(&content, &out, "public");
    assert!(stderr.contains("error[audience-block-in-card]"), "{stderr}");
    assert!(stderr.contains("site.yaml:12:1"), "{stderr}");
    assert!(!out.exists());
}
