//! The audience cut: the model as one reader may see it. Withheld items, fields, files and
//! `::: audience` blocks are removed here, before anything is rendered, so no template,
//! index or feed can show what is not in its input. Teaser items keep only their title and
//! summary: every other field (category, dates, documents, ids made from file names) is
//! decided here, once, so no template can reach it.
//!
//! Every text field goes through the same block cut as the bodies, whatever YAML style it
//! was written in; [`crate::tripwire`] then fails the build if any text of the cut model
//! still holds a fence.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::audience::Audience;
use crate::fenced;
use crate::model::*;

/// A teaser's summary as `reader` sees it.
fn cut_summary(summary: &Option<String>, reader: Audience) -> Option<String> {
    let mut summary = summary.clone();
    cut_text(&mut summary, reader);
    summary
}

/// A text field as `reader` sees it: its `::: audience` blocks cut like a body's.
fn cut_text(text: &mut Option<String>, reader: Audience) {
    if let Some(value) = text.as_mut() {
        if fenced::may_have_blocks(value) {
            *value = fenced::cut(value, reader);
        }
    }
}

/// One policy as `reader` sees it: whole but for withheld blocks, a teaser, or nothing.
/// `reader` is already capped at the model's audience.
pub fn cut_policy(policy: &Policy, reader: Audience) -> Option<Policy> {
    if policy.audience.visible_to(reader) {
        cut_policy_owned(policy.clone(), reader)
    } else if policy.teaser {
        Some(policy_teaser(policy, reader))
    } else {
        None
    }
}

/// `cut_policy` of a policy the caller no longer needs: a body without `::: audience`
/// blocks is kept as it is, not copied.
fn cut_policy_owned(mut policy: Policy, reader: Audience) -> Option<Policy> {
    if policy.audience.visible_to(reader) {
        // Links found ahead of the checks are the whole body's, withheld blocks included:
        // they stay with the uncut model.
        policy.body.links = None;
        if fenced::may_have_blocks(&policy.body.text) {
            policy.body.text = fenced::cut(&policy.body.text, reader);
        }
        cut_text(&mut policy.summary, reader);
        Some(policy)
    } else if policy.teaser {
        Some(policy_teaser(&policy, reader))
    } else {
        None
    }
}

/// The model cut down to what `reader` may see. Cutting an already-cut model for a higher
/// reader cannot bring anything back.
pub fn cut(isms: &Isms, reader: Audience) -> Isms {
    let reader = reader.min(isms.audience);
    let policies: Vec<_> = isms.policies.iter().collect();
    let policies = policies
        .into_par_iter()
        .filter_map(|(id, policy)| Some((id.clone(), cut_policy(policy, reader)?)))
        .collect::<Vec<_>>();
    cut_with_policies(isms, policies, reader)
}

/// `cut` for a build, which needs the loaded model no more: its policies (most of its
/// memory, in their bodies) move into the cut model instead of being copied. `isms` is
/// left without policies.
pub fn cut_taking_policies(isms: &mut Isms, reader: Audience) -> Isms {
    let reader = reader.min(isms.audience);
    let policies = std::mem::take(&mut isms.policies)
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|(id, policy)| Some((id, cut_policy_owned(policy, reader)?)))
        .collect::<Vec<_>>();
    cut_with_policies(isms, policies, reader)
}

/// The rest of the cut, around policies already cut (in id order).
fn cut_with_policies(isms: &Isms, policies: Vec<(String, Policy)>, reader: Audience) -> Isms {
    let visible = |audience: Audience| audience.visible_to(reader);
    let policies = policies.into_iter().collect::<std::collections::BTreeMap<_, _>>();

    let evidence = isms
        .evidence
        .iter()
        .filter(|(_, item)| visible(item.audience))
        .map(|(id, item)| (id.clone(), item.clone()))
        .collect::<std::collections::BTreeMap<_, _>>();

    let mut soa = isms.soa.clone();
    for entry in soa.controls.values_mut() {
        entry.policies.retain(|reference| policies.contains_key(&reference.id));
        cut_text(&mut entry.justification, reader);
        cut_text(&mut entry.notes, reader);
        if reader < Audience::Internal {
            entry.justification = None;
            entry.owner = None;
            entry.notes = None;
            entry.evidence.clear();
        }
    }

    let teasers = teaser_ids(isms.certifications.values().map(|c| (&c.id, c.audience, c.teaser)), reader);
    let certifications = isms
        .certifications
        .iter()
        .filter_map(|(id, certification)| {
            if visible(certification.audience) {
                let mut certification = certification.clone();
                let before = certification.documents.len();
                certification.documents.retain(|document| visible(document.audience));
                certification.documents_on_request |= certification.documents.len() < before;
                cut_text(&mut certification.summary, reader);
                cut_text(&mut certification.scope, reader);
                Some((id.clone(), certification))
            } else if certification.teaser {
                // `teaser_ids` chose the same items; one it missed is withheld, not a panic.
                let teaser = certification_teaser(certification, teasers.get(id.as_str())?.clone(), reader);
                Some((teaser.id.clone(), teaser))
            } else {
                None
            }
        })
        .collect();

    let documents = isms
        .documents
        .iter()
        .filter_map(|(id, document)| {
            if visible(document.audience) {
                let mut document = document.clone();
                cut_text(&mut document.summary, reader);
                Some((id.clone(), document))
            } else if document.teaser {
                Some((id.clone(), document_teaser(document, reader)))
            } else {
                None
            }
        })
        .collect();

    let checks = isms
        .checks
        .iter()
        .filter(|(_, check)| visible(check.audience))
        .map(|(id, check)| {
            let mut check = check.clone();
            if reader < Audience::Internal {
                // Failure details name systems and accounts: aggregates and titles only.
                check.details = None;
            }
            cut_text(&mut check.details, reader);
            (id.clone(), check)
        })
        .collect();

    let faq = isms
        .faq
        .iter()
        .filter_map(|(id, answer)| {
            if visible(answer.audience) {
                let mut answer = answer.clone();
                answer.answer.text = fenced::cut(&answer.answer.text, reader);
                answer.question = fenced::cut(&answer.question, reader);
                answer.policies.retain(|reference| policies.contains_key(&reference.id));
                Some((id.clone(), answer))
            } else if answer.teaser {
                Some((id.clone(), faq_teaser(answer, reader)))
            } else {
                None
            }
        })
        .collect();

    let teasers = teaser_ids(isms.updates.values().map(|u| (&u.id, u.audience, u.teaser)), reader);
    let updates = isms
        .updates
        .iter()
        .filter_map(|(id, update)| {
            if visible(update.audience) {
                let mut update = update.clone();
                update.body.text = fenced::cut(&update.body.text, reader);
                cut_text(&mut update.summary, reader);
                Some((id.clone(), update))
            } else if update.teaser {
                let teaser = update_teaser(update, teasers.get(id.as_str())?.clone(), reader);
                Some((teaser.id.clone(), teaser))
            } else {
                None
            }
        })
        .collect();

    let risks = isms
        .risks
        .iter()
        .filter(|(_, risk)| visible(risk.audience))
        .map(|(id, risk)| {
            let mut risk = risk.clone();
            cut_text(&mut risk.description, reader);
            cut_text(&mut risk.notes, reader);
            (id.clone(), risk)
        })
        .collect();

    let audits = isms
        .audits
        .iter()
        .filter(|(_, audit)| visible(audit.audience))
        .map(|(id, audit)| {
            let mut audit = audit.clone();
            audit.body.text = fenced::cut(&audit.body.text, reader);
            cut_text(&mut audit.scope, reader);
            for finding in &mut audit.findings {
                cut_text(&mut finding.description, reader);
                cut_text(&mut finding.corrective_action, reader);
            }
            (id.clone(), audit)
        })
        .collect();

    let reviews = isms
        .reviews
        .iter()
        .filter(|(_, review)| visible(review.audience))
        .map(|(id, review)| {
            let mut review = review.clone();
            review.body.text = fenced::cut(&review.body.text, reader);
            (id.clone(), review)
        })
        .collect();

    Isms {
        audience: reader,
        site: isms.site.clone(),
        catalogs: isms.catalogs.clone(),
        policies,
        soa,
        certifications,
        documents,
        checks,
        subprocessors: isms
            .subprocessors
            .iter()
            .filter(|s| visible(s.audience))
            .map(|subprocessor| {
                let mut subprocessor = subprocessor.clone();
                cut_text(&mut subprocessor.purpose, reader);
                subprocessor
            })
            .collect(),
        faq,
        updates,
        evidence,
        risks,
        audits,
        reviews,
    }
}

fn policy_teaser(policy: &Policy, reader: Audience) -> Policy {
    Policy {
        id: policy.id.clone(),
        title: policy.title.clone(),
        version: None,
        owner: None,
        approved_by: None,
        approved: None,
        review_every: None,
        next_review: None,
        audience: policy.audience,
        teaser: true,
        teaser_only: true,
        summary: cut_summary(&policy.summary, reader),
        controls: Vec::new(),
        body: Markdown::default(),
        source: policy.source.clone(),
    }
}

/// The ids that teasers of a kind whose ids come from file names (certifications, updates)
/// get for `reader`: their place among the teasers, so no file name reaches a lower
/// audience. `items` are (id, audience, teaser) in id order. The build's cut and the link
/// targets `check` computes from the whole model both use this.
pub fn teaser_ids<'a>(
    items: impl Iterator<Item = (&'a String, Audience, bool)>,
    reader: Audience,
) -> BTreeMap<&'a str, String> {
    items
        .filter(|(_, audience, teaser)| *teaser && !audience.visible_to(reader))
        .enumerate()
        .map(|(index, (id, _, _))| (id.as_str(), format!("on-request-{}", index + 1)))
        .collect()
}

fn certification_teaser(certification: &Certification, id: String, reader: Audience) -> Certification {
    Certification {
        id,
        name: certification.name.clone(),
        issuer: None,
        certificate_number: None,
        scope: None,
        issued: None,
        expires: None,
        summary: cut_summary(&certification.summary, reader),
        audience: certification.audience,
        teaser: true,
        teaser_only: true,
        documents: Vec::new(),
        documents_on_request: false,
        source: certification.source.clone(),
    }
}

fn document_teaser(document: &Document, reader: Audience) -> Document {
    Document {
        id: document.id.clone(),
        title: document.title.clone(),
        file: String::new(),
        summary: cut_summary(&document.summary, reader),
        audience: document.audience,
        teaser: true,
        teaser_only: true,
        path: Default::default(),
        source: document.source.clone(),
    }
}

fn faq_teaser(answer: &FaqAnswer, reader: Audience) -> FaqAnswer {
    FaqAnswer {
        id: answer.id.clone(),
        question: fenced::cut(&answer.question, reader),
        answer: Markdown::default(),
        category: None,
        controls: Vec::new(),
        policies: Vec::new(),
        caiq: Vec::new(),
        audience: answer.audience,
        teaser: true,
        teaser_only: true,
        source: answer.source.clone(),
    }
}

fn update_teaser(update: &Update, id: String, reader: Audience) -> Update {
    Update {
        id,
        title: update.title.clone(),
        date: None,
        summary: cut_summary(&update.summary, reader),
        audience: update.audience,
        teaser: true,
        teaser_only: true,
        body: Markdown::default(),
        source: update.source.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_found_ahead_stay_with_the_uncut_model() {
        let text = "---\nid: POL-X\ntitle: X\naudience: public\n---\nSee [the SoA](/soa/).\n\n::: auditor\n[Key ceremony](secret-ceremony.md)\n:::\n";
        let file = std::path::Path::new("policies/x.md");
        let split = crate::load::yaml::split_front_matter(text, file).unwrap();
        let mut policy: Policy = crate::load::yaml::parse(split.yaml, file, 2).unwrap();
        policy.body = Markdown::new(split.body, split.body_first_line);
        policy.body.links = Some(BodyLink::find(&policy.body.text));
        assert_eq!(policy.body.links.as_ref().map(Vec::len), Some(2));
        for reader in [Audience::Public, Audience::Internal] {
            let cut = cut_policy(&policy, reader).unwrap();
            assert_eq!(cut.body.links, None);
            assert!(!cut.body.text.contains("secret-ceremony"));
            let mut isms = Isms { audience: Audience::Auditor, ..Isms::default() };
            isms.policies.insert(policy.id.clone(), policy.clone());
            let taken = cut_taking_policies(&mut isms, reader);
            assert_eq!(taken.policies["POL-X"].body.links, None);
        }
    }
}
