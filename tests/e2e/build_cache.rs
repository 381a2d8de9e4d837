//! A build's parse cache (`load::cache::Kind::Build`): a policy file or the evidence index is
//! taken from it only when its text is the very text parsed before, by SHA-256, whatever the
//! file's size and times say. A build with the cache gives the bytes a build without one
//! gives, and a cache planted or edited by hand changes nothing but speed.

use std::path::Path;

use crate::common::*;

/// Builds `content` for `audience` into `out` with the cache folder `cache`.
fn build(content: &Path, out: &Path, cache: &Path, audience: &str) {
    build_cached(content, cache, audience, TODAY, out);
}

/// The build cache's file in `cache` (there is one content folder).
fn build_cache_file(cache: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(cache)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with("build-"))
        .collect();
    assert_eq!(files.len(), 1, "one content folder, one build cache: {files:?}");
    files[0].clone()
}

fn assert_same_tree(a: &Path, b: &Path, what: &str) {
    let (a, b) = (read_tree(a), read_tree(b));
    let differing: Vec<&String> =
        a.keys().chain(b.keys()).filter(|path| a.get(*path) != b.get(*path)).take(5).collect();
    assert!(differing.is_empty(), "{what}: the builds differ at {differing:?}");
}

/// A policy made internal, with a secret, in a file of the same size and with its old
/// modification time: the cache goes by the text, so the public site drops it.
#[test]
fn a_policy_rewritten_to_the_same_size_and_time_is_parsed_again() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let cache = dir.path().join("cache");
    let out = dir.path().join("public");
    build(&content, &out, &cache, "public");
    assert!(out.join("policies/pol-ac/index.html").is_file(), "the policy is public to start with");
    assert!(
        std::fs::read_to_string(build_cache_file(&cache)).unwrap().contains("policies/access-control.md"),
        "the build cached the policy"
    );

    let file = content.join("policies/access-control.md");
    let old = std::fs::read_to_string(&file).unwrap();
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    // `public` and `internal` differ in length: the secret's words make up the difference.
    let new = old.replacen("audience: public\n", "audience: internal\n", 1).replacen(
        "This policy defines how",
        "CACHE-SECRET defines ",
        1,
    );
    assert_eq!(new.len(), old.len(), "the same size");
    std::fs::write(&file, &new).unwrap();
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), modified);

    build(&content, &out, &cache, "public");
    assert!(!out.join("policies/pol-ac").exists(), "the now internal policy has no public page");
    for (path, bytes) in read_tree(&out) {
        assert!(!String::from_utf8_lossy(&bytes).contains("CACHE-SECRET"), "the secret is in {path}");
    }
    let fresh = dir.path().join("fresh");
    build(&content, &fresh, &dir.path().join("fresh-cache"), "public");
    assert_same_tree(&out, &fresh, "after the rewrite");
}

/// Entries edited by hand (a policy's audience, an evidence item's title) are entries for
/// texts no file has: never used. The site is the one a build without a cache makes.
#[test]
fn an_edited_cache_changes_nothing_but_speed() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let cache = dir.path().join("cache");
    let out = dir.path().join("site");
    build(&content, &out, &cache, "internal");
    let file = build_cache_file(&cache);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"audience\":\"internal\""), "an internal policy is cached");
    assert!(text.contains("evidence/evidence.yaml"), "the evidence index is cached");
    // Each line claims another text: its hash is changed, and its value made public.
    let forged: String = text
        .lines()
        .map(|line| {
            let line = line.replace("\"audience\":\"internal\"", "\"audience\":\"public\"");
            let line = line.replace("\"audience\":\"auditor\"", "\"audience\":\"public\"");
            match line.split_once("\tblake3 ") {
                Some((file, rest)) => format!("{file}\tblake3 {}{}\n", "0".repeat(64), &rest[64..]),
                None => format!("{line}\n"),
            }
        })
        .collect();
    let entries = text.lines().skip(1).count();
    assert!(entries > 0 && forged.matches("\tblake3 0000").count() == entries, "every entry's key is forged");
    std::fs::write(&file, forged).unwrap();

    let public = dir.path().join("public");
    build(&content, &public, &cache, "public");
    let fresh = dir.path().join("fresh");
    build(&content, &fresh, &dir.path().join("fresh-cache"), "public");
    assert_same_tree(&public, &fresh, "with forged entries");
    // Built again with the cache the last build rewrote: still the same.
    build(&content, &public, &cache, "public");
    assert_same_tree(&public, &fresh, "with the cache the build wrote");
}
