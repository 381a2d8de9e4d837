//! Customer self-service and the views derived from the SoA: framework coverage through the
//! mapping, certification badges, the subprocessor change feed, and the answer exports.

use crate::common::{build, copy_tree, edit, example_content, fixture, read_tree, text, trustpress};

/// A mapped catalog over the minimal ISMS, whose coverage is worked out by hand:
/// A.5.1 implemented, A.5.2 partial, A.5.3 planned, A.7.4 and A.7.5 not applicable.
#[test]
fn framework_coverage_matches_a_hand_computed_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("minimal"), &content);
    std::fs::create_dir_all(content.join("frameworks")).unwrap();
    std::fs::write(
        content.join("frameworks/example.yaml"),
        "id: example-fw\nname: Example Framework\ncoverage: mapping\ncontrols:\n\
         \x20 - {id: X-1, title: One, theme: First, maps_to: [A.5.1, A.5.2]}\n\
         \x20 - {id: X-2, title: Two, theme: First, maps_to: [A.5.1, A.7.4]}\n\
         \x20 - {id: X-3, title: Three, theme: Second, maps_to: [A.7.4, A.7.5]}\n\
         \x20 - {id: X-4, title: Four, theme: Second, maps_to: [A.5.3]}\n\
         \x20 - {id: X-5, title: Five, theme: Second, maps_to: [A.5.4, A.5.5]}\n",
    )
    .unwrap();
    edit(&content.join("site.yaml"), "base_url:", "frameworks: [iso27001-2022, example-fw]\nbase_url:");
    edit(
        &content.join("soa.yaml"),
        "  A.5.2:\n    applicable: true\n    status: implemented",
        "  A.5.2:\n    applicable: true\n    status: partial",
    );
    edit(
        &content.join("soa.yaml"),
        "  A.5.3:\n    applicable: true\n    status: implemented",
        "  A.5.3:\n    applicable: true\n    status: planned",
    );

    trustpress()
        .args(["check", "--today", crate::common::TODAY, "--content"])
        .arg(&content)
        .assert()
        .success();
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let trust: serde_json::Value = serde_json::from_str(&text(&tree, "trust.json")).unwrap();
    let coverage = &trust["framework_coverage"][0]["coverage"];
    assert_eq!(trust["framework_coverage"][0]["id"], "example-fw");
    // X-1 partial, X-2 implemented (the excluded control does not count), X-3 not
    // applicable, X-4 planned, X-5 implemented.
    assert_eq!(coverage["total"], 5);
    assert_eq!(coverage["applicable"], 4);
    assert_eq!(coverage["implemented"], 2);
    assert_eq!(coverage["partial"], 1);
    assert_eq!(coverage["planned"], 1);
    assert_eq!(coverage["not_applicable"], 1);
    assert_eq!(coverage["percent"], 50);

    let page = text(&tree, "frameworks/example-fw/index.html");
    let row = |id: &str| {
        let start = page.find(&format!("<tr id=\"{id}\">")).unwrap_or_else(|| panic!("no row {id}"));
        page[start..start + page[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("x-1").contains("pill-partial"));
    assert!(row("x-2").contains("pill-implemented"));
    assert!(row("x-3").contains("pill-not-applicable"));
    assert!(row("x-4").contains("pill-planned"));
    // The Annex A control page names its ids in the mapped framework.
    let control = text(&tree, "soa/a-5-1/index.html");
    assert!(
        control.contains("X-1") && control.contains("X-2") && control.contains("Example Framework"),
        "{control}"
    );
}

#[test]
fn soc2_and_nis2_pages_cover_every_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let tree = read_tree(&out);
    let soc2 = text(&tree, "frameworks/soc2-2017/index.html");
    assert_eq!(soc2.matches("<tr id=\"").count(), 61);
    let nis2 = text(&tree, "frameworks/nis2-art21/index.html");
    assert_eq!(nis2.matches("<tr id=\"").count(), 10);
    let trust: serde_json::Value = serde_json::from_str(&text(&tree, "trust.json")).unwrap();
    assert_eq!(trust["framework_coverage"].as_array().unwrap().len(), 2);
}

fn badge_at(today: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    trustpress()
        .args(["build", "--audience", "public", "--today", today, "--content"])
        .arg(fixture("minimal"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(out.join("badges/iso27001.svg")).unwrap()
}

/// The minimal ISMS's certificate expires on 2028-09-30.
#[test]
fn badge_state_follows_the_build_date() {
    assert!(badge_at("2026-11-21").contains(">valid</text>"));
    assert!(badge_at("2028-08-15").contains(">expires in 46 days</text>"));
    assert!(badge_at("2028-10-01").contains(">expired</text>"));
}

#[test]
fn certifications_page_offers_the_badge_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&fixture("minimal"), &out, "public").success();
    let page = text(&read_tree(&out), "certifications/index.html");
    assert!(
        page.contains("https://trust.minimal.example/badges/iso27001.svg"),
        "the snippet uses the stable absolute URL"
    );
}

#[test]
fn the_subprocessor_feed_is_valid_atom() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let bytes = std::fs::read(out.join("subprocessors/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).expect("valid Atom");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert!(feed.title.unwrap().content.contains("subprocessor changes"));
    // Every public addition and removal up to the build date is an entry, newest first.
    assert!(feed.entries.len() >= 10, "{} entries", feed.entries.len());
    let dates: Vec<_> = feed.entries.iter().map(|e| e.updated.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(feed.entries.iter().any(|e| e.title.as_ref().unwrap().content.starts_with("Removed:")));
    let updates = std::fs::read(out.join("updates/feed.xml")).unwrap();
    assert!(!feed_rs::parser::parse(&updates[..]).unwrap().entries.is_empty());
}

#[test]
fn answers_export_as_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&example_content(), &out, "public").success();
    let csv = std::fs::read_to_string(out.join("faq/answers.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["ID", "Category", "Question", "Answer", "Controls", "Policies", "CAIQ"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let faq_page = std::fs::read_to_string(out.join("faq/index.html")).unwrap();
    assert_eq!(rows.len(), faq_page.matches("class=\"faq-item\"").count(), "one row per answer on the page");
    assert!(rows.iter().all(|row| !row[3].is_empty()));
    let xlsx = std::fs::read(out.join("faq/answers.xlsx")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    assert!(archive.by_name("xl/worksheets/sheet1.xml").is_ok());
}

#[test]
fn init_writes_a_starter_that_builds_and_checks_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let starter = dir.path().join("isms");
    trustpress().args(["init", "--today", crate::common::TODAY]).arg(&starter).assert().success();
    for file in [
        "site.yaml",
        "soa.yaml",
        "policies/information-security.md",
        "certifications/iso27001.yaml",
        "faq/general.yaml",
        "subprocessors.yaml",
    ] {
        assert!(starter.join(file).is_file(), "init writes {file}");
    }
    let soa = std::fs::read_to_string(starter.join("soa.yaml")).unwrap();
    assert_eq!(soa.matches("\n    applicable:").count(), 93, "a full 93-entry SoA skeleton");

    let output = trustpress()
        .args(["check", "--format", "json", "--today", crate::common::TODAY, "--content"])
        .arg(&starter)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(diagnostics.iter().all(|d| d["severity"] == "warning"));
    let undecided =
        diagnostics.iter().find(|d| d["code"] == "soa-undecided").expect("check says what to decide");
    assert!(undecided["message"]
        .as_str()
        .unwrap()
        .starts_with("93 controls are not decided yet: A.5.1, A.5.2"));

    let out = dir.path().join("public");
    build(&starter, &out, "public").success();
    let tree = read_tree(&out);
    assert!(text(&tree, "policies/pol-isp/index.html").contains("Information Security Policy"));
    assert!(
        text(&tree, "policies/pol-ir/index.html").contains("Request access"),
        "the internal procedure is a teaser"
    );
    assert!(
        !text(&tree, "subprocessors/index.html").contains("Example Cloud Hosting"),
        "example vendors stay internal"
    );
    build(&starter, &dir.path().join("internal"), "internal").success();

    // A second init into the same folder overwrites nothing.
    trustpress().arg("init").arg(&starter).assert().failure().code(2);
}

/// An answer longer than an Excel cell holds (32,767 characters) still builds: the
/// workbook's cell is cut with a note saying so, and the CSV keeps the whole answer.
#[test]
fn an_answer_longer_than_an_excel_cell_is_cut_in_the_workbook_only() {
    let dir = tempfile::tempdir().unwrap();
    let content = crate::common::example_copy(dir.path());
    let long = "Encrypted at rest and in transit. ".repeat(1200);
    std::fs::write(
        content.join("faq/long.yaml"),
        format!("- id: FAQ-LONG\n  question: Describe everything?\n  category: General\n  audience: public\n  answer: |\n    {long}\n"),
    )
    .unwrap();
    let out = dir.path().join("public");
    build(&content, &out, "public").success();
    let csv = std::fs::read_to_string(out.join("faq/answers.csv")).unwrap();
    assert_eq!(
        csv.matches("Encrypted at rest and in transit.").count(),
        1200,
        "the CSV has the whole answer"
    );
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join("faq/answers.xlsx")).unwrap();
    let range = workbook.worksheet_range("Answers").unwrap();
    let cell = range
        .rows()
        .find(|row| row[0] == "FAQ-LONG")
        .map(|row| row[3].to_string())
        .expect("the long answer's row");
    assert!(
        cell.ends_with("the whole answer is in answers.csv and on the trust center]"),
        "{}",
        &cell[cell.len() - 120..]
    );
    assert!(cell.encode_utf16().count() <= 32_767);
    assert!(cell.starts_with("Encrypted at rest and in transit."));
}
