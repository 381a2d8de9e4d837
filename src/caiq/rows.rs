//! The rows of a CAIQ: for each question id, what the answers that name it (`caiq: [...]`)
//! say. Only answers name questions: nothing is matched by words, so every filled row can
//! be traced to the answer that claims it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ids::{closest, is_question_id, normalise, versions_of};
use crate::model::{FaqAnswer, Isms, Response, Ssrm};

/// One question of the CAIQ and its answer, if an answer names it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    /// The ids of the answers that name this question, in id order.
    pub answers: Vec<String>,
    pub response: Option<Response>,
    pub ssrm: Option<Ssrm>,
    /// The answers' text, as plain text (the CAIQ's "CSP Implementation Description").
    pub description: String,
    /// What the customer must do (the CAIQ's "CSC Responsibilities").
    pub csc_responsibilities: String,
    /// Fields left empty because the answers naming this question disagree on them.
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub field: &'static str,
    /// (answer id, what it says), for each answer.
    pub says: Vec<(String, String)>,
}

/// An id an answer names that the CAIQ being made does not have.
#[derive(Debug, Clone, Serialize)]
pub struct Unknown {
    pub answer: String,
    pub id: String,
    /// The CAIQ versions that do have it.
    pub in_versions: Vec<String>,
    pub did_you_mean: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rows {
    pub rows: Vec<Row>,
    pub unknown: Vec<Unknown>,
}

impl Rows {
    pub fn answered(&self) -> usize {
        self.rows.iter().filter(|r| !r.answers.is_empty()).count()
    }
}

/// The rows for the question ids `ids` (in the CAIQ's order), from the answers of `isms`
/// (already cut to the audience the CAIQ is for). A teaser, whose text is withheld, names
/// nothing. An id an answer names that is no question of `version` is reported; one that
/// is, but `ids` lacks (a template that asks fewer questions), is not asked, not unknown.
pub fn rows(isms: &Isms, ids: &[String], version: super::Version) -> Rows {
    let asked_in = super::ids::questions(version);
    let mut claims: BTreeMap<String, Vec<&FaqAnswer>> = BTreeMap::new();
    let mut unknown = Vec::new();
    let wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    for answer in isms.faq.values().filter(|a| !a.teaser_only) {
        for id in &answer.caiq {
            let id = normalise(id);
            if wanted.contains(id.as_str()) {
                claims.entry(id).or_default().push(answer);
            } else if !asked_in.contains(&id) {
                let in_versions = versions_of(&id).iter().map(|v| v.name().to_string()).collect();
                let did_you_mean = if is_question_id(&id) && !versions_of(&id).is_empty() {
                    None
                } else {
                    closest(&id).filter(|c| wanted.contains(c)).map(str::to_string)
                };
                unknown.push(Unknown { answer: answer.id.clone(), id, in_versions, did_you_mean });
            }
        }
    }
    let rows = ids
        .iter()
        .map(|id| {
            let mut answers = claims.get(id).cloned().unwrap_or_default();
            answers.sort_by(|a, b| a.id.cmp(&b.id));
            answers.dedup_by(|a, b| a.id == b.id);
            row(id, &answers)
        })
        .collect();
    Rows { rows, unknown }
}

fn row(id: &str, answers: &[&FaqAnswer]) -> Row {
    let mut conflicts = Vec::new();
    let response = agreed(answers, "CSP CAIQ Answer", |a| a.response, response_word, &mut conflicts);
    let ssrm = agreed(answers, "SSRM Control Ownership", |a| a.ssrm, |s| s.label(), &mut conflicts);
    let texts = |each: &dyn Fn(&FaqAnswer) -> String| {
        let mut texts: Vec<String> = Vec::new();
        for answer in answers {
            let text = each(answer);
            if !text.is_empty() && !texts.contains(&text) {
                texts.push(text);
            }
        }
        texts.join("\n\n")
    };
    Row {
        id: id.to_string(),
        answers: answers.iter().map(|a| a.id.clone()).collect(),
        response,
        ssrm,
        description: texts(&|a| crate::markdown::plain_text(&a.answer.text).trim().to_string()),
        csc_responsibilities: texts(&|a| {
            a.csc_responsibilities
                .as_deref()
                .map(crate::markdown::plain_text)
                .unwrap_or_default()
                .trim()
                .to_string()
        }),
        conflicts,
    }
}

/// The one value the answers that give one agree on; none (and a conflict) when they differ.
fn agreed<T: Copy + PartialEq>(
    answers: &[&FaqAnswer],
    field: &'static str,
    value: impl Fn(&FaqAnswer) -> Option<T>,
    word: impl Fn(T) -> &'static str,
    conflicts: &mut Vec<Conflict>,
) -> Option<T> {
    let given: Vec<(&FaqAnswer, T)> = answers.iter().filter_map(|a| value(a).map(|v| (*a, v))).collect();
    let first = given.first()?.1;
    if given.iter().all(|(_, v)| *v == first) {
        return Some(first);
    }
    conflicts.push(Conflict {
        field,
        says: given.iter().map(|(a, v)| (a.id.clone(), word(*v).to_string())).collect(),
    });
    None
}

/// The CAIQ's words for a response.
pub fn response_word(response: Response) -> &'static str {
    match response {
        Response::Yes => "Yes",
        Response::No => "No",
        Response::Na => "NA",
    }
}
