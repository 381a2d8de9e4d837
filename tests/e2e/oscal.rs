//! The auditor bundle's OSCAL documents: the catalog (ids and titles), the SoA as a profile,
//! and the system security plan, checked for what an auditor's tool reads from them and
//! validated with compliance-trestle, NIST-aligned tooling, profile resolution included.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{build, example_bundle, example_content, have_tool, read_tree, run_ok};

fn oscal_of(dir: &Path) -> BTreeMap<String, serde_json::Value> {
    let mut zip = example_bundle(&dir.join("audit.zip"), "1763683200");
    let mut documents = BTreeMap::new();
    for name in ["catalog", "profile", "ssp"] {
        let mut entry = zip.by_name(&format!("oscal/{name}.json")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        documents.insert(name.to_string(), serde_json::from_str(&text).unwrap());
    }
    documents
}

#[test]
fn the_ssp_states_each_decided_control_as_the_soa_does() {
    let dir = tempfile::tempdir().unwrap();
    let oscal = oscal_of(dir.path());
    let decided = decisions(&example_content().join("soa.yaml"));
    let plan = &oscal["ssp"]["system-security-plan"];
    assert_eq!(plan["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(plan["metadata"]["parties"][0]["name"], "Halcyon Ledger Ltd");
    assert_eq!(plan["import-profile"]["href"], "profile.json");
    let requirements = plan["control-implementation"]["implemented-requirements"].as_array().unwrap();
    assert_eq!(requirements.len(), decided.len(), "one requirement per decided control");
    for requirement in requirements {
        let id = requirement["control-id"].as_str().unwrap();
        let (applicable, status) = &decided[id];
        let state = requirement["by-components"][0]["implementation-status"]["state"].as_str();
        match (applicable, status.as_deref()) {
            (false, _) => {
                assert_eq!(state, Some("not-applicable"), "{id}");
                assert!(
                    requirement["remarks"].as_str().is_some_and(|r| !r.is_empty()),
                    "{id}: the justification"
                );
            }
            (true, Some("not-implemented")) => assert_eq!(state, None, "{id}: OSCAL has no such state"),
            (true, status) => assert_eq!(state, status, "{id}"),
        }
    }
    // Every link leads to a file in the bundle.
    let zip = dir.path().join("audit.zip");
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let names: Vec<String> =
        (0..archive.len()).map(|i| archive.name_for_index(i).unwrap().unwrap().to_string()).collect();
    for resource in plan["back-matter"]["resources"].as_array().unwrap() {
        let href = resource["rlinks"][0]["href"].as_str().unwrap();
        let path = href.strip_prefix("../").unwrap();
        assert!(names.iter().any(|n| n == path), "{href} is in the bundle");
    }
    // The profile selects the applicable controls from the catalog, which has ids and titles only.
    let profile = &oscal["profile"]["profile"];
    let included = profile["imports"][0]["include-controls"][0]["with-ids"].as_array().unwrap();
    assert_eq!(included.len(), decided.values().filter(|(a, _)| *a).count());
    let catalog = &oscal["catalog"]["catalog"];
    let controls: usize =
        catalog["groups"].as_array().unwrap().iter().map(|g| g["controls"].as_array().unwrap().len()).sum();
    assert_eq!(controls, 93);
    let text = serde_json::to_string(catalog).unwrap();
    assert!(!text.contains("\"parts\""), "no control text: ISO's is licensed");
}

#[test]
fn oscal_is_for_auditors_only() {
    let dir = tempfile::tempdir().unwrap();
    for audience in ["public", "internal"] {
        let out = dir.path().join(audience);
        build(&example_content(), &out, audience).success();
        let tree = read_tree(&out);
        assert!(!tree.keys().any(|path| path.contains("oscal") || path.ends_with("ssp.json")), "{audience}");
        for (path, bytes) in &tree {
            assert!(!String::from_utf8_lossy(bytes).contains("system-security-plan"), "{audience}: {path}");
        }
    }
}

#[test]
fn trestle_validates_the_catalog_the_profile_and_the_ssp() {
    if !have_tool("trestle") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let oscal = oscal_of(dir.path());
    let workspace = dir.path().join("trestle");
    std::fs::create_dir_all(&workspace).unwrap();
    run_ok(std::process::Command::new("trestle").arg("init").current_dir(&workspace));
    for (name, folder, file) in [
        ("catalog", "catalogs/iso", "catalog.json"),
        ("profile", "profiles/soa", "profile.json"),
        ("ssp", "system-security-plans/isms", "system-security-plan.json"),
    ] {
        let bytes = serde_json::to_vec_pretty(&oscal[name]).unwrap();
        std::fs::create_dir_all(workspace.join(folder)).unwrap();
        std::fs::write(workspace.join(folder).join(file), &bytes).unwrap();
        // trestle resolves the documents' relative hrefs from the workspace's root.
        if name != "ssp" {
            std::fs::write(workspace.join(format!("{name}.json")), &bytes).unwrap();
        }
    }
    let output =
        run_ok(std::process::Command::new("trestle").args(["validate", "-a"]).current_dir(&workspace));
    assert_eq!(output.matches("VALID: Model").count(), 3, "{output}");
    assert!(!output.contains("INVALID") && !output.contains("ERROR"), "{output}");
}

/// The SoA's decisions as soa.yaml states them: control → (applicable, status).
fn decisions(path: &Path) -> BTreeMap<String, (bool, Option<String>)> {
    let soa: serde_json::Value = serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    soa["controls"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(id, entry)| {
            let applicable = entry["applicable"].as_bool()?;
            let status = entry["status"].as_str().filter(|_| applicable).map(str::to_string);
            Some((id.clone(), (applicable, status)))
        })
        .collect()
}
