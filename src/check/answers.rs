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
        caiq_ids(isms, answer, sources, diagnostics);
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

/// Each `caiq` id must be a question of the content's CAIQ version: `export caiq` and
/// `answer` would otherwise give the answer to no question, or (an id of the other version)
/// to another question.
fn caiq_ids(isms: &Isms, answer: &FaqAnswer, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    use crate::caiq::ids;
    let version = isms.site.caiq_version;
    let questions = ids::questions(version);
    for written in &answer.caiq {
        let id = ids::normalise(written);
        if questions.contains(&id) {
            continue;
        }
        let hint = match ids::versions_of(&id).first() {
            Some(other) => format!(
                "it is a CAIQ v{other} id, and this content's ids are v{version} (site.yaml `caiq_version`); v4.1 renumbered controls, so check which question you mean"
            ),
            None => match crate::diagnostic::suggest::closest(&id, questions.ids.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`? CAIQ ids look like `IAM-14.1`"),
                None => "CAIQ ids look like `IAM-14.1`: domain, control and question number".to_string(),
            },
        };
        diagnostics.push(
            Diagnostic::warning(
                "caiq-id-unknown",
                format!(
                    "FAQ answer {} names `{written}`, which is not a CAIQ v{version} question",
                    answer.id
                ),
            )
            .at(sources.value(&answer.source, written))
            .hint(hint),
        );
    }
}

fn near_duplicates(isms: &Isms, diagnostics: &mut Diagnostics) {
    let Ok(rules) = built_in_rules() else { return };
    let reader = Reader::new(rules);
    let answers: Vec<&FaqAnswer> = isms.faq.values().collect();
    let words: Vec<BTreeSet<String>> =
        answers.iter().map(|a| reader.tokens(&a.question).into_iter().collect()).collect();
    for (first_index, second_index) in similar_pairs(&words, NEAR_DUPLICATE) {
        let (first, second) = (answers[first_index], answers[second_index]);
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

/// The pairs `(i, j)`, `i < j`, of `sets` sharing at least `threshold` of their words
/// (Jaccard), in order. Only pairs that share a rare word are compared (the prefix filter of
/// all-pairs similarity search): two sets that alike must share a word among the rarest
/// `|x| - ⌈threshold·|x|⌉ + 1` of each, so the check stays near-linear for a large library.
fn similar_pairs(sets: &[BTreeSet<String>], threshold: f64) -> Vec<(usize, usize)> {
    use std::collections::HashMap;
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for word in sets.iter().flatten() {
        *frequency.entry(word).or_default() += 1;
    }
    // Each set's words, rarest first (ties by the word): one order for every set.
    let prefixes: Vec<Vec<&str>> = sets
        .iter()
        .map(|set| {
            let mut words: Vec<&str> = set.iter().map(String::as_str).collect();
            words.sort_by_key(|word| (frequency[word], *word));
            // A hair under the threshold: a longer prefix only adds candidates.
            let overlap = ((threshold - 1e-9) * words.len() as f64).ceil() as usize;
            words.truncate(words.len() - overlap.min(words.len()) + 1);
            words
        })
        .collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, prefix) in prefixes.iter().enumerate() {
        for word in prefix {
            postings.entry(word).or_default().push(index);
        }
    }
    let mut candidates = BTreeSet::new();
    for (index, prefix) in prefixes.iter().enumerate() {
        for word in prefix {
            candidates
                .extend(postings[word].iter().filter(|&&other| other > index).map(|&other| (index, other)));
        }
    }
    candidates
        .into_iter()
        .filter(|&(first, second)| {
            let common = sets[first].intersection(&sets[second]).count();
            let all = sets[first].union(&sets[second]).count();
            all > 0 && common as f64 / all as f64 >= threshold
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair compared, as the check did before it had the filter.
    fn all_pairs(sets: &[BTreeSet<String>], threshold: f64) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for first in 0..sets.len() {
            for second in first + 1..sets.len() {
                let common = sets[first].intersection(&sets[second]).count();
                let all = sets[first].union(&sets[second]).count();
                if all > 0 && common as f64 / all as f64 >= threshold {
                    pairs.push((first, second));
                }
            }
        }
        pairs
    }

    #[test]
    fn the_filter_finds_exactly_the_pairs_all_pairs_finds() {
        // Random small sets over a small vocabulary, many of them alike; a fixed generator.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        };
        for round in 0..40 {
            let vocabulary = 4 + next(30);
            let sets: Vec<BTreeSet<String>> = (0..60 + next(80))
                .map(|_| (0..next(9)).map(|_| format!("w{}", next(vocabulary))).collect())
                .collect();
            for threshold in [0.5, 0.6, 2.0 / 3.0, 0.75, 0.8, 1.0] {
                let found = similar_pairs(&sets, threshold);
                assert_eq!(found, all_pairs(&sets, threshold), "round {round}, threshold {threshold}");
                if threshold == 0.8 && round == 0 {
                    assert!(!found.is_empty(), "the generator makes alike sets");
                }
            }
        }
    }
}
