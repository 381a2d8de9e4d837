//! Every markdown record kind is wired through the whole pipeline: a kind listed in
//! `record_kinds!` whose loading, cut, views, pages or template do not work fails here,
//! naming the kind. See ARCHITECTURE.md, "Adding a markdown record kind".

use std::collections::BTreeMap;

use trustpress::model::{MarkdownRecord, RecordVisitor};
use trustpress::Audience;

use crate::common::*;

/// What a test needs of one kind: its folder, and each item's route, title and audience.
struct Kind {
    folder: &'static str,
    pages_from: Audience,
    items: Vec<(String, String, Audience)>,
}

fn kinds(isms: &trustpress::model::Isms) -> Vec<Kind> {
    struct Kinds(Vec<Kind>);
    impl<'a> RecordVisitor<'a> for Kinds {
        fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>) {
            let items = records
                .values()
                .map(|record| (K::route(record.id()), record.title().to_string(), record.audience()))
                .collect();
            self.0.push(Kind { folder: K::FOLDER, pages_from: K::PAGES_FROM, items });
        }
    }
    let mut kinds = Kinds(Vec::new());
    isms.visit_records(&mut kinds);
    kinds.0
}

#[test]
fn every_record_kind_loads_cuts_and_has_its_pages() {
    let loaded = trustpress::load::load(&example_content()).unwrap_or_else(|_| panic!("the example loads"));
    let out = tempfile::tempdir().unwrap();
    build(&example_content(), &out.path().join("site"), "internal").success();
    let site = out.path().join("site");
    let internal = trustpress::cut::cut(&loaded.isms, Audience::Internal);
    let kinds_loaded = kinds(&loaded.isms);
    let kinds_cut = kinds(&internal);
    assert!(kinds_loaded.len() >= 4, "policies, updates, audits, reviews at least");
    for (kind, cut) in kinds_loaded.iter().zip(&kinds_cut) {
        // The example holds items of every kind, so a kind the loader does not read shows.
        assert!(!kind.items.is_empty(), "no {} loaded from the example: is the kind loaded?", kind.folder);
        let visible: Vec<_> =
            kind.items.iter().filter(|(_, _, a)| a.visible_to(Audience::Internal)).collect();
        assert_eq!(
            cut.items.len(),
            visible.len(),
            "the internal cut of {} keeps {} of {} internal-or-public items: is the kind cut?",
            kind.folder,
            cut.items.len(),
            visible.len()
        );
        if !kind.pages_from.visible_to(Audience::Internal) {
            continue;
        }
        let index = site.join(kind.folder).join("index.html");
        assert!(index.is_file(), "no list page {}: is it in site/pages.rs?", index.display());
        for (route, title, _) in visible {
            let page = site.join(route).join("index.html");
            let html = std::fs::read_to_string(&page)
                .unwrap_or_else(|_| panic!("no page for {route}: is the kind's view in render/page.rs?"));
            let escaped = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            assert!(html.contains(&escaped), "{route} does not show its title {title:?}");
        }
    }
}
