//! `trustpress import soa|answers` on spreadsheets in the shapes organisations keep them in
//! (`tests/fixtures/import/`, made by `make_fixtures.py`) and on adversarial ones made here:
//! what a user checks afterwards — the YAML loads (by trustpress and by another reader),
//! `check` lists the right things, the bundle's soa.csv says what the sheet said, the report
//! names rows — and bad input refused with the file, sheet, row and column.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::common::{example_content, have_tool, repo, trustpress, TODAY};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/import").join(name)
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).to_string()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}

/// A starter ISMS (`trustpress init`) without its soa.yaml, to import one into.
fn starter(dir: &Path) -> PathBuf {
    let content = dir.join("isms");
    trustpress().args(["init", "--today", TODAY]).arg(&content).assert().success();
    std::fs::remove_file(content.join("soa.yaml")).unwrap();
    content
}

fn import(kind: &str, file: &Path, content: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    trustpress().args(["import", kind]).arg(file).arg("--content").arg(content).args(extra).assert()
}

/// `check --format json`'s diagnostics, as (severity, code, message).
fn check(content: &Path) -> Vec<(String, String, String)> {
    let output = trustpress()
        .args(["check", "--today", TODAY, "--format", "json", "--content"])
        .arg(content)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("check --format json: {e}\n{}", String::from_utf8_lossy(&output.stderr)));
    json.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn errors(content: &Path) -> Vec<String> {
    check(content).into_iter().filter(|(s, _, _)| s == "error").map(|(_, c, m)| format!("{c}: {m}")).collect()
}

/// An SoA is approved by a person: the tests do what they would, once it is decided.
fn approve(content: &Path) {
    let path = content.join("soa.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "controls:\n",
        "version: 1\napproved_by: Management Board\napproved: 2026-11-01\ncontrols:\n",
        1,
    );
    std::fs::write(path, text).unwrap();
}

/// Reads YAML with PyYAML, a reader that shares no code with trustpress, and returns it as JSON.
fn python_yaml(file: &Path) -> Option<serde_json::Value> {
    if !have_tool("python3") {
        return None;
    }
    let script = "import sys, json, yaml, datetime\n\
                  data = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
                  print(json.dumps(data, default=str))";
    let output = std::process::Command::new("python3").arg("-c").arg(script).arg(file).output().unwrap();
    if String::from_utf8_lossy(&output.stderr).contains("No module named 'yaml'") {
        eprintln!("\n*** SKIPPED the PyYAML reading: PyYAML is not installed ***\n");
        return None;
    }
    assert!(
        output.status.success(),
        "PyYAML cannot read {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// The rows of the bundle's soa.csv, by control: column name → value.
fn bundle_soa(content: &Path, dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let out = dir.join("audit.zip");
    let done = trustpress()
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .args(["bundle", "--content"])
        .arg(content)
        .arg("--out")
        .arg(&out)
        .assert();
    assert!(done.get_output().status.success(), "bundle: {}", stderr(&done));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut text = String::new();
    archive.by_name("soa.csv").unwrap().read_to_string(&mut text).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: BTreeMap<String, String> =
                headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect();
            (row["control"].clone(), row)
        })
        .collect()
}

/// `Implemented` → `implemented`, as soa.csv writes a status.
fn status_word(text: &str) -> &'static str {
    match text {
        "Implemented" => "implemented",
        "Partially implemented" => "partial",
        "Planned" => "planned",
        "Not implemented" => "not-implemented",
        _ => "",
    }
}

#[test]
fn a_plain_csv_soa_round_trips_through_the_bundles_soa_csv() {
    let dir = tempfile::tempdir().unwrap();
    let content = starter(dir.path());
    let source = fixture("plain-soa.csv");
    let done = import("soa", &source, &content, &[]).success();
    let report = stdout(&done);
    assert!(
        report.contains("93 controls mapped (93 decided); 0 rows not mapped; 0 catalog controls missing"),
        "{report}"
    );
    assert!(report.contains(&format!("trustpress check --content {}", content.display())), "{report}");
    // Fully decided but not approved: the one error check has, and the report said so.
    assert!(report.contains("the SoA's version, approved_by, approved"), "{report}");
    let left = errors(&content);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("soa-unapproved"), "{left:?}");
    approve(&content);
    assert_eq!(errors(&content), Vec::<String>::new());

    let exported = bundle_soa(&content, dir.path());
    let mut reader = csv::Reader::from_path(&source).unwrap();
    let mut compared = 0;
    for record in reader.records() {
        let r = record.unwrap();
        let control = format!("A.{}", &r[0]);
        let row = &exported[&control];
        assert_eq!(row["title"], r[1], "{control}");
        assert_eq!(row["applicable"], if &r[2] == "Yes" { "yes" } else { "no" }, "{control}");
        assert_eq!(row["justification"], r[3], "{control}");
        assert_eq!(row["status"], status_word(&r[4]), "{control}");
        assert_eq!(row["owner"], r[5], "{control}");
        assert_eq!(row["notes"], r[6], "{control}");
        compared += 1;
    }
    assert_eq!((compared, exported.len()), (93, 93));
}

#[test]
fn a_consultants_workbook_round_trips_merged_cells_included() {
    let dir = tempfile::tempdir().unwrap();
    let content = starter(dir.path());
    let source = fixture("consultant-soa.xlsx");
    let done = import("soa", &source, &content, &[]).success();
    let report = stdout(&done);
    assert!(report.contains("sheet \"Statement of Applicability\": header on row 5"), "{report}");
    assert!(
        report.contains("columns: id A, title B, applicable C, justification D, status E, owner F, notes G"),
        "{report}"
    );
    assert!(report.contains("columns not imported: H \"Related documents\""), "{report}");
    assert!(report.contains("93 controls mapped"), "{report}");
    approve(&content);
    assert_eq!(errors(&content), Vec::<String>::new());

    let exported = bundle_soa(&content, dir.path());
    let workbook = trustpress::answer::xlsx::Workbook::open(std::fs::read(&source).unwrap()).unwrap();
    let rows = workbook.rows("Statement of Applicability").unwrap();
    let cell = |row: &Vec<String>, c: usize| row.get(c).cloned().unwrap_or_default();
    let mut compared = 0;
    let mut merged_justification = None;
    for row in rows.iter().skip(5) {
        let control = cell(row, 0);
        let Some(exported) = exported.get(&control) else { continue };
        assert_eq!(exported["applicable"], if cell(row, 2) == "Y" { "yes" } else { "no" }, "{control}");
        assert_eq!(exported["status"], status_word(&cell(row, 4)), "{control}");
        assert_eq!(exported["owner"], cell(row, 5), "{control}");
        assert_eq!(exported["notes"], cell(row, 6), "{control}");
        match (control.as_str(), cell(row, 3)) {
            ("A.5.19", text) => merged_justification = Some(text),
            ("A.5.20" | "A.5.21", text) => {
                assert!(text.is_empty(), "a merged cell's other cells are empty in the sheet");
                assert_eq!(Some(&exported["justification"]), merged_justification.as_ref(), "{control}");
            }
            (_, text) => assert_eq!(exported["justification"], text, "{control}"),
        }
        compared += 1;
    }
    assert_eq!(compared, 93);
}

#[test]
fn a_sheet_with_dropdowns_and_colours_lists_the_controls_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let content = starter(dir.path());
    let done = import("soa", &fixture("dropdown-soa.xlsx"), &content, &["--format", "json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    assert_eq!(report["sheet"], "SoA", "the hidden Lists sheet is passed over");
    let missing: Vec<&str> =
        report["missing"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(missing, ["A.8.29", "A.8.30", "A.8.31", "A.8.32", "A.8.33", "A.8.34"]);
    assert_eq!(report["controls"].as_object().unwrap().len(), 87);
    assert_eq!(report["controls"]["A.5.10"]["row"], 11, "A.05.10 is A.5.10, on row 11");
    assert_eq!(
        report["unmapped"].as_array().unwrap().len(),
        0,
        "the formula row under the table is no control"
    );
    // Undecided controls are warnings: no error but the approval.
    let diagnostics = check(&content);
    let undecided = diagnostics.iter().find(|(_, code, _)| code == "soa-undecided").expect("soa-undecided");
    assert_eq!(undecided.0, "warning");
    assert!(undecided.2.starts_with("6 controls are not decided yet: A.8.29"), "{undecided:?}");
    assert!(
        diagnostics.iter().all(|(s, code, _)| s == "warning" || code == "soa-unapproved"),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics.iter().all(|(s, _, _)| s == "warning"),
        "undecided controls keep it unapproved-but-passing"
    );
}

#[test]
fn every_imported_soa_is_read_alike_by_another_yaml_reader() {
    for name in ["plain-soa.csv", "consultant-soa.xlsx", "dropdown-soa.xlsx"] {
        let dir = tempfile::tempdir().unwrap();
        let content = starter(dir.path());
        import("soa", &fixture(name), &content, &[]).success();
        let Some(read) = python_yaml(&content.join("soa.yaml")) else { return };
        let controls = read["controls"].as_object().unwrap();
        assert_eq!(controls.len(), 93, "{name}");
        let loaded = trustpress::load::load(&content).unwrap();
        for (id, entry) in &loaded.isms.soa.controls {
            let other = &controls[id];
            assert_eq!(other["justification"].as_str(), entry.justification.as_deref(), "{name} {id}");
            assert_eq!(other["owner"].as_str(), entry.owner.as_deref(), "{name} {id}");
            assert_eq!(other["notes"].as_str(), entry.notes.as_deref(), "{name} {id}");
            assert_eq!(other["status"].as_str(), entry.status.map(|s| s.as_str()), "{name} {id}");
        }
    }
}

#[test]
fn the_examples_soa_csv_imports_back_to_the_same_soa() {
    // The bundle's own soa.csv is a spreadsheet SoA too: its version and approval columns
    // come back, and its policy and evidence ids are known to the content.
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("exported");
    std::fs::create_dir(&exported).unwrap();
    let out = dir.path().join("audit.zip");
    trustpress()
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .args(["bundle", "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut csv_bytes = Vec::new();
    archive.by_name("soa.csv").unwrap().read_to_end(&mut csv_bytes).unwrap();
    let sheet = dir.path().join("soa.csv");
    std::fs::write(&sheet, &csv_bytes).unwrap();

    let content = dir.path().join("content");
    crate::common::copy_tree(&example_content(), &content);
    std::fs::remove_file(content.join("soa.yaml")).unwrap();
    let done = import("soa", &sheet, &content, &[]).success();
    let report = stdout(&done);
    assert!(report.contains("0 values not understood"), "{report}");
    let before = trustpress::load::load(&example_content()).unwrap().isms;
    let after = trustpress::load::load(&content).unwrap().isms;
    assert_eq!(after.soa.version, before.soa.version);
    assert_eq!(after.soa.approved_by, before.soa.approved_by);
    assert_eq!(after.soa.approved, before.soa.approved);
    for (id, old) in &before.soa.controls {
        let new = &after.soa.controls[id];
        assert_eq!(new.applicable, old.applicable, "{id}");
        assert_eq!(new.applicable_status(), old.applicable_status(), "{id}");
        assert_eq!(new.justification, old.justification, "{id}");
        assert_eq!(new.owner, old.owner, "{id}");
        assert_eq!(new.notes, old.notes, "{id}");
        let ids = |r: &[trustpress::model::Reference]| r.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&new.policies), ids(&old.policies), "{id}");
        // soa.csv adds the evidence items that name the control to the entry's own.
        assert!(ids(&old.evidence).iter().all(|e| ids(&new.evidence).contains(e)), "{id}");
    }
    // The example's own state (it has an overdue policy review), and nothing more.
    assert_eq!(errors(&content), errors(&example_content()));
}

#[test]
fn merge_changes_only_what_the_sheet_changes_and_keeps_comments_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    crate::common::copy_tree(&example_content(), &content);
    let path = content.join("soa.yaml");
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains('#'), "the example's soa.yaml has comments to keep");
    let sheet = dir.path().join("update.csv");
    std::fs::write(
        &sheet,
        "Control;Status;Owner;Justification\n\
         A.5.7;Implemented;;\n\
         A 8.8;;Head of Platform Engineering;\n\
         A.05.01;;;\n\
         A.5.99;Implemented;;\n",
    )
    .unwrap();
    let done = import("soa", &sheet, &content, &["--merge"]).success();
    let report = stdout(&done);
    assert!(report.contains("2 controls changed"), "{report}");
    assert!(report.contains("changed: A.5.7, A.8.8"), "{report}");
    assert!(report.contains("update.csv, row 5, column A: `A.5.99`: A.5.99 is not a control"), "{report}");
    let merged = std::fs::read_to_string(&path).unwrap();
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
        (original.lines().collect(), merged.lines().collect());
    assert_eq!(old_lines.len(), new_lines.len(), "no line added or removed");
    let changed: Vec<(&str, &str)> =
        old_lines.iter().zip(&new_lines).filter(|(a, b)| a != b).map(|(a, b)| (*a, *b)).collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed[0].1.trim_start().starts_with("status: implemented"), "{changed:?}");
    assert!(changed[1].1.trim_start().starts_with("owner: Head of Platform Engineering"), "{changed:?}");
    assert_eq!(errors(&content), errors(&example_content()));
    // The same sheet again changes nothing at all.
    import("soa", &sheet, &content, &["--merge"]).success();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), merged);
}

#[test]
fn merge_refuses_a_file_it_cannot_edit_safely_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    let flow = "controls: {A.5.1: {applicable: true, status: planned}}\n";
    std::fs::write(content.join("soa.yaml"), flow).unwrap();
    let sheet = dir.path().join("s.csv");
    std::fs::write(&sheet, "Control,Status\nA.5.1,Implemented\n").unwrap();
    let failed = import("soa", &sheet, &content, &["--merge"]).failure().code(1);
    assert!(
        stderr(&failed).contains("soa.yaml: line 1: `controls:` holds its value on the same line"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(std::fs::read_to_string(content.join("soa.yaml")).unwrap(), flow);
}

#[test]
fn nothing_is_replaced_without_merge() {
    let dir = tempfile::tempdir().unwrap();
    let content = starter(dir.path());
    std::fs::write(content.join("soa.yaml"), "controls: {}\n").unwrap();
    let failed = import("soa", &fixture("plain-soa.csv"), &content, &[]).failure().code(2);
    assert!(
        stderr(&failed).contains("already exists: import never replaces it; add --merge"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(std::fs::read_to_string(content.join("soa.yaml")).unwrap(), "controls: {}\n");

    let failed = import("answers", &fixture("answer-library.csv"), &content, &["--out-folder", "../outside"])
        .failure()
        .code(2);
    assert!(stderr(&failed).contains("expected a folder inside the content folder"), "{}", stderr(&failed));
    let elsewhere = dir.path().join("empty");
    let failed = import("soa", &fixture("plain-soa.csv"), &elsewhere, &["--merge"]).failure().code(2);
    assert!(
        stderr(&failed).contains("does not exist; without --merge, import writes a new one"),
        "{}",
        stderr(&failed)
    );

    import("answers", &fixture("answer-library.csv"), &content, &[]).success();
    let file = content.join("faq/imported-access-control.yaml");
    let before = std::fs::read(&file).unwrap();
    let failed = import("answers", &fixture("answer-library.csv"), &content, &[]).failure().code(2);
    assert!(stderr(&failed).contains("already exist: import never replaces a file"), "{}", stderr(&failed));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

/// Writes `text` as a CSV file in `dir` and imports it as an SoA into a new folder.
fn soa_from_csv(dir: &Path, name: &str, text: &str, extra: &[&str]) -> (assert_cmd::assert::Assert, PathBuf) {
    let sheet = dir.join(name);
    std::fs::write(&sheet, text).unwrap();
    let content = dir.join(format!("{name}.content"));
    (import("soa", &sheet, &content, extra), content)
}

#[test]
fn ids_in_every_spelling_with_a_bom_and_semicolons() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}Statement of Applicability;;;\r\n\
                ;;;\r\n\
                Ref;Control;Included?;Status of implementation\r\n\
                A.5.1;Policies for information security;✓;Implemented\r\n\
                5.2;;Yes;In progress\r\n\
                A 5.3;;Included;40 %\r\n\
                A.05.04;;TRUE;Planned\r\n\
                Annex A 5.5;;Excluded;N/A\r\n\
                A5.6 Contact with special interest groups;;No;\r\n\
                5.1;Acceptable use of information and other associated assets;Yes;Done\r\n\
                A.9.2.1;User registration;Yes;Implemented\r\n\
                A.5.99;;Yes;Implemented\r\n\
                ;;Yes;Implemented\r\n\
                Organizational;;;\r\n\
                A.5.7;;N/A;Amber\r\n";
    let (done, content) = soa_from_csv(dir.path(), "odd.csv", text, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&done.success().get_output().stdout).unwrap();
    let controls = &report["controls"];
    let field = |id: &str, key: &str| controls[id][key].clone();
    assert_eq!(report["header_row"], 3);
    assert_eq!(field("A.5.1", "applicable"), true);
    assert_eq!(field("A.5.2", "status"), "partial");
    assert_eq!(field("A.5.3", "status"), "partial");
    assert_eq!(field("A.5.4", "status"), "planned");
    assert_eq!(
        (field("A.5.5", "applicable"), field("A.5.5", "status")),
        (false.into(), serde_json::Value::Null)
    );
    assert_eq!(field("A.5.6", "applicable"), false);
    assert_eq!(field("A.5.10", "row"), 10, "`5.1` with A.5.10's title is A.5.10");
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes[0].as_str().unwrap().contains("odd.csv, row 10, column A: `5.1` read as A.5.10"),
        "{notes:?}"
    );
    let unmapped: Vec<(u64, &str)> = report["unmapped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["row"].as_u64().unwrap(), p["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(unmapped.len(), 3, "{unmapped:?}");
    assert_eq!(unmapped[0].0, 11);
    assert!(unmapped[0].1.contains("ISO/IEC 27001:2013"), "{unmapped:?}");
    assert!(
        unmapped[1].1.starts_with("A.5.99 is not a control of ISO/IEC 27001:2022 Annex A"),
        "{unmapped:?}"
    );
    assert_eq!((unmapped[2].0, unmapped[2].1), (13, "the row has values but no control id"));
    let not_understood: Vec<(String, String)> = report["not_understood"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["place"].as_str().unwrap().to_string(), p["value"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        not_understood,
        [
            ("odd.csv, row 15, column C".to_string(), "N/A".to_string()),
            ("odd.csv, row 15, column D".to_string(), "Amber".to_string())
        ]
    );
    // Undecided where the sheet was not understood: check warns, it does not fail on it.
    let text = std::fs::read_to_string(content.join("soa.yaml")).unwrap();
    let soa = trustpress::import::soa::parse_file(&text).unwrap();
    assert_eq!(soa.controls["A.5.7"].applicable, Some(trustpress::model::Applicability::Undecided));
}

#[test]
fn reasons_marked_with_an_x_under_a_two_row_header_become_the_justification() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Control;Applicable;Reason for selection;;;;Justification for exclusion\n\
                ;;LR;CO;BR/BP;RRA;\n\
                A.5.1;Yes;x;;;X;\n\
                A.5.2;Yes;;✓;;;\n\
                A.7.4;No;;;;;Fully remote.\n\
                A.5.3;Yes;maybe;;;;\n";
    let (done, _) = soa_from_csv(dir.path(), "reasons.csv", text, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&done.success().get_output().stdout).unwrap();
    let justification = |id: &str| report["controls"][id]["justification"].clone();
    assert_eq!(justification("A.5.1"), "Selected for: legal requirements, risk assessment results.");
    assert_eq!(justification("A.5.2"), "Selected for: contractual obligations.");
    assert_eq!(justification("A.7.4"), "Fully remote.");
    assert_eq!(justification("A.5.3"), serde_json::Value::Null);
    assert_eq!(report["not_understood"][0]["place"], "reasons.csv, row 6, column C");
    let roles: Vec<(String, String)> = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["column"].as_str().unwrap().to_string(), c["role"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        roles.iter().map(|(c, r)| format!("{r} {c}")).collect::<Vec<_>>(),
        ["id A", "applicable B", "reason C", "reason D", "reason E", "reason F", "justification G"]
    );
}

#[test]
fn bad_sheets_get_errors_that_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("no-ids.csv", "Title,Applicable\nAccess control,Yes\n", "no-ids.csv: no column holds control ids (A.5.1, 5.1, A 5.1, A.05.01 …); name it with --column id=COL"),
        (
            "twice.csv",
            "Control,Applicable\nA.5.1,Yes\nA.5.2,Yes\nA.5.1,No\n",
            "twice.csv: the sheet gives some controls twice, so which row decides is not clear: A.5.1 in rows 2 and 4",
        ),
        ("nothing.csv", "Control,Applicable\nA.9.1.1,Yes\n", "nothing.csv: no row holds an ISO/IEC 27001:2022 Annex A control id (1 rows could not be mapped; the first: nothing.csv, row 2, column A"),
        ("no-header.csv", "A.5.1,Yes\n", "no-header.csv: no header row above the first control id (row 1)"),
        ("ids-only.csv", "Control\nA.5.1\n", "names no column that says whether a control applies"),
        ("latin1.csv", "Control,Owner\nA.5.1,J\u{fffd}rg\n", ""),
    ];
    for (name, text, expected) in cases {
        if expected.is_empty() {
            continue;
        }
        let (done, content) = soa_from_csv(dir.path(), name, text, &[]);
        let failed = done.failure().code(1);
        assert!(stderr(&failed).contains(expected), "{name}: {}", stderr(&failed));
        assert!(!content.join("soa.yaml").exists(), "{name}: nothing written");
    }
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"Control,Owner\nA.5.1,J\xf6rg\n").unwrap();
    let failed = import("soa", &latin1, &dir.path().join("x"), &[]).failure().code(1);
    assert!(stderr(&failed).contains("latin1.csv: the file is not UTF-8 text"), "{}", stderr(&failed));

    let encrypted = dir.path().join("protected.xlsx");
    let mut bytes = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    bytes.extend([0u8; 504]);
    std::fs::write(&encrypted, bytes).unwrap();
    let failed = import("soa", &encrypted, &dir.path().join("x"), &[]).failure().code(1);
    assert!(
        stderr(&failed).contains("protected.xlsx: this workbook is encrypted (password-protected, or a legacy .xls saved as .xlsx): save an unprotected copy"),
        "{}",
        stderr(&failed)
    );

    let renamed = dir.path().join("notes.xlsx");
    std::fs::write(&renamed, "Control,Applicable\nA.5.1,Yes\n").unwrap();
    let failed = import("soa", &renamed, &dir.path().join("x"), &[]).failure().code(1);
    assert!(stderr(&failed).contains("notes.xlsx: the file is not an Excel workbook"), "{}", stderr(&failed));

    let huge = dir.path().join("huge.csv");
    std::fs::File::create(&huge).unwrap().set_len(51 * 1024 * 1024).unwrap();
    let failed = import("soa", &huge, &dir.path().join("x"), &[]).failure().code(1);
    assert!(
        stderr(&failed).contains(
            "huge.csv: the file holds 53477376 bytes, more than a spreadsheet to import can (50 MiB)"
        ),
        "{}",
        stderr(&failed)
    );

    let failed = import("soa", &dir.path().join("soa.pdf"), &dir.path().join("x"), &[]).failure().code(2);
    assert!(stderr(&failed).contains("expected a spreadsheet: .xlsx, .xlsm or .csv"), "{}", stderr(&failed));
    let failed = import("soa", &fixture("plain-soa.csv"), &dir.path().join("x"), &["--column", "colour=B"])
        .failure()
        .code(2);
    assert!(stderr(&failed).contains("unknown role `colour`"), "{}", stderr(&failed));
    let failed = import("soa", &fixture("consultant-soa.xlsx"), &dir.path().join("x"), &["--sheet", "Nope"])
        .failure()
        .code(2);
    assert!(
        stderr(&failed).contains("has no sheet named `Nope`; its sheets: Statement of Applicability"),
        "{}",
        stderr(&failed)
    );
}

/// A workbook made with rust_xlsxwriter: hidden rows, formulas with results, merged cells.
fn workbook(path: &Path, build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("SoA").unwrap();
    build(sheet);
    book.save(path).unwrap();
}

#[test]
fn hidden_rows_formulas_and_merged_cells_in_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.xlsx");
    workbook(&path, |sheet| {
        for (column, header) in ["Control", "Applicable", "Status", "Justification"].iter().enumerate() {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "A.5.1").unwrap();
        sheet.write_string(1, 1, "Yes").unwrap();
        // A status computed by a formula: its value, as Excel last computed it, is read.
        sheet
            .write_formula(
                1,
                2,
                rust_xlsxwriter::Formula::new("=IF(B2=\"Yes\",\"Implemented\",\"N/A\")")
                    .set_result("Implemented"),
            )
            .unwrap();
        sheet.write_string(2, 0, "A.5.2").unwrap();
        sheet.write_string(2, 1, "No").unwrap();
        // One justification merged down two rows.
        sheet
            .merge_range(
                2,
                3,
                3,
                3,
                "Handled by the parent company's policy set.",
                &rust_xlsxwriter::Format::new(),
            )
            .unwrap();
        sheet.write_string(3, 0, "A.5.3").unwrap();
        sheet.write_string(3, 1, "No").unwrap();
    });
    let content = dir.path().join("c");
    let done = import("soa", &path, &content, &["--format", "json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    assert_eq!(report["controls"]["A.5.1"]["status"], "implemented");
    assert_eq!(report["controls"]["A.5.3"]["justification"], "Handled by the parent company's policy set.");

    // A hidden row holding an older line for the same control is still a row: refused, named.
    let hidden = dir.path().join("hidden.xlsx");
    workbook(&hidden, |sheet| {
        sheet.write_string(0, 0, "Control").unwrap();
        sheet.write_string(0, 1, "Applicable").unwrap();
        sheet.write_string(1, 0, "A.5.1").unwrap();
        sheet.write_string(1, 1, "No").unwrap();
        sheet.set_row_hidden(1).unwrap();
        sheet.write_string(2, 0, "A.5.1").unwrap();
        sheet.write_string(2, 1, "Yes").unwrap();
    });
    let failed = import("soa", &hidden, &dir.path().join("h"), &[]).failure().code(1);
    assert!(
        stderr(&failed).contains("hidden.xlsx, sheet \"SoA\": the sheet gives some controls twice, so which row decides is not clear: A.5.1 in rows 2 and 3"),
        "{}",
        stderr(&failed)
    );
}

#[test]
fn ids_typed_as_numbers_are_told_apart_by_title_or_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    // Excel stores 5.10 typed into a cell as the number 5.1.
    let numbers = |path: &Path, titles: bool| {
        workbook(path, |sheet| {
            sheet.write_string(0, 0, "No.").unwrap();
            sheet.write_string(0, 1, if titles { "Control" } else { "Owner" }).unwrap();
            sheet.write_string(0, 2, "Applicable").unwrap();
            for (row, (number, title)) in [
                (5.1, "Policies for information security"),
                (5.10, "Acceptable use of information and other associated assets"),
            ]
            .iter()
            .enumerate()
            {
                let row = row as u32 + 1;
                sheet.write_number(row, 0, *number).unwrap();
                sheet.write_string(row, 1, if titles { *title } else { "CISO" }).unwrap();
                sheet.write_string(row, 2, "Yes").unwrap();
            }
        })
    };
    let titled = dir.path().join("titled.xlsx");
    numbers(&titled, true);
    let done = import("soa", &titled, &dir.path().join("t"), &["--format", "json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    assert_eq!(
        (report["controls"]["A.5.1"]["row"].as_u64(), report["controls"]["A.5.10"]["row"].as_u64()),
        (Some(2), Some(3))
    );
    let bare = dir.path().join("bare.xlsx");
    numbers(&bare, false);
    let failed = import("soa", &bare, &dir.path().join("b"), &[]).failure().code(1);
    let message = stderr(&failed);
    assert!(message.contains("A.5.1 in rows 2 and 3"), "{message}");
    assert!(
        message
            .contains("a spreadsheet may show 5.10 as 5.1: format the column as text, or add a title column"),
        "{message}"
    );
}

#[test]
fn the_sheet_with_the_controls_is_read_not_a_summary_before_it_and_twice_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.xlsx");
    let annex_a = trustpress::catalog::iso27001_2022();
    let mut book = rust_xlsxwriter::Workbook::new();
    let summary = book.add_worksheet();
    summary.set_name("Summary").unwrap();
    for (row, text) in
        [["Control", "Status"], ["A.5.1", "Implemented"], ["A.8.8", "Partial"]].iter().enumerate()
    {
        summary.write_string(row as u32, 0, text[0]).unwrap();
        summary.write_string(row as u32, 1, text[1]).unwrap();
    }
    let sheet = book.add_worksheet();
    sheet.set_name("Full SoA").unwrap();
    sheet.write_string(0, 0, "Control").unwrap();
    sheet.write_string(0, 1, "Applicable").unwrap();
    for (index, control) in annex_a.controls.iter().enumerate() {
        sheet.write_string(index as u32 + 1, 0, &control.id).unwrap();
        sheet.write_string(index as u32 + 1, 1, if index % 2 == 0 { "Yes" } else { "No" }).unwrap();
    }
    book.save(&path).unwrap();
    let first = dir.path().join("first");
    let report = stdout(&import("soa", &path, &first, &[]).success());
    assert!(report.contains("read two.xlsx, sheet \"Full SoA\""), "{report}");
    let second = dir.path().join("second");
    import("soa", &path, &second, &[]).success();
    assert_eq!(
        std::fs::read(first.join("soa.yaml")).unwrap(),
        std::fs::read(second.join("soa.yaml")).unwrap()
    );
}

#[test]
fn a_formula_never_computed_is_reported_not_read_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let done = import("soa", &fixture("uncomputed-soa.xlsx"), &dir.path().join("c"), &[]).success();
    let report = stdout(&done);
    assert!(
        report.contains("uncomputed-soa.xlsx, sheet \"SoA\", row 2, column C: A.5.1 ``: holds a formula that was never computed"),
        "{report}"
    );
    assert!(report.contains("its implementation status (check fails without one): A.5.1\n"), "{report}");
}

#[test]
fn a_30000_row_sheet_is_read_and_its_report_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let annex_a = trustpress::catalog::iso27001_2022();
    workbook(&path, |sheet| {
        sheet.write_string(0, 0, "Control").unwrap();
        sheet.write_string(0, 1, "Applicable").unwrap();
        sheet.write_string(0, 2, "Notes").unwrap();
        for (index, control) in annex_a.controls.iter().enumerate() {
            sheet.write_string(index as u32 + 1, 0, &control.id).unwrap();
            sheet.write_string(index as u32 + 1, 1, "Yes").unwrap();
        }
        for row in 94..30_000u32 {
            sheet.write_string(row, 2, "a note left in the sheet with no control").unwrap();
        }
    });
    let content = dir.path().join("c");
    let started = std::time::Instant::now();
    let done = import("soa", &path, &content, &[]).success();
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    let report = stdout(&done);
    assert!(report.contains("93 controls mapped (93 decided); 29906 rows not mapped"), "{report}");
    assert!(
        report
            .contains("big.xlsx, sheet \"SoA\", row 95, column A: ``: the row has values but no control id"),
        "{report}"
    );
    assert!(report.contains("… and 29866 more (`--format json` lists every one)"), "{report}");
    assert!(report.lines().count() < 120, "the report is capped: {} lines", report.lines().count());
    // Applicable without a status: check fails on each, and the report said so.
    assert!(
        report.contains("  its implementation status (check fails without one): A.5.1, A.5.2, A.5.3,"),
        "{report}"
    );
}

#[test]
fn garbage_never_panics_the_readers() {
    // A small deterministic generator: the same bytes on every run.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let dir = tempfile::tempdir().unwrap();
    let soa = std::fs::read(fixture("dropdown-soa.xlsx")).unwrap();
    let library = std::fs::read(fixture("answer-library.xlsx")).unwrap();
    for round in 0..300 {
        let valid = if round % 2 == 0 { &soa } else { &library };
        let bytes: Vec<u8> = match round % 3 {
            0 => (0..(next() % 4096)).map(|_| next() as u8).collect(),
            // A real workbook with bytes flipped: zip entries and XML that break halfway.
            1 => {
                let mut bytes = valid.clone();
                for _ in 0..(1 + next() % 8) {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = next() as u8;
                }
                bytes
            }
            _ => {
                let mut bytes = valid.clone();
                bytes.truncate((next() as usize) % valid.len());
                bytes
            }
        };
        for extension in ["xlsx", "csv"] {
            let path = dir.path().join(format!("g{round}.{extension}"));
            std::fs::write(&path, &bytes).unwrap();
            let result = std::panic::catch_unwind(|| trustpress::import::sheet::read(&path, None));
            assert!(result.is_ok(), "round {round} .{extension} panicked");
            let options = trustpress::import::soa::SoaOptions {
                input: path.clone(),
                content: dir.path().join(format!("c{round}")),
                sheet: None,
                merge: false,
                header_row: None,
                columns: BTreeMap::new(),
            };
            let result = std::panic::catch_unwind(|| trustpress::import::soa::import(&options));
            assert!(result.is_ok(), "round {round} .{extension} panicked in import");
            let options = trustpress::import::answers::AnswersOptions {
                input: path.clone(),
                content: dir.path().join(format!("a{round}")),
                sheet: None,
                out_folder: PathBuf::from("faq"),
                header_row: None,
                columns: BTreeMap::new(),
            };
            let result = std::panic::catch_unwind(|| trustpress::import::answers::import(&options));
            assert!(result.is_ok(), "round {round} .{extension} panicked in import answers");
        }
    }
}

#[test]
fn an_answer_library_becomes_internal_faq_files_by_category() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("fresh");
    trustpress().args(["init", "--today", TODAY]).arg(&content).assert().success();
    let done = import("answers", &fixture("answer-library.xlsx"), &content, &[]).success();
    let report = stdout(&done);
    assert!(report.contains("11 answers imported, all `audience: internal`; 1 row skipped"), "{report}");
    assert!(
        report.contains("answer-library.xlsx, sheet \"Library\", row 13, column D: no answer"),
        "{report}"
    );
    let files: Vec<String> = std::fs::read_dir(content.join("faq"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("imported-"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        files,
        [
            "imported-access-control.yaml",
            "imported-data-protection.yaml",
            "imported-human-resources.yaml",
            "imported-operations.yaml"
        ]
    );
    let loaded = trustpress::load::load(&content).unwrap();
    let faq = &loaded.isms.faq;
    let imported: Vec<_> =
        faq.values().filter(|a| a.source.file.to_string_lossy().contains("imported-")).collect();
    assert_eq!(imported.len(), 11);
    assert!(
        imported.iter().all(|a| a.audience == trustpress::Audience::Internal),
        "nothing public by accident"
    );
    assert_eq!(faq["LIB-101"].also_asked_as, ["Is MFA required for employees?", "Do staff use 2FA?"]);
    assert_eq!(faq["LIB-101"].response, Some(trustpress::model::Response::Yes));
    assert!(faq["LIB-101"].answer.text.ends_with("requires a second approval.\n"));
    assert_eq!(faq["LIB-303"].response, Some(trustpress::model::Response::Na));
    // The two rows without an id get made ids, clear of the starter's FAQ-001 … FAQ-003.
    assert_eq!(faq["FAQ-IMP-001"].question, "Is customer data encrypted at rest?");
    assert_eq!(faq["FAQ-IMP-002"].question, "Is customer data encrypted in transit?");
    assert!(errors(&content).iter().all(|e| !e.contains("faq")), "{:?}", errors(&content));
    for file in &files {
        if let Some(read) = python_yaml(&content.join("faq").join(file)) {
            for answer in read.as_array().unwrap() {
                let id = answer["id"].as_str().unwrap();
                assert_eq!(answer["answer"].as_str(), Some(faq[id].answer.text.as_str()), "{id}");
                assert_eq!(answer["audience"], "internal");
            }
        }
    }
    // The public site has none of it: no sentence of an imported answer (a bare phrase such as
    // "hardware security key" is also matching vocabulary, published in faq/answer-rules.json).
    let public = dir.path().join("public");
    crate::common::build(&content, &public, "public").success();
    let tree = crate::common::read_tree(&public);
    for (path, bytes) in &tree {
        let text = String::from_utf8_lossy(bytes);
        for sentence in [
            "signs in through our identity provider with a hardware security key",
            "Administrative access additionally requires a second approval",
        ] {
            assert!(!text.contains(sentence), "an imported answer is in {path}");
        }
    }
}

#[test]
fn answer_ids_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("isms");
    trustpress().args(["init", "--today", TODAY]).arg(&content).assert().success();
    let sheet = dir.path().join("lib.csv");
    std::fs::write(
        &sheet,
        "Id,Question,Answer\nfaq-002,Do you?,We do.\nQ-1,Is it?,It is.\nQ-1,Again?,Again.\n",
    )
    .unwrap();
    let failed = import("answers", &sheet, &content, &[]).failure().code(1);
    let message = stderr(&failed);
    assert!(
        message.contains("lib.csv, row 2, column A: faq-002: the content already has an answer with this id"),
        "{message}"
    );
    assert!(message.contains("lib.csv, row 4, column A: Q-1: an earlier row has this id"), "{message}");
    assert!(!content.join("faq/imported-uncategorised.yaml").exists(), "nothing written");

    std::fs::write(&sheet, "Question;Answer\nWho?;Us.\n\"Multi\nline?\";\"::: internal\nsecret\n:::\"\n")
        .unwrap();
    let done = import("answers", &sheet, &content, &["--format", "json"]).success();
    let report: serde_json::Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    assert_eq!(report["imported"][0]["id"], "FAQ-IMP-001");
    assert_eq!(report["skipped"][0]["row"], 3, "an audience fence in an imported text is refused");
    assert!(errors(&content).is_empty(), "{:?}", errors(&content));
}

/// A team's own catalog (`frameworks/*.yaml`, `coverage: soa`, enabled in site.yaml) has SoA
/// entries too: its ids, as the catalog writes them (any case, alone or before the title),
/// are imported beside Annex A's, written after them under the catalog's themes, and merged
/// into an existing soa.yaml the same way. A control the sheet lacks is listed.
#[test]
fn a_custom_catalogs_controls_are_imported_beside_annex_a() {
    let dir = tempfile::tempdir().unwrap();
    let content = starter(dir.path());
    std::fs::create_dir_all(content.join("frameworks")).unwrap();
    std::fs::write(
        content.join("frameworks/baseline.yaml"),
        "id: acme-cloud-baseline\nname: Acme cloud baseline\ncoverage: soa\ncontrols:\n  \
         - id: CB-1\n    title: Audit logging on in every production account\n    theme: Logging\n  \
         - id: CB-10\n    title: Backups restored every quarter\n    theme: Resilience\n  \
         - id: CB-2\n    title: No long-lived access keys\n    theme: Identity\n",
    )
    .unwrap();
    crate::common::edit(
        &content.join("site.yaml"),
        "frameworks: [iso27001-2022]",
        "frameworks: [iso27001-2022, acme-cloud-baseline]",
    );
    let sheet = dir.path().join("soa.csv");
    std::fs::write(
        &sheet,
        "Control,Title,Applicable,Status,Justification\n\
         A.5.1,Policies for information security,Yes,Implemented,\n\
         cb-10 Backups restored every quarter,,Yes,Partial,\n\
         CB-1,Audit logging on in every production account,Yes,Implemented,\n\
         CB-3,Not in the catalog,Yes,Implemented,\n",
    )
    .unwrap();
    let done = import("soa", &sheet, &content, &[]).success();
    let report = stdout(&done);
    assert!(report.contains("3 controls mapped"), "{report}");
    assert!(report.contains("`CB-3` is not a control id"), "an id no catalog has is not mapped: {report}");
    let soa = std::fs::read_to_string(content.join("soa.yaml")).unwrap();
    let (annex, custom) = soa.split_once("\n  # Logging\n").expect("the catalog's themes follow Annex A");
    assert!(annex.contains("A.8.34:"), "Annex A first, whole");
    assert!(custom.contains("CB-1:  # Audit logging on in every production account\n    applicable: true\n    status: implemented"), "{custom}");
    assert!(
        custom
            .contains("CB-10:  # Backups restored every quarter\n    applicable: true\n    status: partial"),
        "{custom}"
    );
    assert!(
        custom.contains("CB-2:  # No long-lived access keys\n    applicable: undecided"),
        "the control the sheet lacks: {custom}"
    );
    assert!(!errors(&content).iter().any(|e| e.contains("CB-")), "{:?}", errors(&content));

    // Merged into the file it wrote: only what the sheet changes.
    std::fs::write(&sheet, "Control,Applicable,Status\nCB-2,Yes,Planned\n").unwrap();
    let merged = import("soa", &sheet, &content, &["--merge"]).success();
    let text = std::fs::read_to_string(content.join("soa.yaml")).unwrap();
    assert!(
        text.contains("CB-2:  # No long-lived access keys\n    applicable: true\n    status: planned"),
        "{}\n{text}",
        stdout(&merged)
    );
    assert!(
        text.contains("CB-10:  # Backups restored every quarter\n    applicable: true\n    status: partial")
    );
}
