//! Consistency of the loaded model: references that name nothing, ids used twice across item
//! kinds, ids whose pages would collide. `build` refuses content with errors found here;
//! `trustpress check` (later) adds completeness and freshness rules on top.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::load::Loaded;
use crate::markdown::slug;
use crate::model::{Isms, Reference};

/// Reference and identity problems in loaded content. References to items whose own file
/// failed to load are left out: that file's error says what is wrong.
pub fn references(loaded: &Loaded) -> Diagnostics {
    let isms = &loaded.isms;
    let mut diagnostics = Diagnostics::default();
    duplicate_ids(isms, &mut diagnostics);
    diagnostics.extend(super::file_audience::file_audiences(isms));

    let control_exists = |id: &str| isms.catalogs.find_control(id).is_some();
    let mut unknown = |kind: &str, reference: &Reference, file: &Location, hint: String| {
        if loaded.failed_ids.contains(&reference.id) {
            return;
        }
        let known: Vec<&str> = match kind {
            "control" => isms.catalogs.all_control_ids(),
            "policy" => isms.policies.keys().map(String::as_str).collect(),
            _ => isms.evidence.keys().map(String::as_str).collect(),
        };
        let hint = match crate::diagnostic::suggest::closest(&reference.id, known) {
            Some(best) => format!("did you mean `{best}`? {hint}"),
            None => hint,
        };
        diagnostics.push(
            Diagnostic::error(
                match kind {
                    "control" => "unknown-control",
                    "policy" => "unknown-policy",
                    _ => "unknown-evidence",
                },
                format!("unknown {kind} `{}`", reference.id),
            )
            .at(locate(file, reference))
            .hint(hint),
        );
    };
    let control_hint = || {
        let frameworks: Vec<&str> = isms.catalogs.enabled.iter().map(String::as_str).collect();
        format!("control ids come from the enabled frameworks ({}), e.g. A.5.15", frameworks.join(", "))
    };

    for (id, entry) in &isms.soa.controls {
        if isms.catalogs.soa_catalogs().all(|catalog| catalog.control(id).is_none()) {
            let reference =
                Reference { id: id.clone(), line: entry.source.line.saturating_sub(1), column: 3 };
            unknown("control", &reference, &entry.source, control_hint());
        }
        for policy in &entry.policies {
            if !isms.policies.contains_key(&policy.id) {
                unknown(
                    "policy",
                    policy,
                    &entry.source,
                    "policies are named by the `id` in their front matter".into(),
                );
            }
        }
        for evidence in &entry.evidence {
            if !isms.evidence.contains_key(&evidence.id) {
                unknown(
                    "evidence",
                    evidence,
                    &entry.source,
                    "evidence ids are listed in evidence/evidence.yaml".into(),
                );
            }
        }
    }
    let controls_of = isms
        .policies
        .values()
        .map(|p| (&p.source, &p.controls))
        .chain(isms.faq.values().map(|a| (&a.source, &a.controls)))
        .chain(isms.evidence.values().map(|e| (&e.source, &e.controls)))
        .chain(isms.checks.values().map(|c| (&c.origin, &c.controls)))
        .chain(isms.risks.values().map(|r| (&r.source, &r.controls)))
        .chain(isms.objectives.values().map(|o| (&o.source, &o.controls)));
    for (source, controls) in controls_of {
        for control in controls {
            if !control_exists(&control.id) {
                unknown("control", control, source, control_hint());
            }
        }
    }
    for answer in isms.faq.values() {
        for policy in &answer.policies {
            if !isms.policies.contains_key(&policy.id) {
                unknown(
                    "policy",
                    policy,
                    &answer.source,
                    "policies are named by the `id` in their front matter".into(),
                );
            }
        }
    }
    for audit in isms.records.audits.values() {
        for finding in &audit.findings {
            if let Some(control) = &finding.control {
                if !control_exists(&control.id) {
                    unknown("control", control, &audit.source, control_hint());
                }
            }
        }
    }
    unknown_clauses(isms, &mut diagnostics);
    diagnostics
}

/// Every `clauses:` entry names a clause of the table in `crate::clauses`.
fn unknown_clauses(isms: &Isms, diagnostics: &mut Diagnostics) {
    use crate::model::{MarkdownRecord, RecordVisitor};
    struct Records<'a>(Vec<(&'a Location, &'a [Reference])>);
    impl<'a> RecordVisitor<'a> for Records<'a> {
        fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>) {
            self.0.extend(records.values().map(|r| (r.source(), r.clauses())));
        }
    }
    let mut named = Records(Vec::new());
    isms.visit_records(&mut named);
    let named = named
        .0
        .into_iter()
        .chain(isms.documents.values().map(|d| (&d.source, d.clauses.as_slice())))
        .chain(isms.evidence.values().map(|e| (&e.source, e.clauses.as_slice())));
    for (source, clauses) in named {
        for clause in clauses {
            if crate::clauses::find(crate::clauses::clause_id(&clause.id)).is_some() {
                continue;
            }
            let ids: Vec<&str> = crate::clauses::CLAUSES.iter().map(|c| c.id).collect();
            diagnostics.push(
                Diagnostic::error(
                    "unknown-clause",
                    format!(
                        "`{}` is not an ISO/IEC 27001 clause that requires documented information",
                        clause.id
                    ),
                )
                .at(locate(source, clause))
                .hint(format!("write one of {}", ids.join(", "))),
            );
        }
    }
}

/// A reference's own line where it has one, else its item's.
fn locate(item: &Location, reference: &Reference) -> Location {
    if reference.line > 0 {
        Location::at(&item.file, reference.line + front_matter_offset(item), reference.column)
    } else {
        item.clone()
    }
}

/// Front matter is parsed from line 2 of a markdown file; spans inside it count from 1.
fn front_matter_offset(item: &Location) -> u32 {
    let is_markdown = item.file.extension().is_some_and(|e| e == "md");
    u32::from(is_markdown)
}

/// Ids must be unique across all item kinds (a FAQ answer and a policy cannot share one),
/// and ids of items with pages must not collide once turned into URLs.
fn duplicate_ids(isms: &Isms, diagnostics: &mut Diagnostics) {
    // Looked up, never walked: a hash map (the errors come in the items' order).
    let mut seen: HashMap<&str, (&str, &Location)> =
        HashMap::with_capacity(isms.policies.len() + isms.evidence.len());
    let items = isms
        .policies
        .values()
        .map(|p| (p.id.as_str(), "policy", &p.source))
        .chain(isms.documents.values().map(|d| (d.id.as_str(), "document", &d.source)))
        .chain(isms.checks.values().map(|c| (c.id.as_str(), "control check", &c.origin)))
        .chain(isms.faq.values().map(|a| (a.id.as_str(), "FAQ answer", &a.source)))
        .chain(isms.evidence.values().map(|e| (e.id.as_str(), "evidence", &e.source)))
        .chain(isms.risks.values().map(|r| (r.id.as_str(), "risk", &r.source)))
        .chain(isms.records.audits.values().map(|a| (a.id.as_str(), "audit", &a.source)))
        .chain(isms.records.reviews.values().map(|r| (r.id.as_str(), "management review", &r.source)));
    for (id, kind, location) in items {
        if let Some((first_kind, first)) = seen.get(id) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!("id `{id}` of this {kind} is already used by a {first_kind}"),
                )
                .at(location.clone())
                .hint(format!("ids are unique across all item kinds; the other is at {first}")),
            );
        } else {
            seen.insert(id, (kind, location));
        }
    }
    let mut slugs: HashMap<String, (&str, &Location)> = HashMap::with_capacity(isms.policies.len());
    for policy in isms.policies.values() {
        let key = slug(&policy.id);
        if key.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    "invalid-id",
                    format!("policy id `{}` has no letters or digits", policy.id),
                )
                .at(policy.source.clone()),
            );
            continue;
        }
        if let Some((other, first)) = slugs.get(&key) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!(
                        "policy ids `{}` and `{other}` give the same page address `policies/{key}/`",
                        policy.id
                    ),
                )
                .at(policy.source.clone())
                .hint(format!("rename one of them; the other is at {first}")),
            );
        } else {
            slugs.insert(key, (&policy.id, &policy.source));
        }
    }
}
