//! `trustpress bundle` and `trustpress verify`: the example ISMS bundles into a zip that real
//! tools accept (Python's zipfile, `unzip -t`, `sha256sum -c`), holds everything an auditor
//! needs and browses offline; verify catches a changed, a removed and an added file;
//! rebuilds are byte-identical; encryption round-trips; paths never leave the content;
//! verify refuses an archive in any form `bundle` never writes, even when every byte matches
//! its manifest.
//!
//! External tools are installed by `.ci/run`. Where one is missing on a developer machine,
//! the check that needs it is skipped with a loud message, unless
//! `TRUSTPRESS_REQUIRE_TOOLS` is set (as CI sets it), when a missing tool fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Command as Process;
use std::sync::OnceLock;

use zip::write::FullFileOptions;

use crate::common::{
    assert_holds, example_content, example_copy, fixture, have_tool, run_ok, stderr, stdout, trustpress,
};

/// 2026-11-21T00:00:00Z, the tests' pinned day.
const EPOCH: &str = "1795219200";

fn bundle(content: &Path, out: &Path) -> assert_cmd::assert::Assert {
    trustpress()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["bundle", "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .assert()
}

fn verify(file: &Path) -> assert_cmd::assert::Assert {
    trustpress().arg("verify").arg(file).assert()
}

/// Every entry of a zip, by name, with its bytes.
fn entries(zip: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(entry.name().unwrap().to_string(), bytes);
    }
    files
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    let bytes = files.get(path).unwrap_or_else(|| panic!("the bundle has no {path}"));
    String::from_utf8(bytes.clone()).unwrap()
}

/// The options `bundle` writes every entry with (src/bundle/archive.rs), streamed as it
/// streams them.
fn as_bundle_writes() -> FullFileOptions<'static, 'static> {
    FullFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644)
        .system(zip::System::Unix)
}

/// Writes a zip holding `files` (a tampered copy of a bundle) as `bundle` writes one.
fn write_zip(path: &Path, files: &BTreeMap<String, Vec<u8>>) {
    write_zip_with(path, files, |_| as_bundle_writes());
}

/// Writes a zip holding `files`, each entry with the options `options` gives for its name.
fn write_zip_with(
    path: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    options: impl Fn(&str) -> FullFileOptions<'static, 'static>,
) {
    let mut writer = zip::ZipWriter::new_stream(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options(name)).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn example_bundle_is_complete_and_accepted_by_real_tools() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let content = example_content();
    bundle(&content, &out).success();
    let files = entries(&out);

    if have_tool("python3") {
        let checked = run_ok(
            Process::new("python3")
                .arg("-c")
                .arg(
                    "import sys, zipfile\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             bad = z.testzip()\n\
             assert bad is None, bad\n\
             print(len(z.namelist()))",
                )
                .arg(&out),
        );
        assert_eq!(checked.trim(), files.len().to_string(), "Python sees every entry");
    }
    if have_tool("unzip") {
        let tested = run_ok(Process::new("unzip").arg("-t").arg(&out));
        assert!(tested.contains("No errors detected"), "{tested}");
        let unpacked = dir.path().join("unpacked");
        run_ok(Process::new("unzip").arg("-q").arg(&out).arg("-d").arg(&unpacked));
        if have_tool("sha256sum") {
            let sums = run_ok(Process::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&unpacked));
            assert_eq!(sums.lines().filter(|line| line.ends_with(": OK")).count(), files.len() - 1, "{sums}");
        }
    }

    // The manifest lists every other entry with its size and hash, and its provenance.
    let manifest: serde_json::Value = serde_json::from_str(&text(&files, "manifest.json")).unwrap();
    assert_eq!(manifest["format"], "trustpress-bundle/1");
    assert_eq!(manifest["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["built_at"], "2026-11-21T00:00:00Z");
    assert_eq!(manifest["built_at_source"], "SOURCE_DATE_EPOCH");
    let listed: BTreeSet<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    let in_zip: BTreeSet<&str> =
        files.keys().map(String::as_str).filter(|p| *p != "manifest.json" && *p != "SHA256SUMS").collect();
    assert_eq!(listed, in_zip);
    let soa_entry = manifest["files"].as_array().unwrap().iter().find(|f| f["path"] == "soa.csv").unwrap();
    assert_eq!(soa_entry["size"], files["soa.csv"].len());
    assert_eq!(manifest["counts"]["controls"], 93);
    assert_eq!(manifest["counts"]["policies"], 15);
    assert_eq!(manifest["counts"]["files"], in_zip.len());

    // Every control: a page and a row of soa.csv and soa.json.
    for control in soa_csv_controls(&files) {
        let slug = control.to_lowercase().replace('.', "-");
        assert!(files.contains_key(&format!("soa/{slug}/index.html")), "no page for {control}");
    }
    let soa: serde_json::Value = serde_json::from_str(&text(&files, "soa.json")).unwrap();
    assert_eq!(soa["version"], "7");
    assert_eq!(soa["approved_by"], "Management Board");
    assert_eq!(soa["approved"], "2026-09-15");
    let a74 = soa["controls"].as_array().unwrap().iter().find(|c| c["control"] == "A.7.4").unwrap();
    assert_eq!(a74["applicable"], false);
    assert_eq!(a74["justification"], "Fully remote company; no premises of our own to monitor.");

    // Every policy, as HTML and as its markdown source, byte for byte.
    for entry in std::fs::read_dir(content.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let in_bundle: Vec<&String> =
            files.keys().filter(|p| p.starts_with("policies/") && p.ends_with(&format!("/{name}"))).collect();
        assert_eq!(in_bundle.len(), 1, "{name}: {in_bundle:?}");
        assert_eq!(files[in_bundle[0]], source, "{name} is its source, unchanged");
        let page = in_bundle[0].replace(name, "index.html");
        let link = format!("href=\"../../{}\"", in_bundle[0]);
        assert!(text(&files, &page).replace("&#x2f;", "/").contains(&link), "{page} links its source");
    }

    // Every evidence file, under each control it serves, with its exact bytes.
    let index: Vec<serde_json::Value> = yaml_list(&content.join("evidence/evidence.yaml"));
    assert_eq!(index.len(), 25);
    for item in &index {
        let file = item["file"].as_str().unwrap();
        let bytes = std::fs::read(content.join("evidence").join(file)).unwrap();
        for control in item["controls"].as_array().unwrap() {
            let path = format!("evidence/{}/{file}", control.as_str().unwrap());
            assert_eq!(files.get(&path), Some(&bytes), "{path}");
        }
    }

    // Every document and certification document.
    for document in std::fs::read_dir(content.join("documents")).unwrap() {
        let name = document.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".pdf") {
            assert!(files.keys().any(|p| p.ends_with(&format!("/{name}"))), "{name} is missing");
        }
    }
    assert!(files.contains_key("certifications/iso27001/iso27001-stage2-report.pdf"));

    // Risk register, audits and management reviews.
    for page in ["risks/index.html", "audits/ia-2026-01/index.html", "reviews/mr-2026-01/index.html"] {
        assert!(files.contains_key(page), "{page}");
    }
    let index_page = text(&files, "index.html");
    assert!(index_page.contains("Auditor bundle"), "the pages say what they are");

    assert_holds(&stdout(&verify(&out).success()), &format!("ok: all {} files", listed.len()));
}

fn soa_csv_controls(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let csv = text(files, "soa.csv");
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("control,title,theme,framework,applicable,status,"));
    let controls: Vec<String> = lines.map(|line| line.split(',').next().unwrap().to_string()).collect();
    assert_eq!(controls.len(), 93, "one row per Annex A control");
    controls
}

fn yaml_list(path: &Path) -> Vec<serde_json::Value> {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn soa_csv_reads_as_a_spreadsheet_would() {
    if !have_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    bundle(&example_content(), &out).success();
    let rows = run_ok(
        Process::new("python3")
            .arg("-c")
            .arg(
                "import csv, io, json, sys, zipfile\n\
         text = zipfile.ZipFile(sys.argv[1]).read('soa.csv').decode('utf-8')\n\
         print(json.dumps(list(csv.DictReader(io.StringIO(text, newline='')))))",
            )
            .arg(&out),
    );
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_str(&rows).unwrap();
    assert_eq!(rows.len(), 93);
    let row = |id: &str| rows.iter().find(|r| r["control"] == id).unwrap();
    let a515 = row("A.5.15");
    assert_eq!(a515["title"], "Access control");
    assert_eq!(a515["theme"], "Organizational");
    assert_eq!(a515["applicable"], "yes");
    assert_eq!(a515["status"], "implemented");
    assert_eq!(a515["owner"], "Head of IT");
    assert_eq!(a515["policies"], "POL-AC");
    assert_eq!(a515["evidence"], "EV-003");
    assert_eq!((a515["soa_version"].as_str(), a515["soa_approved"].as_str()), ("7", "2026-09-15"));
    assert_eq!(row("A.7.4")["applicable"], "no");
    assert_eq!(row("A.7.4")["status"], "");
    assert!(row("A.5.2")["justification"].contains("distributed, fully remote"), "commas survive quoting");
}

/// Offline browsing: every relative link and asset of every page points at an entry of
/// the archive, folder links end in index.html, and control pages link their evidence.
#[test]
fn bundle_pages_browse_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    bundle(&example_content(), &out).success();
    let files = entries(&out);
    let mut checked = 0;
    assert!(!files.contains_key("404.html"), "a server's 404 page has no use offline");
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes).replace("&#x2f;", "/").replace("&amp;", "&");
        for attribute in ["href=\"", "src=\""] {
            for link in html.split(attribute).skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
                if link.starts_with('#') || link.contains(':') {
                    continue;
                }
                let link = link.split('#').next().unwrap();
                let target = resolve(path, link);
                assert!(files.contains_key(&target), "{path} links `{link}`, which is not in the bundle");
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} links checked");

    let control = text(&files, "soa/a-5-15/index.html").replace("&#x2f;", "/");
    assert!(control.contains("<a href=\"../../evidence/A.5.15/access-review-2026-q3.csv\">"), "{control}");
    let evidence = text(&files, "evidence/index.html").replace("&#x2f;", "/");
    for copy in ["A.5.15", "A.5.18", "A.8.2", "A.8.3"] {
        let link = format!("href=\"../evidence/{copy}/access-review-2026-q3.csv\"");
        assert!(evidence.contains(&link), "the evidence index links each copy: {link}");
    }
}

/// `link` as seen from the page at `page`, as a path in the archive.
fn resolve(page: &str, link: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in link.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[test]
fn the_public_and_internal_sites_do_not_link_evidence() {
    let dir = tempfile::tempdir().unwrap();
    for audience in ["public", "internal"] {
        let out = dir.path().join(audience);
        crate::common::build(&example_content(), &out, audience).success();
        let control = std::fs::read_to_string(out.join("soa/a-5-15/index.html")).unwrap();
        assert!(!control.contains("evidence&#x2f;"), "{audience}: {control}");
        assert!(!control.contains("Auditor bundle"));
        assert!(!out.join("evidence").exists(), "{audience} has no evidence folder");
    }
}

#[test]
fn the_bundle_holds_what_only_auditors_may_see() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    bundle(&fixture("leak"), &out).success();
    let files = entries(&out);
    let all: String =
        files.iter().map(|(path, bytes)| format!("{path}\n{}\n", String::from_utf8_lossy(bytes))).collect();
    for place in [
        "AUDMARK evidence contents",
        "AUDMARK evidence title",
        "AUDMARK auditor policy body",
        "AUDMARK fenced block in a public policy",
        "AUDMARK auditor-only audit",
        "AUDMARK risk title",
        "AUDMARK file contents audmark-auditor-paper",
        "AUDMARK file contents audmark-cert-report",
        "INTMARK",
        "PUBMARK",
    ] {
        assert!(all.contains(place), "the bundle lacks `{place}`");
    }
}

#[test]
fn same_content_and_date_give_a_byte_identical_archive() {
    let dir = tempfile::tempdir().unwrap();
    // Two copies in different places: no absolute path, host or clock may reach the bytes.
    let first_content = example_copy(&dir.path().join("a"));
    let second_content = example_copy(&dir.path().join("b/c"));
    let first = dir.path().join("first.zip");
    let second = dir.path().join("second.zip");
    bundle(&first_content, &first).success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    bundle(&second_content, &second).success();
    let (first_bytes, second_bytes) = (std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
    assert!(first_bytes == second_bytes, "two bundles of the same content differ");

    let later = dir.path().join("later.zip");
    trustpress()
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .args(["bundle", "--content"])
        .arg(&first_content)
        .arg("--out")
        .arg(&later)
        .assert()
        .success();
    assert!(std::fs::read(&later).unwrap() != first_bytes, "the build date is part of the archive");
    let manifest = text(&entries(&later), "manifest.json");
    assert!(manifest.contains("\"built_at\": \"2026-11-22T00:00:00Z\""), "{manifest}");
}

#[test]
fn without_source_date_epoch_the_commit_dates_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let git = |args: &[&str]| {
        run_ok(
            Process::new("git")
                .arg("-C")
                .arg(&content)
                .args(args)
                .env("GIT_AUTHOR_DATE", "1790000000 +0000")
                .env("GIT_COMMITTER_DATE", "1790000000 +0000"),
        )
    };
    git(&["init", "--quiet"]);
    git(&["add", "."]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "ISMS"]);
    let commit = git(&["rev-parse", "HEAD"]).trim().to_string();

    let out = dir.path().join("audit.zip");
    let run = || trustpress().args(["bundle", "--content"]).arg(&content).arg("--out").arg(&out).assert();
    assert_holds(&stderr(&run().success()), &format!("content commit   {commit}\n"));
    let manifest: serde_json::Value = serde_json::from_str(&text(&entries(&out), "manifest.json")).unwrap();
    assert_eq!(manifest["content"]["git_commit"], commit.as_str());
    assert_eq!(manifest["content"]["git_dirty"], false);
    assert_eq!(manifest["built_at"], "2026-09-21T14:13:20Z");
    assert_eq!(manifest["built_at_source"], "git-commit");
    let first = std::fs::read(&out).unwrap();
    run().success();
    assert!(std::fs::read(&out).unwrap() == first, "a commit pins the date: rebuilds are identical");

    std::fs::write(content.join("evidence/new-export.csv"), "a,b\n").unwrap();
    assert_holds(&stderr(&run().success()), "(with uncommitted changes)");
    let manifest: serde_json::Value = serde_json::from_str(&text(&entries(&out), "manifest.json")).unwrap();
    assert_eq!(manifest["content"]["git_dirty"], true);
}

#[test]
fn verify_names_a_changed_a_missing_and_an_extra_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    bundle(&example_content(), &out).success();
    verify(&out).success();
    let original = entries(&out);
    let evidence = "evidence/A.5.15/access-review-2026-q3.csv";

    let mut changed = original.clone();
    changed.get_mut(evidence).unwrap()[10] ^= 0x01;
    let changed_zip = dir.path().join("changed.zip");
    write_zip(&changed_zip, &changed);
    let report = stdout(&verify(&changed_zip).code(1));
    assert_eq!(report, format!("changed: {evidence} (SHA-256 differs from the manifest)\n"));

    let mut removed = original.clone();
    removed.remove("soa.csv");
    let removed_zip = dir.path().join("removed.zip");
    write_zip(&removed_zip, &removed);
    assert_eq!(stdout(&verify(&removed_zip).code(1)), "missing: soa.csv\n");

    let mut added = original.clone();
    added.insert("evidence/A.5.15/late-addition.csv".into(), b"x".to_vec());
    let added_zip = dir.path().join("added.zip");
    write_zip(&added_zip, &added);
    assert_eq!(stdout(&verify(&added_zip).code(1)), "extra:   evidence/A.5.15/late-addition.csv\n");

    // A manifest edited to match a changed file still fails: SHA256SUMS no longer agrees.
    let mut forged = changed.clone();
    let mut manifest: serde_json::Value = serde_json::from_str(&text(&forged, "manifest.json")).unwrap();
    let listed =
        manifest["files"].as_array_mut().unwrap().iter_mut().find(|f| f["path"] == evidence).unwrap();
    listed["sha256"] = sha256_hex(&changed[evidence]).into();
    forged.insert("manifest.json".into(), serde_json::to_vec_pretty(&manifest).unwrap());
    let forged_zip = dir.path().join("forged.zip");
    write_zip(&forged_zip, &forged);
    assert_eq!(stdout(&verify(&forged_zip).code(1)), "changed: SHA256SUMS (does not match manifest.json)\n");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

#[test]
fn verify_catches_a_flipped_byte_in_the_archive_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    bundle(&example_content(), &out).success();
    let evidence = "evidence/A.6.3/awareness-training-2026.csv";
    let offset = {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let entry = archive.by_name(evidence).unwrap();
        entry.data_start().unwrap() + entry.compressed_size() / 2
    };
    let mut bytes = std::fs::read(&out).unwrap();
    bytes[usize::try_from(offset).unwrap()] ^= 0x20;
    std::fs::write(&out, bytes).unwrap();
    let report = stdout(&verify(&out).code(1));
    assert!(report.starts_with(&format!("changed: {evidence} (")), "{report}");
    assert_eq!(report.lines().count(), 1, "{report}");
}

#[test]
fn encrypted_bundle_decrypts_to_the_plain_one_and_verifies() {
    use age::secrecy::ExposeSecret;
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let identity = age::x25519::Identity::generate();
    let other = age::x25519::Identity::generate();
    let key_file = dir.path().join("key.txt");
    std::fs::write(&key_file, format!("# test key\n{}\n", identity.to_string().expose_secret())).unwrap();

    let plain = dir.path().join("audit.zip");
    bundle(&content, &plain).success();
    let encrypted = dir.path().join("audit.zip.age");
    let sealing = trustpress()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["bundle", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(&encrypted)
        .arg("--encrypt-to")
        .arg(other.to_public().to_string())
        .arg("--encrypt-to")
        .arg(identity.to_public().to_string())
        .assert()
        .success();
    assert_holds(&stderr(&sealing), "encrypted to 2 recipients");

    let sealed = std::fs::read(&encrypted).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"), "a standard age file");
    assert!(!sealed.windows(13).any(|w| w == b"manifest.json"), "not even entry names are readable");
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    let mut opened = Vec::new();
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut opened)
        .unwrap();
    assert!(opened == std::fs::read(&plain).unwrap(), "decrypted, it is the plain bundle byte for byte");
    let opened_zip = dir.path().join("opened.zip");
    std::fs::write(&opened_zip, &opened).unwrap();
    verify(&opened_zip).success();

    let opened_by_verify =
        trustpress().arg("verify").arg(&encrypted).arg("--identity").arg(&key_file).assert();
    assert_holds(&stdout(&opened_by_verify.success()), "ok: all");
    assert_holds(&stderr(&trustpress().arg("verify").arg(&encrypted).assert().code(2)), "--identity");
    let stranger = dir.path().join("stranger.txt");
    let stranger_key = age::x25519::Identity::generate();
    std::fs::write(&stranger, format!("{}\n", stranger_key.to_string().expose_secret())).unwrap();
    let refused =
        trustpress().arg("verify").arg(&encrypted).arg("--identity").arg(&stranger).assert().code(2);
    assert_holds(&stderr(&refused), "is one of its recipients");

    if have_tool("age") {
        let decrypted = dir.path().join("by-age-cli.zip");
        run_ok(
            Process::new("age").arg("-d").arg("-i").arg(&key_file).arg("-o").arg(&decrypted).arg(&encrypted),
        );
        assert!(std::fs::read(&decrypted).unwrap() == opened, "the age CLI opens it too");
    }
}

#[test]
fn paths_leaving_the_content_folder_are_errors_and_keep_the_previous_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    std::fs::write(dir.path().join("secret.txt"), "outside the content folder").unwrap();
    let out = dir.path().join("out/audit.zip");
    bundle(&content, &out).success();
    let previous = std::fs::read(&out).unwrap();

    let index = content.join("evidence/evidence.yaml");
    let original = std::fs::read_to_string(&index).unwrap();
    for (file, expected) in [
        ("../../secret.txt", "leaves the content folder"),
        ("/etc/hostname", "is an absolute path"),
        ("linked.csv", "symlink to a place outside the content folder"),
    ] {
        #[cfg(unix)]
        if file == "linked.csv" {
            let _ = std::fs::remove_file(content.join("evidence/linked.csv"));
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), content.join("evidence/linked.csv"))
                .unwrap();
        }
        #[cfg(not(unix))]
        if file == "linked.csv" {
            continue;
        }
        let edited = original.replacen("file: access-review-2026-q3.csv", &format!("file: {file}"), 1);
        assert_ne!(edited, original);
        std::fs::write(&index, edited).unwrap();
        let message = stderr(&bundle(&content, &out).code(1));
        assert_holds(&message, "evidence/evidence.yaml:18:9");
        assert_holds(&message, expected);
        assert_holds(&message, "was left untouched");
        assert!(std::fs::read(&out).unwrap() == previous, "the previous bundle is untouched");
        let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}

#[test]
fn usage_and_input_errors_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let bad_recipient = trustpress()
        .args(["bundle", "--content"])
        .arg(example_content())
        .args(["--encrypt-to", "age1notakey"])
        .arg("--out")
        .arg(dir.path().join("x.zip"))
        .assert()
        .code(2);
    assert_holds(&stderr(&bad_recipient), "not an age recipient");
    assert!(!dir.path().join("x.zip").exists());

    let garbage = dir.path().join("garbage.zip");
    std::fs::write(&garbage, "this is not a zip").unwrap();
    assert_holds(&stderr(&verify(&garbage).code(1)), "is not a bundle");
    assert_holds(&stderr(&verify(&dir.path().join("absent.zip")).code(1)), "cannot read");
    let into_folder = trustpress()
        .args(["bundle", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(dir.path())
        .assert();
    assert_holds(&stderr(&into_folder.code(2)), "is a folder");
}

#[test]
fn bundle_replaces_only_a_bundle_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let bundle_to = |out: &Path, extra: &[&str]| {
        trustpress()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args(["bundle", "--content"])
            .arg(&content)
            .arg("--out")
            .arg(out)
            .args(extra)
            .assert()
    };
    // A file that is not a bundle is kept, with an error that names the way out.
    let report = dir.path().join("report.zip");
    std::fs::write(&report, "the board report, not a bundle").unwrap();
    let refused = stderr(&bundle_to(&report, &[]).code(2));
    assert_holds(&refused, "is not a bundle");
    assert_holds(&refused, "--force");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "the board report, not a bundle");
    // A zip that is no bundle is kept too.
    let other_zip = dir.path().join("photos.zip");
    write_zip(&other_zip, &BTreeMap::from([("cat.jpg".to_string(), b"meow".to_vec())]));
    let before = std::fs::read(&other_zip).unwrap();
    bundle_to(&other_zip, &[]).code(2);
    assert!(std::fs::read(&other_zip).unwrap() == before);

    // A bundle it wrote, plain or encrypted, is replaced as before.
    bundle_to(&report, &["--force"]).success();
    verify(&report).success();
    bundle_to(&report, &[]).success();
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let encrypted = dir.path().join("audit.zip.age");
    bundle_to(&encrypted, &["--encrypt-to", &recipient]).success();
    bundle_to(&encrypted, &["--encrypt-to", &recipient]).success();

    #[cfg(unix)]
    {
        let link = dir.path().join("link.zip");
        std::os::unix::fs::symlink(&report, &link).unwrap();
        assert_holds(&stderr(&bundle_to(&link, &["--force"]).code(2)), "symbolic link");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "content")
        .collect();
    left.sort();
    let mut expected = vec!["audit.zip.age", "photos.zip", "report.zip"];
    if cfg!(unix) {
        expected.insert(1, "link.zip");
    }
    assert_eq!(left, expected, "no temporary file is left behind");
}

/// The example bundle's bytes, built once for the tests that make hostile copies of it.
fn example_bundle_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("audit.zip");
        bundle(&example_content(), &out).success();
        std::fs::read(&out).unwrap()
    })
}

/// The example bundle's entries, by name.
fn example_entries() -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    std::fs::write(&out, example_bundle_bytes()).unwrap();
    entries(&out)
}

/// Writes `manifest` as the `manifest.json` of `files`, with the `SHA256SUMS` that agrees
/// with it: what someone who edits a bundle and knows its format does.
fn seal(files: &mut BTreeMap<String, Vec<u8>>, manifest: &serde_json::Value) {
    let json = serde_json::to_vec_pretty(manifest).unwrap();
    let mut sums = String::new();
    for file in manifest["files"].as_array().unwrap() {
        sums.push_str(&format!("{}  {}\n", file["sha256"].as_str().unwrap(), file["path"].as_str().unwrap()));
    }
    sums.push_str(&format!("{}  manifest.json\n", sha256_hex(&json)));
    files.insert("manifest.json".into(), json);
    files.insert("SHA256SUMS".into(), sums.into_bytes());
}

/// Rewrites the manifest and `SHA256SUMS` of `files` to list every other entry with its true
/// size and SHA-256: every byte then matches, and only the form of the archive is wrong.
fn reseal(files: &mut BTreeMap<String, Vec<u8>>) {
    let mut manifest: serde_json::Value = serde_json::from_str(&text(files, "manifest.json")).unwrap();
    manifest["files"] = files
        .iter()
        .filter(|(path, _)| *path != "manifest.json" && *path != "SHA256SUMS")
        .map(|(path, bytes)| serde_json::json!({ "path": path, "size": bytes.len(), "sha256": sha256_hex(bytes) }))
        .collect();
    seal(files, &manifest);
}

/// Where the local header and the central directory record of the entry `name` start.
fn headers(zip: &[u8], name: &str) -> (usize, usize) {
    let archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let entry = archive.by_index_data(archive.index_for_name(name).unwrap()).unwrap();
    (usize::try_from(entry.header_start()).unwrap(), usize::try_from(entry.central_header_start()).unwrap())
}

/// Gives the entry `name` the name `new` (of the same length) in both its headers.
fn rename_in_place(zip: &mut [u8], name: &str, new: &[u8]) {
    assert_eq!(name.len(), new.len());
    let (local, central) = headers(zip, name);
    zip[local + 30..][..new.len()].copy_from_slice(new);
    zip[central + 46..][..new.len()].copy_from_slice(new);
}

/// Sets (or clears) general-purpose `flag` of the entry `name` in both its headers.
fn set_flag(zip: &mut [u8], name: &str, flag: u16, on: bool) {
    let (local, central) = headers(zip, name);
    for at in [local + 6, central + 8] {
        let flags = u16::from_le_bytes([zip[at], zip[at + 1]]);
        let flags = if on { flags | flag } else { flags & !flag };
        zip[at..at + 2].copy_from_slice(&flags.to_le_bytes());
    }
}

/// What verify prints of `zip`, which it must refuse.
fn refused(zip: &Path) -> String {
    let report = verify(zip).code(1);
    assert_holds(&stderr(&report), "problem(s)");
    stdout(&report)
}

#[test]
fn an_untouched_bundle_and_a_copy_written_as_bundle_writes_verify() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    std::fs::write(&out, example_bundle_bytes()).unwrap();
    assert_holds(&stdout(&verify(&out).success()), "ok: all");
    // The copy the tests below make hostile, before they do: it differs only where they say.
    let copy = dir.path().join("copy.zip");
    write_zip(&copy, &example_entries());
    assert_holds(&stdout(&verify(&copy).success()), "ok: all");
}

#[test]
fn verify_refuses_a_zip_comment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let mut bytes = example_bundle_bytes().to_vec();
    // The end-of-central-directory record is the last 22 bytes; it ends with the comment's length.
    let end = bytes.len() - 22;
    assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
    let comment = b"Checked by Halcyon Ledger's auditor: no need to look further.";
    bytes[end + 20..].copy_from_slice(&u16::try_from(comment.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(comment);
    std::fs::write(&out, bytes).unwrap();
    assert_eq!(
        refused(&out),
        format!(
            "unexpected: {} (a zip comment, which unzip prints to whoever opens the archive; bundle writes none)\n",
            out.display()
        )
    );
}

#[test]
fn verify_refuses_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let mut bytes = example_bundle_bytes().to_vec();
    let evidence = "evidence/A.5.15/access-review-2026-q3.csv";
    // Same bytes, but unzip would make the entry a link to wherever its bytes point.
    let (_, central) = headers(&bytes, evidence);
    bytes[central + 38..central + 42].copy_from_slice(&(0o120_777u32 << 16).to_le_bytes());
    std::fs::write(&out, bytes).unwrap();
    assert_eq!(
        refused(&out),
        format!("unexpected: {evidence} (a symlink; bundle writes regular files only)\n")
    );
}

#[test]
fn verify_refuses_folder_entries_above_all_one_holding_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let mut files = example_entries();
    files.insert("evidence/".into(), Vec::new());
    files.insert("evidence/A.5.15/".into(), b"bytes in a folder entry\n".to_vec());
    write_zip(&out, &files);
    assert_eq!(
        refused(&out),
        "unexpected: evidence/ (a folder entry; bundle writes files only, no folder entries)\n\
         unexpected: evidence/A.5.15/ (a folder entry holding 24 bytes; bundle writes files only, no folder entries)\n"
    );
}

#[test]
fn verify_refuses_extra_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    write_zip_with(&out, &example_entries(), |name| {
        let mut options = as_bundle_writes();
        if name == "soa.csv" {
            // An extended timestamp, as many zip tools add: modified 2026-11-21.
            options.add_extra_field(0x5455, [1, 0x00, 0x4c, 0x01, 0x6b], false).unwrap();
        }
        options
    });
    let report = refused(&out);
    assert!(!report.is_empty());
    for line in report.lines() {
        assert!(
            line.starts_with("unexpected: soa.csv (extra field 0x5455 (extended timestamp)")
                && line.ends_with("; bundle writes none but Zip64 sizes)"),
            "{report}"
        );
    }
}

#[test]
fn verify_refuses_unsafe_and_unnormalised_names() {
    let dir = tempfile::tempdir().unwrap();
    let planted = b"planted\n".to_vec();
    for (name, shown, reason) in [
        ("/tmp/planted.csv", "/tmp/planted.csv", "an absolute name"),
        ("../planted.csv", "../planted.csv", "a `..` segment in its name, which leaves the folder"),
        ("evidence/../../planted.csv", "evidence/../../planted.csv", "a `..` segment"),
        ("evidence\\planted.csv", "evidence\\planted.csv", "a backslash in its name"),
        ("./planted.csv", "./planted.csv", "a `.` segment in its name"),
        ("evidence//planted.csv", "evidence//planted.csv", "an empty segment (`//`) in its name"),
        ("evidence/planted.csv/", "evidence/planted.csv/", "a folder entry holding 8 bytes"),
        ("planted\u{1b}[2J.csv", "planted\\u{1b}[2J.csv", "a control character in its name"),
        ("r\u{e9}sum\u{e9}.csv", "r\u{e9}sum\u{e9}.csv", "a non-ASCII name without the UTF-8 flag"),
    ] {
        // Listed in a manifest that agrees with every byte: only the name is wrong.
        let mut files = example_entries();
        files.insert(name.into(), planted.clone());
        reseal(&mut files);
        let zip = dir.path().join("named.zip");
        write_zip(&zip, &files);
        if !name.is_ascii() {
            let mut bytes = std::fs::read(&zip).unwrap();
            set_flag(&mut bytes, name, 0x0800, false);
            std::fs::write(&zip, bytes).unwrap();
        }
        let report = refused(&zip);
        assert_holds(&report, &format!("unexpected: {shown} ({reason}"));
        assert!(!report.contains("extra:") && !report.contains("changed:"), "{report}");
    }

    // A name that is not UTF-8, which tools decode each their own way (the manifest, JSON,
    // cannot list it).
    let mut files = example_entries();
    files.insert("planted_.csv".into(), planted);
    let zip = dir.path().join("bytes.zip");
    write_zip(&zip, &files);
    let mut bytes = std::fs::read(&zip).unwrap();
    rename_in_place(&mut bytes, "planted_.csv", b"planted\xff.csv");
    std::fs::write(&zip, bytes).unwrap();
    assert_eq!(
        refused(&zip),
        "unexpected: planted\\xff.csv (a name that is not UTF-8; bundle writes UTF-8 names)\n"
    );
}

#[test]
fn verify_refuses_two_entries_with_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let evidence = "evidence/A.5.15/access-review-2026-q3.csv";
    let twin = "evidence/A.5.15/access-review-2026-q3.csw";
    let mut files = example_entries();
    files.insert(twin.into(), b"another review, which unzip may extract over the first\n".to_vec());
    write_zip(&out, &files);
    let mut bytes = std::fs::read(&out).unwrap();
    rename_in_place(&mut bytes, twin, evidence.as_bytes());
    std::fs::write(&out, bytes).unwrap();
    assert_holds(
        &refused(&out),
        &format!("unexpected: {evidence} (a second entry with this name; bundle writes each name once)\n"),
    );
}

#[test]
fn verify_refuses_a_file_listed_twice_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let mut files = example_entries();
    let mut manifest: serde_json::Value = serde_json::from_str(&text(&files, "manifest.json")).unwrap();
    let listed = manifest["files"].as_array_mut().unwrap();
    let first = listed[0].clone();
    listed.push(first.clone());
    seal(&mut files, &manifest);
    write_zip(&out, &files);
    assert_eq!(
        refused(&out),
        format!(
            "unexpected: {} (listed twice in manifest.json; bundle lists each file once)\n",
            first["path"].as_str().unwrap()
        )
    );
}

#[test]
fn verify_refuses_an_encrypted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let mut bytes = example_bundle_bytes().to_vec();
    set_flag(&mut bytes, "soa.csv", 0x0001, true);
    std::fs::write(&out, bytes).unwrap();
    assert_holds(
        &refused(&out),
        "unexpected: soa.csv (encrypted with zip encryption; bundle never encrypts entries (age encrypts the whole archive))\n",
    );
}

#[test]
fn verify_refuses_another_compression_method() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    write_zip_with(&out, &example_entries(), |name| {
        let options = as_bundle_writes();
        if name == "soa.csv" {
            options.compression_method(zip::CompressionMethod::Stored)
        } else {
            options
        }
    });
    assert_eq!(
        refused(&out),
        "unexpected: soa.csv (compression method 0 (Stored); bundle deflates every entry (method 8))\n"
    );
}

#[test]
fn verify_refuses_an_entry_hidden_from_the_central_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit.zip");
    let bytes = example_bundle_bytes();
    let directory = zip::ZipArchive::new(Cursor::new(bytes)).unwrap().central_directory_start();
    // A whole entry (header, data, descriptor) that a streaming unzip extracts and a listing
    // does not show, put between the last entry and the central directory.
    let hidden = {
        let zip = dir.path().join("hidden.zip");
        write_zip(&zip, &BTreeMap::from([("evidence/A.5.15/hidden.csv".to_string(), b"hidden\n".to_vec())]));
        let hidden = std::fs::read(&zip).unwrap();
        let end = zip::ZipArchive::new(Cursor::new(&hidden)).unwrap().central_directory_start();
        hidden[..usize::try_from(end).unwrap()].to_vec()
    };
    let directory = usize::try_from(directory).unwrap();
    let mut tampered = bytes[..directory].to_vec();
    tampered.extend_from_slice(&hidden);
    tampered.extend_from_slice(&bytes[directory..]);
    // The end-of-central-directory record says where the directory starts.
    let end = tampered.len() - 22;
    let moved = u32::try_from(directory + hidden.len()).unwrap();
    tampered[end + 16..end + 20].copy_from_slice(&moved.to_le_bytes());
    std::fs::write(&out, tampered).unwrap();
    assert_eq!(
        refused(&out),
        format!(
            "unexpected: {} ({} bytes between the last entry and the central directory; bundle writes none)\n",
            out.display(),
            hidden.len()
        )
    );
}
