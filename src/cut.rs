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
use crate::audience_blocks;
use crate::model::*;

/// One record as `reader` sees it, under the id it has for `reader`: whole but for withheld
/// blocks, a teaser, or nothing. `teaser_id` is the id a teaser of a kind named by file gets
/// (see [`teaser_ids`]). A body without `::: audience` blocks is kept as it is, not copied.
fn cut_record<K: MarkdownRecord>(
    mut record: K,
    teaser_id: Option<&String>,
    reader: Audience,
) -> Option<(String, K)> {
    if record.audience().visible_to(reader) {
        let _ = record.body_mut().cut(reader);
        record.cut_fields(reader);
        Some((record.id().to_string(), record))
    } else if record.teaser() {
        let mut teaser = record.teaser_for(reader)?;
        if K::ID_FROM_FILE_NAME {
            // `teaser_ids` chose the same items; one it missed is withheld, not a panic.
            teaser.set_id(teaser_id?.clone());
        }
        Some((teaser.id().to_string(), teaser))
    } else {
        None
    }
}

/// One record as `reader` sees it, alone (the dev server's one-policy rebuild). A teaser of a
/// kind named by file needs its place among the others for its id: alone, it is withheld.
pub fn cut_one<K: MarkdownRecord>(record: &K, reader: Audience) -> Option<K> {
    cut_record(record.clone(), None, reader).map(|(_, record)| record)
}

/// The records of one kind as `reader` sees them, cut in parallel (policies are thousands).
fn cut_records<K: MarkdownRecord>(records: &BTreeMap<String, K>, reader: Audience) -> BTreeMap<String, K> {
    let teasers = teaser_ids_of(records, reader);
    let records: Vec<&K> = records.values().collect();
    records
        .into_par_iter()
        .filter_map(|record| cut_record(record.clone(), teasers.get(record.id()), reader))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// `cut_records` of records the caller no longer needs: they move instead of being copied.
fn cut_records_owned<K: MarkdownRecord>(
    records: BTreeMap<String, K>,
    reader: Audience,
) -> BTreeMap<String, K> {
    let teasers: BTreeMap<String, String> =
        teaser_ids_of(&records, reader).into_iter().map(|(id, teaser)| (id.to_string(), teaser)).collect();
    records
        .into_values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|record| {
            let teaser_id = teasers.get(record.id()).cloned();
            cut_record(record, teaser_id.as_ref(), reader)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// The teaser ids of a kind named by file (none for other kinds, whose teasers keep theirs).
pub(crate) fn teaser_ids_of<K: MarkdownRecord>(
    records: &BTreeMap<String, K>,
    reader: Audience,
) -> BTreeMap<&str, String> {
    if !K::ID_FROM_FILE_NAME {
        return BTreeMap::new();
    }
    teaser_ids(records.values().map(|r| (r.id(), r.audience(), r.teaser())), reader)
}

/// The model cut down to what `reader` may see. Cutting an already-cut model for a higher
/// reader cannot bring anything back.
pub fn cut(isms: &Isms, reader: Audience) -> Isms {
    let reader = reader.min(isms.audience);
    cut_with_policies(isms, cut_records(&isms.policies, reader), reader)
}

/// `cut` for a build, which needs the loaded model no more: its policies (most of its
/// memory, in their bodies) move into the cut model instead of being copied. `isms` is
/// left without policies.
pub fn cut_taking_policies(isms: &mut Isms, reader: Audience) -> Isms {
    let reader = reader.min(isms.audience);
    let policies = cut_records_owned(std::mem::take(&mut isms.policies), reader);
    cut_with_policies(isms, policies, reader)
}

/// The rest of the cut, around policies already cut (in id order).
fn cut_with_policies(isms: &Isms, policies: BTreeMap<String, Policy>, reader: Audience) -> Isms {
    let visible = |audience: Audience| audience.visible_to(reader);

    let evidence = isms
        .evidence
        .iter()
        .filter(|(_, item)| visible(item.audience))
        .map(|(id, item)| (id.clone(), item.clone()))
        .collect::<std::collections::BTreeMap<_, _>>();

    let mut soa = isms.soa.clone();
    for entry in soa.controls.values_mut() {
        entry.policies.retain(|reference| policies.contains_key(&reference.id));
        audience_blocks::cut_field(&mut entry.justification, reader);
        audience_blocks::cut_field(&mut entry.notes, reader);
        if reader < Audience::Internal {
            entry.justification = None;
            entry.owner = None;
            entry.notes = None;
            entry.evidence.clear();
        }
    }

    // The FAQ answers this reader's FAQ page does not show: their anchors leave URL fields.
    let withheld = withheld_answers(isms, reader);
    let teasers =
        teaser_ids(isms.certifications.values().map(|c| (c.id.as_str(), c.audience, c.teaser)), reader);
    let certifications = isms
        .certifications
        .iter()
        .filter_map(|(id, certification)| {
            if visible(certification.audience) {
                let mut certification = certification.clone();
                let before = certification.documents.len();
                certification.documents.retain(|document| visible(document.audience));
                certification.documents_on_request |= certification.documents.len() < before;
                if reader < Audience::Internal {
                    // Which report replaced which, and the ids the ledger knows them by, are
                    // the access ledger's bookkeeping.
                    for document in &mut certification.documents {
                        document.id = None;
                        document.replaces = None;
                    }
                }
                audience_blocks::cut_field(&mut certification.summary, reader);
                audience_blocks::cut_field(&mut certification.scope, reader);
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
                audience_blocks::cut_field(&mut document.summary, reader);
                if reader < Audience::Internal {
                    document.replaces = None;
                }
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
            audience_blocks::cut_field(&mut check.details, reader);
            (id.clone(), check)
        })
        .collect();

    let faq = isms
        .faq
        .iter()
        .filter_map(|(id, answer)| {
            if visible(answer.audience) {
                let mut answer = answer.clone();
                answer.answer.text = audience_blocks::cut(&answer.answer.text, reader);
                answer.question = audience_blocks::cut(&answer.question, reader);
                answer.policies.retain(|reference| policies.contains_key(&reference.id));
                for question in &mut answer.also_asked_as {
                    *question = audience_blocks::cut(question, reader);
                }
                audience_blocks::cut_field(&mut answer.owner, reader);
                audience_blocks::cut_field(&mut answer.csc_responsibilities, reader);
                if reader < Audience::Internal {
                    // Who keeps an answer true, and when it was last confirmed, are the
                    // team's own bookkeeping, as an SoA entry's owner is.
                    answer.owner = None;
                    answer.reviewed = None;
                    answer.max_age_days = None;
                }
                Some((id.clone(), answer))
            } else if answer.teaser {
                Some((id.clone(), faq_teaser(answer, reader)))
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
            audience_blocks::cut_field(&mut risk.description, reader);
            audience_blocks::cut_field(&mut risk.notes, reader);
            (id.clone(), risk)
        })
        .collect();

    struct Cut(Audience);
    impl MapRecords for Cut {
        fn map<K: MarkdownRecord>(&mut self, records: &BTreeMap<String, K>) -> BTreeMap<String, K> {
            cut_records(records, self.0)
        }
    }
    let records = isms.records.map(&mut Cut(reader));

    Isms {
        audience: reader,
        site: site_without_withheld_answers(isms, &withheld),
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
                audience_blocks::cut_field(&mut subprocessor.purpose, reader);
                without_withheld_answer(&mut subprocessor.website, &withheld);
                subprocessor
            })
            .collect(),
        faq,
        evidence,
        risks,
        records,
        scope: isms.scope.as_ref().and_then(|scope| cut_scope(scope, reader)),
        objectives: isms
            .objectives
            .iter()
            .filter(|(_, objective)| visible(objective.audience))
            .map(|(id, objective)| (id.clone(), cut_objective(objective, reader)))
            .collect(),
        // The ledger names recipients and what they hold: staff only, by construction.
        shares: if Audience::Internal.visible_to(reader) { isms.shares.clone() } else { BTreeMap::new() },
    }
}

/// The anchors (ids in lower case) of the FAQ answers `reader`'s FAQ page does not show.
fn withheld_answers(isms: &Isms, reader: Audience) -> Vec<String> {
    let withheld = isms.faq.values().filter(|answer| !answer.shown_to(reader));
    withheld.map(|answer| answer.id.to_lowercase()).collect()
}

/// A URL the team typed into a field (a website, where to request access, security.txt's
/// addresses) without a fragment that names a withheld FAQ answer (`/faq/#faq-012`): the
/// answer's id does not reach the output that way. Markdown links are kept from it by the
/// render's link targets (`LinkTargets::faq_anchors`).
fn without_withheld_answer(url: &mut Option<String>, withheld: &[String]) {
    let Some((address, fragment)) = url.as_deref().and_then(|url| url.split_once('#')) else { return };
    let fragment = crate::markdown::percent_decode(fragment).to_lowercase();
    if withheld.iter().any(|id| fragment.contains(id.as_str())) {
        *url = Some(address.to_string());
    }
}

/// The site's configuration for `reader`: its URL fields without a withheld answer's anchor.
fn site_without_withheld_answers(isms: &Isms, withheld: &[String]) -> crate::config::SiteConfig {
    let mut site = isms.site.clone();
    without_withheld_answer(&mut site.organization.website, withheld);
    without_withheld_answer(&mut site.contact.website, withheld);
    without_withheld_answer(&mut site.access.request_url, withheld);
    if let Some(txt) = &mut site.security_txt {
        for field in [
            &mut txt.policy,
            &mut txt.encryption,
            &mut txt.acknowledgments,
            &mut txt.hiring,
            &mut txt.canonical,
            &mut txt.csaf,
        ] {
            without_withheld_answer(field, withheld);
        }
    }
    site
}

/// The scope for `reader`: whole, its statement only, or nothing. Every text is cut.
fn cut_scope(scope: &Scope, reader: Audience) -> Option<Scope> {
    let mut cut = if scope.audience.visible_to(reader) {
        scope.clone()
    } else if scope.statement_audience.visible_to(reader) {
        scope.statement_only()
    } else {
        return None;
    };
    if !scope.statement_audience.visible_to(reader) {
        cut.statement = String::new();
        cut.statement_withheld = true;
    }
    cut.statement = audience_blocks::cut(&cut.statement, reader);
    audience_blocks::cut_field(&mut cut.approved_by, reader);
    // An entry that was all a withheld block is gone, not an empty line: a reader learns
    // nothing of how many there were, and it satisfies no clause.
    for list in [&mut cut.boundaries, &mut cut.locations, &mut cut.interfaces] {
        cut_list(list, reader);
    }
    cut_list(&mut cut.issues.external, reader);
    cut_list(&mut cut.issues.internal, reader);
    for exclusion in &mut cut.exclusions {
        exclusion.what = audience_blocks::cut(&exclusion.what, reader);
        exclusion.reason = audience_blocks::cut(&exclusion.reason, reader);
    }
    cut.exclusions.retain(|exclusion| !exclusion.what.trim().is_empty());
    for party in &mut cut.interested_parties {
        party.party = audience_blocks::cut(&party.party, reader);
        cut_list(&mut party.requirements, reader);
    }
    cut.interested_parties.retain(|party| !party.party.trim().is_empty());
    if let Some(climate) = &mut cut.climate_change {
        climate.reason = audience_blocks::cut(&climate.reason, reader);
    }
    Some(cut)
}

/// Each text of `list` cut for `reader`; the ones left empty removed.
fn cut_list(list: &mut Vec<String>, reader: Audience) {
    for text in list.iter_mut() {
        *text = audience_blocks::cut(text, reader);
    }
    list.retain(|text| !text.trim().is_empty());
}

/// An objective `reader` may see, its texts cut.
fn cut_objective(objective: &Objective, reader: Audience) -> Objective {
    let mut cut = objective.clone();
    cut.title = audience_blocks::cut(&cut.title, reader);
    audience_blocks::cut_field(&mut cut.owner, reader);
    audience_blocks::cut_field(&mut cut.measure, reader);
    audience_blocks::cut_field(&mut cut.unit, reader);
    for action in &mut cut.corrective_actions {
        action.action = audience_blocks::cut(&action.action, reader);
    }
    cut.corrective_actions.retain(|action| !action.action.trim().is_empty());
    cut
}

/// The ids that teasers of a kind whose ids come from file names (certifications, updates)
/// get for `reader`: their place among the teasers, so no file name reaches a lower
/// audience. `items` are (id, audience, teaser) in id order. The build's cut and the link
/// targets `check` computes from the whole model both use this.
pub fn teaser_ids<'a>(
    items: impl Iterator<Item = (&'a str, Audience, bool)>,
    reader: Audience,
) -> BTreeMap<&'a str, String> {
    items
        .filter(|(_, audience, teaser)| *teaser && !audience.visible_to(reader))
        .enumerate()
        .map(|(index, (id, _, _))| (id, format!("on-request-{}", index + 1)))
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
        summary: {
            let mut summary = certification.summary.clone();
            audience_blocks::cut_field(&mut summary, reader);
            summary
        },
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
        summary: {
            let mut summary = document.summary.clone();
            audience_blocks::cut_field(&mut summary, reader);
            summary
        },
        audience: document.audience,
        teaser: true,
        clauses: Vec::new(),
        replaces: None,
        teaser_only: true,
        path: Default::default(),
        source: document.source.clone(),
    }
}

fn faq_teaser(answer: &FaqAnswer, reader: Audience) -> FaqAnswer {
    FaqAnswer {
        id: answer.id.clone(),
        question: audience_blocks::cut(&answer.question, reader),
        answer: Markdown::default(),
        category: None,
        controls: Vec::new(),
        policies: Vec::new(),
        caiq: Vec::new(),
        also_asked_as: Vec::new(),
        response: None,
        ssrm: None,
        csc_responsibilities: None,
        owner: None,
        reviewed: None,
        max_age_days: None,
        audience: answer.audience,
        teaser: true,
        teaser_only: true,
        source: answer.source.clone(),
    }
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn the_public_cut_drops_an_answers_bookkeeping_and_keeps_its_response() {
        let yaml = "- id: FAQ-1\n  question: Q?\n  answer: |\n    A.\n  response: yes\n  owner: Dana\n  reviewed: 2026-01-15\n  max_age_days: 180\n  audience: public\n";
        let answers: Vec<FaqAnswer> = serde_saphyr::from_str(yaml).unwrap();
        let mut isms = Isms::default();
        for answer in answers {
            isms.faq.insert(answer.id.clone(), answer);
        }
        let public = cut(&isms, Audience::Public);
        let answer = &public.faq["FAQ-1"];
        assert_eq!((answer.owner.as_deref(), answer.reviewed, answer.max_age_days), (None, None, None));
        assert_eq!(answer.response, Some(Response::Yes));
        let internal = cut(&isms, Audience::Internal);
        assert_eq!(internal.faq["FAQ-1"].owner.as_deref(), Some("Dana"));
    }
}

#[cfg(test)]
mod made_from_tests {
    use super::*;

    /// A body knows what it is made from only while its text is its file's, as it is or cut
    /// once: changed in place by anything but the cut, a page's key hashes the text itself.
    #[test]
    fn a_body_is_known_by_its_file_only_as_its_file_or_cut_once() {
        let file = [7u8; 32];
        let text = "Open.\n\n::: internal\nSecret.\n:::\n\nAfter.\n";
        let mut body = Markdown::of_file(text.to_string(), 5, file);
        assert_eq!(body.made_from(), Some((file, None)));
        body.cut(Audience::Public);
        assert!(!body.text.contains("Secret"));
        assert_eq!(body.made_from(), Some((file, Some(Audience::Public))));
        // Cut again: the cut left no fence, so nothing changes, and it is still known.
        let once = body.text.clone();
        body.cut(Audience::Internal);
        assert_eq!(
            (body.text.as_str(), body.made_from()),
            (once.as_str(), Some((file, Some(Audience::Public))))
        );

        // A text without blocks is its file's whatever the reader.
        let mut plain = Markdown::of_file("No blocks here.\n".to_string(), 1, file);
        plain.cut(Audience::Public);
        assert_eq!(plain.made_from(), Some((file, None)));

        // Changed in place, longer or shorter: not known.
        let mut edited = Markdown::of_file(text.to_string(), 5, file);
        edited.text.push_str("More.\n");
        assert_eq!(edited.made_from(), None);
        // Made without a file: not known; equal to one made from a file by text and line.
        assert_eq!(Markdown::new(text, 5).made_from(), None);
        assert_eq!(Markdown::new(text, 5), Markdown::of_file(text.to_string(), 5, file));
    }
}
