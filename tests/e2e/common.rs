//! Helpers shared by the end-to-end tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The pinned build date of every test: nothing depends on the clock.
pub const TODAY: &str = "2026-11-21";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example_content() -> PathBuf {
    repo().join("content")
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

pub fn trustpress() -> Command {
    let mut command = Command::cargo_bin("trustpress").expect("binary is built");
    command.env_remove("SOURCE_DATE_EPOCH");
    // `check`'s cache goes to the build folder, not the home folder of whoever runs tests.
    command.env("TRUSTPRESS_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("check-cache"));
    command
}

/// `trustpress build` of `content` into `out` for `audience`; returns the finished command.
pub fn build(content: &Path, out: &Path, audience: &str) -> assert_cmd::assert::Assert {
    trustpress()
        .args(["build", "--today", TODAY, "--audience", audience, "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .assert()
}

/// `build` that must fail on the content (exit code 1); returns what it printed on stderr.
pub fn build_error(content: &Path, out: &Path, audience: &str) -> String {
    let assert = build(content, out, audience).failure().code(1);
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}

/// Every file below `dir`, by path relative to it (with `/`), with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Copies a folder tree (for tests that edit content).
pub fn copy_tree(from: &Path, to: &Path) {
    for (relative, bytes) in read_tree(from) {
        let target = to.join(&relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

pub fn text(tree: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = tree.get(path).unwrap_or_else(|| {
        panic!("output has no {path}; it has {:?}", tree.keys().take(40).collect::<Vec<_>>())
    });
    String::from_utf8(bytes.clone()).unwrap()
}

/// Replaces the first `from` in a file with `to`; the file must hold `from`.
pub fn edit(path: &Path, from: &str, to: &str) {
    let content = std::fs::read_to_string(path).unwrap();
    assert!(content.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, content.replacen(from, to, 1)).unwrap();
}

/// The example's auditor bundle, built at `epoch` (SOURCE_DATE_EPOCH) into `zip`, opened.
pub fn example_bundle(zip: &Path, epoch: &str) -> zip::ZipArchive<std::fs::File> {
    trustpress()
        .env("SOURCE_DATE_EPOCH", epoch)
        .args(["bundle", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(zip)
        .assert()
        .success();
    zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap()
}

/// The standard output of a finished command, as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The standard error of a finished command, as text.
/// Builds `content` for `audience` on day `today` into `into`, with cache folder `cache`;
/// what it said.
pub fn build_cached(content: &Path, cache: &Path, audience: &str, today: &str, into: &Path) -> String {
    let assert = trustpress()
        .env("TRUSTPRESS_CACHE_DIR", cache)
        .args(["build", "--today", today, "--audience", audience, "--content"])
        .arg(content)
        .arg("--out")
        .arg(into)
        .assert()
        .success();
    stderr(&assert)
}

pub fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Asserts that `text` holds `expected`, showing all of `text` when it does not.
pub fn assert_holds(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
}

/// The example content copied out of the repository, at `dir/content`, so its git state
/// cannot change under a test.
pub fn example_copy(dir: &Path) -> PathBuf {
    let content = dir.join("content");
    copy_tree(&example_content(), &content);
    content
}

/// Whether a user's tool (`age`, `ssh-keygen`, `unzip`, …) can be run; when not, the test
/// skips loudly, or fails when `TRUSTPRESS_REQUIRE_TOOLS` is set (scripts/test installs the
/// tools and sets it).
pub fn have_tool(tool: &str) -> bool {
    // Not every tool has --version (ssh-keygen has none): any run that starts shows it is there.
    let found = std::process::Command::new(tool).arg("--help").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
            "`{tool}` is required for this test (scripts/test installs it)"
        );
        eprintln!(
            "\n*** SKIPPED the `{tool}` check: `{tool}` is not installed (scripts/test installs it) ***\n"
        );
    }
    found
}

/// Runs `command`, which must succeed; returns its standard output.
pub fn run_ok(command: &mut std::process::Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `bytes` with one part's text changed by `change`, every other part as it was.
pub fn edit_part(bytes: &[u8], part: &str, change: &dyn Fn(&str) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if name == part {
            data = change(&String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    out.finish().unwrap().into_inner()
}
