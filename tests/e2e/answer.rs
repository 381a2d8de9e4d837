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
    let sheets: serde_json::Value = serde_json::from_str(&stdout(&done)).unwrap();
    assert_eq!(sheets.as_array().unwrap().len(), 1, "a CSV file is one sheet");
    assert_eq!(sheets[0]["sheet"], serde_json::Value::Null);
    assert_eq!(sheets[0]["layout"]["question"], 1);
    let rows = sheets[0]["rows"].as_array().unwrap();
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
fn a_fill_with_the_bytes_of_withheld_evidence_is_refused_like_any_output() {
    // The build's gate holds for answer's files too: here the questionnaire is a copy of an
    // auditor-only evidence file and no row is answered, so the filled copy would be that
    // evidence byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    crate::common::copy_tree(&example_content(), &content);
    let questions = "Question,Answer\nblorp snark fizzle wibble?,\n";
    std::fs::write(content.join("evidence/customer-questions.csv"), questions).unwrap();
    let index = content.join("evidence/evidence.yaml");
    let mut yaml = std::fs::read_to_string(&index).unwrap();
    yaml.push_str("\n- id: EV-QUESTIONS\n  title: Questions a customer sent\n  file: customer-questions.csv\n  controls: [A.5.1]\n");
    std::fs::write(&index, yaml).unwrap();
    let input = dir.path().join("questions.csv");
    std::fs::write(&input, questions).unwrap();
    let out = dir.path().join("filled.csv");
    let assert = run(&content, &input, &out, &[]).code(1);
    let message = stderr(&assert);
    assert!(message.contains("customer-questions.csv") && message.contains("may not see"), "{message}");
    assert!(!out.exists() && !dir.path().join("filled.csv.answers.json").exists(), "nothing is written");
}

#[test]
fn files_that_cannot_be_answered_get_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let cases: &[(&str, &[u8], i32, &str)] = &[
        ("old.xls", b"\xD0\xCF\x11\xE0", 1, "save it as .xlsx"),
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

/// A CAIQ-shaped workbook: an instructions sheet, a merged title, the header on row 3, a
/// dropdown on the response column, a pre-filled row and a formula where an answer would go.
fn caiq_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let instructions = workbook.add_worksheet().set_name("Instructions").unwrap();
    instructions.write_string(0, 0, "Answer every question on the next sheet. (Our own wording.)").unwrap();
    let sheet = workbook.add_worksheet().set_name("Questionnaire").unwrap();
    sheet.merge_range(0, 0, 0, 4, "Cloud security assessment (a CAIQ-shaped fixture)", &bold).unwrap();
    for (column, header) in [
        "Question ID",
        "Question",
        "CSP CAIQ Answer",
        "SSRM Control Ownership",
        "CSP Implementation Description",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(2, column as u16, *header, &bold).unwrap();
    }
    sheet.set_column_width(1, 60).unwrap();
    let dropdown = DataValidation::new().allow_list_strings(&["Yes", "No", "NA"]).unwrap();
    sheet.add_data_validation(3, 2, 40, 2, &dropdown).unwrap();
    let rows: [(&str, &str); 5] = [
        ("CEK-03.1", "Is data at rest encrypted?"),
        ("IAM-14.1", "Is multi-factor authentication supported for customer users?"),
        ("ZZ-01.1", "Is there a staff cafeteria?"),
        ("DSP-19.1", "Where is customer data stored?"),
        ("LOG-02.1", "Are security events logged and monitored?"),
    ];
    for (index, (id, question)) in rows.iter().enumerate() {
        let row = 3 + index as u32;
        sheet.write_string(row, 0, *id).unwrap();
        sheet.write_string(row, 1, *question).unwrap();
    }
    sheet.write_string(6, 2, "Yes").unwrap(); // DSP-19.1: already answered by the customer's contact
                                              // LOG-02.1: a formula in the comment cell (its value counts as an answer: left alone).
    sheet.write_formula(7, 4, Formula::new("=\"see \"&A8").set_result("see LOG-02.1")).unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A row is written whole or not at all. A formula in an answer cell is the customer's, even
/// one a script wrote and no spreadsheet computed (it reads as empty): the row is left as it
/// is. A response cell inside a merged area cannot be written: the row goes to a person,
/// rather than getting its text without its response, or its response without its citation.
#[test]
fn a_row_with_a_formula_or_a_covered_answer_cell_is_not_written_in_part() {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Review").unwrap();
    for (column, header) in ["#", "Question", "Response", "Comments"].iter().enumerate() {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for row in 1..4u32 {
        sheet.write_string(row, 0, row.to_string()).unwrap();
        sheet.write_string(row, 1, "Do you perform penetration tests?").unwrap();
    }
    sheet.write_formula(1, 3, Formula::new("=\"See our report for \"&A2")).unwrap();
    sheet.merge_range(3, 1, 3, 2, "Do you perform penetration tests?", &Format::new()).unwrap();
    // As a script writes it: the formula with no value.
    let bytes =
        crate::common::edit_part(&workbook.save_to_buffer().unwrap(), "xl/worksheets/sheet1.xml", &|xml| {
            let at = xml.find("</f><v>").expect("a formula with its value");
            let end = xml[at..].find("</v>").unwrap() + at + 4;
            format!("{}{}", &xml[..at + 4], &xml[end..])
        });
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("review.xlsx");
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("review.filled.xlsx");
    let done = run(&example_content(), &input, &out, &[]).success();
    let summary = stdout(&done);
    assert!(summary.contains("1 answered"), "{summary}");
    assert!(summary.contains("1 needs a person") && summary.contains("1 already filled"), "{summary}");
    assert!(summary.contains("not written: C4 inside a merged area"), "{summary}");
    let filled = part(&std::fs::read(&out).unwrap(), "xl/worksheets/sheet1.xml");
    assert!(
        filled.contains(r#"<c r="C3" t="inlineStr">"#) && filled.contains(r#"<c r="D3" t="inlineStr">"#),
        "{filled}"
    );
    for untouched in ["C2", "C4", "D4"] {
        assert!(!filled.contains(&format!(r#"<c r="{untouched}" t="inlineStr">"#)), "{untouched}: {filled}");
    }
    assert_eq!(filled.matches("t=\"inlineStr\"").count(), 2, "{filled}");

    let json = trustpress()
        .args(["answer", "--today", TODAY, "--format", "json", "--force", "--content"])
        .arg(example_content())
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let rows = report[0]["rows"].as_array().unwrap();
    let states: Vec<&str> = rows.iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["already-filled", "answered", "needs-person"]);
    assert_eq!(
        rows[2]["decision"]["reason"],
        "cell C4 is inside a merged area: the answer (FAQ-025) cannot be written whole, so a person fills the row"
    );
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("review.filled.xlsx.answers.json")).unwrap())
            .unwrap();
    let answered = record["rows"].as_array().unwrap();
    assert_eq!(answered.len(), 1, "the record holds only the row written: {record}");
}

/// Each entry of a zip: (name, compressed bytes).
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index_raw(index).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut raw = Vec::new();
            entry.read_to_end(&mut raw).unwrap();
            (name, raw)
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn a_workbook_is_filled_in_place_and_every_other_part_keeps_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("caiq.xlsx");
    let original = caiq_workbook();
    std::fs::write(&input, &original).unwrap();
    let out = dir.path().join("caiq-filled.xlsx");
    let done = run(&example_content(), &input, &out, &[]).success();
    let summary = stdout(&done);
    assert!(summary.contains("sheet: Questionnaire"), "the instructions sheet is passed over: {summary}");
    assert!(summary.contains("header on row 3; question B, reference A, response C, comment E"), "{summary}");
    assert!(summary.contains("by reference"), "{summary}");
    assert!(summary.contains("2 already filled"), "the pre-filled row and the formula's: {summary}");
    assert_eq!(std::fs::read(&input).unwrap(), original, "the questionnaire itself is never changed");

    let filled = std::fs::read(&out).unwrap();
    let (before, after) = (entries(&original), entries(&filled));
    assert_eq!(
        before.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        after.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "the same parts, in the same order"
    );
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        if name != "xl/worksheets/sheet2.xml" {
            assert!(old == new, "{name} changed");
        }
    }
    let sheet = part(&filled, "xl/worksheets/sheet2.xml");
    let old_sheet = part(&original, "xl/worksheets/sheet2.xml");
    // The dropdown, the merged title, the column width and the formula are as they were.
    for kept in ["<dataValidation", "<mergeCell ref=\"A1:E1\"/>", "<cols>", "<f>\"see \"&amp;A8</f>"] {
        assert!(sheet.contains(kept) && old_sheet.contains(kept), "{kept}");
    }
    assert!(
        sheet.contains(r#"<c r="C4" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c>"#),
        "{sheet}"
    );
    assert!(
        sheet.contains(r#"<c r="E4" t="inlineStr"><is><t xml:space="preserve">Yes. All customer data"#),
        "{sheet}"
    );
    assert!(
        !sheet.contains(r#"r="C6""#) && !sheet.contains(r#"r="E6""#),
        "the cafeteria row is left for a person"
    );
    assert!(!sheet.contains(r#"r="E7""#), "the pre-filled row is left as it was");
    opened_by_openpyxl(&out);
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("caiq-filled.xlsx.answers.json")).unwrap())
            .unwrap();
    let methods: Vec<&str> =
        record["rows"].as_array().unwrap().iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert!(methods.contains(&"reference"), "{methods:?}");
}

#[test]
fn a_password_protected_or_broken_workbook_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.xlsx");
    for (name, bytes, message) in [
        ("locked.xlsx", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 protected".to_vec(), "password-protected"),
        ("fake.xlsx", b"PK\x03\x04 not really a zip".to_vec(), "not an Excel workbook"),
        ("empty.xlsx", Vec::new(), "empty"),
    ] {
        let input = dir.path().join(name);
        std::fs::write(&input, &bytes).unwrap();
        let failed = run(&example_content(), &input, &out, &[]).code(1);
        assert!(stderr(&failed).contains(message), "{name}: {}", stderr(&failed));
        assert!(!out.exists());
    }
    let input = dir.path().join("caiq.xlsx");
    std::fs::write(&input, caiq_workbook()).unwrap();
    let missing = run(&example_content(), &input, &out, &["--sheet", "Nope"]).code(1);
    assert!(
        stderr(&missing).contains("no sheet named `Nope`; its sheets: Instructions, Questionnaire"),
        "{}",
        stderr(&missing)
    );
}

/// A zip bomb named .xlsx: 300 MiB of zeros compressed to a few hundred KB. Refused from its
/// declared sizes, before anything is decompressed.
#[test]
fn a_zip_bomb_with_an_xlsx_name_is_refused_before_it_is_opened() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&input).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&input).unwrap().len() < 2 << 20);
    let out = dir.path().join("out.xlsx");
    let refused = run(&example_content(), &input, &out, &[]).code(1);
    assert!(stderr(&refused).contains("more than a questionnaire can"), "{}", stderr(&refused));
    assert!(!out.exists());
}

/// A questionnaire whose Yes/No dropdown lists its words in cells of another sheet, named
/// directly (`Lists!$A$1:$A$3`) or through a defined name, as many customers' templates do.
fn range_dropdown_workbook(through_a_name: bool) -> Vec<u8> {
    use rust_xlsxwriter::{DataValidation, Formula, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Questions").unwrap();
    for (column, title) in ["Ref", "Question", "Response", "Comments"].iter().enumerate() {
        sheet.write_string(0, column as u16, *title).unwrap();
    }
    sheet.write_string(1, 0, "Q1").unwrap();
    sheet.write_string(1, 1, "Is customer data encrypted at rest?").unwrap();
    let formula = if through_a_name { "=Answers" } else { "='Answer lists'!$A$1:$A$3" };
    let dropdown = DataValidation::new().allow_list_formula(Formula::new(formula));
    sheet.add_data_validation(1, 2, 50, 2, &dropdown).unwrap();
    let lists = workbook.add_worksheet().set_name("Answer lists").unwrap();
    for (row, word) in ["Y", "N", "NA"].iter().enumerate() {
        lists.write_string(row as u32, 0, *word).unwrap();
    }
    if through_a_name {
        workbook.define_name("Answers", "='Answer lists'!$A$1:$A$3").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_dropdown_listed_in_cells_gives_the_response_words() {
    for through_a_name in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("range.xlsx");
        std::fs::write(&input, range_dropdown_workbook(through_a_name)).unwrap();
        let out = dir.path().join("range-filled.xlsx");
        run(&example_content(), &input, &out, &[]).success();
        let sheet = part(&std::fs::read(&out).unwrap(), "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(r#"<c r="C2" t="inlineStr"><is><t xml:space="preserve">Y</t></is></c>"#),
            "the list's own word (through a name: {through_a_name}): {sheet}"
        );
    }
}

/// A SIG-Lite-shaped workbook (our own wording): a cover sheet, two question tabs with the
/// header on different rows and a Yes/No/N/A dropdown each, and a glossary with a header row
/// but no column to answer in.
fn multi_tab_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{DataValidation, Workbook};
    let mut workbook = Workbook::new();
    let cover = workbook.add_worksheet().set_name("Business Information").unwrap();
    cover.write_string(0, 0, "Supplier name").unwrap();
    cover.write_string(1, 0, "Assessment date").unwrap();
    type Tab<'a> = (&'a str, u32, [(&'a str, &'a str); 2]);
    let tabs: [Tab; 2] = [
        (
            "D. Data Protection",
            1,
            [("D.1", "Is customer data encrypted at rest?"), ("D.2", "Is there a staff cafeteria?")],
        ),
        (
            "H. Access Control",
            3,
            [("H.1", "Can we enforce MFA for our users?"), ("H.2", "Do you support SSO with SAML?")],
        ),
    ];
    for (name, header, questions) in tabs {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        sheet.write_string(0, 0, "Answer each question; add detail where useful.").unwrap();
        for (column, title) in
            ["Ques Num", "Question/Request", "Response", "Additional Information"].iter().enumerate()
        {
            sheet.write_string(header, column as u16, *title).unwrap();
        }
        let dropdown = DataValidation::new().allow_list_strings(&["Yes", "No", "N/A"]).unwrap();
        sheet.add_data_validation(header + 1, 2, header + 40, 2, &dropdown).unwrap();
        for (index, (id, question)) in questions.iter().enumerate() {
            sheet.write_string(header + 1 + index as u32, 0, *id).unwrap();
            sheet.write_string(header + 1 + index as u32, 1, *question).unwrap();
        }
    }
    let glossary = workbook.add_worksheet().set_name("Glossary").unwrap();
    glossary.write_string(0, 0, "Term").unwrap();
    glossary.write_string(0, 1, "Question").unwrap();
    glossary.write_string(1, 0, "MFA").unwrap();
    glossary.write_string(1, 1, "What does multi-factor authentication mean here?").unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn every_question_sheet_of_a_workbook_is_answered_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sig.xlsx");
    let original = multi_tab_workbook();
    std::fs::write(&input, &original).unwrap();
    let out = dir.path().join("sig-filled.xlsx");
    let summary = stdout(&run(&example_content(), &input, &out, &[]).success());
    let data = summary.find("sheet: D. Data Protection").expect(&summary);
    let access = summary.find("sheet: H. Access Control").expect(&summary);
    assert!(data < access, "in workbook order: {summary}");
    assert!(summary.contains("header on row 2;") && summary.contains("header on row 4;"), "{summary}");
    assert!(!summary.contains("Business Information") && !summary.contains("sheet: Glossary"), "{summary}");
    assert!(summary.contains("all 2 sheets: 3 answered"), "{summary}");

    let filled = std::fs::read(&out).unwrap();
    let (before, after) = (entries(&original), entries(&filled));
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|((_, old), (_, new))| old != new)
        .map(|((name, _), _)| name.as_str())
        .collect();
    assert_eq!(
        changed,
        ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"],
        "only the two question tabs"
    );
    assert!(part(&filled, "xl/worksheets/sheet2.xml")
        .contains(r#"<c r="C3" t="inlineStr"><is><t xml:space="preserve">Yes</t>"#));
    assert!(part(&filled, "xl/worksheets/sheet3.xml")
        .contains(r#"<c r="C5" t="inlineStr"><is><t xml:space="preserve">Yes</t>"#));

    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sig-filled.xlsx.answers.json")).unwrap())
            .unwrap();
    let rows: Vec<(String, u64)> = record["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["sheet"].as_str().unwrap().to_string(), r["row"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("D. Data Protection".to_string(), 3),
            ("H. Access Control".to_string(), 5),
            ("H. Access Control".to_string(), 6)
        ]
    );

    // --sheet answers that one sheet only.
    let one = dir.path().join("one.xlsx");
    let summary = stdout(&run(&example_content(), &input, &one, &["--sheet", "H. Access Control"]).success());
    assert!(!summary.contains("D. Data Protection") && !summary.contains("all 2 sheets"), "{summary}");
}

/// The filled workbook as a customer's tools read it: openpyxl opens it and finds the answers,
/// the dropdown, the merged title and the formula. Skipped with a notice when openpyxl is
/// missing, unless TRUSTPRESS_REQUIRE_TOOLS is set (scripts/test installs it and sets it).
fn opened_by_openpyxl(workbook: &Path) {
    let script = r#"
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
sheet = book["Questionnaire"]
print(sheet["C4"].value)
print(sheet["E4"].value[:22])
print(len(sheet.data_validations.dataValidation), [str(r) for r in sheet.merged_cells.ranges])
print(sheet["E8"].value)
print(book.sheetnames)
"#;
    let output = std::process::Command::new("python3").arg("-c").arg(script).arg(workbook).output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) if String::from_utf8_lossy(&output.stderr).contains("No module named 'openpyxl'") => {
            assert!(
                std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                "openpyxl is required for this test (scripts/test installs it)"
            );
            eprintln!("\n*** SKIPPED the openpyxl check: openpyxl is not installed (scripts/test installs it) ***\n");
            return;
        }
        Ok(output) => panic!(
            "openpyxl could not read the filled workbook:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!("cannot run python3: {error}"),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        ["Yes", "Yes. All customer data", "1 ['A1:E1']", "=\"see \"&A8", "['Instructions', 'Questionnaire']"],
        "{text}"
    );
}

/// The filled copy and its record are readable by whoever could read the questionnaire: they
/// take its permissions, not a temporary file's owner-only ones.
#[cfg(unix)]
#[test]
fn the_filled_copy_and_its_record_take_the_questionnaires_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("acme.csv");
    std::fs::copy(questionnaire("customer-semicolon.csv"), &input).unwrap();
    for mode in [0o644, 0o640] {
        std::fs::set_permissions(&input, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = dir.path().join(format!("filled-{mode:o}.csv"));
        run(&example_content(), &input, &out, &[]).success();
        let record = dir.path().join(format!("filled-{mode:o}.csv.answers.json"));
        for file in [&out, &record] {
            let got = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{}", file.display());
        }
    }
}
