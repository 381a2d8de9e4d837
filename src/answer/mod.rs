//! Answering a customer's security questionnaire from the answer library: the FAQ answers the
//! chosen audience may read (the model is cut first, by the same cut as a build), matched to
//! each question by reference or by words (`matcher`), read by one data-driven pipeline
//! (`text`, `rules.json`). Deterministic: the same library and question give the same
//! decision, with its confidence and reason.
//!
//! Built so far: the library, the matcher and its evaluation (`tests/answer/eval.yaml`). Not
//! yet: reading and filling questionnaire files, and the `answer` command.

pub mod csv_file;
pub mod fill;
pub mod input;
pub mod layout;
pub mod matcher;
pub mod run;
pub mod text;
#[cfg(test)]
mod vectors;
pub mod xlsx;

use crate::model::Isms;

pub use matcher::{Decision, Entry, Matcher, Method};
pub use text::{Reader, Rules};

/// The built-in matching rules, read.
pub fn built_in_rules() -> Result<Rules, String> {
    serde_json::from_str(text::RULES_JSON)
        .map_err(|e| format!("the built-in matching rules do not parse: {e}"))
}

/// The answer library of a cut model: every FAQ answer it holds with its text, each with its
/// address on the trust center at `base_url`. A teaser comes with its published question
/// only (the cut has emptied the rest): it answers nothing, but a question closest to it is
/// left for a person.
pub fn library(isms: &Isms, base_url: &str) -> Vec<Entry> {
    let base = base_url.trim_end_matches('/');
    isms.faq
        .values()
        .map(|answer| Entry {
            id: answer.id.clone(),
            question: answer.question.clone(),
            also_asked_as: answer.also_asked_as.clone(),
            text: if answer.teaser_only {
                String::new()
            } else {
                crate::markdown::plain_text(&answer.answer.text)
            },
            caiq: answer.caiq.clone(),
            response: answer.response,
            url: format!("{base}/{}#{}", crate::site::routes::FAQ, answer.id.to_lowercase()),
            on_request: answer.teaser_only,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_rules_parse() {
        let rules = super::built_in_rules().unwrap();
        assert!(rules.answer_threshold > 0.0 && rules.answer_threshold <= 1.0);
        // Every rule that reads a word as a question would finds its token.
        let reader = super::Reader::new(rules.clone());
        assert_eq!(reader.supplier_token(), "supplier");
        for (scope, members) in reader.scopes() {
            assert_eq!(
                members.len(),
                scope.members.len(),
                "{}: each member is a token of its own",
                scope.name
            );
        }
    }
}
