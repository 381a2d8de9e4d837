//! How a question and an answer are read for matching: one pipeline, driven by the data in
//! `rules.json`, so that it can be written again in another language and give the same
//! tokens. Lower-case words (letters and digits); phrases of a synonym group become the
//! group's first entry, as one token; stopwords go; other words are stemmed by suffix rules
//! and cut to a fixed length.

use std::collections::HashMap;

use serde::Deserialize;

/// The matching rules, as `rules.json` writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub about: String,
    pub version: u32,
    pub min_stem: usize,
    pub truncate: usize,
    pub inflections: Vec<(String, String)>,
    pub keep_final_s: Vec<String>,
    pub derivations: Vec<(String, String)>,
    pub synonyms: Vec<Vec<String>>,
    pub stopwords: Vec<String>,
    /// The header words of each column role, for finding a questionnaire's layout.
    pub columns: super::layout::ColumnWords,
    /// How answers are ranked and how much of a question an answer covers.
    pub ranking: Ranking,
    /// How many rows from the top the header row is looked for in.
    pub header_within_rows: usize,
    /// The confidence at or above which a question is answered.
    pub answer_threshold: f64,
    /// The lead (see `Ranking` and `matcher`) at or above which the best answer is clearly
    /// ahead of the next one.
    pub lead_threshold: f64,
    /// The confidence at or above which a question is answered when its best answer has a
    /// clear lead.
    pub lead_answer_threshold: f64,
    /// Standards and regulations (each the first entry of its synonym group): a question that
    /// names some of them is not answered by an answer that names only others.
    pub frameworks: Vec<String>,
    /// Kinds of device (as a question would read them: `mobile phone` is its synonym group's
    /// token): a question that names some of them is not answered by an answer that names
    /// only others, as with `frameworks`.
    pub devices: Vec<String>,
    /// Kinds of figure a question may ask for, and what an answer that gives one holds.
    pub figures: Vec<Figure>,
    /// The confidence a second answer needs to be cited beside the first (a two-part question).
    pub second_answer_threshold: f64,
    /// Whose people a question is about: the customer's or the vendor's.
    pub own_people: OwnPeople,
}

/// A kind of figure a question may ask for (see `rules.json`): "what percentage of your
/// employees clicked the link?" is not answered by an answer that gives no share, "what is
/// the list price?" by one that gives no price.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    #[serde(default)]
    pub about: String,
    /// What the reason calls it ("a share").
    pub name: String,
    /// Words of a question that asks for one (each read as a question's words are; its
    /// first token counts).
    pub asked: Vec<String>,
    /// What an answer's text holds when it gives one, as written (case aside).
    pub given: Vec<String>,
}

/// Whose people a question is about (see `rules.json`): a question about the customer's own
/// people is not answered by an answer about the vendor's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnPeople {
    #[serde(default)]
    pub about: String,
    /// The customer's people: the first entry of their synonym group.
    pub customer: String,
    /// Words for the vendor's people.
    pub vendor: Vec<String>,
}

/// The ranking's constants (see `rules.json` and `matcher`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    #[serde(default)]
    pub about: String,
    /// BM25's term-frequency saturation.
    pub k1: f64,
    /// BM25's length normalisation.
    pub b: f64,
    /// How much more a word of an answer's question counts than a word of its text, in ranking.
    pub question_weight: f64,
    /// How much of its weight a question's word brings to the confidence when the answer has
    /// it only in its text, not in its question.
    pub text_only_share: f64,
    /// How much a question's word that no answer has weighs, against the rarest word answers
    /// have: a word nobody wrote about may be the point of the question ("cafeteria") or an
    /// aside ("logically"), so it counts, but less than a word an answer has.
    pub unknown_share: f64,
    /// The share of the question's weight the first answer must leave for a second answer to
    /// be looked for (a two-part question).
    pub second_part_share: f64,
}

/// The built-in rules.
pub const RULES_JSON: &str = include_str!("rules.json");

/// A question or answer read into tokens, with the rules prepared for fast use.
pub struct Reader {
    rules: Rules,
    /// The first word of every synonym phrase → (phrase words, canonical token), longest first.
    phrases: HashMap<String, Vec<(Vec<String>, String)>>,
    stopwords: std::collections::HashSet<String>,
    /// The tokens of `rules.frameworks`.
    frameworks: std::collections::BTreeSet<String>,
    /// The tokens of `rules.devices`.
    devices: std::collections::BTreeSet<String>,
    /// The tokens of each figure's `asked` (`rules.figures`, in order).
    figures_asked: Vec<std::collections::BTreeSet<String>>,
    /// The token of the customer's people, and the tokens of the vendor's (`rules.own_people`).
    customer_people: String,
    vendor_people: std::collections::BTreeSet<String>,
}

impl Reader {
    pub fn new(rules: Rules) -> Reader {
        let mut phrases: HashMap<String, Vec<(Vec<String>, String)>> = HashMap::new();
        for group in &rules.synonyms {
            let Some(canonical) = group.first() else { continue };
            let canonical = words(canonical).join("_");
            for phrase in group {
                let phrase = words(phrase);
                if let Some(first) = phrase.first() {
                    phrases.entry(first.clone()).or_default().push((phrase, canonical.clone()));
                }
            }
        }
        for list in phrases.values_mut() {
            // Longest phrase first, then in text order: the same choice every time.
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        }
        let stopwords = rules.stopwords.iter().cloned().collect();
        let frameworks = rules.frameworks.iter().map(|name| words(name).join("_")).collect();
        let customer_people = words(&rules.own_people.customer).join("_");
        let mut reader = Reader {
            rules,
            phrases,
            stopwords,
            frameworks,
            devices: Default::default(),
            figures_asked: Vec::new(),
            customer_people,
            vendor_people: Default::default(),
        };
        let devices: Vec<String> = reader.rules.devices.clone();
        // A phrase's token alone (`mobile phone`), not also its words' (`mobile` alone is not
        // a device: "mobile app").
        reader.devices = devices.iter().filter_map(|name| reader.tokens(name).into_iter().next()).collect();
        let figures = reader.rules.figures.clone();
        reader.figures_asked = figures
            .iter()
            .map(|figure| {
                figure.asked.iter().filter_map(|word| reader.tokens(word).into_iter().next()).collect()
            })
            .collect();
        // Each word as a question would read it (a synonym's group, or its stem).
        let vendor: Vec<String> = reader.rules.own_people.vendor.clone();
        reader.vendor_people = vendor.iter().flat_map(|word| reader.tokens(word)).collect();
        reader
    }

    /// Whether a token is the customer's own people (`rules.own_people.customer`).
    pub fn is_customer_people(&self, token: &str) -> bool {
        self.customer_people == token
    }

    /// Whether a token is the vendor's people (`rules.own_people.vendor`).
    pub fn is_vendor_people(&self, token: &str) -> bool {
        self.vendor_people.contains(token)
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Whether a token names a standard or regulation (`rules.frameworks`).
    pub fn is_framework(&self, token: &str) -> bool {
        self.frameworks.contains(token)
    }

    /// The first kind of figure (`rules.figures`) a question of `tokens` asks for that an
    /// answer whose text is `text` does not give: its name.
    pub fn figure_not_given<'a>(
        &self,
        tokens: impl Iterator<Item = &'a str> + Clone,
        text: &str,
    ) -> Option<&str> {
        let text = text.to_lowercase();
        self.rules.figures.iter().zip(&self.figures_asked).find_map(|(figure, asked)| {
            let asks = tokens.clone().any(|token| asked.contains(token));
            let gives = figure.given.iter().any(|given| text.contains(&given.to_lowercase()));
            (asks && !gives).then_some(figure.name.as_str())
        })
    }

    /// Whether a token names a kind of device (`rules.devices`).
    pub fn is_device(&self, token: &str) -> bool {
        self.devices.contains(token)
    }

    /// The tokens of `text`, in order (a token may repeat).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let words = words(text);
        let mut tokens = Vec::with_capacity(words.len());
        let mut at = 0;
        while at < words.len() {
            let matched = self
                .phrases
                .get(&words[at])
                .and_then(|candidates| candidates.iter().find(|(phrase, _)| words[at..].starts_with(phrase)));
            match matched {
                Some((phrase, canonical)) => {
                    tokens.push(canonical.clone());
                    // The phrase's own words too, so that `change management` still meets
                    // `changes` in a text that says it otherwise.
                    if phrase.len() > 1 {
                        for word in phrase.iter().filter(|w| !self.stopwords.contains(*w)) {
                            let stem = self.stem(word);
                            if stem != *canonical {
                                tokens.push(stem);
                            }
                        }
                    }
                    at += phrase.len();
                }
                None => {
                    let word = &words[at];
                    if !self.stopwords.contains(word) {
                        tokens.push(self.stem(word));
                    }
                    at += 1;
                }
            }
        }
        tokens
    }

    /// A word's stem: the first inflection rule that fits, then the first derivation rule
    /// that fits (twice), each leaving at least `min_stem` letters; then cut to `truncate` letters.
    /// Words with digits are kept whole (`27001`, `tls1`).
    pub fn stem(&self, word: &str) -> String {
        if word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() <= self.rules.min_stem {
            return word.to_string();
        }
        let mut stem = word.to_string();
        for (suffix, replacement) in &self.rules.inflections {
            if suffix == "s" && self.rules.keep_final_s.iter().any(|keep| stem.ends_with(keep.as_str())) {
                continue;
            }
            if let Some(cut) = self.apply(&stem, suffix, replacement) {
                stem = cut;
                break;
            }
        }
        // Derivations twice: `management` → `manage` → `manag`, as `managed` gives.
        for _ in 0..2 {
            let Some(cut) = self
                .rules
                .derivations
                .iter()
                .find_map(|(suffix, replacement)| self.apply(&stem, suffix, replacement))
            else {
                break;
            };
            stem = cut;
        }
        stem.chars().take(self.rules.truncate).collect()
    }

    fn apply(&self, word: &str, suffix: &str, replacement: &str) -> Option<String> {
        let base = word.strip_suffix(suffix)?;
        (base.chars().count() >= self.rules.min_stem).then(|| format!("{base}{replacement}"))
    }
}

/// Lower-case runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader() -> Reader {
        Reader::new(serde_json::from_str(RULES_JSON).unwrap())
    }

    #[test]
    fn word_families_share_a_stem() {
        let reader = reader();
        for family in [
            &["encryption", "encrypted", "encrypting", "encrypt", "encrypts"][..],
            &["authentication", "authenticate", "authenticated"],
            &["notification", "notify", "notified"],
            &["policy", "policies"],
            &["review", "reviews", "reviewed", "reviewing"],
            &["test", "tests", "tested", "testing"],
            &["security", "secure"],
            &["store", "stored", "stores"],
            &["management", "manage", "managed", "manages"],
        ] {
            let stems: Vec<String> = family.iter().map(|w| reader.stem(w)).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{family:?} → {stems:?}");
        }
        assert_ne!(reader.stem("transfer"), reader.stem("transit"));
        assert_ne!(reader.stem("provide"), reader.stem("provisioning"));
    }

    #[test]
    fn synonyms_share_a_token_and_stopwords_go() {
        let reader = reader();
        let has = |text: &str, token: &str| reader.tokens(text).iter().any(|t| t == token);
        assert!(
            has("Do you support MFA?", "mfa") && has("Do you support multi-factor authentication?", "mfa")
        );
        assert!(has("Is 2FA enforced", "mfa") && has("is two factor authentication enforced", "mfa"));
        assert!(has("Is data at rest encrypted", "at_rest") && has("stored on disk", "at_rest"));
        // A phrase keeps its own words too, so other wordings still meet it.
        assert!(has("change management", "chang"));
        assert!(reader.tokens("Please describe what you do").is_empty());
    }
}
