//! The management system around the controls (clauses 4 to 10): what `init` leaves to fill
//! in, what each audience's site shows of the scope and the objectives, and what the
//! auditor bundle carries.

use std::io::Read;

use crate::common::{build, example_content, read_tree, text, trustpress, TODAY};

#[test]
fn init_invents_nothing_and_check_names_every_clause_left() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("isms");
    trustpress().arg("init").arg(&content).assert().success();
    let scope = std::fs::read_to_string(content.join("scope.yaml")).unwrap();
    assert!(scope.contains("statement: \"\""), "the statement is left empty: {scope}");
    let output = trustpress()
        .args(["check", "--format", "json", "--today", TODAY, "--content"])
        .arg(&content)
        .output()
        .unwrap();
    let diagnostics: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut missing: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["code"] == "clause-missing")
        .map(|d| d["message"].as_str().unwrap().split(' ').nth(3).unwrap().to_string())
        .collect();
    missing.sort_by_key(|id| trustpress::clauses::CLAUSES.iter().position(|c| c.id == id));
    // The starter's policy is the information security policy (5.2) and its SoA lists every
    // control (6.1.3 d); nothing else is there yet.
    assert_eq!(
        missing,
        [
            "4.1", "4.2", "4.3", "6.1.2", "6.1.3", "6.2", "7.2", "8.1", "8.2", "8.3", "9.1", "9.2", "9.3",
            "10.2"
        ],
        "{diagnostics:?}"
    );
    // It still builds: missing records are warnings.
    build(&content, &dir.path().join("site"), "public").success();
}

#[test]
fn each_audience_sees_its_part_of_the_scope_and_objectives() {
    let dir = tempfile::tempdir().unwrap();
    build(&example_content(), &dir.path().join("public"), "public").success();
    build(&example_content(), &dir.path().join("internal"), "internal").success();
    let public = read_tree(&dir.path().join("public"));
    let internal = read_tree(&dir.path().join("internal"));

    let overview = text(&public, "index.html");
    assert!(overview.contains("What our security programme covers"));
    assert_eq!(overview.matches("class=\"card objective-card\"").count(), 2, "the two public objectives");
    let public_scope = text(&public, "scope/index.html");
    assert!(public_scope.contains("is not published here"), "the scope's details are internal");
    assert!(!public_scope.contains("Interested parties") && !overview.contains("href=\"scope/\""));
    assert!(!overview.contains("Database restores finish"), "an internal objective");

    let health = text(&internal, "health/index.html");
    assert_eq!(health.matches("class=\"card objective-card\"").count(), 5);
    assert!(health.contains("Database restores finish"));
    assert!(!health.contains(">Missing<"), "the example satisfies every clause");
    for step in ["Plan", "Do", "Check", "Act"] {
        assert!(health.contains(&format!("<span class=\"stat-label\">{step}</span>")), "{step}");
    }
    let scope = text(&internal, "scope/index.html");
    assert!(scope.contains("Interested parties") && scope.contains("Climate change"));
}

#[test]
fn the_bundle_carries_the_clause_table_and_every_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = crate::common::example_bundle(&dir.path().join("audit.zip"), "1795219200");
    let mut read = |name: &str| {
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    let clauses = read("clauses.csv");
    let rows: Vec<&str> = clauses.lines().collect();
    assert_eq!(rows[0], "clause,requires,phase,satisfied_by,state");
    assert_eq!(rows.len(), 1 + 16, "one row per clause");
    assert!(rows.iter().skip(1).all(|row| row.ends_with(",present")), "{clauses}");
    assert!(clauses.contains("7.2,Evidence of competence,do,evidence EV-007,present"), "{clauses}");
    let objectives = read("objectives.csv");
    assert_eq!(objectives.lines().count(), 1 + 5 * 12, "{objectives}");
    // OBJ-03's values come from measurements/OBJ-03.yaml, written by automation.
    assert_eq!(objectives.lines().filter(|row| row.starts_with("OBJ-03,")).count(), 12);
    assert!(read("scope/index.html").contains("Interested parties"));
}
