use super::ids::id_from_sheet;
use super::*;

#[test]
fn slugs_and_ids() {
    assert_eq!(slug(Some("Access Control & Identity")), "access-control-identity");
    assert_eq!(slug(None), "uncategorised");
    assert!(slug(Some("日本語")).starts_with("category-"));
    assert_eq!(id_from_sheet("1042"), "FAQ-IMP-1042");
    assert_eq!(id_from_sheet(" Q 17/b "), "Q-17-b");
    assert_eq!(id_from_sheet("%%%"), "");
}
