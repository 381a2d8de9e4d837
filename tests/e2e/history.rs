//! Document control from git: revision history on policy pages, "what changed" pages,
//! `changed-without-approval`, and `--at`. Each test makes its own repository with the
//! `git` a user has, with fixed authors and dates, from a copy of the example content.
//!
//! Markers: `HISTPUB` is text every reader of a public version may see; `HISTINT` is in
//! places only staff may see (internal blocks of past versions, a past internal version,
//! commit messages, author names and emails, removed internal text); `HISTAUD` only
//! auditors.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_tree, edit, example_content, read_tree, text, trustpress, TODAY};

/// A git repository holding a copy of the example content in `content/`.
struct Fixture {
    dir: tempfile::TempDir,
    day: u32,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example_content(), &dir.path().join("content"));
        let fixture = Fixture { dir, day: 1 };
        fixture.git(&["init", "--quiet", "--initial-branch=main"]);
        fixture
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn content(&self) -> PathBuf {
        self.root().join("content")
    }

    fn policy(&self, name: &str) -> PathBuf {
        self.content().join("policies").join(name)
    }

    /// Runs git in the repository, isolated from the user's configuration.
    fn git(&self, args: &[&str]) -> String {
        let date = format!("2026-01-{:02}T10:00:00+00:00", self.day);
        let output = Command::new("git")
            .current_dir(self.root())
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "HISTINT Author")
            .env("GIT_AUTHOR_EMAIL", "histint-author@example.com")
            .env("GIT_COMMITTER_NAME", "HISTINT Author")
            .env("GIT_COMMITTER_EMAIL", "histint-author@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Commits everything, one day after the previous commit; returns the commit id.
    fn commit(&mut self, message: &str) -> String {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "-m", message]);
        self.day += 1;
        self.git(&["rev-parse", "HEAD"])
    }

    fn build(
        &self,
        audience: &str,
        extra: &[&str],
    ) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>, String) {
        self.build_in(audience, extra, trustpress())
    }

    /// `build` with its own cache folder.
    fn build_with_cache(
        &self,
        audience: &str,
        cache: &Path,
    ) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>, String) {
        self.build_with_cache_and(audience, cache, &[])
    }

    fn build_with_cache_and(
        &self,
        audience: &str,
        cache: &Path,
        extra: &[&str],
    ) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>, String) {
        let mut command = trustpress();
        command.env("TRUSTPRESS_CACHE_DIR", cache);
        self.build_in(audience, extra, command)
    }

    fn build_in(
        &self,
        audience: &str,
        extra: &[&str],
        mut command: assert_cmd::Command,
    ) -> (tempfile::TempDir, std::collections::BTreeMap<String, Vec<u8>>, String) {
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let output = command
            .args(["build", "--content"])
            .arg(self.content())
            .arg("--out")
            .arg(&site)
            .args(["--audience", audience, "--today", TODAY])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        let tree = read_tree(&site);
        (out, tree, stderr)
    }
}

/// The fixture's story, one commit a day from 2026-01-01:
/// 1. the example as it is (POL-AC 3.2; POL-KM is an auditor-only policy);
/// 2. POL-AC 3.3: a public sentence added, an internal block added, a sentence removed;
///    POL-SD made internal with an internal-only version 9.0;
/// 3. POL-AC's text changed again with no new version (unapproved);
/// 4. POL-AC 3.4, approved; POL-SD public again as 9.1;
/// 5. POL-AC's file renamed.
fn story() -> (Fixture, Vec<String>) {
    let mut fixture = Fixture::new();
    let mut commits = vec![fixture.commit("Example content")];
    let ac = fixture.policy("access-control.md");
    edit(&ac, "version: \"3.2\"", "version: \"3.3\"");
    edit(&ac, "approved: 2026-02-18", "approved: 2026-01-01");
    edit(
        &ac,
        "It applies to every employee, contractor and service account.",
        "It applies to every employee, contractor and service account. HISTPUB sentence added in 3.3.\n\n::: internal\nHISTINT internal note of version 3.3.\n:::\n",
    );
    let sd = fixture.policy("secure-development.md");
    edit(&sd, "audience: public", "audience: internal");
    let version = std::fs::read_to_string(&sd).unwrap();
    let old_version = version.lines().find(|l| l.starts_with("version:")).unwrap().to_string();
    edit(&sd, &old_version, "version: \"9.0\"");
    edit(&sd, "\n## ", "\nHISTINT text of the internal-only version 9.0.\n\n## ");
    commits.push(fixture.commit("Approve POL-AC 3.3 (HISTINT commit message)"));
    edit(&ac, "HISTPUB sentence added in 3.3.", "HISTPUB sentence edited without approval.");
    commits.push(fixture.commit("Quiet edit (HISTINT)"));
    edit(&ac, "version: \"3.3\"", "version: \"3.4\"");
    edit(&ac, "approved: 2026-01-01", "approved: 2026-01-03");
    edit(&sd, "audience: internal", "audience: public");
    edit(&sd, "version: \"9.0\"", "version: \"9.1\"");
    edit(&sd, "HISTINT text of the internal-only version 9.0.\n\n", "");
    commits.push(fixture.commit("Approve POL-AC 3.4 and publish POL-SD 9.1"));
    fixture.git(&["mv", "content/policies/access-control.md", "content/policies/access.md"]);
    commits.push(fixture.commit("Rename the access control policy file"));
    (fixture, commits)
}

/// The section of version `slug` (its anchor is `version-{slug}`) on the "what changed" page
/// `page`: from its opening tag to the next section's, or to the end of the article.
fn section(page: &str, slug: &str) -> String {
    let start = page
        .find(&format!("<section class=\"change\" id=\"version-{slug}\""))
        .unwrap_or_else(|| panic!("no section of version {slug}: {page}"));
    let rest = &page[start..];
    let end = rest[1..].find("<section class=\"change\"").map(|i| i + 1).or_else(|| rest.find("</article>"));
    rest[..end.unwrap_or(rest.len())].to_string()
}

fn occurrences(tree: &std::collections::BTreeMap<String, Vec<u8>>, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    tree.iter()
        .filter(|(path, bytes)| {
            path.to_lowercase().contains(&needle)
                || String::from_utf8_lossy(bytes).to_lowercase().contains(&needle)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

#[test]
fn policy_pages_show_approved_versions_and_what_changed() {
    let (fixture, _) = story();
    let (_out, tree, _) = fixture.build("public", &[]);
    let page = text(&tree, "policies/pol-ac/index.html");
    assert!(page.contains("Revision history"), "no history on the policy page");
    for version in ["3.2", "3.3", "3.4"] {
        assert!(
            page.contains(&format!("<th scope=\"row\" class=\"nowrap\">{version}</th>")),
            "version {version} missing"
        );
    }
    // Renamed in the last commit, and still one history.
    assert_eq!(page.matches("What changed</a>").count(), 2, "{page}");
    // Each row links to its version's section of the policy's one "what changed" page.
    for version in ["3-3", "3-4"] {
        assert!(
            page.contains(&format!("href=\"../../policies/pol-ac/changes/#version-{version}\"")),
            "{page}"
        );
    }
    let all = text(&tree, "policies/pol-ac/changes/index.html");
    // Newest first: 3.4's section, then 3.3's; 3.2 (the first shown) has none.
    let (newer, older) = (all.find("id=\"version-3-4\"").unwrap(), all.find("id=\"version-3-3\"").unwrap());
    assert!(newer < older && !all.contains("id=\"version-3-2\""), "{all}");
    let changes = section(&all, "3-3");
    assert!(
        changes.contains("<ins>HISTPUB sentence added in 3.3.</ins>")
            || changes.contains("HISTPUB sentence added in 3.3.</ins>"),
        "{changes}"
    );
    // 3.4 against 3.3: the edit made between them is part of 3.4's changes.
    let later = section(&all, "3-4");
    assert!(later.contains("<del>") && later.contains("edited without approval"), "{later}");
    // Each section compares its version with the one shown just before it.
    for (section, lead) in [(&later, "Version 3.4, approved "), (&changes, "Version 3.3, approved ")] {
        let compared =
            if lead.contains("3.4") { "compared with version 3.3," } else { "compared with version 3.2," };
        assert!(section.contains(lead) && section.contains(compared), "{section}");
    }
}

#[test]
fn public_history_holds_nothing_internal() {
    let (fixture, commits) = story();
    let (_out, tree, _) = fixture.build("public", &[]);
    for marker in ["HISTINT", "histint-author", "HISTAUD"] {
        assert_eq!(occurrences(&tree, marker), Vec::<String>::new(), "{marker} leaked");
    }
    for commit in &commits {
        assert_eq!(
            occurrences(&tree, &commit[..10]),
            Vec::<String>::new(),
            "a commit id reached the public site"
        );
    }
    // POL-SDLC's internal-only version 9.0 is not a row; its public 9.1 is compared with the
    // public version before it, 2.4, never with 9.0.
    let sd = text(&tree, "policies/pol-sdlc/index.html");
    assert!(!sd.contains(">9.0<") && sd.contains(">9.1<") && sd.contains(">2.4<"), "{sd}");
    let page = text(&tree, "policies/pol-sdlc/changes/index.html");
    let diff = section(&page, "9-1");
    assert!(diff.contains("compared with version 2.4"), "{diff}");
    assert!(
        !page.contains("version-9-0") && !page.contains(">Version 9.0<"),
        "a section of an internal version: {page}"
    );
    // An auditor-only policy has no page, so no history, on the public site.
    assert!(!tree.keys().any(|path| path.starts_with("policies/pol-km/")));
}

#[test]
fn internal_history_shows_commits_and_internal_versions() {
    let (fixture, commits) = story();
    let (_out, tree, _) = fixture.build("internal", &[]);
    let ac = text(&tree, "policies/pol-ac/index.html");
    assert!(
        ac.contains(&commits[1][..10]) && ac.contains("Approve POL-AC 3.3 (HISTINT commit message)"),
        "{ac}"
    );
    let changes = section(&text(&tree, "policies/pol-ac/changes/index.html"), "3-3");
    assert!(changes.contains("HISTINT internal note of version 3.3."), "{changes}");
    let sd = text(&tree, "policies/pol-sdlc/index.html");
    assert!(sd.contains(">9.0<") && sd.contains(">9.1<"), "{sd}");
    let diff = section(&text(&tree, "policies/pol-sdlc/changes/index.html"), "9-1");
    assert!(diff.contains("<del>HISTINT text of the internal-only version 9.0."), "{diff}");
    assert_eq!(occurrences(&tree, "HISTAUD"), Vec::<String>::new());
}

#[test]
fn check_finds_a_change_made_after_approval() {
    let (mut fixture, commits) = story();
    let check = |fixture: &Fixture| {
        let output = trustpress()
            .args(["check", "--no-cache", "--all", "--today", TODAY, "--content"])
            .arg(fixture.content())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    // Approved again in commit 4: nothing to report.
    let report = check(&fixture);
    assert!(!report.contains("changed-without-approval"), "{report}");
    // Edited after 3.4's approval: reported, naming the commit.
    edit(&fixture.policy("access.md"), "HISTPUB sentence edited without approval.", "Edited once more.");
    let quiet = fixture.commit("Another quiet edit");
    let report = check(&fixture);
    assert!(report.contains("changed-without-approval"), "{report}");
    assert!(report.contains(&quiet[..10]) && report.contains("POL-AC"), "{report}");
    assert!(!report.contains(&commits[2][..10]), "an edit a later approval covered was reported: {report}");
    // A new approval date alone, with no change, is fine; the earlier edit is then covered.
    edit(&fixture.policy("access.md"), "approved: 2026-01-03", "approved: 2026-01-09");
    fixture.commit("Approve the edit");
    let report = check(&fixture);
    assert!(!report.contains("changed-without-approval"), "{report}");
}

#[test]
fn at_a_commit_builds_what_a_checkout_of_it_builds() {
    let (fixture, commits) = story();
    // Uncommitted work in the tree must neither show nor change.
    edit(
        &fixture.policy("access.md"),
        "HISTPUB sentence edited without approval.",
        "Uncommitted HISTPUB work.",
    );
    let before = read_tree(&fixture.content());
    for audience in ["public", "internal"] {
        let (_out, at, stderr) = fixture.build(audience, &["--at", &commits[1]]);
        assert!(stderr.contains(&commits[1]), "{stderr}");
        // A second clone, checked out at that commit.
        let checkout = tempfile::tempdir().unwrap();
        let status = Command::new("git")
            .args(["clone", "--quiet"])
            .arg(fixture.root())
            .arg(checkout.path().join("repo"))
            .status()
            .unwrap();
        assert!(status.success());
        let repo = checkout.path().join("repo");
        let status = Command::new("git")
            .current_dir(&repo)
            .args(["-c", "advice.detachedHead=false", "checkout", "--quiet", &commits[1]])
            .status()
            .unwrap();
        assert!(status.success());
        let out = checkout.path().join("out");
        trustpress()
            .args(["build", "--content"])
            .arg(repo.join("content"))
            .arg("--out")
            .arg(&out)
            .args(["--audience", audience, "--today", TODAY])
            .assert()
            .success();
        let checked_out = read_tree(&out);
        assert_eq!(at.keys().collect::<Vec<_>>(), checked_out.keys().collect::<Vec<_>>());
        for (path, bytes) in &at {
            assert!(checked_out[path] == *bytes, "{audience}: {path} differs from a checkout's build");
        }
        assert!(text(&at, "policies/pol-ac/index.html").contains(">3.3<"));
        assert!(!text(&at, "policies/pol-ac/index.html").contains(">3.4<"));
    }
    assert!(read_tree(&fixture.content()) == before, "--at changed the work tree");
}

/// The exports of past commits kept in the cache folder: a second build at a commit (or at
/// a commit with the same content) reads the export the first made (nothing is exported
/// again) and builds the same bytes as a build that exports into a temporary folder (a
/// cache folder others may write is not used); at most three exports of one repository are
/// kept, the least recently used going first; a damaged export is made again.
#[test]
fn exports_of_past_commits_are_kept_reused_and_pruned() {
    use std::os::unix::fs::PermissionsExt;
    let (fixture, commits) = story();
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path().join("cache");
    let exports = || -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.file_name().unwrap().to_str().unwrap().starts_with("at-"))
            .collect();
        found.sort();
        found
    };
    let policy_file = |export: &Path| export.join("content/policies/access-control.md");
    let at = |commit: &str| fixture.build_with_cache_and("internal", &cache, &["--at", commit]);
    let (_out, first, _) = at(&commits[1]);
    let kept = exports();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(std::fs::read_to_string(policy_file(&kept[0]))
        .unwrap()
        .contains("HISTINT internal note of version 3.3"));
    let made = std::fs::metadata(policy_file(&kept[0])).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (_out, again, _) = at(&commits[1]);
    assert!(again == first, "a build from the kept export differs");
    assert_eq!(exports(), kept);
    assert_eq!(std::fs::metadata(policy_file(&kept[0])).unwrap().modified().unwrap(), made, "exported again");

    // Without a usable cache folder the export is temporary, and the site the same.
    let open = tempfile::tempdir().unwrap();
    let open_cache = open.path().join("cache");
    std::fs::create_dir(&open_cache).unwrap();
    std::fs::set_permissions(&open_cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (_out, temporary, _) = fixture.build_with_cache_and("internal", &open_cache, &["--at", &commits[1]]);
    assert!(temporary == first, "a build from a temporary export differs");
    assert_eq!(
        std::fs::read_dir(&open_cache).unwrap().count(),
        0,
        "an export was kept in an open cache folder"
    );

    // A cache folder inside the output is refused, and no export is left in it: what is
    // there may be published. Also through a link and `..`, to a cache folder not made yet.
    let out = tempfile::tempdir().unwrap();
    let link = out.path().join("link");
    std::os::unix::fs::symlink(out.path(), &link).unwrap();
    for inside in [out.path().join("site/cache"), link.join("site/new/../.cache")] {
        trustpress()
            .env("TRUSTPRESS_CACHE_DIR", &inside)
            .args(["build", "--at", &commits[1], "--content"])
            .arg(fixture.content())
            .arg("--out")
            .arg(out.path().join("site"))
            .assert()
            .code(2);
        let left: Vec<_> = walk(out.path());
        assert!(left.iter().all(|path| !path.contains("at-")), "{}: {left:?}", inside.display());
    }
    // A bundle at a commit writes nothing of the past (an export, the history) into a cache
    // folder inside the content folder.
    let before = read_tree(&fixture.content());
    let bundle = tempfile::tempdir().unwrap();
    trustpress()
        .env("TRUSTPRESS_CACHE_DIR", fixture.content().join(".cache"))
        .args(["bundle", "--at", &commits[1], "--content"])
        .arg(fixture.content())
        .arg("--out")
        .arg(bundle.path().join("bundle.zip"))
        .assert()
        .success();
    assert!(read_tree(&fixture.content()) == before, "the bundle wrote into the content folder");
    // Under a umask that lets the group write, the record is still its owner's alone, so
    // the next build at the commit uses the export again.
    let umask_cache = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    let build_with_umask = || {
        let status = Command::new("sh")
            .arg("-c")
            .arg("umask 002 && exec \"$0\" \"$@\"")
            .arg(assert_cmd::cargo::cargo_bin("trustpress"))
            .env("TRUSTPRESS_CACHE_DIR", umask_cache.path())
            .args(["build", "--at", &commits[1], "--today", TODAY, "--content"])
            .arg(fixture.content())
            .arg("--out")
            .arg(site.path().join("site"))
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        let export = std::fs::read_dir(umask_cache.path())
            .unwrap()
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.file_name().unwrap().to_str().unwrap().starts_with("at-"))
            .unwrap();
        std::fs::metadata(policy_file(&export)).unwrap().modified().unwrap()
    };
    let made = build_with_umask();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(build_with_umask(), made, "exported again under umask 002");

    // Three more commits: the first export, used least recently, goes.
    for commit in [&commits[0], &commits[2], &commits[3]] {
        std::thread::sleep(std::time::Duration::from_millis(20));
        at(commit);
    }
    let now = exports();
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(!now.contains(&kept[0]), "the least recently used export was kept");

    // A damaged export (its record cut) is made again, and builds what it should.
    let used = |path: &PathBuf| std::fs::metadata(path.join("export.json")).unwrap().modified().unwrap();
    let newest = now.iter().max_by_key(|path| used(path)).unwrap().clone();
    let record = std::fs::read_to_string(newest.join("export.json")).unwrap();
    std::fs::write(newest.join("export.json"), "{").unwrap();
    let (_out, rebuilt, _) = at(&commits[3]);
    let (_out, checked, _) = fixture.build_with_cache_and("internal", &open_cache, &["--at", &commits[3]]);
    assert!(rebuilt == checked, "a build from a remade export differs");
    assert_eq!(std::fs::read_to_string(newest.join("export.json")).unwrap(), record);

    // A commit that does not change the content folder shares the export of the one before.
    at("HEAD");
    let before = exports();
    fixture.git(&["commit", "--quiet", "--allow-empty", "-m", "Nothing in the content"]);
    at("HEAD");
    assert_eq!(exports(), before, "a commit with the same content was exported again");
}

#[test]
fn at_a_day_uses_the_last_commit_of_that_day_and_dates_against_it() {
    let (fixture, commits) = story();
    // Commit 3 was made on 2026-01-03.
    let output = trustpress()
        .args(["build", "--at", "2026-01-03", "--content"])
        .arg(fixture.content())
        .arg("--out")
        .arg(fixture.root().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("as of 2026-01-03: commit {}", commits[2])), "{stderr}");
    let tree = read_tree(&fixture.root().join("out"));
    assert!(text(&tree, "policies/pol-ac/index.html").contains("edited without approval"));
    // Before the first commit: a clear error, nothing written.
    let output = trustpress()
        .args(["build", "--at", "2025-12-31", "--content"])
        .arg(fixture.content())
        .arg("--out")
        .arg(fixture.root().join("none"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no commit"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!fixture.root().join("none").exists());
}

#[test]
fn history_output_is_the_same_twice() {
    let (fixture, _) = story();
    let (_a, first, _) = fixture.build("internal", &[]);
    let (_b, second, _) = fixture.build("internal", &[]);
    assert!(first == second);
}

#[test]
fn content_outside_git_builds_with_one_note_and_a_shallow_clone_says_how_much_it_saw() {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&example_content(), &copy.path().join("content"));
    let output = trustpress()
        .args(["build", "--today", TODAY, "--content"])
        .arg(copy.path().join("content"))
        .arg("--out")
        .arg(copy.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.matches("note: the content folder is not in a git repository").count(), 1, "{stderr}");
    assert!(!text(&read_tree(&copy.path().join("out")), "policies/pol-ac/index.html")
        .contains("Revision history"));

    let (fixture, _) = story();
    let shallow = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "--quiet", "--depth", "2"])
        .arg(format!("file://{}", fixture.root().display()))
        .arg(shallow.path().join("repo"))
        .status()
        .unwrap();
    assert!(status.success());
    let output = trustpress()
        .args(["build", "--today", TODAY, "--content"])
        .arg(shallow.path().join("repo/content"))
        .arg("--out")
        .arg(shallow.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("shallow clone") && stderr.contains("last 2 commit(s)"), "{stderr}");
    let versions = |tree: &std::collections::BTreeMap<String, Vec<u8>>| {
        ["3.2", "3.3", "3.4"]
            .into_iter()
            .filter(|v| {
                text(tree, "policies/pol-ac/index.html").contains(&format!("class=\"nowrap\">{v}</th>"))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(versions(&read_tree(&shallow.path().join("out"))), ["3.4"]);

    // Deepening the clone keeps the tip commit: the history cached for that tip must not
    // be used for the deeper history.
    let status = Command::new("git")
        .current_dir(shallow.path().join("repo"))
        .args(["fetch", "--quiet", "--unshallow"])
        .status()
        .unwrap();
    assert!(status.success());
    let output = trustpress()
        .args(["build", "--today", TODAY, "--content"])
        .arg(shallow.path().join("repo/content"))
        .arg("--out")
        .arg(shallow.path().join("deeper"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && !stderr.contains("shallow clone"), "{stderr}");
    assert_eq!(versions(&read_tree(&shallow.path().join("deeper"))), ["3.2", "3.3", "3.4"]);
}

/// Commit metadata and past front matter are written once and cannot be mended: text in
/// them that looks like an audience fence, or reads differently from what it holds, must
/// neither stop every build nor reach a page as written.
#[test]
fn hostile_commit_metadata_and_past_fields_do_not_stop_builds() {
    let mut fixture = Fixture::new();
    fixture.commit("Example content");
    let ac = fixture.policy("access-control.md");
    edit(&ac, "version: \"3.2\"", "version: \"3.3\"");
    edit(&ac, "approved: 2026-02-18", "approved: 2026-01-01");
    edit(&ac, "approved_by: Management Board", "approved_by: \"::: auditor\\nHISTAUD\\n:::\"");
    fixture.commit("::: internal");
    edit(&ac, "approved_by: \"::: auditor\\nHISTAUD\\n:::\"", "approved_by: Management Board");
    edit(&ac, "version: \"3.3\"", "version: \"3.4\"");
    edit(&ac, "approved: 2026-01-01", "approved: 2026-01-03");
    fixture.commit("Approve 3.4 \u{202E}reversed\u{0007}");

    for audience in ["public", "internal"] {
        let (_out, tree, _) = fixture.build(audience, &[]);
        let page = text(&tree, "policies/pol-ac/index.html");
        assert!(page.contains("class=\"nowrap\">3.3</th>"), "{page}");
        assert!(occurrences(&tree, "::: auditor").is_empty() && occurrences(&tree, "HISTAUD").is_empty());
        let texts: std::collections::BTreeMap<String, Vec<u8>> = tree
            .iter()
            .filter(|(path, _)| !path.ends_with(".xlsx"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        assert!(occurrences(&texts, "\u{202E}").is_empty() && occurrences(&texts, "\u{0007}").is_empty());
        if audience == "internal" {
            assert!(page.contains("::: internal"), "a commit subject is shown as written to staff");
        }
    }
    let output =
        trustpress().args(["check", "--today", TODAY, "--content"]).arg(fixture.content()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("audience-leftover"), "{stderr}");
}

#[test]
fn a_bundle_at_a_commit_records_that_commit() {
    let (fixture, commits) = story();
    let zip = fixture.root().join("bundle.zip");
    let output = trustpress()
        .args(["bundle", "--at", &commits[1], "--content"])
        .arg(fixture.content())
        .arg("--out")
        .arg(&zip)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("manifest.json").unwrap(), &mut manifest).unwrap();
    assert!(manifest.contains(&commits[1]), "{manifest}");
    assert!(manifest.contains("2026-01-02"), "the build date is the commit's: {manifest}");
    trustpress().arg("verify").arg(&zip).assert().success();
}

/// A build after new commits reads on from the history cached at an earlier tip: the same
/// site as a build that reads the whole line, for every earlier tip, and after the line
/// was rewritten.
/// A rebuild in place keeps a "what changed" page only while both its texts are what they
/// were: a history rewritten so that an old version says something else, with the same
/// versions, approvals, dates and current text (a public page shows no commit), renders
/// its pages again.
#[test]
fn a_rebuild_in_place_shows_an_old_version_rewritten() {
    let mut fixture = Fixture::new();
    let first = fixture.commit("Example content");
    let ac = fixture.policy("access-control.md");
    let original = std::fs::read_to_string(&ac).unwrap();
    let sentence = "It applies to every employee, contractor and service account.";
    let approve = |version: &str, wording: &str| {
        std::fs::write(&ac, &original).unwrap();
        edit(&ac, "version: \"3.2\"", &format!("version: \"{version}\""));
        edit(&ac, sentence, &format!("{sentence} {wording}"));
    };
    // 3.3 says one thing; 3.4, today's text, says another.
    let line = |fixture: &mut Fixture, wording: &str| {
        approve("3.3", wording);
        fixture.commit("Approve 3.3");
        approve("3.4", "HISTPUB today's wording.");
        fixture.commit("Approve 3.4");
    };
    line(&mut fixture, "HISTPUB first wording.");
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let content = fixture.content();
    let build = |site: &Path| {
        let built = trustpress()
            .env("TRUSTPRESS_CACHE_DIR", cache.path())
            .args(["build", "--content"])
            .arg(&content)
            .arg("--out")
            .arg(site)
            .args(["--audience", "public", "--today", TODAY])
            .assert()
            .success();
        (read_tree(site), String::from_utf8_lossy(&built.get_output().stderr).to_string())
    };
    // Built, then rebuilt in place: the rebuild records each page's key.
    build(&site);
    let (before, _) = build(&site);
    let shown = occurrences(&before, "HISTPUB first wording");
    assert!(
        shown.iter().any(|path| path.contains("/changes/")),
        "no page of what changed shows it: {shown:?}"
    );
    // The same two commits made again, on the same days, 3.3 with other words.
    fixture.git(&["reset", "--quiet", "--hard", &first]);
    fixture.day -= 2;
    line(&mut fixture, "HISTPUB second wording.");
    let (rebuilt, said) = build(&site);
    assert!(said.contains("not rendered again"), "the rebuild kept no page: {said}");
    assert!(
        occurrences(&rebuilt, "first wording").is_empty(),
        "{:?}",
        occurrences(&rebuilt, "first wording")
    );
    assert_eq!(occurrences(&rebuilt, "HISTPUB second wording"), shown);
    let (fresh, _) = build(&out.path().join("fresh"));
    assert!(rebuilt == fresh, "a rebuild in place differs from a build into a new folder");
}

/// A build whose history comes from the cache reads a past text from the cache file only
/// when a page shows it: into a fresh folder every "what changed" page is made from texts
/// read there, cut for the build's reader there, and the site is the first build's, byte for
/// byte, withheld text in neither. A text changed in the cache file is never shown: a build
/// that needs it stops, names the file and removes it (the next one reads git again), and
/// leaves its output as it was.
#[test]
fn past_texts_read_from_the_history_cache_are_cut_checked_and_never_altered() {
    let (fixture, _) = story();
    let cache = tempfile::tempdir().unwrap();
    for audience in ["public", "internal"] {
        let (_a, first, _) = fixture.build_with_cache(audience, cache.path());
        let (_b, second, _) = fixture.build_with_cache(audience, cache.path());
        assert!(first == second, "{audience}: a build from the cache is the first build");
    }
    let (_c, public, _) = fixture.build_with_cache("public", cache.path());
    assert!(!occurrences(&public, "HISTPUB sentence added in 3.3").is_empty(), "past texts are shown");
    assert_eq!(occurrences(&public, "HISTINT"), Vec::<String>::new());
    // A past text changed in the cache file, its length kept.
    let kept: Vec<PathBuf> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with("history-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let bytes = std::fs::read(&kept[0]).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("HISTPUB sentence added in 3.3"));
    let altered = text.replace("HISTPUB sentence added in 3.3", "HISTBAD sentence added in 3.3");
    std::fs::write(&kept[0], altered).unwrap();
    // In place, every page is kept (none needs a past text): it builds as before.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let build = |site: &Path| {
        trustpress()
            .env("TRUSTPRESS_CACHE_DIR", cache.path())
            .args(["build", "--content"])
            .arg(fixture.content())
            .arg("--out")
            .arg(site)
            .args(["--audience", "public", "--today", TODAY])
            .output()
            .unwrap()
    };
    std::fs::copy(&kept[0], out.path().join("altered")).unwrap();
    // Built before the change (twice: the first build into a new folder records no pages
    // to keep), then again after it: the pages are kept, not read again.
    std::fs::write(&kept[0], &text).unwrap();
    assert!(build(&site).status.success());
    assert!(build(&site).status.success());
    let before = read_tree(&site);
    std::fs::copy(out.path().join("altered"), &kept[0]).unwrap();
    let again = build(&site);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(read_tree(&site) == before);
    // Into a fresh folder the pages need the texts: the build stops and says why.
    let fresh = out.path().join("fresh");
    let failed = build(&fresh);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{stderr}");
    assert!(stderr.contains("history's cache file") && stderr.contains("removed"), "{stderr}");
    assert!(!fresh.join("index.html").exists(), "nothing is published");
    assert!(!kept[0].exists(), "the damaged file is removed");
    // The next build reads git again, and shows the text as it was.
    assert!(build(&fresh).status.success());
    let tree = read_tree(&fresh);
    assert!(tree == public, "the site is the one built before");
    assert_eq!(occurrences(&tree, "HISTBAD"), Vec::<String>::new());
}

#[test]
fn a_build_after_new_commits_equals_a_build_that_reads_everything() {
    let (fixture, commits) = story();
    let tip = commits.last().unwrap().clone();
    let (_fresh, whole, _) = fixture.build_with_cache("internal", tempfile::tempdir().unwrap().path());
    let cache = tempfile::tempdir().unwrap();
    for earlier in &commits[..commits.len() - 1] {
        fixture.git(&["reset", "--quiet", "--hard", earlier]);
        fixture.build_with_cache("internal", cache.path());
        fixture.git(&["reset", "--quiet", "--hard", &tip]);
        let (_out, read_on, _) = fixture.build_with_cache("internal", cache.path());
        assert!(read_on == whole, "read on from {earlier}");
    }
    // A rewritten line: the cached tip is not on it, so the whole line is read again.
    fixture.git(&["reset", "--quiet", "--hard", &commits[1]]);
    edit(&fixture.policy("access-control.md"), "version: \"3.3\"", "version: \"3.5\"");
    let mut fixture = fixture;
    fixture.commit("Another line");
    let (_a, after_rewrite, _) = fixture.build_with_cache("internal", cache.path());
    let (_b, fresh, _) = fixture.build_with_cache("internal", tempfile::tempdir().unwrap().path());
    assert!(after_rewrite == fresh);
}

/// Every path under `dir`, as text.
fn walk(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            found.push(entry.path().display().to_string());
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                pending.push(entry.path());
            }
        }
    }
    found
}
