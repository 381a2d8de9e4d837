//! The bad-input corpus: `tests/corpus/<case>/` each turn the valid ISMS in
//! `tests/fixtures/minimal` into one kind of broken content (`case.json`: text edits, files
//! to write or remove; `files/`: raw bytes to lay over it). For every case, `check` must
//! exit 1 (0 when only warnings), never panic, name the file and line, and say what it
//! expected (the snapshot of its output is the contract); a failed `build` must leave the
//! previous output untouched.

use std::path::Path;

use serde::Deserialize;

use crate::common::{build, copy_tree, fixture, read_tree, repo, trustpress, TODAY};

#[derive(Deserialize)]
pub struct Case {
    description: String,
    edits: Vec<Edit>,
    remove: Vec<String>,
    write: std::collections::BTreeMap<String, String>,
    /// The case is valid input in an unusual form (a BOM, CRLF): it must check clean.
    #[serde(default)]
    clean: bool,
}

#[derive(Deserialize)]
struct Edit {
    file: String,
    replace: String,
    with: String,
}

/// Diagnostics about a whole file (or a missing one) have no line to point at.
const WHOLE_FILE_CODES: &[&str] = &[
    "missing-site-yaml",
    "missing-soa",
    "file-too-large",
    "empty-file",
    "content-missing",
    "io-error",
    "clause-missing",
    "unknown-objective",
];

pub fn apply(case_dir: &Path, content: &Path) -> Case {
    let case: Case =
        serde_json::from_str(&std::fs::read_to_string(case_dir.join("case.json")).unwrap()).unwrap();
    for edit in &case.edits {
        let path = content.join(&edit.file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&edit.replace),
            "{}: {} has no {:?}",
            case_dir.display(),
            edit.file,
            edit.replace
        );
        std::fs::write(&path, text.replacen(&edit.replace, &edit.with, 1)).unwrap();
    }
    for path in &case.remove {
        std::fs::remove_file(content.join(path)).unwrap();
    }
    for (path, text) in &case.write {
        std::fs::create_dir_all(content.join(path).parent().unwrap()).unwrap();
        std::fs::write(content.join(path), text).unwrap();
    }
    if case_dir.join("files").is_dir() {
        copy_tree(&case_dir.join("files"), content);
    }
    case
}

/// Runs `check` on `content`; returns (exit code, human output, JSON diagnostics).
fn check(content: &Path) -> (i32, String, Vec<serde_json::Value>) {
    let run = |format: &str| {
        let output = trustpress()
            .args(["check", "--today", TODAY, "--format", format, "--content"])
            .arg(content)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(!stderr.contains("panicked"), "check panicked: {stderr}");
        (output.status.code().unwrap_or(-1), String::from_utf8(output.stdout).unwrap())
    };
    let (code, human) = run("human");
    let (json_code, json) = run("json");
    assert_eq!(code, json_code, "both formats agree on the exit code");
    let diagnostics: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    (code, human, diagnostics)
}

/// Runs one case; `base_site` is the base content's built site, laid down as the
/// "previous output" a failed build must leave alone.
fn run_case(name: &str, base_site: &Path) -> String {
    let case_dir = repo().join("tests/corpus").join(name);
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("minimal"), &content);
    let out = dir.path().join("public");
    copy_tree(base_site, &out);
    let before = read_tree(&out);

    let case = apply(&case_dir, &content);
    let (code, human, diagnostics) = check(&content);
    assert!(code == 0 || code == 1, "{name}: exit code {code}");
    assert_eq!(diagnostics.is_empty(), case.clean, "{name}: {human}");
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
    assert_eq!(code == 1, errors > 0, "{name}: exit 1 exactly when there are errors");
    for diagnostic in &diagnostics {
        assert!(diagnostic["file"].is_string(), "{name}: diagnostic without a file: {diagnostic}");
        let whole_file = WHOLE_FILE_CODES.contains(&diagnostic["code"].as_str().unwrap_or(""));
        assert!(diagnostic["line"].is_u64() || whole_file, "{name}: diagnostic without a line: {diagnostic}");
    }

    let built = build(&content, &out, "public").get_output().status.code();
    if built != Some(0) {
        assert_eq!(built, Some(1), "{name}: a failed build exits 1");
        assert!(read_tree(&out) == before, "{name}: the failed build changed the previous output");
    }

    let _ = case.description;
    format!("exit: {code}\n\n{human}")
}

fn snapshot(name: &str, description: &str, output: &str) {
    insta::with_settings!({
        snapshot_path => "../corpus/snapshots",
        prepend_module_to_snapshot => false,
        description => description,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, output);
    });
}

#[test]
fn every_corpus_case_gives_a_clear_diagnostic() {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("tests/corpus"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().join("case.json").is_file())
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 25, "the corpus has {} cases", names.len());

    let dir = tempfile::tempdir().unwrap();
    let base_site = dir.path().join("base");
    build(&fixture("minimal"), &base_site, "public").success();

    // Two workers: cases are independent, and each runs the binary three times.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outputs: Vec<(usize, String)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(name) = names.get(index) else { break };
                        done.push((index, run_case(name, &base_site)));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("a corpus case failed")).collect()
    });
    let mut outputs = outputs;
    outputs.sort();
    for (index, output) in outputs {
        let name = &names[index];
        let case: Case = serde_json::from_str(
            &std::fs::read_to_string(repo().join("tests/corpus").join(name).join("case.json")).unwrap(),
        )
        .unwrap();
        snapshot(name, &case.description, &output);
    }
}

#[test]
fn the_base_of_the_corpus_is_clean() {
    let (code, human, diagnostics) = check(&fixture("minimal"));
    assert_eq!(code, 0, "{human}");
    assert!(diagnostics.is_empty(), "{human}");
}

#[test]
fn a_huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("minimal"), &content);
    let mut huge = String::from("---\nid: POL-HUGE\ntitle: Huge\n---\n");
    huge.push_str(&"A line of policy text that repeats to make a very large file.\n".repeat(300_000));
    std::fs::write(content.join("policies/huge.md"), huge).unwrap();
    let (code, human, diagnostics) = check(&content);
    assert_eq!(code, 1);
    assert_eq!(diagnostics.len(), 1, "{human}");
    assert_eq!(diagnostics[0]["code"], "file-too-large");
    assert_eq!(diagnostics[0]["file"], "policies/huge.md");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_content_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("minimal"), &content);
    std::fs::write(dir.path().join("secret.txt"), "SECRET OUTSIDE THE CONTENT FOLDER").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), content.join("evidence/link.md")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), content.join("policies/linked.md")).unwrap();
    let evidence = std::fs::read_to_string(content.join("evidence/evidence.yaml")).unwrap();
    std::fs::write(
        content.join("evidence/evidence.yaml"),
        evidence.replace("approval-minutes.md", "link.md"),
    )
    .unwrap();

    let (code, human, diagnostics) = check(&content);
    assert_eq!(code, 1, "{human}");
    let escapes: Vec<_> = diagnostics.iter().filter(|d| d["code"] == "path-escapes-content").collect();
    assert_eq!(escapes.len(), 2, "{human}");
    assert!(!human.contains("SECRET OUTSIDE"), "no byte outside the content folder is read into output");

    let out = dir.path().join("public");
    build(&content, &out, "public").failure().code(1);
    assert!(!out.exists());
}

/// Every diagnostic code the corpus produces is documented in docs/DIAGNOSTICS.md.
#[test]
fn every_code_in_the_corpus_is_documented() {
    let readme = std::fs::read_to_string(repo().join("docs/DIAGNOSTICS.md")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(repo().join("tests/corpus/snapshots")).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for label in ["error[", "warning["] {
            for piece in text.split(label).skip(1) {
                let code = piece.split(']').next().unwrap_or("");
                if !readme.contains(&format!("`{code}`")) && !missing.contains(&code.to_string()) {
                    missing.push(code.to_string());
                }
            }
        }
    }
    assert!(missing.is_empty(), "docs/DIAGNOSTICS.md lacks these codes: {missing:?}");
}
