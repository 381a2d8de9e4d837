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
    /// How many times the next answer's score the best answer's must be to lead by far; and
    /// the confidence at or above which a question is answered when it does.
    pub lead_ratio: f64,
    pub lead_ratio_answer_threshold: f64,
    /// The confidence the whole row needs before what it asks after its context is read
    /// alone: context may not be most of what the row is about.
    pub context_answer_threshold: f64,
    /// The confidence what a row asks after its context needs, read alone, to answer it.
    pub context_part_threshold: f64,
    /// A question closest to an answer shared on request (a teaser) is for a person; so is one
    /// that a teaser covers this share of what the best answer covers, or more, with a word
    /// the best answer lacks.
    pub on_request_share: f64,
    /// The share of a question's weight in words no answer holds at which a lead no longer
    /// answers it (only `answer_threshold` does).
    pub lead_unknown_share: f64,
    /// What an answer's scope is made of (standards, kinds of device, interfaces, …): a
    /// question that names some members of a scope is not answered by an answer that names
    /// none of them.
    pub scopes: Vec<Scope>,
    /// Kinds of figure a question may ask for, and what an answer that gives one holds.
    pub figures: Vec<Figure>,
    /// The confidence a second answer needs to be cited beside the first (a two-part question).
    pub second_answer_threshold: f64,
    /// Whose people a question is about: the customer's or the vendor's.
    pub own_people: OwnPeople,
    /// The first words of a sentence that asks without a question mark ("please", "describe"):
    /// the rest of a row, before and between, is its context.
    pub asks: Vec<String>,
    /// A question about the vendor's own suppliers.
    pub suppliers: Suppliers,
}

/// One kind of thing an answer's scope is made of (see `rules.json`): the standards it names,
/// the kinds of device, the interfaces. A question that names some of its members ("are you
/// PCI DSS certified?") is not answered by an answer that names other members only (the ISO
/// 27001 and SOC 2 answer); when the scope is `strict`, nor by one that names none of its
/// members at all ("the RTO of your telephone hotline" against the recovery answer).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub about: String,
    /// What the members are, in a reason: "the question names `sftp`; the closest answer names
    /// other interfaces only".
    pub name: String,
    /// Each read as a question's words are; only its first token counts, so a phrase needs its
    /// synonym group (`mobile phone`: "mobile" alone is not a device).
    pub members: Vec<String>,
    /// Whether an answer that names none of the members is out of scope too.
    #[serde(default)]
    pub strict: bool,
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

/// The vendor's own suppliers (see `rules.json`): "the SOC 2 reports of your hosting provider"
/// is not answered by an answer that names no supplier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppliers {
    #[serde(default)]
    pub about: String,
    /// Words for a supplier, after a vendor's possessive ("your sub-processors").
    pub words: Vec<String>,
    /// A text that holds this token (read as a question's words are: the supplier synonym
    /// group's, "subprocessors", "third party") names a supplier; `words` alone do not ("your
    /// identity provider").
    pub token: String,
}

/// The words that make a role someone's (see `OwnPeople::possessive`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Possessive {
    pub customer: Vec<String>,
    pub vendor: Vec<String>,
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
    /// Words for people in a role ("clerks", "admins"): "our" followed within `within` words
    /// (those of `skip` aside: "own", a possessive's "s") by one of them is the customer's
    /// people too, however the role is named between ("our accounts payable staff", "our
    /// warehouse clerks").
    pub roles: Vec<String>,
    /// Roles that are the customer's after either possessive: "your users" are the service's
    /// users, the customer's people.
    pub customer_roles: Vec<String>,
    pub within: usize,
    pub skip: Vec<String>,
    /// The words that say whose people a role is: the customer's ("our") or the vendor's
    /// ("your").
    pub possessive: Possessive,
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
    /// The tokens of each scope's members (`rules.scopes`, in order).
    scope_members: Vec<std::collections::BTreeSet<String>>,
    /// The tokens of each figure's `asked` (`rules.figures`, in order).
    figures_asked: Vec<std::collections::BTreeSet<String>>,
    /// The token of the customer's people, and the tokens of the vendor's (`rules.own_people`).
    customer_people: String,
    vendor_people: std::collections::BTreeSet<String>,
    /// The token of `rules.suppliers.token`.
    supplier: String,
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
        let customer_people = words(&rules.own_people.customer).join("_");
        let mut reader = Reader {
            rules,
            phrases,
            stopwords,
            scope_members: Vec::new(),
            figures_asked: Vec::new(),
            customer_people,
            vendor_people: Default::default(),
            supplier: String::new(),
        };
        let scope_members =
            reader.rules.scopes.iter().map(|scope| reader.first_tokens(&scope.members)).collect();
        reader.scope_members = scope_members;
        let figures_asked =
            reader.rules.figures.iter().map(|figure| reader.first_tokens(&figure.asked)).collect();
        reader.figures_asked = figures_asked;
        // Each word as a question would read it (a synonym's group, or its stem).
        let vendor_people =
            reader.rules.own_people.vendor.iter().flat_map(|word| reader.tokens(word)).collect();
        reader.vendor_people = vendor_people;
        let supplier = reader.tokens(&reader.rules.suppliers.token).into_iter().next().unwrap_or_default();
        reader.supplier = supplier;
        reader
    }

    /// The first token of each of `words`, read as a question's words are: a phrase's synonym
    /// token alone (`mobile phone`), not also its words' (`mobile` alone is not a device:
    /// "mobile app").
    fn first_tokens(&self, words: &[String]) -> std::collections::BTreeSet<String> {
        words.iter().filter_map(|word| self.tokens(word).into_iter().next()).collect()
    }

    /// Whether `text` is about the customer's own people (`rules.own_people`): it holds the
    /// token of their synonym group ("our staff"), or "our" followed within a few words by a
    /// role ("our own accounts payable staff", "our tenant's end users").
    pub fn names_customer_people(&self, text: &str) -> bool {
        self.names_customer_people_read(text, &self.tokens(text))
    }

    /// `names_customer_people`, for a text already read into `tokens`.
    pub fn names_customer_people_read(&self, text: &str, tokens: &[String]) -> bool {
        let own = &self.rules.own_people;
        tokens.contains(&self.customer_people)
            || self.names_own(text, &own.possessive.customer, &own.roles)
            || self.names_own(text, &own.possessive.customer, &own.customer_roles)
    }

    /// Whether `text` names the vendor's people in a role: "your" followed within a few
    /// words by one ("your own admins", "your support staff").
    pub fn names_vendor_people(&self, text: &str) -> bool {
        self.names_own(text, &self.rules.own_people.possessive.vendor, &self.rules.own_people.roles)
    }

    /// Whether `text` names the vendor's own suppliers: "your" followed within a few words by
    /// a supplier ("your sub-processors", "your cloud hosting provider").
    pub fn names_vendor_suppliers(&self, text: &str) -> bool {
        self.names_own(text, &self.rules.own_people.possessive.vendor, &self.rules.suppliers.words)
    }

    /// The token an answer that names a supplier holds (`suppliers.token`).
    pub fn supplier_token(&self) -> &str {
        &self.supplier
    }

    /// Whether `text` names a supplier at all: a phrase of the supplier synonym group
    /// (`suppliers.token`: "subprocessors", "third parties"). A provider alone is not one: an
    /// answer about "your identity provider" names none.
    pub fn names_supplier(&self, text: &str) -> bool {
        self.tokens(text).contains(&self.supplier)
    }

    /// Whether a word of `possessive` is followed within `own_people.within` words (those of
    /// `own_people.skip` aside) by a word of `owned`.
    fn names_own(&self, text: &str, possessive: &[String], owned: &[String]) -> bool {
        let own = &self.rules.own_people;
        let words = words(text);
        words.iter().enumerate().filter(|(_, word)| possessive.contains(word)).any(|(at, _)| {
            words[at + 1..]
                .iter()
                .filter(|word| !own.skip.contains(word))
                .take(own.within)
                .any(|word| owned.contains(word))
        })
    }

    /// Whether a token is the vendor's people (`rules.own_people.vendor`).
    pub fn is_vendor_people(&self, token: &str) -> bool {
        self.vendor_people.contains(token)
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Each scope (`rules.scopes`, in order) with the tokens of its members.
    pub fn scopes(&self) -> impl Iterator<Item = (&Scope, &std::collections::BTreeSet<String>)> {
        self.rules.scopes.iter().zip(&self.scope_members)
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

    /// What a question asks: its sentences that end with a question mark, or the whole text when
    /// none does (or every one does). A sentence that starts with a word of `rules.asks` asks
    /// too ("Please confirm …", "Describe …"). A questionnaire row often tells the customer's context first
    /// ("We are a hospital, and our finance team approves every supplier. Do your employees …?"):
    /// whose people or suppliers a question is about is read from what it asks. A sentence ends
    /// at `.`, `?`, `!`, `;` or `:` before white space or the end, and at a line break.
    pub fn asked(&self, text: &str) -> String {
        const SPACE: [char; 5] = [' ', '\t', '\n', '\r', '\u{a0}'];
        let mut sentences = Vec::new();
        let mut start = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let before_space = chars.peek().is_none_or(|(_, next)| SPACE.contains(next));
            if c == '\n' || (matches!(c, '.' | '?' | '!' | ';' | ':') && before_space) {
                let end = at + c.len_utf8();
                sentences.push(&text[start..end]);
                start = end;
            }
        }
        sentences.push(&text[start..]);
        sentences.retain(|sentence| !sentence.trim_matches(SPACE).is_empty());
        let asking: Vec<&str> = sentences
            .iter()
            .copied()
            .filter(|sentence| {
                sentence.trim_end_matches(SPACE).ends_with('?')
                    || words(sentence).first().is_some_and(|first| self.rules.asks.contains(first))
            })
            .collect();
        if asking.is_empty() || asking.len() == sentences.len() {
            text.to_string()
        } else {
            asking.join(" ")
        }
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
    fn what_a_question_asks_leaves_its_context_out() {
        let reader = reader();
        for (text, asked) in [
            // Context first, then the question.
            (
                "We are a hospital. Our finance team approves suppliers. Do your employees get training?",
                " Do your employees get training?",
            ),
            // A sentence that starts with an asking word asks too.
            ("We are a bank; please confirm TLS 1.2 is used. Thanks.", " please confirm TLS 1.2 is used."),
            ("Context: our users.\nDescribe your MFA.", "Describe your MFA."),
            // A full stop inside a number or a name does not end a sentence.
            ("Is TLS 1.2 enforced? We use e.g.this.", "Is TLS 1.2 enforced?"),
            // No asking sentence, or only asking ones: the whole text.
            ("We are a hospital. We use SSO.", "We are a hospital. We use SSO."),
            ("Do you encrypt? Which algorithm?", "Do you encrypt? Which algorithm?"),
            ("", ""),
            ("?", "?"),
        ] {
            assert_eq!(reader.asked(text), asked, "{text:?}");
        }
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
