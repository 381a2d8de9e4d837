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
    lengths: Vec<f64>,
    average_length: f64,
    /// Token → how many entries hold it.
    frequency: HashMap<String, usize>,
    /// Token → the entries that hold it, with its frequency there: only those are scored.
    postings: HashMap<String, Vec<(usize, f64)>>,
    /// CAIQ id (upper-case) → entries that cite it.
    references: BTreeMap<String, Vec<usize>>,
}

impl<'r> Matcher<'r> {
    pub fn new(reader: &'r Reader, entries: Vec<Entry>) -> Matcher<'r> {
        let mut docs = Vec::with_capacity(entries.len());
        let mut questions = Vec::with_capacity(entries.len());
        let mut lengths = Vec::with_capacity(entries.len());
        let mut frequency: HashMap<String, usize> = HashMap::new();
        let mut references: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut postings: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
        let question_weight = reader.rules().ranking.question_weight;
        for (index, entry) in entries.iter().enumerate() {
            let mut tf: HashMap<String, f64> = HashMap::new();
            let mut question: std::collections::HashSet<String> = std::collections::HashSet::new();
            for asked in std::iter::once(&entry.question).chain(&entry.also_asked_as) {
                for token in reader.tokens(asked) {
                    question.insert(token.clone());
                    *tf.entry(token).or_default() += question_weight;
                }
            }
            for token in reader.tokens(&entry.text) {
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
        let average_length =
            if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<f64>() / lengths.len() as f64 };
        Matcher {
            reader,
            entries,
            docs,
            questions,
            lengths,
            average_length: average_length.max(1.0),
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
    /// than `except`, when any scores above zero. Scores add up along the postings of the
    /// question's tokens, so only entries sharing a word are touched.
    fn top(&self, tokens: &[(String, f64)], except: Option<usize>) -> Option<(usize, f64)> {
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
        let mut best: Option<(usize, f64)> = None;
        for doc in touched {
            let score = scores[doc];
            if Some(doc) == except || score <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((held, top)) => {
                    score > top || (score == top && self.entries[doc].id < self.entries[held].id)
                }
            };
            if better {
                best = Some((doc, score));
            }
        }
        best
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
        let tokens = self.weighted(question);
        let threshold = self.reader.rules().answer_threshold;
        // A reference match comes first; among several answers with that id, the words decide.
        // A reference is read as a CAIQ id is (`caiq::ids::normalise`): white space, case and
        // full-width or invisible characters do not tell two ids apart.
        if let Some(candidates) = reference.and_then(|r| self.references.get(&crate::caiq::ids::normalise(r)))
        {
            let ranked = self.ranked(&tokens, candidates.iter().copied());
            if let Some(&(doc, _)) = ranked.first() {
                let id = self.entries[doc].id.clone();
                return Decision {
                    method: Method::Reference,
                    answers: vec![id.clone()],
                    confidence: 1.0,
                    best: Some((id.clone(), 1.0)),
                    reason: format!(
                        "the reference `{}` is one of {id}'s",
                        reference.unwrap_or_default().trim()
                    ),
                };
            }
        }
        let Some((best, score)) = self.top(&tokens, None) else {
            return Decision {
                method: Method::NeedsPerson,
                answers: Vec::new(),
                confidence: 0.0,
                best: None,
                reason: "no answer shares a word with the question".to_string(),
            };
        };
        let confidence = round(self.coverage(&tokens, best));
        let id = self.entries[best].id.clone();
        // An answer whose own question shares no word with this one is about something else,
        // whatever words its text happens to hold.
        if !tokens.iter().any(|(token, _)| self.questions[best].contains(token)) {
            return Decision {
                method: Method::NeedsPerson,
                answers: Vec::new(),
                confidence,
                best: Some((id.clone(), confidence)),
                reason: format!(
                    "the closest answer, {id}, answers a question that shares no word with this one"
                ),
            };
        }
        if confidence < threshold {
            return Decision {
                method: Method::NeedsPerson,
                answers: Vec::new(),
                confidence,
                best: Some((id.clone(), confidence)),
                reason: format!(
                    "the closest answer, {id}, covers {:.0}% of the question (answering takes {:.0}%)",
                    confidence * 100.0,
                    threshold * 100.0
                ),
            };
        }
        let mut answers = vec![id.clone()];
        // A two-part question: what the first answer leaves out may be another answer's.
        let rest: Vec<(String, f64)> =
            tokens.iter().filter(|(t, _)| !self.docs[best].contains_key(t)).cloned().collect();
        let rest_share = 1.0 - confidence;
        if rest_share >= self.ranking().second_part_share {
            if let Some((second, _)) = self.top(&rest, Some(best)) {
                if self.coverage(&rest, second) >= self.reader.rules().second_answer_threshold {
                    answers.push(self.entries[second].id.clone());
                }
            }
        }
        let _ = score;
        Decision {
            method: Method::Text,
            reason: format!("{id} covers {:.0}% of the question", confidence * 100.0),
            answers,
            confidence,
            best: Some((id, confidence)),
        }
    }
}

/// Three decimals: decisions print and compare the same everywhere.
fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
