//! The answer library checked against the ISMS: a public answer that says "yes" while the
//! controls it cites are excluded, not implemented or failing is a claim the ISMS does not
//! back; an answer that cites a policy its readers cannot see cites nothing; two answers to
//! nearly the same question that say different things will be given to different customers.

use std::collections::BTreeSet;

use super::Sources;
use crate::answer::{built_in_rules, Reader};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Applicability, CheckResult, ControlStatus, FaqAnswer, Isms, Response};

/// How alike two answers' questions must be (the share of their words in common) to be the
/// same question asked twice.
const NEAR_DUPLICATE: f64 = 0.8;

pub fn check(isms: &Isms, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for answer in isms.faq.values() {
        contradictions(isms, answer, sources, diagnostics);
        withheld_policies(isms, answer, sources, diagnostics);
    }
    near_duplicates(isms, diagnostics);
}

fn contradictions(isms: &Isms, answer: &FaqAnswer, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    if answer.response != Some(Response::Yes) {
        return;
    }
    for control in &answer.controls {
        let entry = isms.soa.controls.get(&control.id);
        let why = match (entry.and_then(|e| e.applicable), entry.and_then(|e| e.applicable_status())) {
            (Some(Applicability::Excluded), _) => Some("is excluded in the SoA".to_string()),
            (_, Some(ControlStatus::NotImplemented)) => Some("is not implemented".to_string()),
            (_, Some(ControlStatus::Planned)) => Some("is only planned".to_string()),
            _ => isms
                .checks
                .values()
                .find(|c| c.result == CheckResult::Fail && c.controls.iter().any(|r| r.id == control.id))
                .map(|failing| format!("has a failing check ({})", failing.id)),
        };
        if let Some(why) = why {
            diagnostics.push(
                Diagnostic::warning(
                    "answer-contradicts-isms",
                    format!("FAQ answer {} says yes, but control {} it cites {why}", answer.id, control.id),
                )
                .at(sources.key(&answer.source, "response"))
                .hint("correct the answer (or its response), or the control's state in the SoA"),
            );
        }
    }
}

fn withheld_policies(isms: &Isms, answer: &FaqAnswer, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for reference in &answer.policies {
        let Some(policy) = isms.policies.get(&reference.id) else { continue };
        if !policy.audience.visible_to(answer.audience) {
            diagnostics.push(
                Diagnostic::warning(
                    "answer-cites-withheld",
                    format!(
                        "{} FAQ answer {} cites {} policy {}, which its readers cannot see",
                        answer.audience, answer.id, policy.audience, policy.id
                    ),
                )
                .at(sources.value(&answer.source, &reference.id))
                .hint(format!("{} readers see the answer without the citation: cite a policy they can read, or make this one a teaser", answer.audience)),
            );
        }
    }
}

fn near_duplicates(isms: &Isms, diagnostics: &mut Diagnostics) {
    let Ok(rules) = built_in_rules() else { return };
    let reader = Reader::new(rules);
    let answers: Vec<(&FaqAnswer, BTreeSet<String>)> =
        isms.faq.values().map(|a| (a, reader.tokens(&a.question).into_iter().collect())).collect();
    for (index, (first, first_words)) in answers.iter().enumerate() {
        for (second, second_words) in &answers[index + 1..] {
            let common = first_words.intersection(second_words).count();
            let all = first_words.union(second_words).count();
            if all == 0 || (common as f64 / all as f64) < NEAR_DUPLICATE {
                continue;
            }
            if first.answer.text.trim() == second.answer.text.trim() && first.response == second.response {
                continue;
            }
            diagnostics.push(
                Diagnostic::warning(
                    "answer-near-duplicate",
                    format!(
                        "FAQ answers {} and {} answer nearly the same question differently",
                        first.id, second.id
                    ),
                )
                .at(second.source.clone())
                .hint(format!(
                    "merge them, or make the questions say what differs; `{}` is at {}",
                    first.id, first.source
                )),
            );
        }
    }
}
