//! `trustpress share`: the package a recipient gets (decrypted with the `age` CLI, every
//! PDF page stamped as `pdftotext` reads it, hashes as the manifest says), the ledger entry
//! and what `check` and the sites make of it, and bad input that must leave nothing behind.
//!
//! The tools are the ones a recipient and a team would use (`age`, `age-keygen`,
//! `pdftotext`, `unzip`); a test that needs a missing tool is skipped with a message, unless
//! `TRUSTPRESS_REQUIRE_TOOLS` is set (as CI sets it).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

use crate::common::{copy_tree, edit, example_content, read_tree, text, trustpress, TODAY};

/// A copy of the example content, a place for packages outside it, and a recipient key.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example_content(), &dir.path().join("content"));
        std::fs::create_dir(dir.path().join("out")).unwrap();
        Setup { dir }
    }

    fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.content().join("access/shares.yaml")).unwrap_or_default()
    }

    /// Runs `trustpress share` on the copy with `args`; returns the output.
    fn share(&self, args: &[&str]) -> std::process::Output {
        trustpress()
            .arg("share")
            .arg("--content")
            .arg(self.content())
            .args(["--today", TODAY])
            .args(args)
            .output()
            .unwrap()
    }

    /// An age identity made with `age-keygen`: (identity file, recipient), or `None` when the
    /// tool is missing and the test may be skipped.
    fn age_key(&self) -> Option<(PathBuf, String)> {
        let identity = self.dir.path().join("recipient-key.txt");
        let output = tool(Command::new("age-keygen").arg("-o").arg(&identity))?;
        assert!(output.status.success());
        let text = std::fs::read_to_string(&identity).unwrap();
        let recipient = text.lines().find_map(|l| l.strip_prefix("# public key: ")).unwrap().to_string();
        Some((identity, recipient))
    }
}

/// Runs a user's tool; `None` when it is not installed and tools are not required.
fn tool(command: &mut Command) -> Option<std::process::Output> {
    match command.output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                "{:?} is required for this test (scripts/test installs it)",
                command.get_program()
            );
            eprintln!(
                "\n*** SKIPPED: {:?} is not installed (scripts/test installs it) ***\n",
                command.get_program()
            );
            None
        }
        Err(error) => panic!("{error}"),
    }
}

/// The entries of a zip, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entries = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let name = entry.name().unwrap().to_string();
        entries.insert(name, data);
    }
    entries
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// The share id `share` printed.
fn share_id(output: &std::process::Output) -> String {
    stdout(output).split_whitespace().nth(1).unwrap().to_string()
}

#[test]
fn a_recipient_decrypts_the_package_with_age_and_every_pdf_page_is_stamped() {
    let setup = Setup::new();
    let Some((identity, recipient)) = setup.age_key() else { return };
    let package = setup.out("acme.zip.age");
    let output = setup.share(&[
        "--to",
        "Jo Tester <security@acme.example>",
        "--organization",
        "Acme Corp",
        "--recipient",
        &recipient,
        "--documents",
        "DOC-SOC2-2026",
        "DOC-BCDR-SUMMARY-2026",
        "--nda",
        "access/mutual-nda.md",
        "--expires",
        "2027-06-30",
        "--out",
        package.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let id = share_id(&output);
    assert!(id.starts_with("S-20261121-"), "{id}");

    let decrypted = Command::new("age").arg("-d").arg("-i").arg(&identity).arg(&package).output().unwrap();
    assert!(decrypted.status.success(), "age -d: {}", String::from_utf8_lossy(&decrypted.stderr));
    let entries = unzip(&decrypted.stdout);
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            format!("{id}/README.txt"),
            format!("{id}/bcdr-test-summary-2026.pdf"),
            format!("{id}/manifest.json"),
            format!("{id}/soc2-type2-report-2026.pdf")
        ]
    );

    let manifest: serde_json::Value =
        serde_json::from_slice(&entries[&format!("{id}/manifest.json")]).unwrap();
    assert_eq!(manifest["share"], id.as_str());
    assert_eq!(manifest["to"], "Jo Tester <security@acme.example>");
    assert_eq!(manifest["nda"]["file"], "access/mutual-nda.md");
    for document in manifest["documents"].as_array().unwrap() {
        let file = &entries[&format!("{id}/{}", document["file"].as_str().unwrap())];
        assert_eq!(document["sha256"].as_str().unwrap(), sha256(file), "the manifest's hash is the file's");
        assert_ne!(document["sha256"], document["source_sha256"], "a stamped PDF differs from the original");
    }

    // Every page of every PDF carries the stamp, as a reader's PDF tool extracts it.
    let folder = setup.dir.path().join("unpacked");
    std::fs::create_dir(&folder).unwrap();
    for (name, bytes) in entries.iter().filter(|(name, _)| name.ends_with(".pdf")) {
        let pdf = folder.join(name.rsplit('/').next().unwrap());
        std::fs::write(&pdf, bytes).unwrap();
        let Some(extracted) = tool(Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-")) else {
            return;
        };
        assert!(extracted.status.success());
        let extracted = String::from_utf8_lossy(&extracted.stdout).to_string();
        let pages: Vec<&str> = extracted.split('\u{c}').filter(|page| !page.trim().is_empty()).collect();
        assert!(!pages.is_empty(), "{name}");
        for (number, page) in pages.iter().enumerate() {
            let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in ["Confidential", "Jo Tester", &id] {
                assert!(flat.contains(needle), "{name} page {} lacks {needle}: {flat}", number + 1);
            }
        }
    }

    // The ledger records the share; check knows it, and the internal site lists it.
    let ledger = setup.ledger();
    assert!(
        ledger.contains(&format!("- id: \"{id}\"")) && ledger.contains("organization: \"Acme Corp\""),
        "{ledger}"
    );
    let check =
        trustpress().args(["check", "--today", TODAY, "--content"]).arg(setup.content()).output().unwrap();
    let report = format!("{}{}", stdout(&check), stderr(&check));
    assert!(!report.contains(&id), "a fresh share raises nothing: {report}");
}

#[test]
fn a_passphrase_package_opens_with_the_printed_passphrase_only() {
    let setup = Setup::new();
    let package = setup.out("p.zip.age");
    let output = setup.share(&[
        "--to",
        "Jo <jo@acme.example>",
        "--passphrase",
        "--documents",
        "DOC-BCDR-SUMMARY-2026",
        "--out",
        package.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    let passphrase = printed.lines().find_map(|l| l.strip_prefix("passphrase: ")).unwrap().to_string();
    assert_eq!(passphrase.len(), 35, "{passphrase}");
    assert!(!setup.ledger().contains(&passphrase), "the passphrase is never recorded");

    let decrypt = |passphrase: &str| -> Option<Vec<u8>> {
        let identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_string()));
        let file = std::fs::File::open(&package).unwrap();
        let decryptor = age::Decryptor::new(file).ok()?;
        let mut reader = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).ok()?;
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    };
    assert!(decrypt("wrong-passphrase").is_none());
    let entries = unzip(&decrypt(&passphrase).expect("the printed passphrase opens it"));
    assert!(entries.keys().any(|name| name.ends_with("/bcdr-test-summary-2026.pdf")));
    let ledger = setup.ledger();
    let entry = &ledger[ledger.find(&format!("- id: \"{}\"", share_id(&output))).unwrap()..];
    assert!(!entry.contains("encrypted_to"), "{entry}");
}

#[test]
fn a_name_the_stamp_cannot_draw_is_pointed_out_and_kept_whole() {
    let setup = Setup::new();
    let package = setup.out("cyrillic.zip.age");
    let name = "\u{41c}\u{438}\u{440} Ltd <security@mir.example>";
    let output = setup.share(&[
        "--to",
        name,
        "--passphrase",
        "--documents",
        "DOC-BCDR-SUMMARY-2026",
        "--out",
        package.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let note = stderr(&output);
    assert!(
        note.contains("cannot draw `\u{41c}\u{438}\u{440}`") && note.contains("Latin spelling"),
        "{note}"
    );
    assert!(setup.ledger().contains("\u{41c}\u{438}\u{440} Ltd"), "the ledger keeps the name as given");

    let latin = setup.share(&[
        "--to",
        "Mir Ltd <security@mir.example>",
        "--passphrase",
        "--documents",
        "DOC-BCDR-SUMMARY-2026",
        "--out",
        setup.out("latin.zip.age").to_str().unwrap(),
    ]);
    assert!(latin.status.success(), "{}", stderr(&latin));
    assert!(!stderr(&latin).contains("cannot draw"), "{}", stderr(&latin));
}

#[test]
fn check_warns_when_a_recipient_holds_a_changed_or_replaced_document_or_nda_or_an_expired_grant() {
    let setup = Setup::new();
    let Some((_, recipient)) = setup.age_key() else { return };
    let package = setup.out("a.zip.age");
    let output = setup.share(&[
        "--to",
        "Jo <jo@acme.example>",
        "--organization",
        "Acme Corp",
        "--recipient",
        &recipient,
        "--documents",
        "DOC-SOC2-2026",
        "DOC-PENTEST-2026",
        "--nda",
        "access/mutual-nda.md",
        "--expires",
        "2027-01-31",
        "--out",
        package.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let id = share_id(&output);
    let check = |today: &str| {
        let output = trustpress()
            .args(["check", "--today", today, "--content"])
            .arg(setup.content())
            .output()
            .unwrap();
        format!("{}{}", stdout(&output), stderr(&output))
    };
    assert!(!check(TODAY).contains(&id));

    // The 2026 SOC 2 report is replaced by a 2027 one; the pen test summary is edited; the
    // NDA is changed.
    let content = setup.content();
    std::fs::copy(
        content.join("documents/soc2-type2-report-2026.pdf"),
        content.join("documents/soc2-2027.pdf"),
    )
    .unwrap();
    edit(
        &content.join("certifications/soc2-type2.yaml"),
        "documents:\n",
        "documents:\n  - id: DOC-SOC2-2027\n    title: SOC 2 Type II report 2027\n    file: ../documents/soc2-2027.pdf\n    audience: internal\n    replaces: DOC-SOC2-2026\n",
    );
    let mut pentest = std::fs::read(content.join("documents/pentest-summary-2026.pdf")).unwrap();
    pentest.extend_from_slice(b"\n% revised\n");
    std::fs::write(content.join("documents/pentest-summary-2026.pdf"), pentest).unwrap();
    edit(&content.join("access/mutual-nda.md"), "Three years", "Five years");

    let report = check(TODAY);
    assert!(
        report.contains(&format!("Acme Corp holds DOC-SOC2-2026 (share {id} on {TODAY}); DOC-SOC2-2027 (SOC 2 Type II report 2027) replaces it")),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "--recipient {recipient} --organization 'Acme Corp' --documents DOC-SOC2-2027"
        )),
        "{report}"
    );
    assert!(report.contains("Acme Corp holds an earlier version of DOC-PENTEST-2026"), "{report}");
    assert!(
        report.contains(&format!("the NDA mutual-nda.md has changed (or is gone) since share {id}")),
        "{report}"
    );

    let later = check("2027-03-01");
    assert!(later.contains(&format!("share {id} to Acme Corp expired on 2027-01-31")), "{later}");
    assert!(!later.contains("holds an earlier version"), "an expired grant is reported once, as expired");

    // Closing the grant silences it.
    let ledger =
        setup.ledger().replace("  expires: 2027-01-31\n", "  expires: 2027-01-31\n  closed: 2027-02-02\n");
    std::fs::write(content.join("access/shares.yaml"), ledger).unwrap();
    assert!(!check("2027-03-01").contains(&id));
}

#[test]
fn the_ledger_is_on_the_internal_site_and_nowhere_on_the_public_one() {
    let setup = Setup::new();
    let Some((_, recipient)) = setup.age_key() else { return };
    let marker = "Zyxwvut Leakcheck";
    let output = setup.share(&[
        "--to",
        &format!("{marker} <leak-recipient@leakcheck.example>"),
        "--organization",
        "Leakcheck Org Qwerty",
        "--recipient",
        &recipient,
        "--documents",
        "DOC-BCDR-SUMMARY-2026",
        "--nda",
        "access/mutual-nda.md",
        "--out",
        setup.out("l.zip.age").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let id = share_id(&output);

    let build = |audience: &str| {
        let out = setup.dir.path().join(format!("site-{audience}"));
        let output = trustpress()
            .args(["build", "--audience", audience, "--today", TODAY, "--content"])
            .arg(setup.content())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        read_tree(&out)
    };
    let internal = build("internal");
    let page = text(&internal, "access/index.html");
    for needle in [marker, "Leakcheck Org Qwerty", id.as_str(), "Northwind Freight", "S-20260615-4c1e07"] {
        assert!(page.contains(needle), "the Access page lacks {needle}");
    }

    let public = build("public");
    assert!(!public.keys().any(|path| path.starts_with("access/")));
    let ledger_bytes = std::fs::read_to_string(setup.content().join("access/shares.yaml")).unwrap();
    let mut needles: Vec<String> = vec![
        marker.into(),
        "Leakcheck Org Qwerty".into(),
        "leakcheck.example".into(),
        id.clone(),
        recipient.clone(),
    ];
    // Every id, recipient, organisation and address the ledger holds.
    for line in ledger_bytes.lines() {
        for key in ["- id: ", "  to: ", "  organization: ", "  encrypted_to: "] {
            if let Some(value) = line.strip_prefix(key) {
                needles.push(value.trim_matches('"').to_string());
            }
        }
    }
    needles.push("mutual-nda".into());
    needles.push("shares.yaml".into());
    needles.push("Access ledger".into());
    for needle in &needles {
        let lowered = needle.to_lowercase();
        let found: Vec<&String> = public
            .iter()
            .filter(|(path, bytes)| {
                path.to_lowercase().contains(&lowered)
                    || String::from_utf8_lossy(bytes).to_lowercase().contains(&lowered)
            })
            .map(|(path, _)| path)
            .collect();
        assert!(found.is_empty(), "`{needle}` is on the public site: {found:?}");
    }
}

#[test]
fn bad_input_is_refused_and_leaves_nothing_behind() {
    let setup = Setup::new();
    let Some((_, recipient)) = setup.age_key() else { return };
    let before = setup.ledger();
    let refused = |args: &[&str], code: i32, expect: &str| {
        let output = setup.share(args);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(expect), "{args:?}: {}", stderr(&output));
        assert_eq!(setup.ledger(), before, "{args:?} changed the ledger");
        let left: Vec<_> = std::fs::read_dir(setup.dir.path().join("out"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.iter().all(|name| name == "existing.zip.age"), "{args:?} left {left:?}");
    };
    let to = ["--to", "Jo <jo@acme.example>"];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = to.iter().map(|s| s.to_string()).collect();
        args.extend(["--recipient".to_string(), recipient.clone()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let out = setup.out("x.zip.age");
    let out = out.to_str().unwrap();
    let run = |extra: &[&str], code: i32, expect: &str| {
        let args = with(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, code, expect);
    };
    run(
        &["--documents", "DOC-SOC2-2062", "--out", out],
        2,
        "no document has the id `DOC-SOC2-2062`: did you mean `DOC-SOC2-2026`?",
    );
    // Not in documents.yaml with an id: the stage 2 report is auditor-only anyway.
    edit(
        &setup.content().join("certifications/iso27001.yaml"),
        "  - title: Stage 2 certification audit report (September 2025)",
        "  - id: DOC-STAGE2\n    title: Stage 2 certification audit report (September 2025)",
    );
    run(&["--documents", "DOC-STAGE2", "--out", out], 2, "DOC-STAGE2 is for auditors only");
    refused(
        &[
            "--to",
            "Jo <jo@acme.example>",
            "--recipient",
            "age1notakey",
            "--documents",
            "DOC-SOC2-2026",
            "--out",
            out,
        ],
        2,
        "is not an age recipient",
    );
    refused(
        &["--to", "Jo", "--recipient", &recipient, "--documents", "DOC-SOC2-2026", "--out", out],
        2,
        "expected a name and an address",
    );
    refused(
        &[
            "--to",
            "::: internal <a@b.example>",
            "--recipient",
            &recipient,
            "--documents",
            "DOC-SOC2-2026",
            "--out",
            out,
        ],
        2,
        "audience fence",
    );
    refused(
        &["--to", "Jo <jo@acme.example>", "--documents", "DOC-SOC2-2026", "--out", out],
        2,
        "--recipient",
    );
    run(
        &["--documents", "DOC-SOC2-2026", "--nda", "access/no-such-nda.pdf", "--out", out],
        2,
        "no such file in the content folder",
    );
    run(
        &["--documents", "DOC-SOC2-2026", "--expires", "2026-01-01", "--out", out],
        2,
        "is before the share's date",
    );

    // An existing --out is never replaced.
    let existing = setup.out("existing.zip.age");
    std::fs::write(&existing, b"someone else's file").unwrap();
    run(&["--documents", "DOC-SOC2-2026", "--out", existing.to_str().unwrap()], 2, "already exists");
    assert_eq!(std::fs::read(&existing).unwrap(), b"someone else's file");
    // The package never goes into the content folder, which the team commits.
    let inside = setup.content().join("package.zip.age");
    run(&["--documents", "DOC-SOC2-2026", "--out", inside.to_str().unwrap()], 2, "inside the content folder");
    assert!(!inside.exists());

    // An evidence file hard-linked, and an auditor-only report copied, each listed as an
    // internal document: their bytes are withheld files', so neither is shared (found by an
    // attacker with the tests unread; the build refused them, the share did not).
    let documents = setup.content().join("documents");
    std::fs::hard_link(
        setup.content().join("evidence/mfa-enforcement-export.json"),
        documents.join("mfa.json"),
    )
    .unwrap();
    std::fs::copy(documents.join("iso27001-stage2-report.pdf"), documents.join("stage2-copy.pdf")).unwrap();
    let mut index = std::fs::read_to_string(documents.join("documents.yaml")).unwrap();
    index.push_str("- id: DOC-LINKED\n  title: Linked\n  file: mfa.json\n  audience: internal\n");
    index.push_str("- id: DOC-COPIED\n  title: Copied\n  file: stage2-copy.pdf\n  audience: internal\n");
    std::fs::write(documents.join("documents.yaml"), index).unwrap();
    run(
        &["--documents", "DOC-LINKED", "--out", out],
        1,
        "its bytes are those of `evidence/mfa-enforcement-export.json`",
    );
    run(
        &["--documents", "DOC-COPIED", "--out", out],
        1,
        "its bytes are those of `documents/iso27001-stage2-report.pdf`",
    );

    // A PDF that cannot be stamped (damaged) is refused, naming it; nothing is written.
    std::fs::write(
        setup.content().join("documents/bcdr-test-summary-2026.pdf"),
        b"%PDF-1.4\nnot really a pdf",
    )
    .unwrap();
    run(&["--documents", "DOC-BCDR-SUMMARY-2026", "--out", out], 1, "DOC-BCDR-SUMMARY-2026");
}

#[test]
fn without_documents_it_sends_what_the_public_site_offers_on_request() {
    let setup = Setup::new();
    let Some((_, recipient)) = setup.age_key() else { return };
    let output = setup.share(&[
        "--to",
        "Jo <jo@acme.example>",
        "--recipient",
        &recipient,
        "--out",
        setup.out("d.zip.age").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    // The BCDR summary is a teaser document; the SOC 2 report belongs to a teaser certification.
    assert!(printed.contains("DOC-BCDR-SUMMARY-2026") && printed.contains("DOC-SOC2-2026"), "{printed}");
    assert!(!printed.contains("DOC-PENTEST-2026") && !printed.contains("DOC-ARCH-2026"), "{printed}");
}

/// From a red-team pass: content and ledgers written to make `share` leave a ledger that
/// stops every later build, a package that unpacks outside its folder, or a printed command
/// that runs something when pasted.
#[test]
fn hostile_ledgers_titles_ids_and_names_cannot_break_the_ledger_or_the_package() {
    let setup = Setup::new();
    let Some((identity, recipient)) = setup.age_key() else { return };
    let ledger_path = setup.content().join("access/shares.yaml");
    let share = |extra: &[&str], out: &str| {
        let mut args = vec!["--to", "Jo <jo@acme.example>", "--recipient", recipient.as_str()];
        args.extend_from_slice(extra);
        let out = setup.out(out);
        args.extend(["--out", out.to_str().unwrap()]);
        setup.share(&args)
    };
    let build_ok = |audience: &str| {
        let output = trustpress()
            .args(["build", "--audience", audience, "--today", TODAY, "--content"])
            .arg(setup.content())
            .arg("--out")
            .arg(setup.dir.path().join(format!("site-{audience}")))
            .output()
            .unwrap();
        assert!(output.status.success(), "{audience}: {}", stderr(&output));
        stderr(&output)
    };

    // A ledger share cannot append to safely is refused, and left as it was.
    for ledger in
        ["[]\n", "  - id: \"S-1\"\n    to: \"A <a@b.example>\"\n    date: 2026-01-01\n    documents: []\n"]
    {
        std::fs::write(&ledger_path, ledger).unwrap();
        let output = share(&["--documents", "DOC-BCDR-SUMMARY-2026"], "refused.zip.age");
        assert_eq!(output.status.code(), Some(2), "{ledger}: {}", stderr(&output));
        assert!(stderr(&output).contains("cannot be appended to it safely"), "{}", stderr(&output));
        assert_eq!(std::fs::read_to_string(&ledger_path).unwrap(), ledger);
        assert!(!setup.out("refused.zip.age").exists());
    }

    // A CRLF ledger stays CRLF, keeps its permissions, and reads back.
    std::fs::write(&ledger_path, "# kept comment\r\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ledger_path, std::fs::Permissions::from_mode(0o664)).unwrap();
    }
    // A title with DEL and C1 characters, a document id that tries to leave the package
    // folder, and a file name that clashes with another document's.
    let documents = setup.content().join("documents/documents.yaml");
    edit(
        &documents,
        "title: Business continuity and disaster recovery test summary 2026",
        "title: \"BCDR\\x7F\\u0085\\u009F title\"",
    );
    std::fs::create_dir_all(setup.content().join("documents/other")).unwrap();
    std::fs::copy(
        setup.content().join("documents/pentest-summary-2026.pdf"),
        setup.content().join("documents/other/bcdr-test-summary-2026.pdf"),
    )
    .unwrap();
    let mut index = std::fs::read_to_string(&documents).unwrap();
    index.push_str("\n- id: \"../../../escape\"\n  title: Clash\n  file: other/bcdr-test-summary-2026.pdf\n  audience: internal\n");
    std::fs::write(&documents, index).unwrap();
    let organization = "Acme\"; touch /tmp/trustpress-pwned; echo \"";
    let output = share(
        &["--organization", organization, "--documents", "DOC-BCDR-SUMMARY-2026", "../../../escape"],
        "first.zip.age",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let first = share_id(&output);
    let ledger = std::fs::read_to_string(&ledger_path).unwrap();
    assert!(
        ledger.starts_with("# kept comment\r\n") && !ledger.replace("\r\n", "").contains('\n'),
        "{ledger:?}"
    );
    assert!(ledger.contains("BCDR\u{FFFD}\u{FFFD}\u{FFFD} title"), "{ledger:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&ledger_path).unwrap().permissions().mode() & 0o777, 0o664);
    }
    // The printed commit line is one quoted argument: pasted, it runs nothing else.
    let printed = stdout(&output);
    let line = printed.lines().find(|l| l.contains("git commit -m")).unwrap();
    assert!(
        line.ends_with(&format!("'Share {first} with Acme\"; touch /tmp/trustpress-pwned; echo \"'")),
        "{line}"
    );
    // Every entry stays inside the package's folder.
    let decrypted = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(setup.out("first.zip.age"))
        .output()
        .unwrap();
    let entries = unzip(&decrypted.stdout);
    for name in entries.keys() {
        assert!(
            name.starts_with(&format!("{first}/")) && !name.contains("..") && !name.contains('\\'),
            "{name}"
        );
        assert_eq!(name.matches('/').count(), 1, "{name}");
    }
    // (The site itself refuses two documents published under one name: drop the clash.)
    let index = std::fs::read_to_string(&documents).unwrap();
    std::fs::write(&documents, &index[..index.find("\n- id: \"../../../escape\"").unwrap()]).unwrap();
    build_ok("internal");

    // Removing an entry and sharing the same again that day never reuses its id.
    std::fs::write(&ledger_path, "").unwrap();
    let again = share(&["--organization", "Acme", "--documents", "DOC-BCDR-SUMMARY-2026"], "again.zip.age");
    assert!(again.status.success(), "{}", stderr(&again));
    std::fs::write(&ledger_path, "").unwrap();
    let output = share(&["--organization", "Acme", "--documents", "DOC-BCDR-SUMMARY-2026"], "third.zip.age");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_ne!(share_id(&again), share_id(&output));
    build_ok("internal");

    // The ledger itself is no NDA; a ledger that is a link is refused.
    let output =
        share(&["--documents", "DOC-BCDR-SUMMARY-2026", "--nda", "access/shares.yaml"], "nda.zip.age");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    #[cfg(unix)]
    {
        let real = setup.dir.path().join("real-ledger.yaml");
        std::fs::rename(&ledger_path, &real).unwrap();
        std::os::unix::fs::symlink(&real, &ledger_path).unwrap();
        let output = share(&["--documents", "DOC-BCDR-SUMMARY-2026"], "link.zip.age");
        assert!(!output.status.success());
        assert!(
            stderr(&output).contains("symbolic link") || stderr(&output).contains("symlink"),
            "{}",
            stderr(&output)
        );
        std::fs::remove_file(&ledger_path).unwrap();
        std::fs::rename(&real, &ledger_path).unwrap();
    }

    // A broken ledger stops the internal build, but has no part in the public one: that
    // build succeeds and prints nothing of it.
    std::fs::write(
        &ledger_path,
        "- id: \"S-BROKEN\"\n  to: \"Secret Recipient <s@x.example>\"\n  bogus: 1\n",
    )
    .unwrap();
    let public = build_ok("public");
    assert!(!public.contains("Secret Recipient") && !public.contains("shares.yaml"), "{public}");
    let internal = trustpress()
        .args(["build", "--audience", "internal", "--today", TODAY, "--content"])
        .arg(setup.content())
        .arg("--out")
        .arg(setup.dir.path().join("site-broken"))
        .output()
        .unwrap();
    assert_eq!(internal.status.code(), Some(1));
}

#[test]
fn a_signed_package_verifies_with_ssh_keygen_and_the_organisations_key() {
    let setup = Setup::new();
    let Some((identity, recipient)) = setup.age_key() else { return };
    let key = setup.dir.path().join("org-key");
    let Some(made) =
        tool(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "org", "-f"]).arg(&key))
    else {
        return;
    };
    assert!(made.status.success());
    let package = setup.out("signed.zip.age");
    let output = setup.share(&[
        "--to",
        "Jo <jo@acme.example>",
        "--recipient",
        &recipient,
        "--documents",
        "DOC-SOC2-2026",
        "--sign",
        key.to_str().unwrap(),
        "--out",
        package.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let id = share_id(&output);
    let decrypted = Command::new("age").arg("-d").arg("-i").arg(&identity).arg(&package).output().unwrap();
    let entries = unzip(&decrypted.stdout);
    let folder = setup.dir.path().join("signed");
    std::fs::create_dir(&folder).unwrap();
    for name in ["manifest.json", "manifest.json.sig"] {
        std::fs::write(folder.join(name), &entries[&format!("{id}/{name}")]).unwrap();
    }
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let verify = |manifest: &[u8]| {
        std::fs::write(folder.join("manifest.json"), manifest).unwrap();
        std::fs::write(folder.join("allowed_signers"), format!("org namespaces=\"trustpress\" {public}"))
            .unwrap();
        Command::new("ssh-keygen")
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                "org",
                "-n",
                "trustpress",
                "-s",
                "manifest.json.sig",
            ])
            .current_dir(&folder)
            .stdin(std::fs::File::open(folder.join("manifest.json")).unwrap())
            .output()
            .unwrap()
            .status
            .success()
    };
    let manifest = entries[&format!("{id}/manifest.json")].clone();
    assert!(verify(&manifest), "ssh-keygen refused the package's signature");
    let mut changed = manifest.clone();
    changed[10] ^= 1;
    assert!(!verify(&changed), "a changed manifest must not verify");
}
