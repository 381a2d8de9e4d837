use super::layout::custom_id;
use super::*;

fn catalog(ids: &[&str]) -> Catalog {
    let controls: String = ids.iter().map(|id| format!("  - id: \"{id}\"\n    title: T {id}\n")).collect();
    serde_saphyr::from_str(&format!("id: c\nname: Custom\ncontrols:\n{controls}")).unwrap()
}

#[test]
fn a_custom_id_is_read_alone_or_before_its_title_and_an_empty_cell_names_nothing() {
    let custom = [catalog(&["CB-1", "CB-10", ""])];
    assert_eq!(custom_id("cb-10 Backups", &custom), Some(("CB-10".into(), "Backups".into())));
    assert_eq!(custom_id(" CB-1 ", &custom), Some(("CB-1".into(), String::new())));
    assert_eq!(custom_id("CB-100", &custom), None, "an id that only begins with one is not it");
    assert_eq!(custom_id("", &custom), None, "an empty cell, even with an empty id in a catalog");
    assert_eq!(custom_id("   ", &custom), None);
}
