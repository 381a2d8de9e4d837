//! `trustpress build` on the example ISMS: every page the SPEC lists, for both audiences;
//! byte-identical rebuilds; and a failed build that leaves the previous output alone.

use std::path::Path;

use crate::common::{build, build_error, copy_tree, example_content, read_tree, text, trustpress, TODAY};

const SITE_PAGES: &[&str] = &[
    "index.html",
    "policies/index.html",
    "soa/index.html",
    "certifications/index.html",
    "documents/index.html",
    "subprocessors/index.html",
    "faq/index.html",
    "updates/index.html",
    "updates/feed.xml",
    ".well-known/security.txt",
    "sitemap.xml",
    "robots.txt",
    "trust.json",
    "404.html",
    "assets/style.css",
];

const INTERNAL_PAGES: &[&str] = &["risks/index.html", "audits/index.html", "reviews/index.html"];

#[test]
fn example_builds_every_page_for_the_public() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let tree = read_tree(&out);
    for page in SITE_PAGES {
        assert!(tree.contains_key(*page), "public site lacks {page}");
    }
    for page in INTERNAL_PAGES {
        assert!(!tree.contains_key(*page), "public site must not have {page}");
    }
    // All 93 Annex A controls: a page each and a row in the SoA table.
    let control_pages = tree.keys().filter(|p| p.starts_with("soa/a-") && p.ends_with("/index.html")).count();
    assert_eq!(control_pages, 93);
    let soa = text(&tree, "soa/index.html");
    assert_eq!(soa.matches("<tr data-theme=").count(), 93);
    assert!(soa.contains("A.5.1<") && soa.contains("A.8.34<"));

    let security_txt = text(&tree, ".well-known/security.txt");
    assert!(security_txt.contains("Contact: mailto:security@halcyon-ledger.example"), "{security_txt}");
    assert!(security_txt.contains("Expires: 2027-09-30T00:00:00Z"), "{security_txt}");
    let robots = text(&tree, "robots.txt");
    assert!(robots.contains("Sitemap: https://trust.halcyon-ledger.example/sitemap.xml"), "{robots}");
    let sitemap = text(&tree, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://trust.halcyon-ledger.example/policies/pol-ac/</loc>"));
    assert!(!sitemap.contains("/risks/"));
    // Every HTML page of the build, and nothing else, is in the sitemap.
    let pages: Vec<String> = tree
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .map(|p| {
            format!("<loc>https://trust.halcyon-ledger.example/{}</loc>", p.trim_end_matches("index.html"))
        })
        .collect();
    assert_eq!(sitemap.matches("<loc>").count(), pages.len());
    for page in &pages {
        assert!(sitemap.contains(page.as_str()), "sitemap lacks {page}");
    }
    assert!(sitemap.contains("/search/</loc>") && sitemap.contains("/frameworks/soc2-2017/</loc>"));
    let trust: serde_json::Value = serde_json::from_str(&text(&tree, "trust.json")).unwrap();
    assert_eq!(trust["controls"]["total"], 93);
    assert_eq!(trust["organization"], "Halcyon Ledger");

    // Every public policy of the example has its page; the auditor-only one has none.
    for id in ["pol-isp", "pol-vdp", "pol-ac", "pol-cry", "pol-ir", "pol-sdlc"] {
        assert!(tree.contains_key(&format!("policies/{id}/index.html")), "{id}");
    }
    assert!(!tree.contains_key("policies/pol-kmp/index.html"));
}

#[test]
fn example_builds_the_internal_site_with_its_extra_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("internal");
    build(&example_content(), &out, "internal").success();
    let tree = read_tree(&out);
    for page in SITE_PAGES.iter().chain(INTERNAL_PAGES) {
        assert!(tree.contains_key(*page), "internal site lacks {page}");
    }
    assert!(tree.contains_key("audits/ia-2026-01/index.html"));
    assert!(tree.contains_key("reviews/mr-2026-01/index.html"));
    assert!(text(&tree, "risks/index.html").contains("R-001"));
}

#[test]
fn default_output_folder_follows_the_audience() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&example_content(), &dir.path().join("content"));
    trustpress().current_dir(dir.path()).args(["build", "--today", TODAY]).assert().success();
    trustpress()
        .current_dir(dir.path())
        .args(["build", "--today", TODAY, "--audience", "internal"])
        .assert()
        .success();
    assert!(dir.path().join("public/index.html").is_file());
    assert!(dir.path().join("internal/risks/index.html").is_file());
}

#[test]
fn same_content_gives_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    build(&example_content(), &first, "internal").success();
    // A different thread count changes the order work finishes in, never the output.
    trustpress()
        .env("RAYON_NUM_THREADS", "1")
        .args(["build", "--today", TODAY, "--audience", "internal", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(&second)
        .assert()
        .success();
    let (a, b) = (read_tree(&first), read_tree(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}

#[test]
fn source_date_epoch_pins_the_build_date() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    trustpress()
        .env("SOURCE_DATE_EPOCH", "1795219200") // 2026-11-21T00:00:00Z
        .args(["build", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let trust: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("trust.json")).unwrap()).unwrap();
    assert_eq!(trust["generated_on"], "2026-11-21");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let before = read_tree(&out);

    std::fs::write(content.join("soa.yaml"), "version: 7\ncontrols: [not, a, mapping\n").unwrap();
    let stderr = build_error(&content, &out, "public");
    assert!(stderr.contains("soa.yaml:"), "the error names the file and line: {stderr}");
    assert!(stderr.contains("left untouched"), "{stderr}");
    assert!(read_tree(&out) == before, "the previous site must be unchanged");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no staging folders are left behind: {leftovers:?}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    trustpress().args(["build", "--audience", "auditor"]).assert().failure().code(2);
    trustpress().args(["build", "--today", "21/11/2026"]).assert().failure().code(2);
    trustpress().args(["frobnicate"]).assert().failure().code(2);
}

#[test]
fn help_lists_only_working_commands() {
    let output = trustpress().arg("--help").assert().success().get_output().stdout.clone();
    let help = String::from_utf8(output).unwrap();
    for working in ["build", "check", "serve", "init", "bundle", "verify"] {
        assert!(help.contains(&format!("  {working} ")), "--help lacks `{working}`:\n{help}");
    }
}

#[test]
fn missing_content_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = build_error(&dir.path().join("nope"), &dir.path().join("out"), "public");
    assert!(stderr.contains("cannot open content folder"), "{stderr}");
}

/// The marker every output folder holds (`trustpress::output::MARKER`).
const MARKER: &str = ".trustpress-output";

/// `build` of the example into `out` with extra arguments, run in `dir`.
fn build_with(dir: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trustpress()
        .current_dir(dir)
        .args(["build", "--today", TODAY, "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The names in a folder, sorted: no staging folder may be left beside an output.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn out_naming_a_file_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "my notes").unwrap();
    for extra in [&[][..], &["--force"]] {
        let stderr = stderr_of(&build_with(dir.path(), &file, extra).failure().code(2));
        assert!(stderr.contains("is a file"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "my notes");
        assert_eq!(names(dir.path()), ["notes.txt"]);
    }
    // Later builds elsewhere are not affected (they used to fail on the replaced file).
    build_with(dir.path(), &dir.path().join("public"), &[]).success();
}

#[test]
fn out_folder_trustpress_did_not_make_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("photos")).unwrap();
    std::fs::write(home.join("photos/cat.jpg"), "meow").unwrap();
    std::fs::write(home.join(".bashrc"), "alias ll='ls -l'").unwrap();
    let before = read_tree(&home);

    let stderr = stderr_of(&build_with(dir.path(), &home, &[]).failure().code(2));
    assert!(stderr.contains("did not make it") && stderr.contains("--force"), "{stderr}");
    assert!(stderr.contains(MARKER), "{stderr}");
    assert!(read_tree(&home) == before, "nothing in the folder changed");
    assert_eq!(names(dir.path()), ["home"]);

    // A failed build with --force leaves the folder alone too.
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    std::fs::write(content.join("soa.yaml"), "controls: [broken\n").unwrap();
    let failed = trustpress()
        .args(["build", "--force", "--today", TODAY, "--content"])
        .arg(&content)
        .arg("--out")
        .arg(&home)
        .assert()
        .failure()
        .code(1);
    assert!(stderr_of(&failed).contains("left untouched"));
    assert!(read_tree(&home) == before);

    // --force replaces it; from then on it is trustpress's folder and needs no --force.
    build_with(dir.path(), &home, &["--force"]).success();
    let site = read_tree(&home);
    assert!(site.contains_key("index.html") && site.contains_key(MARKER));
    assert!(!site.contains_key("photos/cat.jpg") && !site.contains_key(".bashrc"));
    build_with(dir.path(), &home, &[]).success();
    assert_eq!(names(dir.path()), ["content", "home"]);
}

#[test]
fn an_empty_folder_is_used_and_the_marker_is_no_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    std::fs::create_dir_all(&out).unwrap();
    let assert = build_with(dir.path(), &out, &[]).success();
    let tree = read_tree(&out);
    assert!(text(&tree, MARKER).contains("trustpress build"));
    assert!(tree.contains_key("index.html"));
    // Not a page: not in the sitemap, the summary or the file count.
    assert!(!text(&tree, "sitemap.xml").contains(MARKER) && !text(&tree, "trust.json").contains(MARKER));
    let files = tree.len() - 1;
    assert!(stderr_of(&assert).contains(&format!(": {files} files in")), "{}", stderr_of(&assert));
}

#[test]
fn out_naming_the_current_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("sub")).unwrap();
    std::fs::write(work.join("keep.txt"), "keep").unwrap();
    for (cwd, out) in [(&work, "."), (&work.join("sub"), ".."), (&work.join("sub"), "../sub")] {
        let stderr = stderr_of(&build_with(cwd, Path::new(out), &["--force"]).failure().code(2));
        assert!(
            stderr.contains("current folder") || stderr.contains("name the folder itself"),
            "{out}: {stderr}"
        );
    }
    assert_eq!(names(&work), ["keep.txt", "sub"]);
}

#[cfg(unix)]
#[test]
fn out_that_is_a_symbolic_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("www");
    build_with(dir.path(), &target, &[]).success();
    let before = read_tree(&target);
    let link = dir.path().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let stderr = stderr_of(&build_with(dir.path(), &link, &["--force"]).failure().code(2));
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(read_tree(&target) == before);
    // The folder it points to is built into as usual.
    build_with(dir.path(), &target, &[]).success();
}

#[test]
fn an_out_of_range_build_date_is_a_usage_error_before_anything_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let content = example_content();
    for epoch in ["-1", "-86400", "-99999999999", "253402300800", "99999999999999"] {
        for command in ["build", "bundle", "check"] {
            let mut run = trustpress();
            run.env("SOURCE_DATE_EPOCH", epoch).arg(command).arg("--content").arg(&content);
            if command != "check" {
                run.arg("--out").arg(&out);
            }
            let stderr = stderr_of(&run.assert().failure().code(2));
            assert!(stderr.contains(&format!("SOURCE_DATE_EPOCH `{epoch}` is out of range")), "{stderr}");
            assert!(!out.exists(), "nothing is written");
        }
    }
    for today in ["0001-01-01", "1969-12-31"] {
        let mut run = trustpress();
        run.args(["build", "--today", today, "--content"]).arg(&content).arg("--out").arg(&out);
        let stderr = stderr_of(&run.assert().failure().code(2));
        assert!(stderr.contains(&format!("--today `{today}` is out of range")), "{stderr}");
        assert!(!out.exists());
    }
    // The first day is fine (on content that does not pin its own date).
    let unpinned = dir.path().join("unpinned");
    copy_tree(&content, &unpinned);
    let site = std::fs::read_to_string(unpinned.join("site.yaml")).unwrap();
    std::fs::write(unpinned.join("site.yaml"), site.replace("as_of: 2026-11-21\n", "")).unwrap();
    let check =
        trustpress().env("SOURCE_DATE_EPOCH", "0").args(["check", "--content"]).arg(&unpinned).assert();
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(stdout.contains("checked against 1970-01-01"), "{stdout}");
}

/// The example pins its day (`as_of`), so it reads the same whenever it is built: that day
/// wins over SOURCE_DATE_EPOCH and the clock, and `--today` wins over it.
#[test]
fn content_that_pins_its_day_is_built_and_checked_as_of_that_day() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_content();
    assert!(std::fs::read_to_string(content.join("site.yaml")).unwrap().contains("\nas_of: 2026-11-21\n"));
    let check = trustpress()
        .env("SOURCE_DATE_EPOCH", "1893456000")
        .args(["check", "--content"])
        .arg(&content)
        .assert();
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(stdout.contains("checked against 2026-11-21"), "{stdout}");
    let pinned = trustpress().args(["check", "--today", "2026-11-21", "--content"]).arg(&content).assert();
    assert_eq!(
        stdout,
        String::from_utf8_lossy(&pinned.get_output().stdout),
        "the same report as on that day"
    );

    let out = dir.path().join("pinned");
    trustpress()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["build", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let overview = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        overview.contains("Information as of <time datetime=\"2026-11-21\">21 November 2026</time>"),
        "{overview}"
    );

    let out = dir.path().join("today");
    trustpress()
        .args(["build", "--today", "2027-06-01", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let overview = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(overview.contains("datetime=\"2027-06-01\""), "--today still wins");
}

#[test]
fn spec_framework_names_build_the_same_site_as_the_versioned_ids() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    let versioned = "frameworks: [iso27001-2022, soc2-2017, nis2-art21]";
    let built = |frameworks: &str, name: &str| {
        let site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
        let line = site.lines().find(|line| line.starts_with("frameworks:")).unwrap().to_string();
        std::fs::write(content.join("site.yaml"), site.replacen(&line, frameworks, 1)).unwrap();
        let out = dir.path().join(name);
        build(&content, &out, "internal").success();
        read_tree(&out)
    };
    let before = built(versioned, "versioned");
    assert!(before.contains_key("frameworks/soc2-2017/index.html"));
    assert!(before.contains_key("frameworks/nis2-art21/index.html"));
    // The SPEC's names, and both spellings at once: the same pages, byte for byte.
    for (frameworks, name) in [
        ("frameworks: [iso27001-2022, soc2, nis2]", "spec"),
        ("frameworks: [iso27001-2022, soc2, soc2-2017, nis2-art21, nis2]", "both"),
    ] {
        let after = built(frameworks, name);
        assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "{frameworks}");
        for (path, bytes) in &before {
            assert!(bytes == &after[path], "{path} differs with {frameworks}");
        }
    }
}

/// A rebuild into the earlier output writes only what changed, and ends byte for byte where a
/// build into a new folder ends, file names included: after an edit, a removed update, a new
/// date and an audience change. (A removed update takes its page folder with it.)
#[test]
fn a_rebuild_in_place_equals_a_fresh_build_and_touches_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    let out = dir.path().join("site");
    let fresh = |name: &str, audience: &str, today: &str| {
        let folder = dir.path().join(name);
        trustpress()
            .args(["build", "--today", today, "--audience", audience, "--content"])
            .arg(&content)
            .arg("--out")
            .arg(&folder)
            .assert()
            .success();
        read_tree(&folder)
    };
    let rebuild = |audience: &str, today: &str| {
        let assert = trustpress()
            .args(["build", "--today", today, "--audience", audience, "--force", "--content"])
            .arg(&content)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
    };
    rebuild("public", TODAY);
    let modified = |path: &str| std::fs::metadata(out.join(path)).unwrap().modified().unwrap();
    let soa_time = modified("soa/index.html");
    std::thread::sleep(std::time::Duration::from_millis(20));

    let message = rebuild("public", TODAY);
    assert!(message.contains("(0 written,"), "nothing changed: {message}");
    assert_eq!(modified("soa/index.html"), soa_time);

    let policy = content.join("policies/access-control.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, text.replacen("## ", "## A heading added\n\nNew words.\n\n## ", 1)).unwrap();
    std::fs::remove_file(content.join("updates/2026-02-27-live-chat-removed.md")).unwrap();
    let message = rebuild("public", TODAY);
    assert!(message.contains("removed;") && !message.contains(" 0 removed;"), "{message}");
    assert_eq!(modified("soa/index.html"), soa_time, "a page the edit does not reach keeps its time");
    assert!(read_tree(&out) == fresh("fresh-public", "public", TODAY), "in place equals fresh");

    rebuild("internal", "2026-11-30");
    assert!(read_tree(&out) == fresh("fresh-internal", "internal", "2026-11-30"), "in place equals fresh");
}

/// `check` shows the first three diagnostics of a code in full and the rest in a line
/// (`--all` shows every one, JSON always has every one); `--deny` makes a code fail CI and
/// `--allow` leaves its warnings out; `build` sums its warnings up in one line.
#[test]
fn check_groups_repeats_and_ci_chooses_codes_and_build_sums_up() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&crate::common::fixture("minimal"), &content);
    let index = content.join("evidence/evidence.yaml");
    let mut yaml = std::fs::read_to_string(&index).unwrap();
    for n in 2..=6 {
        yaml.push_str(&format!(
            "\n- id: EV-00{n}\n  title: Old evidence {n}\n  file: approval-minutes.md\n  controls: [A.5.1]\n  collected: 2025-01-01\n  max_age_days: 30\n"
        ));
    }
    std::fs::write(&index, yaml).unwrap();
    let check = |extra: &[&str]| {
        let output = trustpress()
            .args(["check", "--today", TODAY, "--content"])
            .arg(&content)
            .args(extra)
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let (code, text) = check(&[]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.matches("warning[evidence-stale]: evidence").count(), 3, "{text}");
    assert!(text.contains("warning[evidence-stale]: … and 2 more: evidence/evidence.yaml:"), "{text}");
    assert!(text.contains("check passed: 0 errors, 5 warnings"), "the count is of all: {text}");
    let (_, all) = check(&["--all"]);
    assert_eq!(all.matches("warning[evidence-stale]: evidence").count(), 5, "{all}");
    let (_, json) = check(&["--format", "json"]);
    assert_eq!(json.matches("\"evidence-stale\"").count(), 5, "{json}");
    let (code, denied) = check(&["--deny", "evidence-stale"]);
    assert_eq!(code, Some(1), "{denied}");
    assert!(
        denied.contains("error[evidence-stale]") && denied.contains("check failed: 5 errors"),
        "{denied}"
    );
    let (code, allowed) = check(&["--allow", "evidence-stale"]);
    assert_eq!(code, Some(0));
    assert!(!allowed.contains("evidence-stale") && allowed.contains("0 warnings"), "{allowed}");

    let assert = build(&content, &dir.path().join("site"), "public").success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning: the content has 5 warnings (evidence-stale); `trustpress check --content"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning[evidence-stale]"), "a build does not list them: {stderr}");
}

/// `--out` inside the content folder is refused, `--force` or not: a build there would
/// replace content files (`--out content/policies --force` deleted the policies).
#[test]
fn an_output_folder_inside_the_content_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = crate::common::example_copy(dir.path());
    for (out, force) in [("policies", true), ("public", false), ("site/out", true)] {
        let mut run = trustpress();
        run.args(["build", "--today", TODAY, "--content"]).arg(&content).arg("--out").arg(content.join(out));
        if force {
            run.arg("--force");
        }
        let stderr =
            String::from_utf8_lossy(&run.assert().failure().code(2).get_output().stderr).into_owned();
        assert!(stderr.contains("it is inside the content folder"), "{out}: {stderr}");
    }
    assert!(content.join("policies/access-control.md").is_file(), "nothing in the content is touched");
    assert!(!content.join("public").exists() && !content.join("site").exists());
    build(&content, &dir.path().join("public"), "public").success();

    // A pinned day out of range is an error at its line, not a failure while writing.
    let site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
    std::fs::write(content.join("site.yaml"), site.replace("as_of: 2026-11-21", "as_of: 0001-01-01"))
        .unwrap();
    let stderr = build_error(&content, &dir.path().join("public"), "public");
    assert!(stderr.contains("error[invalid-date]: as_of `0001-01-01` is out of range"), "{stderr}");
    assert!(stderr.contains("site.yaml:"), "{stderr}");
}

/// A number out of its range is said in a person's words, at its place (the YAML reader
/// says "invalid u32").
#[test]
fn a_negative_count_of_days_is_said_in_words_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&example_content(), &content);
    let site = content.join("site.yaml");
    let text = std::fs::read_to_string(&site).unwrap() + "checks:\n  stale_after: -1\n";
    std::fs::write(&site, text).unwrap();
    let error = build_error(&content, &dir.path().join("out"), "public");
    assert!(error.contains("error[invalid-value]: expected a whole number (0 or more)"), "{error}");
    assert!(error.contains("site.yaml:") && !error.contains("invalid u32"), "{error}");
}

/// Every FAQ answer is on one page: two answers with the same heading get two ids (each
/// begins with its answer's), and each heading's anchor link points at its own.
#[test]
fn faq_answers_with_the_same_heading_get_ids_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    crate::common::copy_tree(&example_content(), &content);
    let mut faq = std::fs::read_to_string(content.join("faq/data.yaml")).unwrap();
    for (id, text) in [("FAQ-901", "One"), ("FAQ-902", "Two")] {
        faq.push_str(&format!(
            "\n- id: {id}\n  question: Question {id}?\n  answer: |\n    ## Details\n\n    {text}.\n  audience: public\n"
        ));
    }
    std::fs::write(content.join("faq/data.yaml"), faq).unwrap();
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let page = std::fs::read_to_string(out.join("faq/index.html")).unwrap();
    let mut ids: Vec<&str> = page.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "every id on the FAQ page is unique: {ids:?}");
    for id in ["faq-901-details", "faq-902-details"] {
        assert!(page.contains(&format!("id=\"{id}\"")) && page.contains(&format!("href=\"#{id}\"")), "{id}");
    }
}
