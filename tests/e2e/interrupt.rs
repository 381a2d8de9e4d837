//! A command stopped by Ctrl-C or SIGTERM leaves no temporary copy behind: `build --at`
//! exports the content into the system's temporary folder, `bundle` writes a `.partial`
//! archive beside its output. Each test stops the command while that copy exists (content
//! large enough that a debug build takes a while), then looks for it.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::common::example_copy;

/// The example plus `count` generated policies, enough to keep a command busy.
fn large_content(dir: &Path, count: usize) -> std::path::PathBuf {
    let content = example_copy(dir);
    let body = "## Purpose\n\nA generated procedure with some text to render.\n".repeat(20);
    for number in 1..=count {
        std::fs::write(
            content.join(format!("policies/generated-{number:04}.md")),
            format!(
                "---\nid: POL-GEN-{number:04}\ntitle: Generated procedure {number}\nversion: \"1.0\"\nowner: Team\n\
                 approved_by: Management Board\napproved: 2026-06-01\nreview_every: 12 months\naudience: public\n\
                 controls: [A.5.1]\n---\n{body}"
            ),
        )
        .unwrap();
    }
    content
}

/// Waits until `found()` names a path, then sends SIGINT to `child`. Returns the path, or
/// `None` when the command ended first.
fn stop_when(
    child: &mut Child,
    found: impl Fn() -> Option<std::path::PathBuf>,
) -> Option<std::path::PathBuf> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Some(path) = found() {
            let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
            assert!(status.success());
            return Some(path);
        }
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the command neither made its temporary copy nor ended");
}

fn entries(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|list| {
            list.flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}

/// Starts trustpress with `args` and `env`, its output discarded.
fn spawn(args: &[&std::ffi::OsStr], env: &[(&str, &std::ffi::OsStr)]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("trustpress"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(root)
        .args(["-c", "commit.gpgsign=false", "-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// A build `--at` a commit stopped while it exports the content leaves no copy: neither the
/// export it was making in the cache folder (to keep for the next build at that commit) nor,
/// where the cache folder cannot be used (others may write to it), the temporary one.
#[test]
fn a_stopped_build_at_a_commit_leaves_no_copy_of_the_content() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let content = large_content(dir.path(), 600);
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "--all"]);
    git(dir.path(), &["commit", "--quiet", "-m", "content"]);
    let temporary = dir.path().join("tmp");
    std::fs::create_dir(&temporary).unwrap();
    for (cache, open) in [("private-cache", false), ("open-cache", true)] {
        let cache = dir.path().join(cache);
        std::fs::create_dir(&cache).unwrap();
        if open {
            std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let (watched, prefix) = if open { (&temporary, "trustpress-at-") } else { (&cache, "at-making-") };
        let site = dir.path().join("site");
        let args = ["build", "--at", "HEAD", "--today", "2026-11-21", "--content"].map(std::ffi::OsStr::new);
        let mut child = spawn(
            &[&args[..], &[content.as_os_str(), "--out".as_ref(), site.as_os_str()]].concat(),
            &[("TMPDIR", temporary.as_os_str()), ("TRUSTPRESS_CACHE_DIR", cache.as_os_str())],
        );
        let copy = stop_when(&mut child, || entries(watched, prefix).into_iter().next());
        let status = child.wait().unwrap();
        let copy = copy.expect("the build was stopped while its copy existed");
        assert_eq!(status.code(), Some(130), "a stopped build exits 130");
        assert!(!copy.exists(), "{} is left behind", copy.display());
        assert!(entries(&temporary, "").is_empty(), "{:?}", entries(&temporary, ""));
        assert!(entries(&cache, "at-").is_empty(), "{:?}", entries(&cache, "at-"));
        assert!(!site.exists(), "no site was made");
    }
}

#[test]
fn a_stopped_bundle_leaves_no_partial_archive() {
    let dir = tempfile::tempdir().unwrap();
    let content = large_content(dir.path(), 600);
    let out = dir.path().join("out");
    let bundle = out.join("bundle.zip");
    let args =
        ["bundle".as_ref(), "--content".as_ref(), content.as_os_str(), "--out".as_ref(), bundle.as_os_str()];
    let mut child = spawn(&args, &[("SOURCE_DATE_EPOCH", "1780000000".as_ref())]);
    let partial = stop_when(&mut child, || entries(&out, ".bundle.zip.").into_iter().next());
    let status = child.wait().unwrap();
    let partial = partial.expect("the bundle was stopped while writing");
    assert_eq!(status.code(), Some(130));
    assert!(!partial.exists(), "{} is left behind", partial.display());
    assert!(entries(&out, "").is_empty(), "{:?}", entries(&out, ""));
}
