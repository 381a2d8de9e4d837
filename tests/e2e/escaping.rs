//! A title or field holding markup is shown as text everywhere, never run as markup.

use crate::common::{build, copy_tree, fixture, read_tree};

const SCRIPT: &str = "<script>alert(1)</script>";

#[test]
fn markup_in_fields_renders_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&fixture("leak"), &content);
    let edit = |path: &str, from: &str, to: &str| {
        let file = content.join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{path} has no {from:?}");
        std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    };
    let quoted = format!("\"{SCRIPT}\"");
    edit("site.yaml", "name: Marker Test Co", &format!("name: {quoted}"));
    edit("policies/public-policy.md", "title: PUBMARK public policy title", &format!("title: {quoted}"));
    edit("policies/public-policy.md", "PUBMARK public body.", &format!("Body with {SCRIPT} inline."));
    edit("faq/answers.yaml", "question: PUBMARK public question?", &format!("question: {quoted}"));
    edit("subprocessors.yaml", "name: PUBMARK Hosting", &format!("name: {quoted}"));
    edit("updates/2026-01-01-public.md", "title: PUBMARK public update", &format!("title: {quoted}"));
    edit("certifications/public-cert.yaml", "issuer: PUBMARK issuer", &format!("issuer: {quoted}"));

    for audience in ["public", "internal"] {
        let out = dir.path().join(audience);
        build(&content, &out, audience).success();
        let tree = read_tree(&out);
        let mut escaped_seen = 0;
        for (path, bytes) in &tree {
            // Plain-text and data files (security.txt, robots.txt, the CSV and XLSX answer
            // exports) carry text as text and are never parsed as markup.
            let markdown = path.ends_with(".md") || path == "llms.txt";
            if !markdown && (path.ends_with(".txt") || path.ends_with(".csv") || path.ends_with(".xlsx")) {
                continue;
            }
            let text = String::from_utf8_lossy(bytes);
            if markdown {
                // A markdown copy for agents: what a markdown reader makes of it must hold
                // the text as text, never as markup.
                let mut html = String::new();
                pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
                assert!(!html.contains("<script>alert"), "{audience}/{path} renders raw markup from content");
                escaped_seen += html.matches("&lt;script&gt;alert(1)").count();
                continue;
            }
            assert!(!text.contains("<script>alert"), "{audience}/{path} holds raw markup from content");
            escaped_seen += text.matches("&lt;script&gt;alert(1)").count();
        }
        assert!(escaped_seen > 10, "the escaped text is shown ({escaped_seen} times)");
        let trust = String::from_utf8_lossy(&tree["trust.json"]).to_string();
        let parsed: serde_json::Value = serde_json::from_str(&trust).unwrap();
        assert_eq!(parsed["organization"], SCRIPT, "trust.json keeps the data, escaped for embedding");
    }
}
