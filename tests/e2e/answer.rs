//! `trustpress answer` on questionnaire files: the layout found, the cells filled and only
//! those, the record beside the copy, the audience of the answers, and bad input.

use std::path::{Path, PathBuf};

use crate::common::{example_content, fixture, repo, trustpress, TODAY};

fn questionnaire(name: &str) -> PathBuf {
    repo().join("tests/fixtures/questionnaires").join(name)
}

fn run(content: &Path, input: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trustpress()
        .args(["answer", "--today", TODAY, "--content"])
        .arg(content)
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).to_string()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}

#[test]
fn a_customers_csv_is_filled_in_its_own_form_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("acme.csv");
    std::fs::copy(questionnaire("customer-semicolon.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = dir.path().join("acme-filled.csv");
    let done = run(&example_content(), &input, &out, &[]).success();
    let summary = stdout(&done);
    assert!(
        summary.contains("header on row 3; question B, reference A, response C, comment D, evidence E"),
        "{summary}"
    );
    assert!(summary.contains("1 already filled"), "{summary}");
    assert!(
        summary.contains("row 11: Is there a staff cafeteria?"),
        "a question the library cannot answer is listed: {summary}"
    );
    assert_eq!(std::fs::read(&input).unwrap(), before, "the questionnaire itself is never changed");

    let filled = std::fs::read(&out).unwrap();
    assert!(filled.starts_with(b"\xEF\xBB\xBF"), "the byte-order mark stays");
    let text = String::from_utf8(filled).unwrap();
    let original = String::from_utf8(before).unwrap();
    // The file's form: CRLF line endings, `;` delimiter; the lines not answered are the same.
    let lines = |t: &str| t.split("\r\n").map(str::to_string).collect::<Vec<_>>();
    for line in lines(&original) {
        if !line.starts_with("DP-") && !line.starts_with("AC-1") {
            assert!(text.contains(&format!("{line}\r\n")) || text.ends_with(&line), "changed: {line}");
        }
    }
    assert!(text.contains("DP-1;Is customer data encrypted at rest?;Yes;\"Yes. All customer data"), "{text}");
    assert!(text.contains(";FAQ-001 https://trust.halcyon-ledger.example/faq/#faq-001\r\n"), "{text}");
    assert!(
        text.contains("DP-3;Do you hold our data outside the EEA?;No;"),
        "the answer's own response: {text}"
    );
    assert!(text.contains("AC-2;Do you support SSO with SAML?;Yes;Already answered by our team.;\r\n"));
    assert!(text.contains("AC-3;Is there a staff cafeteria?;;;\r\n"), "left empty for a person");

    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("acme-filled.csv.answers.json")).unwrap())
            .unwrap();
    assert_eq!(record["questionnaire"], "acme.csv");
    assert_eq!(record["audience"], "public");
    assert_eq!(record["date"], TODAY);
    let first = &record["rows"][0];
    assert_eq!((first["row"].as_u64(), first["answers"][0]["id"].as_str()), (Some(5), Some("FAQ-001")));
    assert_eq!(first["answers"][0]["sha256"].as_str().map(str::len), Some(64));

    // Again into the same file: refused without --force; with it, the same bytes.
    let again = run(&example_content(), &input, &out, &[]).code(2);
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    let first_run = std::fs::read(&out).unwrap();
    run(&example_content(), &input, &out, &["--force"]).success();
    assert_eq!(std::fs::read(&out).unwrap(), first_run, "deterministic");
}

#[test]
fn json_gives_every_rows_decision() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("filled.csv");
    let done = run(&example_content(), &questionnaire("customer-semicolon.csv"), &out, &["--format", "json"])
        .success();
    let rows: serde_json::Value = serde_json::from_str(&stdout(&done)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6, "six question rows; the two section headings are skipped");
    let cafeteria = rows.iter().find(|r| r["question"] == "Is there a staff cafeteria?").unwrap();
    assert_eq!(cafeteria["state"], "needs-person");
    assert!(cafeteria["decision"]["reason"].as_str().unwrap().contains("closest answer"));
}

/// A public answer's internal block, an internal answer and an auditor answer never reach a
/// publicly answered questionnaire; internal ones may reach an internal one, auditor ones never.
#[test]
fn withheld_answers_and_blocks_never_reach_the_filled_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("leak.csv");
    std::fs::write(
        &input,
        "Id,Question,Answer,Comment\nQ1,PUBMARK public question?,,\nQ2,INTMARK internal question?,,\nQ3,AUDMARK auditor question?,,\nQ4,TEASERMARK teaser question?,,\nINTMARK-02.1,Which teaser?,,\n",
    )
    .unwrap();
    let public = dir.path().join("public.csv");
    run(&fixture("leak"), &input, &public, &[]).success();
    let text = std::fs::read_to_string(&public).unwrap()
        + &std::fs::read_to_string(dir.path().join("public.csv.answers.json")).unwrap();
    assert!(text.contains("PUBMARK public answer"), "{text}");
    for marker in [
        "INTMARK internal answer",
        "INTMARK fenced block",
        "INTMARK teaser answer",
        "AUDMARK auditor answer",
        "INTMARK answer owner",
    ] {
        assert!(!text.contains(marker), "`{marker}` in a public fill:\n{text}");
    }
    let internal = dir.path().join("internal.csv");
    run(&fixture("leak"), &input, &internal, &["--audience", "internal"]).success();
    let text = std::fs::read_to_string(&internal).unwrap();
    assert!(text.contains("INTMARK internal answer") && text.contains("INTMARK fenced block"), "{text}");
    assert!(!text.contains("AUDMARK auditor answer"), "auditor content is never used: {text}");
}

#[test]
fn files_that_cannot_be_answered_get_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let cases: &[(&str, &[u8], i32, &str)] = &[
        ("old.xls", b"\xD0\xCF\x11\xE0", 1, "save it as .xlsx"),
        ("book.xlsx", b"PK\x03\x04", 1, "not built yet"),
        ("empty.csv", b"", 1, "empty"),
        ("latin1.csv", b"Question,Answer\nCaf\xe9?,\n", 1, "not UTF-8"),
        ("noheader.csv", b"a,b\nc,d\n", 1, "--question-col"),
        ("notes.txt", b"Question,Answer\n", 2, "not a questionnaire"),
    ];
    for (name, bytes, code, message) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let failed = run(&example_content(), &input, &out, &[]).code(*code);
        assert!(stderr(&failed).contains(message), "{name}: {}", stderr(&failed));
        assert!(!out.exists(), "{name}: nothing written");
        assert_eq!(std::fs::read(&input).unwrap(), *bytes, "{name}: the input is untouched");
    }
    // The input as --out: refused, and the input keeps its bytes.
    let input = questionnaire("customer-semicolon.csv");
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&input, &copy).unwrap();
    let refused = run(&example_content(), &copy, &copy, &["--force"]).code(2);
    assert!(stderr(&refused).contains("never changes the input"), "{}", stderr(&refused));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&input).unwrap());
}

#[test]
fn flags_name_the_columns_of_a_sheet_without_a_recognisable_header() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bare.csv");
    std::fs::write(&input, "Topic,Text,Reply\nCrypto,Is customer data encrypted at rest?,\n").unwrap();
    let out = dir.path().join("bare-filled.csv");
    run(
        &example_content(),
        &input,
        &out,
        &["--header-row", "1", "--question-col", "B", "--comment-col", "C"],
    )
    .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Is customer data encrypted at rest?,\"Yes. All customer data"), "{text}");
    assert!(
        text.contains("Source: FAQ-001 https://"),
        "without an evidence column the citation ends the comment: {text}"
    );
}
