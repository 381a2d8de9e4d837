//! `docs/TEMPLATE-CONTEXT.md`, the list of every value a template receives, is generated from
//! the view structs themselves: the test below renders the example ISMS's auditor bundle (the
//! build with the most in it), serializes what templates get, and compares every field path
//! with the document. A view field added, renamed or removed fails the test until the
//! document is regenerated (`TRUSTPRESS_BLESS=1 cargo test --lib template_context`), so the
//! document cannot drift from the code.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use serde_json::Value as Json;

    use crate::audience::Audience;
    use crate::date::Date;
    use crate::model::MarkdownRecord;
    use crate::render::theme::Theme;
    use crate::render::{health, questionnaire, view, RenderOptions, RenderTarget, Renderer};

    const DOC: &str = "docs/TEMPLATE-CONTEXT.md";

    /// Every field path under `prefix` with the kinds of value seen there.
    fn walk(prefix: &str, value: &Json, paths: &mut BTreeMap<String, Vec<&'static str>>) {
        let kind = match value {
            Json::Null => "none",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "text",
            Json::Array(_) => "list",
            Json::Object(_) => "map",
        };
        let kinds = paths.entry(prefix.to_string()).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
        match value {
            Json::Array(items) => items.iter().for_each(|item| walk(&format!("{prefix}[]"), item, paths)),
            Json::Object(map) => {
                map.iter().for_each(|(key, item)| walk(&format!("{prefix}.{key}"), item, paths))
            }
            _ => {}
        }
    }

    fn generate() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        // Without this repository's history (a shallow clone sees less of it): two made-up
        // versions of the first policy show the history's fields instead.
        let Ok(mut loaded) = crate::load::load_from(&root, &crate::history::Source::Off) else {
            panic!("the example does not load")
        };
        if let Some(policy) = loaded.isms.policies.values_mut().next() {
            policy.history = made_up_history(policy);
        }
        let isms = crate::cut::cut(&loaded.isms, Audience::Auditor);
        let options = RenderOptions {
            today: Date::parse("2026-11-21").expect("a date"),
            base_url: "https://trust.example".to_string(),
            target: RenderTarget::AuditorBundle,
            signed: false,
        };
        let sizes = loaded.root.sizes(view::linked_files(&isms, options.target));
        let renderer = Renderer::new(&isms, &sizes, &Theme::default_theme(), &options).expect("renders");
        let later_options =
            RenderOptions { today: Date::parse("2027-12-01").expect("a date"), ..options.clone() };
        let later = Renderer::new(&isms, &sizes, &Theme::default_theme(), &later_options).expect("renders");
        let json = |value: &dyn erased::Serialize| erased::to_json(value);
        let model = &renderer.model;
        // The item variable of each record kind's page: one of its model list.
        struct RecordSections(Vec<(&'static str, String, Json)>);
        impl<'a> view::RecordPageVisitor<'a> for RecordSections {
            fn visit<K: MarkdownRecord>(&mut self, field: &'static str, pages: &'a [view::RecordPage<K>]) {
                let what = format!("`{}`: one of `model.{field}`.", K::TEMPLATE);
                self.0.push((K::ITEM, what, erased::to_json(&pages)));
            }
        }
        let mut records = RecordSections(Vec::new());
        model.records.visit(&mut records);
        let mut sections: Vec<(&str, &str, Json)> = vec![
            ("site", "Every page: the organisation and the build.", json(&renderer.shared.site)),
            (
                "page",
                "Every page: the page itself.",
                serde_json::json!({"path": "policies/pol-ac/", "title": "Access Control Policy", "has_code": false}),
            ),
            ("model", "Every page: the ISMS as this build's audience sees it.", {
                let mut value = json(model);
                value["policies"] = json(&model.policies.to_vec());
                value
            }),
            (
                "search",
                "Every page (read by `search.html`): the questionnaire search's entries.",
                json(&questionnaire::search_entries(&isms, model, crate::locale::Locale::english())),
            ),
            ("policy", "`policy.html`: one of `model.policies`, with its body.", {
                let mut value = json(&model.policies[0]);
                let body = view::policy_body(
                    &renderer.targets,
                    true,
                    isms.policies.values().next().expect("a policy"),
                );
                value["html"] = Json::String(body.html);
                value["toc"] = json(&body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>());
                value["headings"] = json(&body.headings);
                value["has_code"] = Json::Bool(body.has_code);
                value
            }),
            (
                "changes",
                "`policy_changes.html`: what changed in each approved version of a policy after the first, newest first (docs/HISTORY.md).",
                json(
                    &model
                        .policy_changes
                        .iter()
                        .filter_map(|page| page.view(isms.policies.get(&page.head.policy_id)?).ok())
                        .collect::<Vec<_>>(),
                ),
            ),
            ("control", "`control.html`: one of `model.controls`.", json(&model.controls)),
            ("framework", "`framework.html`: one of `model.frameworks`.", json(&model.frameworks)),
        ];
        sections.extend(records.0.iter().map(|(name, what, value)| (*name, what.as_str(), value.clone())));
        sections.extend([
            (
                "listing",
                "`policies.html` and `search.html`: one page of a paginated list, and where it is (`previous` and `next` are site paths, `none` at either end). Its `items` are at most 100 of `model.policies` on the policies list, and at most 100 of `search` on the site's questionnaire search (all of them in the auditor bundle).",
                json(&crate::render::page::listings(("policies", &model.policies), crate::site::routes::POLICIES_PER_PAGE, crate::site::routes::policies_page)[0]),
            ),
            (
                "health",
                "`health.html`: what needs attention.",
                // Seen from a later day, when reviews are overdue, so every field shows.
                json(&health::health(&later.model, crate::locale::Locale::english())),
            ),
        ]);
        let mut doc = String::from(
            "# What each template receives\n\n\
             Generated from the view structs by `cargo test --lib template_context` (run it with\n\
             `TRUSTPRESS_BLESS=1` to rewrite this file after changing a view); the test fails\n\
             while this file and the code differ. Paths are as a template writes them: `[]` is\n\
             any item of a list. Kinds are what the example ISMS's auditor bundle holds there\n\
             (`none` where the example leaves a field empty). The item variables of detail pages\n\
             (`control`, `update`, …) are items of the `model` lists. Every page also gets `nav`\n\
             (the rendered navigation), `section` (the page's first folder) and `url_prefix`;\n\
             `nav.html` gets `site`, `model`, `section` and `current`. See THEMING.md for the\n\
             functions and filters.\n",
        );
        for (name, what, value) in sections.drain(..) {
            let mut paths = BTreeMap::new();
            match &value {
                // An item variable given as its model list: the union of its items' fields.
                Json::Array(items) if name != "search" => {
                    items.iter().for_each(|item| walk(name, item, &mut paths));
                }
                _ => walk(name, &value, &mut paths),
            }
            doc.push_str(&format!("\n## `{name}`\n\n{what}\n\n"));
            for (path, kinds) in paths.iter().filter(|(path, _)| path.as_str() != name) {
                doc.push_str(&format!("- `{path}`: {}\n", kinds.join(" or ")));
            }
        }
        doc
    }

    /// Two versions of `policy`, the second with changed text and controls.
    fn made_up_history(policy: &crate::model::Policy) -> Vec<crate::model::PolicyVersion> {
        let day = |text| Date::parse(text).expect("a date");
        let version = |number: &str, approved, text: &str, controls: &[crate::model::Reference]| {
            crate::model::PolicyVersion {
                version: Some(crate::model::Version(number.to_string())),
                approved: day(approved),
                approved_by: policy.approved_by.clone(),
                effective: day(approved),
                audience: policy.audience,
                controls: controls.to_vec(),
                text: crate::history::VersionText::new(crate::history::Held::here(text.to_string())),
                readable: true,
                commit: Some(crate::history::Commit {
                    id: "0".repeat(40),
                    short: "0".repeat(10),
                    author: crate::history::GitText::new("Author"),
                    email: crate::history::GitText::new("author@example.org"),
                    date: day(approved),
                    subject: crate::history::GitText::new("Approve"),
                }),
                text_key: String::new(),
            }
        };
        vec![
            version("1.0", "2025-01-10", "Old text.\n", &policy.controls[..policy.controls.len().min(1)]),
            version("1.1", "2026-01-10", &policy.body.text, &policy.controls),
        ]
    }

    /// serde_json of anything `Serialize`, through a trait object.
    mod erased {
        pub trait Serialize {
            fn json(&self) -> serde_json::Value;
        }
        impl<T: serde::Serialize + ?Sized> Serialize for T {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
            }
        }
        pub fn to_json(value: &dyn Serialize) -> serde_json::Value {
            value.json()
        }
    }

    #[test]
    fn template_context_document_matches_the_views() {
        let generated = generate();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC);
        if std::env::var_os("TRUSTPRESS_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write the document");
            return;
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written == generated,
            "{DOC} differs from what templates receive: run `TRUSTPRESS_BLESS=1 cargo test --lib template_context` and review the diff"
        );
    }
}
