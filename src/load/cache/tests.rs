use crate::audience::Audience;
use crate::model::Reference;

use super::*;

fn policy() -> (Policy, Markdown) {
    let text = "---\nid: POL-X\ntitle: X\nversion: 2.1\nowner: CISO\napproved: 2026-01-02\nreview_every: 1 year\naudience: public\nteaser: true\nsummary: S\ncontrols: [A.5.1, A.8.2]\n---\nSee [the SoA](/soa/).\n\n::: internal\nAnd [this](other.md).\n:::\n";
    let split = crate::load::yaml::split_front_matter(text, Path::new("policies/x.md")).unwrap();
    let policy: Policy = crate::load::yaml::parse(split.yaml, Path::new("policies/x.md"), 2).unwrap();
    (policy, Markdown::new(split.body, split.body_first_line))
}

#[test]
fn a_policy_reads_back_as_it_was_parsed() {
    let (policy, body) = policy();
    let links = BodyLink::find(&body.text);
    assert_eq!(links.len(), 2);
    assert_eq!(links[1].audience, Audience::Internal);
    let cached = CachedPolicy::new(&policy, &body, links.clone());
    let line = serde_json::to_string(&cached).unwrap();
    let (restored, restored_body, restored_links) =
        serde_json::from_str::<CachedPolicy>(&line).unwrap().restore();
    // Everything but the body text, which the cache does not keep.
    let mut expected = policy.clone();
    expected.body = Markdown::default();
    expected.source = Location::default();
    assert_eq!(format!("{restored:?}"), format!("{expected:?}"));
    assert_eq!(restored_body.first_line, body.first_line);
    assert_eq!(restored_body.text, "");
    assert_eq!(restored_links, links);
    assert_eq!(restored.controls[1], Reference { id: "A.8.2".into(), ..policy.controls[1].clone() });
}

#[test]
fn a_body_the_tripwire_stopped_is_never_vouched_for() {
    let folder = tempfile::tempdir().unwrap();
    let header = Header { format: FORMAT, binary: "test".into(), content: folder.path().into() };
    let cache = ParseCache::empty(Kind::Check, folder.path().join("check-test.tsv"), header, (i64::MAX, 0));
    let key = EntryKey::File(FileKey { size: 1, modified: (1, 0), changed: (1, 0), inode: 1, device: 1 });
    let (policy, body) = policy();
    let (clean, stopped) = (Path::new("policies/clean.md"), Path::new("policies/stopped.md"));
    cache.remember(clean, key, &policy, &body);
    cache.remember(stopped, key, &policy, &body);
    // Both bodies' links are kept for this check, whatever is saved.
    assert_eq!(cache.links().len(), 2);
    assert!(cache.unread().is_empty(), "both bodies were read");
    cache.save(&HashSet::from([stopped.to_path_buf()]));
    let saved = fs::read_to_string(folder.path().join("check-test.tsv")).unwrap();
    let files: Vec<&str> = saved.lines().skip(1).filter_map(|line| line.split('\t').next()).collect();
    assert_eq!(files, ["policies/clean.md"]);
}

/// A build's cache vouches for a text, not a file: an entry is used for the text it was
/// made from alone, settled or not, and every body counts as read.
#[test]
fn a_build_entry_is_used_for_its_own_text_only() {
    let folder = tempfile::tempdir().unwrap();
    let header = Header { format: FORMAT, binary: "test".into(), content: folder.path().into() };
    let path = folder.path().join("build-test.tsv");
    // Nothing has settled: a build's entries do not need to.
    let cache = ParseCache::empty(Kind::Build, path.clone(), header, (0, 0));
    let (policy, body) = policy();
    let file = Path::new("policies/x.md");
    let (text, other) = ("the text parsed", "the text parsed, edited");
    cache.remember(file, EntryKey::of_text(text), &policy, &body);
    assert!(cache.unread().is_empty());
    cache.save(&HashSet::new());

    let canonical = folder.path().to_path_buf();
    let header = || Header { format: FORMAT, binary: "test".into(), content: canonical.clone() };
    let saved = fs::read_to_string(&path).unwrap();
    assert!(saved.lines().skip(1).all(|line| line.split('\t').nth(1).unwrap().starts_with("blake3 ")));
    let mut cache = ParseCache::empty(Kind::Build, path.clone(), header(), (0, 0));
    cache.read_entries(saved);
    assert!(cache.policy(file, EntryKey::of_text(other)).is_none(), "another text is parsed");
    assert!(cache.policy(Path::new("policies/y.md"), EntryKey::of_text(text)).is_none(), "another file too");
    let (restored, _) = cache.policy(file, EntryKey::of_text(text)).expect("its own text is cached");
    assert_eq!(restored.title, policy.title);
    assert!(cache.unread().is_empty(), "a build reads every body");
}

#[test]
fn a_key_reads_back_from_its_field() {
    let key = FileKey {
        size: 4101,
        modified: (1_795_239_840, 24_792_358),
        changed: (-1, 0),
        inode: u64::MAX,
        device: 27,
    };
    assert_eq!(FileKey::parse(&key.field()), Some(key));
    for bad in ["", "1 2 3", "1 2 3 4 5 6 7 8", "1 2 3 4 5 x 7", "-1 2 3 4 5 6 7"] {
        assert_eq!(FileKey::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn prune_drops_the_caches_of_folders_and_repositories_that_are_gone() {
    let folder = tempfile::tempdir().unwrap();
    let alive = tempfile::tempdir().unwrap();
    let history = |name: &str, git_dir: &Path| {
        let header = serde_json::to_string(&(
            FORMAT,
            "binary",
            format!("{}\0content", git_dir.display()),
            "tip\nstate",
        ))
        .unwrap();
        fs::write(folder.path().join(name), format!("{header}\n{{}}")).unwrap();
    };
    history("history-gone.json", &alive.path().join("deleted/.git"));
    history("history-alive.json", alive.path());
    fs::write(folder.path().join("history-newer.json"), "[not, ours]\n{}").unwrap();
    let check = |name: &str, content: &Path| {
        let header = serde_json::json!({ "format": FORMAT, "binary": "binary", "content": content });
        fs::write(folder.path().join(name), format!("{header}\n")).unwrap();
    };
    check("check-gone.tsv", &alive.path().join("deleted"));
    check("check-alive.tsv", alive.path());
    fs::write(folder.path().join("other.json"), "x").unwrap();
    // An output folder's page record and listing (`folder::output_header`).
    let output = |name: &str, out: &Path| {
        let header = serde_json::to_string(&(FORMAT, "binary", out.to_str().unwrap())).unwrap();
        fs::write(folder.path().join(name), format!("{header}\n")).unwrap();
    };
    output("pages-gone.tsv", &alive.path().join("deleted"));
    output("listing-gone.tsv", &alive.path().join("deleted"));
    output("pages-alive.tsv", alive.path());
    output("listing-alive.tsv", alive.path());
    // Exports of a commit (`exports`): of a repository gone, of one alive, one left half
    // removed, one being made now, and a user's folder that only looks like one.
    let export = |name: &str, git_dir: &Path| {
        let header =
            serde_json::to_string(&(FORMAT, "binary", format!("{}\0content", git_dir.display()), "tree"))
                .unwrap();
        fs::create_dir_all(folder.path().join(name).join("content")).unwrap();
        fs::write(
            folder.path().join(name).join("export.json"),
            serde_json::to_string(&(header, [""; 0])).unwrap(),
        )
        .unwrap();
    };
    export("at-0000000000000000-1111111111111111", &alive.path().join("deleted/.git"));
    export("at-0000000000000000-2222222222222222", alive.path());
    fs::create_dir_all(folder.path().join("at-removing-000000000000000000000000/content")).unwrap();
    fs::create_dir_all(folder.path().join("at-making-000000000000000000000000/content")).unwrap();
    fs::create_dir_all(folder.path().join("at-making-mynotes")).unwrap();
    prune(folder.path(), &folder.path().join("check-alive.tsv"));
    let mut left: Vec<String> =
        fs::read_dir(folder.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(
        left,
        [
            "at-0000000000000000-2222222222222222",
            "at-making-000000000000000000000000",
            "at-making-mynotes",
            "check-alive.tsv",
            "history-alive.json",
            "history-newer.json",
            "listing-alive.tsv",
            "other.json",
            "pages-alive.tsv"
        ]
    );
}

#[test]
fn recent_changes_are_not_settled() {
    let key = FileKey { size: 1, modified: (100, 5), changed: (100, 5), inode: 1, device: 1 };
    assert!(key.settled((100, 6)));
    assert!(!key.settled((100, 5)));
    assert!(!FileKey { changed: (101, 0), ..key }.settled((100, 6)));
}

/// A path is compared where it would be made: through a link, and with `..` after a name
/// that does not exist yet.
#[test]
fn a_folder_not_made_yet_resolves_through_links_and_dots() {
    let root = tempfile::tempdir().unwrap();
    let real = root.path().join("real");
    fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, root.path().join("link")).unwrap();
    fs::create_dir(root.path().join("x")).unwrap();
    let canonical = real.canonicalize().unwrap();
    for (path, expected) in [
        (root.path().join("link/out/.cache"), canonical.join("out/.cache")),
        (root.path().join("x/../real/out/.cache"), canonical.join("out/.cache")),
        (root.path().join("link/new/../out/./.cache"), canonical.join("out/.cache")),
        (root.path().join("link"), canonical.clone()),
    ] {
        assert_eq!(super::folder::resolved(&path), Some(expected), "{}", path.display());
    }
}

/// A FIFO or a symbolic link where a cache file should be is read as no cache, at once:
/// opening a FIFO would wait for a writer forever, and a link's target is not the cache
/// folder's. Pruning passes over them too.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_link_in_the_cache_folder_is_no_cache_and_never_waited_on() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let me = folder::private_folder(folder.path()).unwrap().expect("the folder is the user's");
    let fifo = folder.path().join("history-0000000000000000.json");
    let made = std::process::Command::new("mkfifo").arg("-m").arg("600").arg(&fifo).status().unwrap();
    assert!(made.success());
    let real = folder.path().join("elsewhere.json");
    std::fs::write(&real, "[4]\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = folder.path().join("build-0000000000000000.tsv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let (fifo_, link_, real_, path) = (fifo.clone(), link.clone(), real.clone(), folder.path().to_path_buf());
    std::thread::spawn(move || {
        let read = (
            folder::read_trusted(&fifo_, me),
            folder::read_trusted(&link_, me),
            folder::read_trusted(&real_, me),
        );
        folder::prune(&path, &path.join("none"));
        let _ = done.send(read);
    });
    let read = finished.recv_timeout(std::time::Duration::from_secs(20)).expect("nothing waits on the FIFO");
    assert_eq!(read, (None, None, Some("[4]\n".to_string())));
    assert!(fifo.exists() && link.exists(), "pruning leaves what it cannot read");
}
