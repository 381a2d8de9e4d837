//! `check`'s cache of parsed policies: the report is the same with it, without it, and with a
//! broken one; an edited policy is parsed again; and the cache is really used.

use std::path::{Path, PathBuf};

use crate::common::{copy_tree, edit, example_content, fixture, repo, trustpress, TODAY};
use crate::corpus::apply;

/// `check` on `content` with the cache in `cache` (or none): exit code, human output, JSON.
fn check(content: &Path, cache: Option<&Path>) -> (i32, String, String) {
    let run = |format: &str| {
        let mut command = trustpress();
        command.args(["check", "--today", TODAY, "--format", format, "--content"]).arg(content);
        match cache {
            Some(cache) => command.env("TRUSTPRESS_CACHE_DIR", cache),
            None => command.arg("--no-cache"),
        };
        let output = command.timeout(std::time::Duration::from_secs(60)).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(!stderr.contains("panicked"), "check panicked: {stderr}");
        (output.status.code().unwrap_or(-1), String::from_utf8(output.stdout).unwrap())
    };
    let (code, human) = run("human");
    let (_, json) = run("json");
    (code, human, json)
}

/// The entry lines of the cache file in `cache`: none when nothing was cached.
fn cache_entries(cache: &Path) -> Vec<String> {
    let files: Vec<PathBuf> = match std::fs::read_dir(cache) {
        Ok(files) => files.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    assert!(files.len() <= 1, "one content folder, one cache file: {files:?}");
    let Some(file) = files.first() else { return Vec::new() };
    std::fs::read_to_string(file).unwrap().lines().skip(1).map(str::to_string).collect()
}

/// The minimal fixture in a temporary folder, checked once with its cache in `cache/` there
/// (after its files settled, so all of them are cached): the folder, the content, the cache
/// folder, and the clean report.
fn minimal_with_cache() -> (tempfile::TempDir, PathBuf, PathBuf, (i32, String, String)) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("minimal"), &content);
    let cache = dir.path().join("cache");
    let_files_settle();
    let clean = check(&content, Some(&cache));
    assert_eq!(clean.0, 0, "{}", clean.1);
    (dir, content, cache, clean)
}

/// The one cache file in `cache`.
fn cache_file(cache: &Path) -> PathBuf {
    std::fs::read_dir(cache).unwrap().next().unwrap().unwrap().path()
}

/// Files younger than this are not cached (the cache's settling time, plus a margin).
fn let_files_settle() {
    std::thread::sleep(std::time::Duration::from_millis(2300));
}

#[test]
fn every_corpus_case_reports_the_same_with_and_without_the_cache() {
    // Every bad-input case, the example ISMS and the leak fixture, each in a folder of its own.
    let dir = tempfile::tempdir().unwrap();
    let mut contents = Vec::new();
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(repo().join("tests/corpus")).unwrap().map(|e| e.unwrap().path()).collect();
    cases.retain(|case| case.join("case.json").is_file());
    cases.sort();
    for case in &cases {
        let content = dir.path().join(case.file_name().unwrap()).join("content");
        copy_tree(&fixture("minimal"), &content);
        apply(case, &content);
        contents.push(content);
    }
    for (name, from) in [("example", example_content()), ("leak", fixture("leak"))] {
        let content = dir.path().join(name).join("content");
        copy_tree(&from, &content);
        contents.push(content);
    }
    let_files_settle();
    for content in &contents {
        let cache = tempfile::tempdir().unwrap();
        let uncached = check(content, None);
        let first = check(content, Some(cache.path()));
        let entries = cache_entries(cache.path());
        let second = check(content, Some(cache.path()));
        let name = content.parent().unwrap().file_name().unwrap().to_string_lossy();
        assert_eq!(first, uncached, "{name}: the run that fills the cache");
        assert_eq!(second, uncached, "{name}: the run that reads the cache");
        // Every policy that parsed cleanly has an entry, and the second run used them all
        // (it wrote nothing new and dropped nothing).
        let clean_policies =
            std::fs::read_dir(content.join("policies")).map(|files| files.count()).unwrap_or(0);
        let cached_policies = entries.iter().filter(|line| line.starts_with("policies/")).count();
        assert!(cached_policies <= clean_policies, "{name}");
        if uncached.0 == 0 {
            assert_eq!(cached_policies, clean_policies, "{name}: a clean ISMS has every policy cached");
        }
        assert_eq!(
            cache_entries(cache.path()),
            entries,
            "{name}: a run with nothing changed leaves the cache as is"
        );
    }
}

#[test]
fn an_edited_policy_is_parsed_again_and_a_broken_cache_is_ignored() {
    let (_dir, content, cache, clean) = minimal_with_cache();
    let entries = cache_entries(&cache);
    assert!(entries.iter().any(|line| line.starts_with("policies/incident.md\t")), "{entries:?}");
    assert!(entries.iter().any(|line| line.starts_with("evidence/evidence.yaml\t")), "{entries:?}");

    // An edit, at once: the cached entry no longer matches the file.
    let policy = content.join("policies/incident.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    let control = text.lines().find(|line| line.starts_with("controls:")).expect("the policy names controls");
    edit(&policy, control, "controls: [A.99.1]");
    let edited = check(&content, Some(&cache));
    assert_eq!(edited, check(&content, None));
    assert_eq!(edited.0, 1);
    assert!(edited.1.contains("unknown control `A.99.1`"), "{}", edited.1);

    // Edited back, and settled: cached again, and clean again.
    std::fs::write(&policy, &text).unwrap();
    let_files_settle();
    assert_eq!(check(&content, Some(&cache)), clean);
    assert_eq!(check(&content, Some(&cache)), clean);

    // A cache file cut short, or full of rubbish, is no cache: the report is the same.
    let file = cache_file(&cache);
    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&file, &whole[..whole.len() / 2]).unwrap();
    assert_eq!(check(&content, Some(&cache)), clean);
    std::fs::write(&file, "not a cache\n\u{0}\t\t\n{]\n").unwrap();
    assert_eq!(check(&content, Some(&cache)), clean);
    assert!(!cache_entries(&cache).is_empty(), "a broken cache is written anew");

    // A policy deleted after it was cached is gone: its entry is not used.
    std::fs::remove_file(&policy).unwrap();
    let deleted = check(&content, Some(&cache));
    assert_eq!(deleted, check(&content, None));
    assert_eq!(deleted.0, 1);
    assert!(deleted.1.contains("links to `incident.md`, which does not exist"), "{}", deleted.1);
}

/// A cache file is read only when nobody but the user running `check` could have written
/// it: an entry planted in a file or folder that others can write must not change the report.
#[cfg(unix)]
#[test]
fn a_cache_others_could_write_is_not_read() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, content, cache, clean) = minimal_with_cache();

    // An entry that says the (unchanged) policy names an unknown control.
    let file = cache_file(&cache);
    let planted = std::fs::read_to_string(&file).unwrap().replace("\"A.5.24\"", "\"A.99.1\"");
    let plant = || std::fs::write(&file, &planted).unwrap();
    plant();
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    // In a private file and folder it is believed: this is what a planted entry could do.
    mode(&file, 0o600);
    let believed = check(&content, Some(&cache));
    assert!(believed.1.contains("unknown control `A.99.1`"), "{}", believed.1);

    // Writable by others, the file is not read; nor is any file in a folder others can write.
    plant();
    mode(&file, 0o666);
    assert_eq!(check(&content, Some(&cache)), clean);
    plant();
    mode(&file, 0o600);
    mode(&cache, 0o777);
    assert_eq!(check(&content, Some(&cache)), clean);
    // Such a folder is not written to either, and `check` says why it is slow.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        planted,
        "nothing written to a folder others can write"
    );
    let note = check_note(&content, &cache);
    assert!(note.contains("parse cache is not used") && note.contains("chmod go-w"), "{note}");
    assert!(note.contains(&cache.display().to_string()), "the note names the folder: {note}");
    mode(&cache, 0o700);
    let note = check_note(&content, &cache);
    assert!(!note.contains("parse cache"), "no note on the cache for a private folder: {note}");
}

/// What `check` with its cache in `cache` writes to stderr.
fn check_note(content: &Path, cache: &Path) -> String {
    let output = trustpress()
        .args(["check", "--today", TODAY, "--content"])
        .arg(content)
        .env("TRUSTPRESS_CACHE_DIR", cache)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    String::from_utf8(output.stderr).unwrap()
}

/// One cache file per content folder checked, and no more: the caches of content folders that
/// are gone (temporary copies, old clones) are removed when a new one is made.
#[test]
fn caches_of_content_folders_that_are_gone_are_removed() {
    let (dir, first, cache, clean) = minimal_with_cache();
    let copy = |name: &str| {
        let content = dir.path().join(name);
        copy_tree(&first, &content);
        content
    };
    let (second, third) = (copy("second"), copy("third"));
    // Only settled files are cached, and a check that caches nothing writes no file.
    let_files_settle();
    assert_eq!(check(&second, Some(&cache)), clean);
    let count = || std::fs::read_dir(&cache).unwrap().count();
    assert_eq!(count(), 2, "a cache file per content folder");
    // A file that is not a cache, and a cache file that does not read, are left alone.
    std::fs::write(cache.join("notes.txt"), "mine").unwrap();
    std::fs::write(cache.join("check-0000000000000000.tsv"), "not a header\n").unwrap();

    std::fs::remove_dir_all(&second).unwrap();
    assert_eq!(check(&third, Some(&cache)), clean);
    let mut names: Vec<String> =
        std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    names.sort();
    assert_eq!(names.len(), 4, "the second folder's cache is gone, the rest stay: {names:?}");
    assert!(
        names.contains(&"notes.txt".to_string()) && names.contains(&"check-0000000000000000.tsv".to_string())
    );
    // The first folder's cache is still used: a check of it writes nothing.
    let first_file = cache_file_of(&cache, &first);
    let before = std::fs::read(&first_file).unwrap();
    assert_eq!(check(&first, Some(&cache)), clean);
    assert_eq!(std::fs::read(&first_file).unwrap(), before);
}

/// The cache file in `cache` whose header names `content`.
fn cache_file_of(cache: &Path, content: &Path) -> PathBuf {
    let content = std::fs::canonicalize(content).unwrap();
    let needle = serde_json::to_string(&content).unwrap();
    std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|file| {
            std::fs::read_to_string(file)
                .is_ok_and(|text| text.lines().next().unwrap_or("").contains(&needle))
        })
        .expect("a cache file for the content folder")
}
