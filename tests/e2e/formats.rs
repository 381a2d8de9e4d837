//! The machine-readable files, read by real parsers as a customer's tools would read them: the
//! Atom feeds (feed-rs), `sitemap.xml` (roxmltree), `/.well-known/security.txt` (sectxtlib, an
//! RFC 9116 parser) and `trust.json` (jsonschema, against the schema published in
//! `docs/trust.schema.json`). The order and content of the subprocessor feed's entries are
//! checked in `self_service.rs`.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{build, example_content, fixture, read_tree, repo, text, trustpress, TODAY};

const BASE: &str = "https://trust.halcyon-ledger.example";
const SITEMAP_NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The example built for `audience` (with `--base-url` when given), as path → bytes.
fn example_site(audience: &str, base_url: Option<&str>) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(audience);
    let mut command = trustpress();
    command.args(["build", "--today", TODAY, "--audience", audience, "--content"]).arg(example_content());
    if let Some(base_url) = base_url {
        command.args(["--base-url", base_url]);
    }
    command.arg("--out").arg(&out).assert().success();
    read_tree(&out)
}

/// The page an absolute URL of the site names (`https://…/policies/pol-ac/` →
/// `policies/pol-ac/index.html`), if the URL is under `base`.
fn page_of(url: &str, base: &str) -> Option<String> {
    let path = url.strip_prefix(base.trim_end_matches('/'))?.strip_prefix('/')?;
    let path = path.split('#').next().unwrap_or("");
    Some(if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() })
}

#[test]
fn atom_feeds_parse_and_every_entry_links_to_a_page_of_the_build() {
    for audience in ["public", "internal"] {
        let site = example_site(audience, None);
        for (path, page) in [
            ("updates/feed.xml", "updates/index.html"),
            ("subprocessors/feed.xml", "subprocessors/index.html"),
        ] {
            let feed =
                feed_rs::parser::parse(&site[path][..]).unwrap_or_else(|e| panic!("{audience} {path}: {e}"));
            let context = format!("{audience} {path}");
            assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom, "{context}");
            assert_eq!(feed.id, format!("{BASE}/{path}"), "{context}: the feed's id is its address");
            assert!(feed.title.as_ref().is_some_and(|t| !t.content.is_empty()), "{context}");
            assert!(feed.updated.is_some(), "{context}: a feed must say when it last changed");
            assert!(!feed.authors.is_empty(), "{context}: Atom requires an author");
            let link =
                |rel: &str| feed.links.iter().find(|l| l.rel.as_deref() == Some(rel)).map(|l| l.href.clone());
            assert_eq!(link("self").as_deref(), Some(format!("{BASE}/{path}").as_str()), "{context}");
            assert_eq!(page_of(&link("alternate").unwrap(), BASE).as_deref(), Some(page), "{context}");

            assert!(!feed.entries.is_empty(), "{context}");
            let mut ids = BTreeSet::new();
            for entry in &feed.entries {
                assert!(ids.insert(entry.id.clone()), "{context}: entry id {} twice", entry.id);
                assert!(entry.id.starts_with(BASE), "{context}: {}", entry.id);
                assert!(
                    entry.title.as_ref().is_some_and(|t| !t.content.is_empty()),
                    "{context}: {}",
                    entry.id
                );
                let updated =
                    entry.updated.unwrap_or_else(|| panic!("{context}: {} has no updated", entry.id));
                assert!(updated <= feed.updated.unwrap(), "{context}: {} is newer than the feed", entry.id);
                assert!(!entry.links.is_empty(), "{context}: {} links nowhere", entry.id);
                for link in &entry.links {
                    let target = page_of(&link.href, BASE)
                        .unwrap_or_else(|| panic!("{context}: {} leaves the site", link.href));
                    assert!(
                        site.contains_key(&target),
                        "{context}: {} is not a page of the build",
                        link.href
                    );
                }
            }
        }
    }
}

/// Parses a sitemap and returns its `<loc>` URLs, checking the protocol's structure.
fn sitemap_locations(xml: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(xml).expect("sitemap.xml is well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NAMESPACE));
    let mut locations = Vec::new();
    for url in root.children().filter(roxmltree::Node::is_element) {
        assert_eq!(url.tag_name().name(), "url");
        assert_eq!(url.tag_name().namespace(), Some(SITEMAP_NAMESPACE));
        let locs: Vec<_> = url.children().filter(|n| n.has_tag_name((SITEMAP_NAMESPACE, "loc"))).collect();
        assert_eq!(locs.len(), 1, "one <loc> per <url>");
        let loc = locs[0].text().unwrap_or("").to_string();
        assert!(loc.len() < 2048 && !loc.contains(char::is_whitespace), "{loc:?}");
        locations.push(loc);
    }
    locations
}

#[test]
fn sitemap_is_well_formed_and_lists_every_page_under_base_url() {
    // The example's own base URL, and one with a path, for both audiences.
    for (audience, base) in
        [("public", None), ("internal", None), ("public", Some("https://example.org/security/trust/"))]
    {
        let site = example_site(audience, base);
        let base = base.unwrap_or(BASE).trim_end_matches('/');
        let locations = sitemap_locations(&text(&site, "sitemap.xml"));
        let unique: BTreeSet<_> = locations.iter().collect();
        assert_eq!(unique.len(), locations.len(), "{audience}: a URL listed twice");
        let mut listed = BTreeSet::new();
        for loc in &locations {
            assert!(loc.starts_with(base), "{audience}: {loc} is not under {base}");
            let path = &loc[base.len()..];
            assert!(path.starts_with('/') && !path.starts_with("//"), "{audience}: {loc} joins badly");
            let page = page_of(loc, base).unwrap();
            assert!(site.contains_key(&page), "{audience}: {loc} is not a file of the build");
            listed.insert(page);
        }
        let pages: BTreeSet<String> =
            site.keys().filter(|p| p.ends_with(".html") && *p != "404.html").cloned().collect();
        assert_eq!(listed, pages, "{audience}: the sitemap lists every page but the 404 page");
    }
}

fn security_txt_options(now: &str) -> sectxtlib::SecurityTxtOptions {
    let now: chrono::DateTime<chrono::Utc> = now.parse().unwrap();
    sectxtlib::SecurityTxtOptions::new().with_now(now)
}

#[test]
fn security_txt_is_valid_rfc_9116() {
    let build_day = security_txt_options(&format!("{TODAY}T00:00:00Z"));
    let site = example_site("public", None);
    let text = text(&site, ".well-known/security.txt");
    let parsed =
        sectxtlib::SecurityTxt::parse_with(&text, &build_day).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        parsed.contact.iter().map(|c| c.uri.to_string()).collect::<Vec<_>>(),
        ["mailto:security@halcyon-ledger.example", "https://www.halcyon-ledger.example/security"]
    );
    assert_eq!(parsed.expires.datetime.to_rfc3339(), "2027-09-30T00:00:00+00:00");
    // RFC 9116 2.5.2: Canonical names the address the file is published at.
    assert_eq!(
        parsed.canonical.iter().map(|c| c.uri.to_string()).collect::<Vec<_>>(),
        [format!("{BASE}/.well-known/security.txt")]
    );
    assert_eq!(
        parsed.policy.iter().map(|p| p.uri.to_string()).collect::<Vec<_>>(),
        [format!("{BASE}/policies/pol-vdp/")]
    );
    let languages: Vec<String> =
        parsed.preferred_languages.unwrap().languages.iter().map(|l| l.as_str().to_string()).collect();
    assert_eq!(languages, ["en", "de"]);
    assert_eq!(parsed.acknowledgments.len(), 1);
    assert_eq!(parsed.hiring.len(), 1);
    assert!(!parsed.is_signed);
    // RFC 9116's registry field for CSAF advisories, after the standard fields.
    assert!(
        text.ends_with("CSAF: https://www.halcyon-ledger.example/.well-known/csaf/provider-metadata.json\n"),
        "{text}"
    );
    // The parser does check Expires: the day after it, the file is refused.
    assert_eq!(
        sectxtlib::SecurityTxt::parse_with(&text, &security_txt_options("2027-10-01T00:00:00Z")),
        Err(sectxtlib::ParseError::ExpiresFieldExpired)
    );

    // With only the required fields in site.yaml, the file is still valid, and its Canonical
    // follows --base-url.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    trustpress()
        .args(["build", "--today", TODAY, "--base-url", "https://status.minimal.example/trust", "--content"])
        .arg(fixture("minimal"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join(".well-known/security.txt")).unwrap();
    let parsed =
        sectxtlib::SecurityTxt::parse_with(&text, &build_day).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(parsed.contact[0].uri.to_string(), "mailto:security@minimal.example");
    assert_eq!(
        parsed.canonical[0].uri.to_string(),
        "https://status.minimal.example/trust/.well-known/security.txt"
    );
}

fn trust_schema() -> serde_json::Value {
    let path = repo().join("docs/trust.schema.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("docs/trust.schema.json is JSON")
}

fn schema_errors(validator: &jsonschema::Validator, document: &serde_json::Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn trust_json_matches_the_published_schema() {
    let schema = trust_schema();
    jsonschema::meta::validate(&schema).expect("docs/trust.schema.json is a valid JSON Schema");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();

    let mut documents = Vec::new();
    for audience in ["public", "internal"] {
        documents.push((format!("example, {audience}"), example_site(audience, None)));
    }
    for name in ["minimal", "leak"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        build(&fixture(name), &out, "public").success();
        documents.push((format!("{name} fixture"), read_tree(&out)));
    }
    for (name, site) in &documents {
        let document: serde_json::Value = serde_json::from_str(&text(site, "trust.json")).unwrap();
        assert_eq!(schema_errors(&validator, &document), Vec::<String>::new(), "{name}");
    }

    // The schema is no formality: a document that drifts from it is refused.
    let example: serde_json::Value = serde_json::from_str(&text(&documents[0].1, "trust.json")).unwrap();
    let drifted = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut document = example.clone();
        change(&mut document);
        schema_errors(&validator, &document)
    };
    assert!(!drifted(&|d| d["controls"]["items"][0]["state"] = "done".into()).is_empty());
    assert!(!drifted(&|d| d["generated_on"] = "21 November 2026".into()).is_empty());
    assert!(!drifted(&|d| d["policies"][0]["secret_notes"] = "x".into()).is_empty());
    assert!(!drifted(&|d| {
        d.as_object_mut().unwrap().remove("certifications");
    })
    .is_empty());
}
