//! A `faq/imported-<category>.yaml` file: written with every answer internal, and read back by
//! the loader's parser to be sure it says what the sheet says.

use std::path::Path;

use crate::import::yaml_text::{block, flow_list, read_back, scalar};
use crate::model::{FaqAnswer, Response};

use super::Imported;

pub(super) fn file_text(input: &str, answers: &[&Imported]) -> String {
    let category = answers.first().and_then(|a| a.category.clone());
    let mut text = format!(
        "# Answers imported by `trustpress import answers` from {}{}.\n\
         # Every answer is internal: read it, correct it, and set `audience: public` on the ones\n\
         # customers may read. Then commit the file.\n",
        input.replace('\n', " "),
        category.map(|c| format!(", category {}", scalar(&c).replace('\n', " "))).unwrap_or_default()
    );
    for answer in answers {
        text.push_str(&format!("- id: {}\n", scalar(&answer.id)));
        text.push_str(&format!("  question: {}\n", scalar(&answer.question)));
        if let Some(category) = &answer.category {
            text.push_str(&format!("  category: {}\n", scalar(category)));
        }
        text.push_str(&format!("  answer:{}\n", block(&answer.answer, 4)));
        if let Some(response) = answer.response {
            let word = match response {
                Response::Yes => "yes",
                Response::No => "no",
                Response::Na => "na",
            };
            text.push_str(&format!("  response: {word}\n"));
        }
        if !answer.also_asked_as.is_empty() {
            text.push_str("  also_asked_as:\n");
            for question in &answer.also_asked_as {
                text.push_str(&format!("    - {}\n", scalar(question)));
            }
        }
        if !answer.controls.is_empty() {
            text.push_str(&format!("  controls: {}\n", flow_list(&answer.controls)));
        }
        if !answer.caiq.is_empty() {
            text.push_str(&format!("  caiq: {}\n", flow_list(&answer.caiq)));
        }
        if let Some(ssrm) = answer.ssrm {
            let word = serde_json::to_value(ssrm)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            text.push_str(&format!("  ssrm: {word}\n"));
        }
        if let Some(csc) = &answer.csc_responsibilities {
            text.push_str(&format!("  csc_responsibilities:{}\n", block(csc, 4)));
        }
        if let Some(owner) = &answer.owner {
            text.push_str(&format!("  owner: {}\n", scalar(owner)));
        }
        if let Some(reviewed) = &answer.reviewed {
            text.push_str(&format!("  reviewed: {reviewed}\n"));
        }
        text.push_str("  audience: internal\n");
    }
    text
}

/// The file made must read back, by the loader's parser, as the answers meant.
pub(super) fn verify(text: &str, answers: &[&Imported]) -> Result<(), String> {
    let parsed: Vec<FaqAnswer> = crate::load::yaml::parse(text, Path::new("faq.yaml"), 1)
        .map_err(|d| format!("the file made does not read back ({})", d.message))?;
    if parsed.len() != answers.len() {
        return Err("the file made does not read back as the sheet's answers".to_string());
    }
    for (got, want) in parsed.iter().zip(answers) {
        let same = got.id == want.id
            && got.question == want.question
            && got.answer.text == read_back(&want.answer)
            && got.category == want.category
            && got.response == want.response
            && got.also_asked_as == want.also_asked_as
            && got.controls.iter().map(|r| r.id.as_str()).eq(want.controls.iter().map(String::as_str))
            && got.caiq == want.caiq
            && got.ssrm == want.ssrm
            && got.csc_responsibilities.as_deref().map(str::to_string)
                == want.csc_responsibilities.as_deref().map(read_back)
            && got.owner == want.owner
            && got.reviewed == want.reviewed
            && got.audience == crate::audience::Audience::Internal
            && !got.teaser;
        if !same {
            return Err(format!(
                "answer {} does not read back as the sheet has it ({})",
                want.id, want.place
            ));
        }
    }
    Ok(())
}
