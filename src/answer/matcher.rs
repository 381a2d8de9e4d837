//! Matching a question to the answer library: a reference (a CAIQ id) first, then a lexical
//! ranking (BM25) over each answer's question and text, read by the same `Reader`. Every
//! decision has a confidence and a reason; below the threshold the question is left for a
//! person, with the closest answer named.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::text::Reader;

/// One answer of the library, as matching sees it; published as the public site's
/// `faq/answers.json` for the questionnaire page, which matches with the same rules.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub question: String,
    /// Other ways the question is asked (`also_asked_as`): matched as the question is.
    pub also_asked_as: Vec<String>,
    /// The answer as plain text (markdown removed), withheld blocks already cut.
    pub text: String,
    pub caiq: Vec<String>,
    /// Its short answer for a response column (yes, no, not applicable).
    pub response: Option<crate::model::Response>,
    /// Where it is published: its place on the trust center's FAQ page.
    pub url: String,
    /// A teaser: its question is published, its answer is shared on request only. It answers
    /// nothing, but a question closest to it is one for a person (what to send is theirs to
    /// decide), never for the next answer down.
    #[serde(default)]
    pub on_request: bool,
}

/// How a question was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Its reference (a CAIQ id) is one of the answer's.
    Reference,
    /// Its words match the answer's question and text.
    Text,
    /// Not answered: no answer is close enough.
    NeedsPerson,
}

/// The decision for one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub method: Method,
    /// The answers cited, best first (two for a two-part question); empty when not answered.
    pub answers: Vec<String>,
    /// From 0 to 1: the share of the question's weight the first answer covers (1 for a
    /// reference match).
    pub confidence: f64,
    /// The closest answer and its confidence, also when not answered.
    pub best: Option<(String, f64)>,
    pub reason: String,
}

/// The library indexed for matching.
pub struct Matcher<'r> {
    reader: &'r Reader,
    entries: Vec<Entry>,
    /// Token → term frequency, per entry (a word of the answer's question counts
    /// `ranking.question_weight` times).
    docs: Vec<HashMap<String, f64>>,
    /// The tokens of each entry's own question.
    questions: Vec<std::collections::HashSet<String>>,
    /// Whether each entry's own question is about the customer's people.
    customer_people: Vec<bool>,
    /// Whether each entry's own question is about the vendor's people.
    vendor_people: Vec<bool>,
    /// Whether each entry (its question or its text) names a supplier.
    names_supplier: Vec<bool>,
    /// Whether each entry's every question names a supplier: it is about suppliers.
    about_suppliers: Vec<bool>,
    lengths: Vec<f64>,
    average_length: f64,
    /// Token → how many entries hold it.
    frequency: HashMap<String, usize>,
    /// Token → the entries that hold it, with its frequency there: only those are scored.
    postings: HashMap<String, Vec<(usize, f64)>>,
    /// CAIQ id (upper-case) → entries that cite it.
    references: BTreeMap<String, Vec<usize>>,
    /// The entries shared on request only (teasers).
    on_request: Vec<usize>,
}

impl<'r> Matcher<'r> {
    pub fn new(reader: &'r Reader, entries: Vec<Entry>) -> Matcher<'r> {
        let mut docs = Vec::with_capacity(entries.len());
        let mut questions = Vec::with_capacity(entries.len());
        let mut customer_people = Vec::with_capacity(entries.len());
        let mut vendor_people = Vec::with_capacity(entries.len());
        let mut names_supplier = Vec::with_capacity(entries.len());
        let mut about_suppliers = Vec::with_capacity(entries.len());
        let mut lengths = Vec::with_capacity(entries.len());
        let mut frequency: HashMap<String, usize> = HashMap::new();
        let mut references: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut postings: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
        let question_weight = reader.rules().ranking.question_weight;
        for (index, entry) in entries.iter().enumerate() {
            let mut tf: HashMap<String, f64> = HashMap::new();
            let mut question: std::collections::HashSet<String> = std::collections::HashSet::new();
            // Each text is read once: its tokens count, and tell whose people or suppliers it names.
            let asked: Vec<(&String, Vec<String>)> = std::iter::once(&entry.question)
                .chain(&entry.also_asked_as)
                .map(|asked| (asked, reader.tokens(asked)))
                .collect();
            for (_, tokens) in &asked {
                for token in tokens {
                    question.insert(token.clone());
                    *tf.entry(token.clone()).or_default() += question_weight;
                }
            }
            let text = reader.tokens(&entry.text);
            let supplier = reader.supplier_token();
            // Whose people each phrasing is about is read from what it asks, as a row's is:
            // "Our procurement team has seen fraud calls. Do your finance staff get training?"
            // is about the vendor's staff. A phrasing that names the customer's people ("can
            // our staff use their work login?") says nothing of the vendor's, whatever words
            // it uses for them.
            let people: Vec<(bool, bool)> = asked
                .iter()
                .map(|(phrasing, read)| {
                    // Most phrasings ask all they say: their tokens are read already.
                    let what = reader.asked(phrasing);
                    let again;
                    let tokens: &[String] = if what == **phrasing {
                        read
                    } else {
                        again = reader.tokens(&what);
                        &again
                    };
                    let customer = reader.names_customer_people_read(&what, tokens);
                    (customer, !customer && tokens.iter().any(|token| reader.is_vendor_people(token)))
                })
                .collect();
            customer_people.push(people.iter().any(|(customer, _)| *customer));
            vendor_people.push(people.iter().any(|(_, vendor)| *vendor));
            about_suppliers.push(asked.iter().all(|(_, tokens)| tokens.iter().any(|t| t == supplier)));
            names_supplier.push(question.contains(supplier) || text.iter().any(|t| t == supplier));
            for token in text {
                *tf.entry(token).or_default() += 1.0;
            }
            for token in tf.keys() {
                *frequency.entry(token.clone()).or_default() += 1;
                postings.entry(token.clone()).or_default().push((index, tf[token]));
            }
            lengths.push(tf.values().sum());
            docs.push(tf);
            questions.push(question);
            for id in &entry.caiq {
                references.entry(crate::caiq::ids::normalise(id)).or_default().push(index);
            }
        }
        let on_request = (0..entries.len()).filter(|&doc| entries[doc].on_request).collect();
        let average_length =
            if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<f64>() / lengths.len() as f64 };
        Matcher {
            reader,
            entries,
            docs,
            questions,
            customer_people,
            vendor_people,
            names_supplier,
            about_suppliers,
            lengths,
            average_length: average_length.max(1.0),
            on_request,
            frequency,
            postings,
            references,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn ranking(&self) -> &super::text::Ranking {
        &self.reader.rules().ranking
    }

    fn idf(&self, token: &str) -> f64 {
        let n = self.entries.len() as f64;
        match self.frequency.get(token).copied() {
            Some(df) => (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln(),
            // The weight of the rarest known word (in one answer), scaled down.
            None => (1.0 + (n - 0.5) / 1.5).ln() * self.ranking().unknown_share,
        }
    }

    fn bm25(&self, tokens: &[(String, f64)], doc: usize) -> f64 {
        let length = self.lengths[doc];
        let (k1, b) = (self.ranking().k1, self.ranking().b);
        tokens
            .iter()
            .map(|(token, idf)| {
                let tf = self.docs[doc].get(token).copied().unwrap_or(0.0);
                idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * length / self.average_length))
            })
            .sum()
    }

    /// The share of the weight of `tokens` that entry `doc` holds: a word in the answer's
    /// question brings all its weight, a word only in its text `ranking.text_only_share` of it.
    fn coverage(&self, tokens: &[(String, f64)], doc: usize) -> f64 {
        let total: f64 = tokens.iter().map(|(_, idf)| idf).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let held: f64 = tokens
            .iter()
            .map(|(token, idf)| {
                if self.questions[doc].contains(token) {
                    *idf
                } else if self.docs[doc].contains_key(token) {
                    idf * self.ranking().text_only_share
                } else {
                    0.0
                }
            })
            .sum();
        held / total
    }

    /// The question's distinct tokens with their weight (a word no answer has weighs most).
    fn weighted(&self, question: &str) -> Vec<(String, f64)> {
        let mut tokens = self.reader.tokens(question);
        tokens.sort();
        tokens.dedup();
        tokens.into_iter().map(|token| (token.clone(), self.idf(&token))).collect()
    }

    /// The entry with the highest BM25 score for `tokens` (the first by id of equals), other
    /// than `except`, when any scores above zero, with the next entry. Scores add up along the
    /// postings of the question's tokens, so only entries sharing a word are touched.
    fn top(&self, tokens: &[(String, f64)], except: Option<usize>) -> Option<Top> {
        let mut scores = vec![0.0f64; self.entries.len()];
        let mut touched = Vec::new();
        let (k1, b) = (self.ranking().k1, self.ranking().b);
        for (token, idf) in tokens {
            let Some(postings) = self.postings.get(token) else { continue };
            for &(doc, tf) in postings {
                let norm = k1 * (1.0 - b + b * self.lengths[doc] / self.average_length);
                if scores[doc] == 0.0 {
                    touched.push(doc);
                }
                scores[doc] += idf * tf * (k1 + 1.0) / (tf + norm);
            }
        }
        // Before `other`: a higher score, or the same score and an earlier id.
        let ahead = |doc: usize, other: Option<(usize, f64)>| match other {
            None => true,
            Some((held, top)) => {
                scores[doc] > top || (scores[doc] == top && self.entries[doc].id < self.entries[held].id)
            }
        };
        let mut best: Option<(usize, f64)> = None;
        let mut next: Option<(usize, f64)> = None;
        for doc in touched {
            if Some(doc) == except || scores[doc] <= 0.0 {
                continue;
            }
            if ahead(doc, best) {
                next = best;
                best = Some((doc, scores[doc]));
            } else if ahead(doc, next) {
                next = Some((doc, scores[doc]));
            }
        }
        let (doc, score) = best?;
        Some(Top { doc, score, next })
    }

    /// Entries by BM25 score, best first (ties by id).
    fn ranked(&self, tokens: &[(String, f64)], among: impl Iterator<Item = usize>) -> Vec<(usize, f64)> {
        let mut scored: Vec<(usize, f64)> = among.map(|doc| (doc, self.bm25(tokens, doc))).collect();
        scored.sort_by(|a, b| {
            b.1.total_cmp(&a.1).then_with(|| self.entries[a.0].id.cmp(&self.entries[b.0].id))
        });
        scored
    }

    /// Decides one question, with its reference (e.g. a CAIQ id) when the sheet has one.
    pub fn decide(&self, question: &str, reference: Option<&str>) -> Decision {
        let (whole, short) = self.decide_text(question, reference);
        // A row that tells the customer's context besides what it asks, most often first ("We
        // are a hospital trust; our finance team releases payments. Can we require a hardware
        // key for those users?"), covers little of any answer as a whole. When only that kept
        // it from an answer, what it asks is read alone: it is answered when that reading
        // gives the answer the whole row was closest to. Two readings that differ leave it for
        // a person, and so does a row that is mostly context (its best answer covers less than
        // `context_answer_threshold` of the whole row).
        if !short || whole.confidence < self.reader.rules().context_answer_threshold {
            return whole;
        }
        let asked = self.reader.asked(question);
        if asked == question {
            return whole;
        }
        let (part, _) = self.decide_text(&asked, None);
        let agree = part.method == Method::Text
            && whole.best.as_ref().map(|(id, _)| id) == part.answers.first()
            && part.confidence >= self.reader.rules().context_part_threshold;
        if !agree {
            return whole;
        }
        let id = part.answers.first().cloned().unwrap_or_default();
        Decision {
            reason: format!(
                "{id} covers {} of what the question asks after its context (the whole row: {})",
                percent(part.confidence),
                percent(whole.confidence)
            ),
            ..part
        }
    }

    /// Decides one question as written; also says whether it was left for a person only
    /// because no answer covers enough of it (no rule of scope, figure or party left it).
    fn decide_text(&self, question: &str, reference: Option<&str>) -> (Decision, bool) {
        let tokens = self.weighted(question);
        // A reference match comes first; among several answers with that id, the words decide.
        // A reference is read as a CAIQ id is (`caiq::ids::normalise`): white space, case and
        // full-width or invisible characters do not tell two ids apart.
        if let Some(candidates) = reference.and_then(|r| self.references.get(&crate::caiq::ids::normalise(r)))
        {
            let ranked = self.ranked(&tokens, candidates.iter().copied());
            if let Some(&(doc, _)) = ranked.first() {
                let id = self.entries[doc].id.clone();
                return (
                    Decision {
                        method: Method::Reference,
                        answers: vec![id.clone()],
                        confidence: 1.0,
                        best: Some((id.clone(), 1.0)),
                        reason: format!(
                            "the reference `{}` is one of {id}'s",
                            reference.unwrap_or_default().trim()
                        ),
                    },
                    false,
                );
            }
        }
        let Some(top) = self.top(&tokens, None) else {
            return (
                Decision {
                    method: Method::NeedsPerson,
                    answers: Vec::new(),
                    confidence: 0.0,
                    best: None,
                    reason: "no answer shares a word with the question".to_string(),
                },
                false,
            );
        };
        let best = top.doc;
        let confidence = round(self.coverage(&tokens, best));
        let id = self.entries[best].id.clone();
        let needs_person = |reason: String| {
            let decision = Decision {
                method: Method::NeedsPerson,
                answers: Vec::new(),
                confidence,
                best: Some((id.clone(), confidence)),
                reason,
            };
            (decision, false)
        };
        // An answer whose own question shares no word with this one is about something else,
        // whatever words its text happens to hold.
        if !tokens.iter().any(|(token, _)| self.questions[best].contains(token)) {
            return needs_person(format!(
                "the closest answer, {id}, answers a question that shares no word with this one"
            ));
        }
        // A question about what the team shares only on request is theirs to answer.
        if self.entries[best].on_request {
            return needs_person(format!(
                "the closest answer, {id}, is shared on request only: a person decides what to send"
            ));
        }
        // Nor is one that a teaser covers nearly as much of, with words of the teaser's the best
        // answer lacks: it may well ask for what only the team sends ("how many accounts did
        // your last access review remove?" against the answer on how often access is reviewed,
        // when the review's figures are a teaser's).
        let share = self.reader.rules().on_request_share;
        let close_teaser = self.on_request.iter().copied().find(|&teaser| {
            tokens.iter().any(|(t, _)| self.docs[teaser].contains_key(t) && !self.docs[best].contains_key(t))
                && self.coverage(&tokens, teaser) >= share * confidence
        });
        if let Some(teaser) = close_teaser {
            return needs_person(format!(
                "the question is close to {}, shared on request only: a person decides what to send",
                self.entries[teaser].id
            ));
        }
        // A question about what the answer's scope leaves out: a standard it does not name
        // ("are you PCI DSS certified?" against an answer about ISO 27001 and SOC 2), a kind of
        // device ("company phones" against laptops), an interface ("the SFTP intake's uptime"
        // against the service's availability).
        for (scope, members) in self.reader.scopes() {
            let named: Vec<&str> =
                tokens.iter().map(|(t, _)| t.as_str()).filter(|t| members.contains(*t)).collect();
            if named.is_empty() || named.iter().any(|t| self.docs[best].contains_key(*t)) {
                continue;
            }
            let named =
                named.iter().map(|t| format!("`{}`", t.replace('_', " "))).collect::<Vec<_>>().join(", ");
            if self.docs[best].keys().any(|t| members.contains(t)) {
                return needs_person(format!(
                    "the question names {named}; the closest answer, {id}, names other {} only",
                    scope.name
                ));
            }
            if scope.strict {
                return needs_person(format!(
                    "the question names {named}; the closest answer, {id}, names no {}",
                    scope.name
                ));
            }
        }
        // What a question asks for (a figure), and whose people or suppliers it is about, are
        // read from what it asks, not from the context it gives first ("Last month a
        // fraudster changed a supplier's bank account. Can we see who changed it?" asks for no
        // particular event).
        let asked = self.reader.asked(question);
        // A question that asks for a figure ("what percentage of your employees clicked?",
        // "what is the list price?") is not answered by an answer that gives none of its kind.
        let asked_tokens = self.reader.tokens(&asked);
        let words = asked_tokens.iter().map(String::as_str);
        if let Some(name) = self.reader.figure_not_given(words, &self.entries[best].text) {
            return needs_person(format!(
                "the question asks for {name}; the closest answer, {id}, gives none"
            ));
        }
        // A question about the customer's own people ("awareness training for our own staff")
        // is not answered by an answer about the vendor's ("do employees receive training?").
        if !self.customer_people[best]
            && self.vendor_people[best]
            && self.reader.names_customer_people(&asked)
        {
            return needs_person(format!(
                "the question is about the customer's own people; the closest answer, {id}, is about the vendor's"
            ));
        }
        // And the other way round: a question about the vendor's own people ("MFA for your own
        // admins?") is not answered by an answer about the customer's ("is MFA available for
        // our users?"). The whole row is read too: a colon can end a sentence that asks ("Do
        // your own engineers need MFA, and of what kind: SMS or a hardware token?").
        let only_vendor =
            |text: &str| self.reader.names_vendor_people(text) && !self.reader.names_customer_people(text);
        if self.customer_people[best]
            && !self.vendor_people[best]
            && (only_vendor(&asked) || (asked != question && only_vendor(question)))
        {
            return needs_person(format!(
                "the question is about the vendor's own people; the closest answer, {id}, is about the customer's"
            ));
        }
        // A question about the vendor's own suppliers ("the SOC 2 reports of your hosting
        // provider") is not answered by an answer that names none.
        if !self.names_supplier[best] && self.reader.names_vendor_suppliers(&asked) {
            return needs_person(format!(
                "the question is about the vendor's suppliers; the closest answer, {id}, names none"
            ));
        }
        // And an answer about suppliers ("how do you manage your suppliers' security?") does not
        // answer a row that names none ("how often is your risk register reviewed?").
        if self.about_suppliers[best]
            && !self.reader.names_supplier(&asked)
            && !self.reader.names_vendor_suppliers(&asked)
        {
            return needs_person(format!(
                "the closest answer, {id}, is about suppliers; the question names none"
            ));
        }
        // How far the best answer is ahead of the next: the difference of their scores, per
        // unit of the question's weight.
        let weight: f64 = tokens.iter().map(|(_, idf)| idf).sum();
        let next_score = top.next.map_or(0.0, |(_, score)| score);
        let lead = if weight > 0.0 { round((top.score - next_score) / weight) } else { 0.0 };
        let rules = self.reader.rules();
        let next_id = top.next.map(|(doc, _)| self.entries[doc].id.as_str());
        // And how many times the next answer's score it is: a lead by far, however little of a
        // long question either covers.
        let ratio = (next_score > 0.0).then(|| round(top.score / next_score));
        let clear_lead = (lead >= rules.lead_threshold && confidence >= rules.lead_answer_threshold)
            || (ratio.is_none_or(|ratio| ratio >= rules.lead_ratio)
                && confidence >= rules.lead_ratio_answer_threshold);
        // A lead answers only a question whose words the library mostly knows: words no answer
        // holds ("is your domain signed with DNSSEC?") say it asks about something else.
        let unknown: f64 =
            tokens.iter().filter(|(t, _)| !self.frequency.contains_key(t)).map(|(_, w)| w).sum();
        let unknown_words = weight > 0.0 && unknown / weight >= rules.lead_unknown_share;
        if confidence < rules.answer_threshold && clear_lead && unknown_words {
            let (decision, _) = needs_person(format!(
                "the closest answer, {id}, covers {} of the question{}{}, but words no answer holds make up {} or more of it (a lead answers only below that)",
                percent(confidence),
                leads(next_id, lead),
                times(ratio),
                percent(rules.lead_unknown_share),
            ));
            return (decision, true);
        }
        if confidence < rules.answer_threshold && !clear_lead {
            let (decision, _) = needs_person(format!(
                "the closest answer, {id}, covers {} of the question{}{} (answering takes {}, or {} with a lead of {}, or {} at {} times the next answer's score)",
                percent(confidence),
                leads(next_id, lead),
                times(ratio),
                percent(rules.answer_threshold),
                percent(rules.lead_answer_threshold),
                rules.lead_threshold,
                percent(rules.lead_ratio_answer_threshold),
                rules.lead_ratio,
            ));
            return (decision, true);
        }
        let mut answers = vec![id.clone()];
        // A two-part question: what the first answer leaves out may be another answer's.
        let rest: Vec<(String, f64)> =
            tokens.iter().filter(|(t, _)| !self.docs[best].contains_key(t)).cloned().collect();
        let rest_share = 1.0 - confidence;
        if rest_share >= self.ranking().second_part_share {
            if let Some(second) = self.top(&rest, Some(best)) {
                if !self.entries[second.doc].on_request
                    && self.coverage(&rest, second.doc) >= rules.second_answer_threshold
                {
                    answers.push(self.entries[second.doc].id.clone());
                }
            }
        }
        let reason = if confidence < rules.answer_threshold {
            format!(
                "{id} covers {} of the question{}{}",
                percent(confidence),
                leads(next_id, lead),
                times(ratio)
            )
        } else {
            format!("{id} covers {} of the question", percent(confidence))
        };
        (Decision { method: Method::Text, reason, answers, confidence, best: Some((id, confidence)) }, false)
    }
}

/// How the best answer stands against the next, for a reason.
fn leads(next: Option<&str>, lead: f64) -> String {
    match next {
        Some(next) => format!(" and leads {next} by {lead}"),
        None => " and is the only answer that shares its words".to_string(),
    }
}

/// A share as a whole percentage, halves rounded up (as the questionnaire page's `percent`:
/// `{:.0}` would round them to even).
fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round())
}

/// How many times the next answer's score the best answer's is, for a reason.
fn times(ratio: Option<f64>) -> String {
    ratio.map(|ratio| format!(" ({ratio} times its score)")).unwrap_or_default()
}

/// The best entry for a question, its score and the next entry with its score.
struct Top {
    doc: usize,
    score: f64,
    next: Option<(usize, f64)>,
}

/// Three decimals: decisions print and compare the same everywhere.
fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules, but for one: these toy libraries know so few words that nearly every
    /// question is mostly words no answer holds, which the built-in rules leave for a person
    /// whenever only a lead would answer. That rule has its own test, with the built-in rules.
    fn rules() -> crate::answer::text::Rules {
        crate::answer::text::Rules { lead_unknown_share: 1.0, ..crate::answer::built_in_rules().unwrap() }
    }

    fn entry(id: &str, question: &str, text: &str) -> Entry {
        Entry {
            id: id.to_string(),
            question: question.to_string(),
            also_asked_as: Vec::new(),
            text: text.to_string(),
            caiq: Vec::new(),
            response: None,
            url: format!("https://t.example/faq/#{}", id.to_lowercase()),
            on_request: false,
        }
    }

    fn library() -> Vec<Entry> {
        vec![
            entry(
                "FAQ-1",
                "Which certifications do you hold?",
                "We hold ISO 27001 and a SOC 2 Type II report.",
            ),
            entry("FAQ-2", "Do you encrypt data at rest?", "Yes, with AES-256 on every volume and backup."),
            entry("FAQ-3", "How often do you review user access rights?", "Quarterly for privileged access."),
            entry("FAQ-4", "Do you run penetration tests?", "Yes, once a year by an independent firm."),
            entry("FAQ-5", "May we run our own penetration test?", "Yes, after notifying us."),
            Entry {
                on_request: true,
                ..entry("FAQ-6", "Can you share your privileged access matrix and access review results?", "")
            },
        ]
    }

    fn decide(question: &str) -> Decision {
        let reader = Reader::new(rules());
        Matcher::new(&reader, library()).decide(question, None)
    }

    #[test]
    fn a_question_closest_to_an_answer_shared_on_request_is_left_for_a_person() {
        let decision = decide("Please share the results of your latest access review.");
        assert_eq!(decision.method, Method::NeedsPerson, "{decision:?}");
        assert!(decision.reason.contains("FAQ-6") && decision.reason.contains("on request"), "{decision:?}");
        // Without the teaser, the public answer about reviews would have been given.
        let reader = Reader::new(rules());
        let public: Vec<Entry> = library().into_iter().filter(|e| !e.on_request).collect();
        let without = Matcher::new(&reader, public)
            .decide("Please share the results of your latest access review.", None);
        assert_eq!(without.answers, ["FAQ-3"], "{without:?}");
        // A question the teaser is not closest to is answered as before.
        assert_eq!(decide("How often are user access rights reviewed?").answers, ["FAQ-3"]);
    }

    #[test]
    fn a_question_about_the_customers_people_is_not_answered_about_the_vendors() {
        let reader = Reader::new(rules());
        let library = vec![
            entry("FAQ-7", "Do employees receive security awareness training?", "Yes, every year."),
            entry("FAQ-8", "Is multi-factor authentication available for our users?", "Yes, passkeys."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        let ours = decide("Do you offer security awareness training for our own staff?");
        assert_eq!(ours.method, Method::NeedsPerson, "{ours:?}");
        assert!(ours.reason.contains("customer's own people") && ours.reason.contains("FAQ-7"), "{ours:?}");
        assert_eq!(ours.best.as_ref().map(|(id, _)| id.as_str()), Some("FAQ-7"), "the candidate is named");
        // A role of theirs ("our accounts-payable clerks") is the customer's people too.
        let clerks = decide("Can you run security awareness training for our accounts-payable clerks?");
        assert_eq!(clerks.method, Method::NeedsPerson, "{clerks:?}");
        // The vendor's own staff, asked about, are answered as before.
        assert_eq!(decide("Do your staff receive security awareness training?").answers, ["FAQ-7"]);
        // An answer about the customer's people answers a question about them.
        assert_eq!(decide("Is multi-factor authentication available for our staff?").answers, ["FAQ-8"]);
    }

    #[test]
    fn a_standard_the_answer_does_not_name_is_left_for_a_person() {
        let pci = decide("Which certifications do you hold: are you PCI DSS certified?");
        assert_eq!(pci.method, Method::NeedsPerson, "{pci:?}");
        assert!(pci.reason.contains("`pci dss`"), "{pci:?}");
        let iso = decide("Which certifications do you hold: are you ISO 27001 certified?");
        assert_eq!(iso.answers, ["FAQ-1"], "{iso:?}");
        // A standard named in passing, against an answer that names none, does not stop it.
        let aside = decide("Under our SOX controls: do you encrypt data at rest?");
        assert_eq!(aside.answers, ["FAQ-2"], "{aside:?}");
    }

    #[test]
    fn a_kind_of_device_the_answer_does_not_name_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![
            entry(
                "FAQ-9",
                "How are employee laptops protected?",
                "Full-disk encryption and MDM on every laptop.",
            ),
            entry("FAQ-10", "Is customer data encrypted at rest?", "Yes, AES-256."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        // Phones, however written, are not laptops.
        for question in [
            "Are employee mobile phones protected with encryption and MDM?",
            "Are employee smartphones protected with encryption and MDM?",
            "Are employee tablets protected with encryption and MDM?",
        ] {
            let phones = decide(question);
            assert_eq!(phones.method, Method::NeedsPerson, "{question}: {phones:?}");
            assert!(
                phones.reason.contains("`mobile phone`") && phones.reason.contains("FAQ-9"),
                "{phones:?}"
            );
        }
        // Laptops by another name are answered; so is a question that names no device.
        assert_eq!(decide("Are employee workstations protected with encryption and MDM?").answers, ["FAQ-9"]);
        assert_eq!(decide("How are employee laptops protected?").answers, ["FAQ-9"]);
        // A device named against an answer that names none does not stop it.
        assert_eq!(decide("Is customer data encrypted at rest, on servers too?").answers, ["FAQ-10"]);
    }

    #[test]
    fn a_figure_asked_of_an_answer_that_gives_none_of_its_kind_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![
            entry("FAQ-11", "Do employees receive phishing simulations?", "Yes, every quarter."),
            entry("FAQ-12", "What availability do you commit to?", "99.95% a month, in the contract."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        let clicked = decide("What percentage of employees clicked in your last phishing simulations?");
        assert_eq!(clicked.method, Method::NeedsPerson, "{clicked:?}");
        assert!(clicked.reason.contains("share") && clicked.reason.contains("FAQ-11"), "{clicked:?}");
        // An answer that gives one answers; so does the same topic asked without a share.
        assert_eq!(decide("What availability percentage do you commit to?").answers, ["FAQ-12"]);
        assert_eq!(decide("Do employees receive phishing simulations?").answers, ["FAQ-11"]);
        // A price or a commercial term is a figure of another kind: the availability answer
        // gives a share, not service credits.
        let credits = decide("What service credits apply if the availability you commit to is missed?");
        assert_eq!(credits.method, Method::NeedsPerson, "{credits:?}");
        assert!(credits.reason.contains("a price or a commercial term"), "{credits:?}");
        // "Credit" alone is not a commercial term ("credit checks").
        let reader = Reader::new(rules());
        let screening = vec![entry(
            "FAQ-13",
            "Do you screen new employees?",
            "Yes: identity, references, credit checks.",
        )];
        let matcher = Matcher::new(&reader, screening);
        assert_eq!(
            matcher.decide("Do you run credit checks when you screen new employees?", None).answers,
            ["FAQ-13"]
        );
    }

    #[test]
    fn an_interface_the_answer_does_not_name_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![
            entry("FAQ-14", "What availability do you commit to?", "99.9% a month for the application."),
            entry(
                "FAQ-15",
                "Which TLS versions do you accept?",
                "TLS 1.2 and 1.3 on the web application and the API.",
            ),
            entry("FAQ-16", "What are your RTO and RPO?", "An RTO of 4 hours and an RPO of 15 minutes."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        // The interface is strict: an answer that names none of them is out of scope too.
        for (question, named) in [
            ("What availability do you commit to for the SFTP intake?", "`sftp`"),
            ("What is the RTO of your telephone support hotline?", "`telephone support`"),
            ("What availability do you commit to for the mobile app?", "`mobile app`"),
        ] {
            let decision = decide(question);
            assert_eq!(decision.method, Method::NeedsPerson, "{question}: {decision:?}");
            assert!(
                decision.reason.contains(named) && decision.reason.contains("names no interfaces"),
                "{decision:?}"
            );
        }
        // An answer that names the interface answers; a question that names none is answered.
        assert_eq!(decide("Which TLS versions does your API accept?").answers, ["FAQ-15"]);
        assert_eq!(decide("What are your RTO and RPO?").answers, ["FAQ-16"]);
        // A laptop or a phone is an end-user device: an answer that names none is out of scope.
        let laptops = decide("What are your RTO and RPO for the files on employee laptops?");
        assert!(laptops.reason.contains("names no end-user devices"), "{laptops:?}");
        // A built-in feature against an answer about how the vendor works.
        let built_in = decide("Is there a built-in workflow for our RTO and RPO reviews?");
        assert!(built_in.reason.contains("names no built-in features"), "{built_in:?}");
        // A severity the answer's table does not give.
        let reader = Reader::new(rules());
        let patching = Matcher::new(
            &reader,
            vec![entry(
                "FAQ-23",
                "How fast do you patch?",
                "Critical: 7 days. High: 30 days. Medium: 90 days.",
            )],
        );
        let low = patching.decide("How fast do you patch low-severity findings?", None);
        assert!(
            low.reason.contains("`low severity`") && low.reason.contains("other severities only"),
            "{low:?}"
        );
        assert_eq!(patching.decide("How fast do you patch medium findings?", None).answers, ["FAQ-23"]);
        // An answer that names another interface only.
        let ftp = decide("Which TLS versions do you accept on the FTPS server?");
        assert!(ftp.reason.contains("names other interfaces only"), "{ftp:?}");
    }

    #[test]
    fn a_particular_event_or_a_fee_the_answer_does_not_give_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![
            entry("FAQ-17", "How will you notify us of a security incident?", "Within 24 hours, by email."),
            entry("FAQ-18", "Can we bring our own key?", "Yes, on every plan."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        for question in [
            "Were we notified of the security incident at your company last week?",
            "Will you notify us of the security incident in the press coverage?",
        ] {
            let decision = decide(question);
            assert_eq!(decision.method, Method::NeedsPerson, "{question}: {decision:?}");
            assert!(decision.reason.contains("a particular event"), "{decision:?}");
        }
        assert_eq!(decide("How will you notify us of a security incident?").answers, ["FAQ-17"]);
        // What a row asks for is read from what it asks: an event in the context it gives
        // first is not what it asks about.
        let context = decide(
            "Last month a fraudster phoned our accounts desk. How will you notify us of a security incident?",
        );
        assert_eq!(context.answers, ["FAQ-17"], "{context:?}");
        let fee = decide("Is there an additional fee to bring our own key?");
        assert!(fee.reason.contains("a price or a commercial term"), "{fee:?}");
    }

    #[test]
    fn our_people_in_any_role_are_the_customers() {
        let reader = Reader::new(rules());
        for (text, ours) in [
            ("training for our own accounts payable staff", true),
            ("phishing tests for our warehouse clerks", true),
            ("training for our franchisees' accounts-payable clerks", true),
            ("can our tenant's end users enrol a passkey", true),
            ("our staff", true),
            ("do your employees see our data", false),
            ("our data is read by your support team", false),
            ("our", false),
        ] {
            assert_eq!(reader.names_customer_people(text), ours, "{text}");
        }
        assert!(reader.names_vendor_people("MFA for your own admins?"));
        assert!(reader.names_vendor_people("Do your support engineers see our data?"));
        assert!(!reader.names_vendor_people("Is your data encrypted by the staff?"));
    }

    #[test]
    fn a_question_about_the_vendors_people_is_not_answered_about_the_customers() {
        let reader = Reader::new(rules());
        let library = vec![entry(
            "FAQ-19",
            "Is multi-factor authentication available for our users?",
            "Yes: passkeys and authenticator apps.",
        )];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        let admins = decide("Is multi-factor authentication required for your own admins?");
        assert_eq!(admins.method, Method::NeedsPerson, "{admins:?}");
        assert!(admins.reason.contains("vendor's own people"), "{admins:?}");
        // The customer's users are answered, also when the question names the vendor's people too.
        assert_eq!(decide("Is multi-factor authentication available for our users?").answers, ["FAQ-19"]);
        assert_eq!(
            decide("Can your support staff see whether multi-factor authentication is on for our users?")
                .answers,
            ["FAQ-19"]
        );
    }

    #[test]
    fn whose_people_a_phrasing_is_about_is_read_from_what_it_asks() {
        let reader = Reader::new(rules());
        let mut sso = entry(
            "FAQ-24",
            "Do you support single sign-on for our users?",
            "Yes: SAML and OpenID Connect with any identity provider.",
        );
        // Phrasings that call the customer's people "staff" say nothing of the vendor's.
        sso.also_asked_as = vec![
            "Can our staff sign in with their work accounts?".to_string(),
            "Our IT team has 800 staff on Okta. Can they use single sign-on?".to_string(),
        ];
        let mut training = entry(
            "FAQ-25",
            "Do employees receive security awareness training?",
            "Yes, within 30 days of joining and every year.",
        );
        // A phrasing whose context names the customer's team asks about the vendor's staff.
        training.also_asked_as =
            vec!["Our procurement team gets fraud calls. Do your finance staff get awareness training?"
                .to_string()];
        let matcher = Matcher::new(&reader, vec![sso, training]);
        let decide = |question: &str| matcher.decide(question, None);
        let engineers =
            decide("If your identity provider is down, how do your engineers sign on to production?");
        assert_eq!(engineers.method, Method::NeedsPerson, "{engineers:?}");
        assert!(engineers.reason.contains("vendor's own people"), "{engineers:?}");
        let clerks = decide("Will you provide security awareness training for our accounts payable clerks?");
        assert_eq!(clerks.method, Method::NeedsPerson, "{clerks:?}");
        assert!(clerks.reason.contains("customer's own people"), "{clerks:?}");
        // Each answer still answers its own people.
        assert_eq!(decide("Can our users sign in with single sign-on?").answers, ["FAQ-24"]);
        assert_eq!(decide("Do your employees receive security awareness training?").answers, ["FAQ-25"]);
    }

    #[test]
    fn a_sign_in_protocol_or_a_standard_the_answer_does_not_name_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![
            entry(
                "FAQ-26",
                "Do you support single sign-on?",
                "Yes: SAML 2.0 and OpenID Connect with any identity provider.",
            ),
            entry("FAQ-27", "Are you ISO 27001 certified?", "Yes, ISO/IEC 27001:2022 since 2021."),
            entry("FAQ-28", "How will you notify us of a breach?", "Within 48 hours, by email."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        let ldap = decide("Can your app check our users' sign-on against our Active Directory over LDAPS?");
        assert_eq!(ldap.method, Method::NeedsPerson, "{ldap:?}");
        assert!(ldap.reason.contains("`ldap`") && ldap.reason.contains("sign-in protocols"), "{ldap:?}");
        assert_eq!(decide("Can our users sign on with SAML single sign-on?").answers, ["FAQ-26"]);
        let ai = decide("Are you ISO/IEC 42001 certified?");
        assert!(ai.reason.contains("`iso42001`"), "{ai:?}");
        assert_eq!(decide("Are you ISO/IEC 27001 certified?").answers, ["FAQ-27"]);
        // "Was it you?" asks about one event, as "were we affected?" does.
        let press =
            decide("The press reported a breach at an invoice vendor. Was it you? Will you notify us?");
        assert!(press.reason.contains("a particular event"), "{press:?}");
    }

    #[test]
    fn a_question_about_the_vendors_suppliers_is_not_answered_by_an_answer_that_names_none() {
        let reader = Reader::new(rules());
        let library = vec![
            entry("FAQ-21", "Do you perform background checks on employees?", "Yes, before hiring."),
            entry("FAQ-22", "How do you assess your suppliers?", "Subprocessors are reviewed every year."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        for question in [
            "Do your sub-processors perform background checks on their employees?",
            "Does your cloud hosting provider perform background checks on its employees?",
        ] {
            let decision = decide(question);
            assert_eq!(decision.method, Method::NeedsPerson, "{question}: {decision:?}");
            assert!(
                decision.reason.contains("vendor's suppliers") && decision.reason.contains("FAQ-21"),
                "{decision:?}"
            );
        }
        // An answer that names suppliers answers; third-party attestations are not suppliers.
        let assess = decide("How do you assess your subprocessors?");
        assert_eq!(assess.answers, ["FAQ-22"], "{assess:?}");
        assert!(!reader.names_vendor_suppliers("Which third-party attestations does your company hold?"));
        assert_eq!(decide("Do you perform background checks on employees?").answers, ["FAQ-21"]);
        // The other way round: the answer about suppliers answers only rows that name one.
        let register = decide("How do you assess your risk register?");
        assert_eq!(register.method, Method::NeedsPerson, "{register:?}");
        assert!(register.reason.contains("is about suppliers"), "{register:?}");
        assert_eq!(decide("How do you assess your fourth parties?").answers, ["FAQ-22"]);
    }

    #[test]
    fn words_that_only_look_like_a_scope_or_a_party_are_not_one() {
        let reader = Reader::new(rules());
        let library = vec![
            entry(
                "FAQ-24",
                "Is MFA available for our users?",
                "Yes, through your identity provider or passkeys.",
            ),
            entry("FAQ-25", "How fast do you patch?", "Critical: 7 days. High: 30 days. Medium: 90 days."),
            entry("FAQ-26", "How do you assess your suppliers?", "Subprocessors are reviewed every year."),
        ];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        // "Your identity provider" is not a supplier: the answer names none.
        let sub = decide("Do your sub-processors enforce MFA for their users?");
        assert!(sub.reason.contains("the vendor's suppliers; the closest answer, FAQ-24"), "{sub:?}");
        // "Your users" are the service's users, the customer's people, not the vendor's.
        assert_eq!(decide("Is MFA available for all your users?").answers, ["FAQ-24"]);
        // "Lower" is not a low severity, "serve" not a server.
        let lower = decide("How fast do you patch in a lower environment?");
        assert!(!lower.reason.contains("severities"), "{lower:?}");
        let serve = decide("How fast do you patch the software you serve?");
        assert!(!serve.reason.contains("device"), "{serve:?}");
        // An answer about suppliers answers only rows that ask about one, whatever the context.
        let register = decide("Our board assesses every supplier. How do you assess your risk register?");
        assert_eq!(register.method, Method::NeedsPerson, "{register:?}");
    }

    #[test]
    fn a_question_that_asks_to_name_someone_is_left_for_a_person() {
        let reader = Reader::new(rules());
        let library = vec![entry(
            "FAQ-20",
            "Do you run penetration tests?",
            "Yes, once a year by an independent firm.",
        )];
        let matcher = Matcher::new(&reader, library);
        let decide = |question: &str| matcher.decide(question, None);
        for question in [
            "Name the firm that runs your penetration tests.",
            "Name of your penetration testing firm?",
            "List by name the firms that run your penetration tests.",
        ] {
            let decision = decide(question);
            assert_eq!(decision.method, Method::NeedsPerson, "{question}: {decision:?}");
            assert!(decision.reason.contains("a name"), "{decision:?}");
        }
        assert_eq!(decide("Who runs your penetration tests?").answers, ["FAQ-20"]);
    }

    #[test]
    fn a_row_with_its_context_first_is_answered_by_what_it_asks_when_both_readings_agree() {
        let reader = Reader::new(rules());
        // As a whole the row covers too little of any answer, with another close behind; what
        // it asks is the encryption answer.
        let row = "We are a hospital trust; our auditors review access rights monthly. \
            Is customer data encrypted at rest?";
        let (whole, short) = Matcher::new(&reader, library()).decide_text(row, None);
        assert!(
            short && whole.method == Method::NeedsPerson,
            "the context alone keeps it from an answer: {whole:?}"
        );
        let decision = decide(row);
        assert_eq!(decision.answers, ["FAQ-2"], "{decision:?}");
        assert!(decision.reason.contains("what the question asks after its context"), "{decision:?}");
        // A row that is mostly context is left for a person, whatever it asks last.
        let context = "We are a regional hospital trust with four sites, a shared finance service centre \
            and strict procurement rules for every supplier we onboard this year. Our board, our \
            auditors and the regional health authority each sign off on every new contract. ";
        let mostly = decide(&format!("{context}Is customer data encrypted at rest?"));
        assert!(mostly.confidence < reader.rules().context_answer_threshold, "{mostly:?}");
        assert_eq!(mostly.method, Method::NeedsPerson, "{mostly:?}");
        // A rule that leaves the whole row for a person is not undone by reading less of it: the
        // standard named in the context still counts.
        let pci = decide(&format!("{context}Our PCI DSS assessor asks. Which certifications do you hold?"));
        assert_eq!(pci.method, Method::NeedsPerson, "{pci:?}");
        // When what it asks reads as another answer than the whole row's closest, a person decides.
        let row = "Our board reviews how often user access rights are reviewed, and how often privileged \
             access rights are reviewed, for every vendor. Do you encrypt data at rest?";
        let (whole, short) = Matcher::new(&reader, library()).decide_text(row, None);
        assert!(short && whole.best.as_ref().is_some_and(|(id, _)| id != "FAQ-2"), "{whole:?}");
        let split = decide(row);
        assert_eq!(split.method, Method::NeedsPerson, "{split:?}");
    }

    #[test]
    fn an_answer_far_ahead_of_the_next_answers_a_long_question() {
        let rules = rules();
        let context = "Our board, auditors and lawyers want to hear it plainly from every vendor we review:";
        // Too little coverage for the lead, but the next answer scores a sixth of it.
        let far = decide(&format!("{context} is customer data encrypted at rest?"));
        assert!(far.confidence < rules.lead_answer_threshold, "{far:?}");
        assert_eq!(far.answers, ["FAQ-2"], "{far:?}");
        assert!(far.reason.contains("times its score"), "{far:?}");
        // Two answers close to each other: a person decides (one sentence, so what it asks is
        // the whole row).
        let context = context.replace(':', ",");
        let close = decide(&format!("{context} may penetration tests be run?"));
        assert_eq!(close.method, Method::NeedsPerson, "{close:?}");
        // Below the ratio's own floor, it waits for a person too.
        let thin = decide(&format!(
            "{context} and our finance controllers, regional councillors, union representatives and external advisers ask too, encrypted?"
        ));
        assert!(thin.confidence < rules.lead_ratio_answer_threshold, "{thin:?}");
        assert_eq!(thin.method, Method::NeedsPerson, "{thin:?}");
    }

    #[test]
    fn a_clear_lead_answers_what_coverage_alone_would_not() {
        let rules = rules();
        // Many words no answer has: the coverage is below the plain threshold, but only one
        // answer is about encryption at rest.
        let long = decide(
            "Our procurement board requires written confirmation: is customer data encrypted at rest?",
        );
        assert!(long.confidence < rules.answer_threshold, "{long:?}");
        assert_eq!(
            (long.method, long.answers.as_slice()),
            (Method::Text, &["FAQ-2".to_string()][..]),
            "{long:?}"
        );
        assert!(long.reason.contains("the only answer"), "{long:?}");
        // Two answers about penetration tests: neither leads, so a vague question waits.
        let vague = decide("Before go-live our board wants to know about the penetration tests.");
        assert_eq!(vague.method, Method::NeedsPerson, "{vague:?}");
        assert!(vague.reason.contains("leads FAQ-"), "{vague:?}");
    }

    #[test]
    fn a_lead_does_not_answer_a_question_mostly_of_words_no_answer_holds() {
        let reader = Reader::new(crate::answer::built_in_rules().unwrap());
        let built_in = Matcher::new(&reader, library());
        let reader = Reader::new(rules());
        let without = Matcher::new(&reader, library());
        // Only the encryption answer shares its words, so a lead alone would answer; but most of
        // the question is words no answer holds: it may be about something else.
        let question =
            "Is customer data at rest encrypted with keys kept in a tamper-resistant hardware module?";
        let lead = without.decide(question, None);
        assert_eq!((lead.method, lead.answers.as_slice()), (Method::Text, &["FAQ-2".to_string()][..]));
        assert!(lead.confidence < rules().answer_threshold, "{lead:?}");
        let unknown = built_in.decide(question, None);
        assert_eq!(unknown.method, Method::NeedsPerson, "{unknown:?}");
        assert!(unknown.reason.contains("words no answer holds"), "{unknown:?}");
        assert_eq!(unknown.best, lead.best, "the candidate is still named");
        // A question of known words is answered by the same lead.
        let known =
            built_in.decide("Is stored data encrypted on each volume and each backup, every time?", None);
        assert!(known.confidence < rules().answer_threshold, "{known:?}");
        assert_eq!(known.answers, ["FAQ-2"], "{known:?}");
    }

    #[test]
    fn a_question_a_teaser_covers_nearly_as_well_as_the_best_answer_is_left_for_a_person() {
        // The public answer says how often reviews happen; the teaser holds their figures.
        let reader = Reader::new(rules());
        let matcher = Matcher::new(&reader, library());
        let figures =
            matcher.decide("How often do you review user access rights, and with what results?", None);
        assert_eq!(figures.method, Method::NeedsPerson, "{figures:?}");
        assert!(figures.reason.contains("close to FAQ-6"), "{figures:?}");
        assert_eq!(figures.best.as_ref().map(|(id, _)| id.as_str()), Some("FAQ-3"), "{figures:?}");
        // Without the teaser, the answer about reviews would have been given.
        let public: Vec<Entry> = library().into_iter().filter(|e| !e.on_request).collect();
        let without = Matcher::new(&reader, public)
            .decide("How often do you review user access rights, and with what results?", None);
        assert_eq!(without.answers, ["FAQ-3"], "{without:?}");
        // A question with no word of the teaser's that the best answer lacks is answered.
        assert_eq!(
            matcher.decide("How often are privileged access rights reviewed?", None).answers,
            ["FAQ-3"]
        );
    }

    #[test]
    fn what_a_row_asks_after_its_context_answers_only_with_its_own_floor() {
        let row = "We are a hospital trust; our auditors review access rights monthly. \
            Is data at rest encrypted in a tamper-resistant module?";
        let reader = Reader::new(rules());
        let read = Matcher::new(&reader, library()).decide(row, None);
        assert_eq!(read.answers, ["FAQ-2"], "{read:?}");
        assert!(read.reason.contains("after its context"), "{read:?}");
        // What it asks covers less than the floor: the context it leaves out may be what makes
        // it a near miss, so a person decides.
        let floor = crate::answer::text::Rules { context_part_threshold: read.confidence + 0.01, ..rules() };
        let reader = Reader::new(floor);
        let strict = Matcher::new(&reader, library()).decide(row, None);
        assert_eq!(strict.method, Method::NeedsPerson, "{strict:?}");
        assert_eq!(strict.best.as_ref().map(|(id, _)| id.as_str()), Some("FAQ-2"), "{strict:?}");
        // The built-in floor is above the lead's: reading less of a row asks more of it.
        let built_in = crate::answer::built_in_rules().unwrap();
        assert!(built_in.context_part_threshold > built_in.lead_answer_threshold);
    }
}
