//! `trustpress export caiq`: CSA's CAIQ v4 from the answer library. A new CAIQ lists every
//! question id of its version (compared with the id lists taken from CSA's datasets,
//! `tests/fixtures/caiq/`), a team's own CSA workbook is filled cell by cell, the version of
//! the answers' ids is never mixed with another, and no withheld answer reaches a CAIQ.

use std::path::{Path, PathBuf};

use calamine::Reader;

use crate::common::{
    edit, edit_part, example_content, example_copy, fixture, stderr, stdout, trustpress, TODAY,
};

fn export(content: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trustpress().args(["export", "caiq", "--today", TODAY, "--content"]).arg(content).args(extra).assert()
}

fn ids_fixture(version: &str) -> Vec<String> {
    std::fs::read_to_string(fixture("caiq").join(format!("caiq-{version}-ids.txt")))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A workbook's sheet as calamine, a reader other than the one trustpress fills with, sees it.
fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = workbook.worksheet_range(name).unwrap();
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); first_row as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); first_column as usize];
        cells.extend(row.iter().map(|c| c.to_string()));
        rows.push(cells);
    }
    rows
}

fn cell(rows: &[Vec<String>], row: usize, column: usize) -> &str {
    rows.get(row).and_then(|r| r.get(column)).map_or("", String::as_str)
}

fn row_of<'a>(rows: &'a [Vec<String>], id: &str) -> &'a [String] {
    rows.iter().find(|r| r.first().map(String::as_str) == Some(id)).unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn a_new_caiq_lists_every_question_of_the_version_in_csas_layout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("caiq.xlsx");
    let done = export(&example_content(), &["--out", out.to_str().unwrap()]).success();
    let summary = stdout(&done);
    assert!(summary.contains("CAIQ v4.0.3, public answers"), "{summary}");
    assert!(summary.contains("261 questions:"), "{summary}");

    let rows = sheet(&out, "CAIQv4.0.3");
    assert_eq!(
        (cell(&rows, 0, 0), cell(&rows, 1, 0), cell(&rows, 1, 2)),
        ("v4.0.3", "Question ID", "CSP CAIQ Answer")
    );
    assert_eq!(
        cell(&rows, 1, 5),
        "CSC Responsibilities  (Optional/Recommended)",
        "CSA's header, two spaces and all"
    );
    assert_eq!(cell(&rows, 1, 8), "CCM Control ID");
    let ids: Vec<String> = rows[2..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, ids_fixture("4.0.3"), "every question of v4.0.3, in CSA's order");
    assert!(
        rows[2..].iter().all(|r| cell(std::slice::from_ref(r), 0, 1).is_empty()),
        "CSA's question texts are not ours to write"
    );

    // An answer the example marks as shared with the customer.
    let mfa = row_of(&rows, "IAM-14.1");
    assert_eq!((mfa[2].as_str(), mfa[3].as_str()), ("Yes", "Shared CSP and CSC"));
    assert!(mfa[4].starts_with("Yes, on all paid plans:"), "{}", mfa[4]);
    assert!(!mfa[4].contains("**"), "plain text, markdown removed: {}", mfa[4]);
    assert!(mfa[5].contains("Customers connect their identity provider"), "{}", mfa[5]);
    assert_eq!(mfa[8], "IAM-14");
    // A question no answer names stays empty, for a person.
    assert!(row_of(&rows, "DCS-01.3")[2..6].iter().all(String::is_empty));

    // CSA's dropdowns, as a spreadsheet user's tool sees them.
    let script = r#"
import sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1])["CAIQv4.0.3"]
for validation in sheet.data_validations.dataValidation:
    print(validation.sqref, validation.formula1)
"#;
    if let Some(text) = python_with_openpyxl(script, &out) {
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "C3:C263 \"Yes,No,NA\"",
                "D3:D263 \"CSP-owned,CSC-owned,3rd-party outsourced,Shared CSP and CSC,Shared CSP and 3rd-party\""
            ]
        );
    }
}

/// Runs a Python script with openpyxl on `path`; `None` (skipped loudly) when openpyxl is
/// missing, unless TRUSTPRESS_REQUIRE_TOOLS is set (scripts/test installs it and sets it).
fn python_with_openpyxl(script: &str, path: &Path) -> Option<String> {
    let output = std::process::Command::new("python3").arg("-c").arg(script).arg(path).output();
    match output {
        Ok(output) if output.status.success() => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
        Ok(output) if String::from_utf8_lossy(&output.stderr).contains("No module named 'openpyxl'") => {
            assert!(
                std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                "openpyxl is required for this test (scripts/test installs it)"
            );
            eprintln!("\n*** SKIPPED the openpyxl check: openpyxl is not installed ***\n");
            None
        }
        Ok(output) => {
            panic!("openpyxl could not read the CAIQ:\n{}", String::from_utf8_lossy(&output.stderr))
        }
        Err(error) => panic!("cannot run python3: {error}"),
    }
}

#[test]
fn the_same_content_gives_the_same_bytes_and_csv_holds_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ["a.xlsx", "b.xlsx", "c.csv"].iter().map(|n| dir.path().join(n)).collect();
    for path in &paths {
        export(&example_content(), &["--out", path.to_str().unwrap()]).success();
    }
    assert!(std::fs::read(&paths[0]).unwrap() == std::fs::read(&paths[1]).unwrap(), "byte for byte");
    let rows = sheet(&paths[0], "CAIQv4.0.3");
    let mut reader = csv::Reader::from_path(&paths[2]).unwrap();
    let csv_rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(csv_rows.len(), 261);
    for (csv_row, xlsx_row) in csv_rows.iter().zip(&rows[2..]) {
        for column in 0..12 {
            // CSV cells a spreadsheet would run as formulas carry an apostrophe.
            let csv_cell = csv_row[column].strip_prefix('\'').unwrap_or(&csv_row[column]);
            assert_eq!(csv_cell, cell(std::slice::from_ref(xlsx_row), 0, column), "{}", csv_row[0]);
        }
    }
}

#[test]
fn content_on_v4_1_exports_v4_1_and_versions_are_never_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("caiq.xlsx");
    // The example's ids are v4.0.3 ids: a v4.1 CAIQ from them would put answers under
    // renumbered questions.
    let refused = export(&example_content(), &["--version", "4.1", "--out", out.to_str().unwrap()]).code(2);
    let message = stderr(&refused);
    assert!(message.contains("the answers' caiq ids are CAIQ v4.0.3 ids"), "{message}");
    assert!(message.contains("renumbered"), "{message}");
    assert!(!out.exists());

    let content = example_copy(dir.path());
    edit(&content.join("site.yaml"), "organization:", "caiq_version: 4.1\norganization:");
    let done = export(&content, &["--out", out.to_str().unwrap()]).success();
    let summary = stdout(&done);
    assert!(summary.contains("CAIQ v4.1") && summary.contains("283 questions"), "{summary}");
    assert!(
        summary.contains("names IVS-06.1, which this CAIQ does not have: it is a CAIQ v4.0.3 id"),
        "{summary}"
    );
    let rows = sheet(&out, "CAIQv4.1.0");
    let ids: Vec<String> = rows[2..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, ids_fixture("4.1"));
    // `check` says which ids belong to the other version.
    let checked = trustpress().args(["check", "--today", TODAY, "--content"]).arg(&content).assert();
    let report = stdout(&checked);
    assert!(report.contains("caiq-id-unknown"), "{report}");
    assert!(report.contains("it is a CAIQ v4.0.3 id"), "{report}");
}

#[test]
fn check_names_a_caiq_id_that_is_no_question() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    edit(&content.join("faq/access.yaml"), "caiq: [IAM-08.1]", "caiq: [IAM-80.1]");
    let checked = trustpress().args(["check", "--today", TODAY, "--content"]).arg(&content).assert();
    let report = stdout(&checked);
    assert!(
        report.contains("FAQ answer FAQ-017 names `IAM-80.1`, which is not a CAIQ v4.0.3 question"),
        "{report}"
    );
    assert!(report.contains("faq/access.yaml:"), "the place is named: {report}");
    assert!(report.contains("did you mean `IAM-08.1`?"), "{report}");
}

#[test]
fn withheld_answers_never_reach_a_caiq() {
    let dir = tempfile::tempdir().unwrap();
    let content = fixture("leak");
    let (public, internal) = (dir.path().join("public.xlsx"), dir.path().join("internal.csv"));
    export(&content, &["--out", public.to_str().unwrap()]).success();
    export(&content, &["--audience", "internal", "--out", internal.to_str().unwrap()]).success();
    let every_part = |path: &Path| -> String {
        let bytes = std::fs::read(path).unwrap();
        if path.extension().unwrap() == "csv" {
            return String::from_utf8(bytes).unwrap();
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        for index in 0..archive.len() {
            std::io::Read::read_to_string(&mut archive.by_index(index).unwrap(), &mut text).unwrap();
        }
        text
    };
    let public_text = every_part(&public);
    for marker in ["INTMARK", "AUDMARK"] {
        assert!(!public_text.contains(marker), "{marker} in the public CAIQ");
    }
    assert!(public_text.contains("PUBMARK public answer") && public_text.contains("PUBMARK customers keep"));
    let internal_text = every_part(&internal);
    assert!(!internal_text.contains("AUDMARK"), "auditor content is never in a CAIQ");
    assert!(
        internal_text.contains("INTMARK internal answer")
            && internal_text.contains("INTMARK fenced block in the customer's part")
    );
}

/// CSA's CAIQ v4.0.3 header row, A to F, as its workbook has it (two spaces in F).
const CSA_HEADER: [&str; 6] = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities  (Optional/Recommended)",
];

/// A team's copy of CSA's workbook, as CSA lays it out (our own wording where CSA has text):
/// an introduction sheet, the version and a title on row 1, the header on row 2, CSA's
/// dropdowns, a domain heading, one question the team already answered, and the closing rows.
fn csa_workbook(ids: &[&str], answered_by_hand: Option<(&str, &str)>) -> Vec<u8> {
    use rust_xlsxwriter::{DataValidation, Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let intro = workbook.add_worksheet().set_name("Introduction").unwrap();
    intro.write_string(0, 0, "How to fill in this questionnaire (fixture wording).").unwrap();
    let sheet = workbook.add_worksheet().set_name("CAIQv4.0.3").unwrap();
    sheet.write_string(0, 0, "v4.0.3").unwrap();
    sheet.write_string(0, 1, "A QUESTIONNAIRE FIXTURE").unwrap();
    for (column, header) in CSA_HEADER.iter().chain(&["", "", "CCM Control ID"]).enumerate() {
        sheet.write_string_with_format(1, column as u16, *header, &bold).unwrap();
    }
    let last = 1 + ids.len() as u32;
    let answers = DataValidation::new().allow_list_strings(&["Yes", "No", "NA"]).unwrap();
    sheet.add_data_validation(2, 2, last, 2, &answers).unwrap();
    let ownership = DataValidation::new()
        .allow_list_strings(&[
            "CSP-owned",
            "CSC-owned",
            "3rd-party outsourced",
            "Shared CSP and CSC",
            "Shared CSP and 3rd-party",
        ])
        .unwrap();
    sheet.add_data_validation(2, 3, last, 3, &ownership).unwrap();
    for (index, id) in ids.iter().enumerate() {
        let row = 2 + index as u32;
        sheet.write_string(row, 0, *id).unwrap();
        if let Some((control, _)) = id.rsplit_once('.') {
            sheet.write_string(row, 1, "(the question, in the team's licensed copy)").unwrap();
            sheet.write_string(row, 8, control).unwrap();
        }
        if let Some((_, answer)) = answered_by_hand.filter(|(by_hand, _)| by_hand == id) {
            sheet.write_string(row, 2, answer).unwrap();
        }
    }
    sheet.write_string(last + 1, 0, "End of Standard").unwrap();
    sheet.write_string(last + 2, 0, "(c) fixture").unwrap();
    workbook.save_to_buffer().unwrap()
}

const TEMPLATE_IDS: [&str; 6] =
    ["IAM-08.1", "IAM-14.1", "Identity & Access Management", "IVS-06.1", "DCS-01.3", "IAM-07.1"];

#[test]
fn the_teams_own_csa_workbook_is_filled_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("CAIQv4.0.3.xlsx");
    let original = csa_workbook(&TEMPLATE_IDS, None);
    std::fs::write(&template, &original).unwrap();
    let filled = dir.path().join("CAIQv4.0.3.filled.xlsx");
    let done = export(&example_content(), &["--template", template.to_str().unwrap()]).success();
    let summary = stdout(&done);
    assert!(summary.contains("template sheet: CAIQv4.0.3, CAIQ v4.0.3"), "{summary}");
    assert!(summary.contains("5 questions:"), "the heading row is not a question: {summary}");
    assert_eq!(std::fs::read(&template).unwrap(), original, "the template is never changed");

    let rows = sheet(&filled, "CAIQv4.0.3");
    let mfa = row_of(&rows, "IAM-14.1");
    assert_eq!((mfa[2].as_str(), mfa[3].as_str()), ("Yes", "Shared CSP and CSC"));
    assert!(mfa[5].contains("Customers connect their identity provider"));
    assert_eq!(mfa[1], "(the question, in the team's licensed copy)", "the question stays the team's");
    assert!(row_of(&rows, "DCS-01.3")[2..6].iter().all(String::is_empty), "no answer names it");
    assert_eq!(cell(&rows, 4, 0), "Identity & Access Management");
    assert_eq!(cell(&rows, 4, 2), "", "a heading row gets nothing");
    assert_eq!(cell(&rows, 8, 0), "End of Standard");

    // Only the CAIQ sheet's part changed; every other part kept its bytes.
    let parts = |bytes: &[u8]| -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut entry = archive.by_index_raw(i).unwrap();
                let mut raw = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut raw).unwrap();
                (entry.name().unwrap().to_string(), raw)
            })
            .collect()
    };
    let (before, after) = (parts(&original), parts(&std::fs::read(&filled).unwrap()));
    assert_eq!(before.len(), after.len());
    for ((name, old), (new_name, new)) in before.iter().zip(&after) {
        assert_eq!(name, new_name);
        if name != "xl/worksheets/sheet2.xml" {
            assert!(old == new, "{name} changed");
        }
    }

    // A row the team answered by hand keeps its answer, and nothing is added beside it.
    let prefilled = dir.path().join("prefilled.xlsx");
    std::fs::write(&prefilled, csa_workbook(&TEMPLATE_IDS, Some(("IAM-07.1", "No")))).unwrap();
    let filled_again = dir.path().join("prefilled.filled.xlsx");
    let done = export(&example_content(), &["--template", prefilled.to_str().unwrap()]).success();
    assert!(stdout(&done).contains("1 already filled (left as they were)"), "{}", stdout(&done));
    let rows = sheet(&filled_again, "CAIQv4.0.3");
    let by_hand = row_of(&rows, "IAM-07.1");
    assert_eq!(by_hand[2], "No");
    assert!(by_hand[3..6].iter().all(String::is_empty), "{by_hand:?}");
}

#[test]
fn a_template_of_the_other_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("CAIQv4.1.0.xlsx");
    std::fs::write(&template, csa_workbook(&["I&S-01.1", "IAM-13.1", "SEF-10.2"], None)).unwrap();
    let refused = export(&example_content(), &["--template", template.to_str().unwrap()]).code(2);
    let message = stderr(&refused);
    assert!(message.contains("is CAIQ v4.1, but the answers' caiq ids are CAIQ v4.0.3 ids"), "{message}");
    assert!(!dir.path().join("CAIQv4.1.0.filled.xlsx").exists());
}

#[test]
fn bad_input_gets_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let existing = path("existing.xlsx");
    std::fs::write(&existing, b"the team's own file").unwrap();
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec!["--out".into(), existing.display().to_string()],
            2,
            "already exists: choose another --out, or add --force",
        ),
        (
            vec!["--out".into(), path("caiq.pdf").display().to_string()],
            2,
            "a CAIQ is written as .xlsx or .csv",
        ),
        (vec!["--version".into(), "4.2".into()], 2, "--version: expected 4.1 or 4.0.3, not `4.2`"),
        (
            vec!["--template".into(), path("caiq.csv").display().to_string()],
            2,
            "expected CSA's CAIQ workbook (.xlsx)",
        ),
    ];
    for (args, code, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let failed = export(&example_content(), &args).code(code);
        let message = stderr(&failed);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"the team's own file", "nothing replaced without --force");

    // Workbooks that are not a CAIQ, or cannot be read.
    let not_csa = path("plain.xlsx");
    {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Question").unwrap();
        sheet.write_string(0, 1, "Answer").unwrap();
        std::fs::write(&not_csa, workbook.save_to_buffer().unwrap()).unwrap();
    }
    let encrypted = path("locked.xlsx");
    std::fs::write(&encrypted, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 an encrypted package").unwrap();
    let renamed = path("renamed.xlsx");
    std::fs::write(&renamed, b"Question ID,CSP CAIQ Answer\nA&A-01.1,\n").unwrap();
    for (template, expected) in
        [(&not_csa, "no sheet has CSA's CAIQ header row"), (&encrypted, "password"), (&renamed, "not")]
    {
        let failed = export(&example_content(), &["--template", template.to_str().unwrap()]).code(1);
        let message = stderr(&failed);
        assert!(
            message.contains(expected) && message.contains(template.file_name().unwrap().to_str().unwrap()),
            "{message}"
        );
    }
    let written: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(written.len(), 4, "nothing was written: {written:?}");
}

/// `answer` on a customer's CAIQ of the other version: its ids name other questions (v4.1's
/// IAM-14.1 is not v4.0.3's), so rows are matched by their words and the team is told why.
#[test]
fn answer_does_not_match_ids_of_another_caiq_version() {
    let dir = tempfile::tempdir().unwrap();
    let questionnaire = dir.path().join("caiq-v4.1.csv");
    std::fs::write(
        &questionnaire,
        "Question ID,Question,CSP CAIQ Answer,CSP Implementation Description\n\
         I&S-01.1,Are infrastructure security policies established?,,\n\
         IAM-14.1,Is a staff cafeteria available on site?,,\n",
    )
    .unwrap();
    let answered = |path: &Path| {
        let out = dir.path().join(format!("{}.out.csv", path.file_stem().unwrap().to_str().unwrap()));
        trustpress()
            .args(["answer", "--today", TODAY, "--format", "json", "--content"])
            .arg(example_content())
            .arg(path)
            .arg("--out")
            .arg(&out)
            .assert()
            .success()
    };
    let json: serde_json::Value = serde_json::from_str(&stdout(&answered(&questionnaire))).unwrap();
    let sheet = &json[0];
    assert!(sheet["note"].as_str().unwrap().contains("its question ids are CAIQ v4.1 ids"), "{sheet}");
    let iam = &sheet["rows"][1];
    assert_eq!(iam["reference"], "IAM-14.1");
    assert_ne!(iam["decision"]["method"], "reference", "a v4.1 id is not matched to v4.0.3 answers: {iam}");

    // The same question ids in v4.0.3's sense are matched by reference, without a note.
    let same_version = dir.path().join("caiq-v4.0.3.csv");
    std::fs::write(
        &same_version,
        "Question ID,Question,CSP CAIQ Answer,CSP Implementation Description\n\
         IVS-01.1,Are infrastructure security policies established?,,\n\
         IAM-14.1,Is a staff cafeteria available on site?,,\n",
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&answered(&same_version))).unwrap();
    assert!(json[0].get("note").is_none(), "{}", json[0]);
    assert_eq!(json[0]["rows"][1]["decision"]["method"], "reference");
}

/// A team moving in with the CAIQ it filled before: `import answers` reads CSA's columns
/// (Question ID as the answer's CAIQ ids, the short answer, ownership, description, the
/// customer's part), and once a person makes the answers public, `export caiq` gives back
/// every field as the old CAIQ had it.
#[test]
fn a_filled_caiq_comes_in_as_answers_and_goes_out_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let old: [[&str; 6]; 3] = [
        [
            "IAM-14.1",
            "Is strong authentication used? (fixture wording)",
            "Yes",
            "Shared CSP and CSC",
            "Passkeys for everyone, enforced by policy.",
            "Customers enforce MFA for their users.",
        ],
        [
            "IAM-08.1",
            "Are access rights reviewed? (fixture wording)",
            "Yes",
            "CSP-owned",
            "Quarterly, by each system owner.",
            "",
        ],
        [
            "DSP-19.1",
            "Where is data stored? (fixture wording)",
            "NA",
            "3rd-party outsourced",
            "In the EU, with our hosting provider.",
            "Customers choose the region.",
        ],
    ];
    let filled = dir.path().join("CAIQv4.0.3-2025.xlsx");
    {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet().set_name("CAIQv4.0.3").unwrap();
        sheet.write_string(0, 0, "v4.0.3").unwrap();
        for (column, text) in CSA_HEADER.iter().enumerate() {
            sheet.write_string(1, column as u16, *text).unwrap();
        }
        for (row, cells) in old.iter().enumerate() {
            for (column, text) in cells.iter().enumerate() {
                sheet.write_string(2 + row as u32, column as u16, *text).unwrap();
            }
        }
        sheet.write_string(5, 0, "End of Standard").unwrap();
        std::fs::write(&filled, workbook.save_to_buffer().unwrap()).unwrap();
    }
    let content = dir.path().join("isms");
    trustpress().args(["init", "--today", TODAY]).arg(&content).assert().success();
    let imported =
        trustpress().args(["import", "answers", "--content"]).arg(&content).arg(&filled).assert().success();
    let report = stdout(&imported);
    assert!(
        report.contains("caiq A, question B, response C, ssrm D, answer E, csc_responsibilities F"),
        "{report}"
    );
    assert!(report.contains("3 answers imported, all `audience: internal`"), "{report}");
    // Nothing is public until a person says so: the public CAIQ has none of them yet.
    let out = dir.path().join("caiq.csv");
    export(&content, &["--out", out.to_str().unwrap()]).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("Passkeys for everyone"), "imported answers are internal");
    // A person reads them and publishes them.
    for entry in std::fs::read_dir(content.join("faq")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_str().unwrap().starts_with("imported-") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("audience: internal", "audience: public")).unwrap();
        }
    }
    export(&content, &["--out", out.to_str().unwrap(), "--force"]).success();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    for cells in old {
        let row = rows.iter().find(|r| r[0] == cells[0]).unwrap();
        assert_eq!(&row[2..6], &cells[2..6], "{} goes out as it came in", cells[0]);
    }
}

// ---- What an attacker without the tests tried (red team, session 14), kept as tests -------

/// A v4.1 questionnaire trimmed to ids both versions share still asks v4.1's questions: the
/// template's own label (sheet name or title) counts, not only its ids.
#[test]
fn a_template_labelled_with_the_other_version_is_refused_even_with_shared_ids() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("trimmed.xlsx");
    let mut bytes = csa_workbook(&["A&A-01.1", "IAM-14.1", "IAM-08.1"], None);
    // The same workbook, its CAIQ sheet named as CSA names v4.1's.
    bytes = rename_sheet(&bytes, "CAIQv4.0.3", "CAIQv4.1.0");
    std::fs::write(&template, bytes).unwrap();
    let refused = export(&example_content(), &["--template", template.to_str().unwrap()]).code(2);
    let message = stderr(&refused);
    assert!(
        message.contains("sheet `CAIQv4.1.0` says v4.1") && message.contains("CAIQ v4.0.3 ids"),
        "{message}"
    );
    assert!(!dir.path().join("trimmed.filled.xlsx").exists());
}

/// `bytes` with a sheet renamed in `xl/workbook.xml` (and nothing else changed).
fn rename_sheet(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    edit_part(bytes, "xl/workbook.xml", &|xml| {
        xml.replace(&format!("name=\"{from}\""), &format!("name=\"{to}\""))
    })
}

/// Answers with control characters, text that reads like Excel's own escapes, and one longer
/// than a cell holds; a template with formulas (one never computed) and an array formula over
/// answer cells, a question on two rows, and ids in full-width forms or with a zero-width
/// space. Every cell written reads back as the answer has it; every cell that cannot be
/// written leaves its whole question, and says why.
#[test]
fn hostile_answers_and_templates_give_a_workbook_readers_open() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let access = content.join("faq/access.yaml");
    edit(
        &access,
        "csc_responsibilities: Customers decide whether to require MFA and which factors their users may register.",
        "csc_responsibilities: \"Customers\\x01 decide `_x0041_` and\\x0b whether\"",
    );
    let long = "Quarterly access reviews. ".repeat(1400);
    edit(
        &access,
        "    Privileged access — production cloud accounts,",
        &format!("    {long}\n    Privileged access — production cloud accounts,"),
    );

    let template = dir.path().join("CAIQv4.0.3.xlsx");
    {
        use rust_xlsxwriter::{Formula, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("CAIQv4.0.3").unwrap();
        sheet.write_string(0, 0, "v4.0.3").unwrap();
        for (column, text) in CSA_HEADER.iter().enumerate() {
            sheet.write_string(1, column as u16, *text).unwrap();
        }
        let ids = [
            "IAM-14.1",
            "IAM-08.1",
            "IAM-02.1",
            "HRS-06.1",
            "IAM-07.1",
            "\u{ff29}\u{ff21}\u{ff2d}-14.1",
            "IAM-06.1\u{200b}",
        ];
        for (row, id) in ids.iter().enumerate() {
            sheet.write_string(2 + row as u32, 0, *id).unwrap();
        }
        // IAM-02.1: a formula in its description cell; HRS-06.1 and IAM-07.1: an array formula
        // over their answer cells. Neither computed (no value), as a script writes them.
        sheet.write_formula(4, 4, Formula::new("=\"\"")).unwrap();
        sheet.write_array_formula(5, 2, 6, 2, Formula::new("=A6:A7")).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let uncomputed = edit_part(&bytes, "xl/worksheets/sheet1.xml", &|xml| {
            let mut out = String::new();
            let mut rest = xml;
            while let Some(at) = rest.find("</f><v>") {
                let end = rest[at..].find("</v>").unwrap() + at + 4;
                out.push_str(&rest[..at + 4]);
                rest = &rest[end..];
            }
            out.push_str(rest);
            // The array's other cell, C7, holds no value either.
            match out.find("<c r=\"C7\"") {
                Some(at) => {
                    let end = out[at..].find("</c>").map_or(out.len(), |e| at + e + 4);
                    out.replace_range(at..end, "");
                    out
                }
                None => out,
            }
        });
        std::fs::write(&template, uncomputed).unwrap();
    }
    let done = export(&content, &["--template", template.to_str().unwrap()]).success();
    let summary = stdout(&done);
    assert!(summary.contains("7 questions: 3 answered"), "IAM-14.1 twice and IAM-06.1: {summary}");
    assert!(summary.contains("4 with a cell that cannot be written"), "{summary}");
    assert!(
        summary.contains("not written: E4 longer than a spreadsheet cell holds (32,767 characters)"),
        "{summary}"
    );
    assert!(summary.contains("not written: E5 holds a formula"), "{summary}");
    assert!(summary.contains("not written: C6 holds a formula"), "{summary}");
    assert!(summary.contains("not written: C7 inside an array formula"), "{summary}");
    assert!(
        !summary.contains("which this CAIQ does not have"),
        "ids the template does not ask are not unknown: {summary}"
    );

    let filled = dir.path().join("CAIQv4.0.3.filled.xlsx");
    let rows = sheet(&filled, "CAIQv4.0.3");
    for row in [2, 7] {
        assert_eq!(cell(&rows, row, 2), "Yes", "row {}", row + 1);
        let csc = cell(&rows, row, 5);
        // calamine reads Excel's escapes back as the characters, and text that looks like one
        // as the answer has it: its underscore is escaped, or a reader would show `A`.
        assert!(csc.contains("Customers\u{1} decide _x0041_ and\u{b} whether"), "{csc:?}");
    }
    assert!(!cell(&rows, 8, 4).is_empty(), "IAM-06.1 with a zero-width space is a question");
    for row in [3, 4, 5, 6] {
        assert!(
            (2..6).all(|column| cell(&rows, row, column).is_empty()),
            "row {} is left whole: {:?}",
            row + 1,
            rows[row]
        );
    }
    if let Some(text) = python_with_openpyxl(
        "import sys, openpyxl\nprint(ascii(openpyxl.load_workbook(sys.argv[1])['CAIQv4.0.3']['F3'].value.split('\\n\\n')[1]))",
        &filled,
    ) {
        // openpyxl opens it, and shows an inline string's escapes as written.
        assert!(text.contains("'Customers_x0001_ decide") && text.contains("and_x000B_ whether'"), "{text}");
    }

    // A new CAIQ leaves the too-long cell empty, says so, and writes the rest.
    let out = dir.path().join("new.xlsx");
    let done = export(&content, &["--out", out.to_str().unwrap()]).success();
    assert!(stdout(&done).contains("longer than a spreadsheet cell holds"), "{}", stdout(&done));
    let rows = sheet(&out, "CAIQv4.0.3");
    assert_eq!(row_of(&rows, "IAM-08.1")[2], "Yes");
    assert!(row_of(&rows, "IAM-08.1")[4].is_empty());
}

#[cfg(unix)]
#[test]
fn a_device_or_a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let zero = dir.path().join("zero.xlsx");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let message = stderr(&export(&example_content(), &["--template", zero.to_str().unwrap()]).code(1));
    assert!(message.contains("is not a file"), "{message}");
    let huge = dir.path().join("huge.xlsx");
    std::fs::File::create(&huge).unwrap().set_len(60 * 1024 * 1024).unwrap();
    let message = stderr(&export(&example_content(), &["--template", huge.to_str().unwrap()]).code(1));
    assert!(message.contains("more than a spreadsheet trustpress reads (50 MiB)"), "{message}");
}

#[test]
fn nothing_is_written_inside_the_content_folder() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_copy(dir.path());
    let inside = content.join("evidence/caiq.csv");
    let message = stderr(&export(&content, &["--out", inside.to_str().unwrap()]).code(2));
    assert!(message.contains("inside the content folder"), "{message}");
    assert!(!inside.exists());
    // `answer` keeps to the same rule.
    let questionnaire = dir.path().join("q.csv");
    std::fs::write(&questionnaire, "Question,Answer\nIs data encrypted at rest?,\n").unwrap();
    let refused = trustpress()
        .args(["answer", "--today", TODAY, "--content"])
        .arg(&content)
        .arg(&questionnaire)
        .arg("--out")
        .arg(content.join("q.filled.csv"))
        .assert()
        .code(2);
    assert!(stderr(&refused).contains("inside the content folder"), "{}", stderr(&refused));
}

/// Without --today, the workbook's date is the content's own day (site.yaml `as_of`), as a
/// build's is: the same content gives the same bytes on any day.
#[test]
fn without_today_the_workbook_is_dated_as_of_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("caiq.xlsx");
    trustpress()
        .args(["export", "caiq", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut core = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("docProps/core.xml").unwrap(), &mut core).unwrap();
    assert!(core.contains("2026-11-21T00:00:00Z"), "{core}");
}

/// Output piped into a reader that stops early ends the run quietly, not with a panic.
#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("caiq.xlsx");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trustpress"))
        .args(["export", "caiq", "--format", "json", "--today", TODAY, "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}
