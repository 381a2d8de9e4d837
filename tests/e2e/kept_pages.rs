//! A rebuild in place keeps the pages whose key (everything their rendering reads) it
//! recorded and whose files nobody touched, without rendering them (`output::kept`), and the
//! search index with them; it parses only the files whose text its build cache has not seen
//! (`load::cache::Kind::Build`). Held to a build into a new folder with a new cache folder,
//! byte for byte, after each of a seeded random run of edits: policy texts and titles,
//! internal blocks with markers, audiences, FAQ answers, the evidence index, the
//! organisation's name and security contact, the build date and audience, and output files
//! changed or deleted by hand. The public output never holds a marker of an internal block.

use std::path::Path;

use crate::common::*;

/// A small seeded generator (xorshift64*): the same run of edits on every machine.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

fn policies(content: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(content.join("policies"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// Inserts `line` after the front matter's first line (`---`).
fn add_front_matter(file: &Path, line: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    std::fs::write(file, text.replacen("---\n", &format!("---\n{line}\n"), 1)).unwrap();
}

fn toggle_audience(file: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let text = if text.contains("\naudience: internal\n") {
        text.replacen("\naudience: internal\n", "\naudience: public\n", 1)
    } else if text.contains("\naudience: auditor\n") {
        text.replacen("\naudience: auditor\n", "\naudience: public\n", 1)
    } else if text.contains("\naudience: public\n") {
        text.replacen("\naudience: public\n", "\naudience: internal\n", 1)
    } else {
        text.replacen("---\n", "---\naudience: internal\n", 1)
    };
    std::fs::write(file, text).unwrap();
}

/// The first few paths at which two output trees differ (in one and not the other, or with
/// other bytes).
fn differing<V: PartialEq>(
    kept: &std::collections::BTreeMap<String, V>,
    made: &std::collections::BTreeMap<String, V>,
) -> Vec<String> {
    kept.keys()
        .chain(made.keys())
        .filter(|path| kept.get(*path) != made.get(*path))
        .take(5)
        .cloned()
        .collect()
}

/// Some file of the output other than the marker, in a fixed order.
fn output_file(out: &Path, random: &mut Random) -> String {
    let files: Vec<String> = read_tree(out).into_keys().filter(|path| path.ends_with(".html")).collect();
    files[random.below(files.len())].clone()
}

#[test]
fn a_rebuild_that_keeps_pages_equals_a_fresh_build_after_every_edit() {
    for seed in [0x9e37_79b9_7f4a_7c15_u64, 0x2545_f491_4f6c_dd1d] {
        let dir = tempfile::tempdir().unwrap();
        let content = example_copy(dir.path());
        let out = dir.path().join("site");
        let cache = dir.path().join("cache");
        let run_cached = |cache: &Path, audience: &str, today: &str, into: &Path| {
            build_cached(&content, cache, audience, today, into)
        };
        let run = |audience: &str, today: &str, into: &Path| run_cached(&cache, audience, today, into);
        let (mut audience, mut today) = ("public", TODAY.to_string());
        run(audience, &today, &out);
        run(audience, &today, &out);
        let message = run(audience, &today, &out);
        assert!(
            message.contains("not rendered again"),
            "a rebuild of nothing changed keeps pages: {message}"
        );
        let mut random = Random(seed);
        let mut kept_once = false;
        for step in 0..14 {
            let files = policies(&content);
            // The first steps edit the text of a public policy: its page alone changes.
            let public = content.join("policies/access-control.md");
            let policy = if step < 2 { &public } else { &files[random.below(files.len())] };
            // The third changes the security contact, which trust.json shows.
            let what = match step {
                0 | 1 => step,
                2 => 12,
                _ => random.below(13),
            };
            match what {
                0 => {
                    let mut text = std::fs::read_to_string(policy).unwrap();
                    text.push_str(&format!("\nA paragraph added in step {step}.\n"));
                    std::fs::write(policy, text).unwrap();
                }
                1 => {
                    let mut text = std::fs::read_to_string(policy).unwrap();
                    text.push_str(&format!("\n::: internal\nKEPT-SECRET-{step} only for staff.\n:::\n"));
                    std::fs::write(policy, text).unwrap();
                }
                2 => toggle_audience(policy),
                3 => {
                    let text = std::fs::read_to_string(policy).unwrap();
                    std::fs::write(policy, text.replacen("\ntitle: ", &format!("\ntitle: Step {step} "), 1))
                        .unwrap();
                }
                4 => edit(&content.join("site.yaml"), "name: ", &format!("name: Step{step} ")),
                5 => today = format!("2026-12-{:02}", 1 + random.below(28)),
                6 => audience = if audience == "public" { "internal" } else { "public" },
                9 => {
                    // An answer's words: the search entries, and so its index, change.
                    let faq = content.join("faq/access.yaml");
                    edit(&faq, "  answer: |\n    ", &format!("  answer: |\n    Step{step} "));
                }
                11 => {
                    // A field only the policy's view holds: its page shows it.
                    let text = std::fs::read_to_string(policy).unwrap();
                    let edited = text.replacen("\nowner: ", &format!("\nowner: Step {step} "), 1);
                    let edited = if edited == text {
                        text.replacen("---\n", &format!("---\nowner: Step {step}\n"), 1)
                    } else {
                        edited
                    };
                    std::fs::write(policy, edited).unwrap();
                }
                12 => {
                    // Shown by the footer of every page, trust.json and security.txt.
                    let site = content.join("site.yaml");
                    edit(&site, "security_email: ", &format!("security_email: step{step}."));
                }
                10 => {
                    let evidence = content.join("evidence/evidence.yaml");
                    edit(&evidence, "  title: ", &format!("  title: Step {step} "));
                }
                7 => {
                    // A page changed by hand, to the same size: it is made again.
                    let path = out.join(output_file(&out, &mut random));
                    let text = std::fs::read_to_string(&path).unwrap();
                    std::fs::write(&path, text.replacen("<", "{", 1)).unwrap();
                }
                _ => {
                    let path = out.join(output_file(&out, &mut random));
                    std::fs::remove_file(path).unwrap();
                }
            }
            if what == 1 {
                add_front_matter(policy, "# a comment, so the front matter changes too");
            }
            let message = run(audience, &today, &out);
            kept_once |= message.contains("not rendered again");
            // Into a new folder, parsing every file: its cache folder is new too.
            let fresh = dir.path().join(format!("fresh-{step}"));
            run_cached(&dir.path().join(format!("fresh-cache-{step}")), audience, &today, &fresh);
            let (kept, made) = (read_tree(&out), read_tree(&fresh));
            let differing = differing(&kept, &made);
            assert!(
                differing.is_empty(),
                "seed {seed:x}, step {step} (edit {what}): in place differs at {differing:?}"
            );
            if audience == "public" {
                for (path, bytes) in &kept {
                    assert!(
                        !String::from_utf8_lossy(bytes).contains("KEPT-SECRET"),
                        "an internal block's marker is in the public {path}"
                    );
                }
            }
            std::fs::remove_dir_all(&fresh).unwrap();
        }
        assert!(kept_once, "seed {seed:x}: no rebuild kept a page");
    }
}

/// A theme may show on any page what the model hands out apart from the rest (the policies,
/// item by item): a page that lists each policy's owner is made again when only an owner
/// changes (a policy's fields are in every page's key; only its text is in its page's alone).
#[test]
fn a_page_that_reads_the_policies_is_made_again_when_one_changes() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let templates = content.join("mytheme/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("faq.html"),
        "{% extends \"default/faq.html\" %}{% block content %}{{ super() }}<ul>{% for p in model.policies %}<li>{{ p.owner }}</li>{% endfor %}</ul>{% endblock %}",
    )
    .unwrap();
    let mut site = std::fs::read_to_string(content.join("site.yaml")).unwrap();
    site.push_str("\ntheme: mytheme\n");
    std::fs::write(content.join("site.yaml"), site).unwrap();
    let out = dir.path().join("site");
    for _ in 0..3 {
        build(&content, &out, "public").success();
    }
    edit(&content.join("policies/access-control.md"), "owner: Head of IT", "owner: A New Owner");
    build(&content, &out, "public").success();
    assert_holds(&text(&read_tree(&out), "faq/index.html"), "A New Owner");
}

/// Two builds into one output folder at once (the internal and the public site) take turns:
/// both succeed, and the folder holds one whole site, never a mix of the two.
#[test]
fn two_builds_into_one_folder_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let fresh = |audience: &str| {
        let folder = dir.path().join(format!("fresh-{audience}"));
        build(&example_content(), &folder, audience).success();
        read_tree(&folder)
    };
    let (public, internal) = (fresh("public"), fresh("internal"));
    let binary = assert_cmd::cargo::cargo_bin("trustpress");
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-cache");
    for round in 0..4 {
        let start = |audience: &str| {
            std::process::Command::new(&binary)
                .env("TRUSTPRESS_CACHE_DIR", &cache)
                .env_remove("SOURCE_DATE_EPOCH")
                .args(["build", "--today", TODAY, "--audience", audience, "--content"])
                .arg(example_content())
                .arg("--out")
                .arg(&out)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if round % 2 == 0 { ("internal", "public") } else { ("public", "internal") };
        let builds = [start(first), start(second)];
        for child in builds {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        }
        let tree = read_tree(&out);
        assert!(tree == public || tree == internal, "round {round}: the folder holds a mix of two builds");
    }
}

/// The cache folder holds text of every audience: a build refuses to run with it inside the
/// output (where a deploy would publish it) or inside the content folder (where a commit
/// would take it), and writes nothing.
#[test]
fn a_cache_folder_inside_the_output_or_the_content_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let out = dir.path().join("site");
    for cache in [out.clone(), out.join("cache"), content.join(".cache")] {
        let assert = trustpress()
            .env("TRUSTPRESS_CACHE_DIR", &cache)
            .args(["build", "--today", TODAY, "--content"])
            .arg(&content)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        assert_holds(&stderr(&assert), "point TRUSTPRESS_CACHE_DIR elsewhere");
        assert!(!out.exists() && !content.join(".cache").exists(), "nothing written");
    }
    // `check` runs, without a cache inside the content folder (its history and parse caches
    // hold text of every audience).
    let git = |args: &[&str]| {
        let mut command = std::process::Command::new("git");
        command
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(&content);
        run_ok(&mut command)
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "content"]);
    trustpress()
        .env("TRUSTPRESS_CACHE_DIR", content.join(".cache"))
        .args(["check", "--content"])
        .arg(&content)
        .output()
        .unwrap();
    assert!(!content.join(".cache").exists(), "check made a cache inside the content folder");
}

/// The pages of a long list (the policies list and the questionnaire's search, a hundred
/// items to a page) are keyed by their place in a list every page's key holds whole. Rebuilt
/// in place after a title on the third page changes, a policy on the first page goes (every
/// later one moves up) and a new one comes, each equals a build into a new folder.
#[test]
fn the_pages_of_a_long_list_rebuilt_in_place_equal_a_fresh_build() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let source = std::fs::read_to_string(content.join("policies/access-control.md")).unwrap();
    let policy = |n: usize, title: &str| {
        source.replacen("id: POL-AC", &format!("id: POL-L{n:03}"), 1).replacen(
            "title: Access Control Policy",
            &format!("title: {title}"),
            1,
        )
    };
    for n in 0..230 {
        std::fs::write(
            content.join(format!("policies/long-{n:03}.md")),
            policy(n, &format!("Long list {n:03}")),
        )
        .unwrap();
    }
    let out = dir.path().join("site");
    let cache = dir.path().join("cache");
    let run = |cache: &Path, into: &Path| build_cached(&content, cache, "public", TODAY, into);
    run(&cache, &out);
    run(&cache, &out);
    let tree = read_tree(&out);
    assert!(tree.contains_key("policies/page/3/index.html"), "the policies list has three pages");
    assert!(tree.contains_key("search/page/3/index.html"), "the search has three pages or more");
    let edits: [(&str, &dyn Fn()); 3] = [
        ("a title on the third page", &|| {
            let file = content.join("policies/long-220.md");
            std::fs::write(&file, policy(220, "Renamed on page three")).unwrap();
        }),
        ("a policy on the first page removed", &|| {
            std::fs::remove_file(content.join("policies/long-003.md")).unwrap();
        }),
        ("a policy added", &|| {
            std::fs::write(content.join("policies/long-999.md"), policy(999, "Added last")).unwrap();
        }),
    ];
    for (step, (what, edit)) in edits.iter().enumerate() {
        edit();
        run(&cache, &out);
        let fresh = dir.path().join(format!("fresh-{step}"));
        run(&dir.path().join(format!("fresh-cache-{step}")), &fresh);
        let differing = differing(&read_tree(&out), &read_tree(&fresh));
        assert!(differing.is_empty(), "after {what}: in place differs at {differing:?}");
    }
    assert_holds(&text(&read_tree(&out), "policies/page/3/index.html"), "Renamed on page three");
}
