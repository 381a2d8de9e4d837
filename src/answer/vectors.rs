//! The shared test vectors of the two answer engines: this crate's (`trustpress answer`) and
//! the questionnaire page's (`themes/default/static/questionnaire/engine.js`). Both read
//! `tests/answer/vectors.json` and must give exactly the decisions it records: the same
//! tokens, the same answer for every question (with its confidence and its reason, word for
//! word), the same layout for
//! every sheet, and the same cells written for every row. This test checks the Rust side;
//! `tests/browser/questionnaire.test.mjs` checks the page's, in Chromium.
//!
//! The vectors are made from the example's public answer library, the evaluation questions
//! (`tests/answer/*.yaml`), hand-written edge cases and seeded random questions and sheets.
//! When the rules or the engine change on purpose, write them again with
//! `TRUSTPRESS_UPDATE_VECTORS=1 cargo test --lib answer::vectors` and read the diff.

use serde::{Deserialize, Serialize};

use super::fill::{by_reference, plan, RowState, Unwritable, Vocabulary};
use super::layout::{detect, Layout, Overrides};
use super::matcher::{Entry, Matcher, Method};
use super::text::Reader;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Vectors {
    about: String,
    library: Vec<LibraryEntry>,
    /// How to tell a CAIQ of the other version, as `faq/answers.json` publishes it.
    caiq: crate::caiq::ids::VersionTell,
    tokens: Vec<TokenVector>,
    decisions: Vec<DecisionVector>,
    sheets: Vec<SheetVector>,
}

/// An answer of the library, as `faq/answers.json` publishes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct LibraryEntry {
    id: String,
    question: String,
    also_asked_as: Vec<String>,
    text: String,
    caiq: Vec<String>,
    response: Option<crate::model::Response>,
    url: String,
    #[serde(default)]
    on_request: bool,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct TokenVector {
    text: String,
    tokens: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct DecisionVector {
    question: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    method: Method,
    answers: Vec<String>,
    confidence: f64,
    best: Option<String>,
    /// Why, word for word: both engines must explain alike.
    reason: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct SheetVector {
    name: String,
    rows: Vec<Vec<String>>,
    /// The values of the response column's dropdown, when it has one.
    #[serde(default)]
    dropdown: Vec<String>,
    layout: Option<Layout>,
    /// Whether its reference column is matched (not a CAIQ of the other version).
    by_reference: bool,
    plan: Vec<RowVector>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct RowVector {
    row: usize,
    state: RowState,
    answers: Vec<String>,
    writes: Vec<(usize, String)>,
}

const PATH: &str = "tests/answer/vectors.json";

fn entries(library: &[LibraryEntry]) -> Vec<Entry> {
    library
        .iter()
        .map(|e| Entry {
            id: e.id.clone(),
            question: e.question.clone(),
            also_asked_as: e.also_asked_as.clone(),
            text: e.text.clone(),
            caiq: e.caiq.clone(),
            response: e.response,
            url: e.url.clone(),
            on_request: e.on_request,
        })
        .collect()
}

/// The example's public answer library, as a public build publishes it.
fn example_library() -> Vec<LibraryEntry> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = crate::load::load(&root.join("content")).expect("the example loads");
    let isms = crate::cut::cut(&loaded.isms, crate::audience::Audience::Public);
    let json = crate::render::questionnaire::answer_library_json(&isms);
    #[derive(Deserialize)]
    struct Library {
        entries: Vec<LibraryEntry>,
    }
    let mut entries = serde_json::from_slice::<Library>(&json).expect("the library reads back").entries;
    // Two made-up answers at a spreadsheet cell's limit: one past it, one whose UTF-8 bytes
    // are past it but whose characters (as Excel counts them) are not.
    let long = |id: &str, question: &str, text: String| LibraryEntry {
        id: id.into(),
        question: question.into(),
        also_asked_as: Vec::new(),
        text,
        caiq: Vec::new(),
        response: Some(crate::model::Response::Yes),
        url: format!("https://trust.example/faq/#{}", id.to_lowercase()),
        on_request: false,
    };
    entries.push(long(
        "TEST-LONG",
        "Is the zebra procurement manifesto longer than a cell?",
        "Zebra manifesto clause. ".repeat(1400),
    ));
    entries.push(long("TEST-WIDE", "Does the okapi glossary fit in a cell?", "é".repeat(32_600)));
    // Fewer characters than the limit, more UTF-16 code units: Excel counts the latter.
    entries.push(long("TEST-EMOJI", "Is the emoji zebra herd too wide for a cell?", "🦓".repeat(16_500)));
    entries
}

/// The `question:`s of the evaluation sets, in file order: every one of the tuning set, and
/// every other one of each later set (their first, third, …). Ninety sets of a hundred would
/// make the vectors some 5 MB; half of each still reaches every kind of row its writer wrote.
fn evaluation_questions() -> Vec<String> {
    #[derive(Deserialize)]
    struct Item {
        question: String,
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut questions = Vec::new();
    // Every set in the directory, the tuning set first, then the others by their number: a
    // set added to the evaluation joins the vectors without a second list to keep.
    let dir = root.join("tests/answer");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name == "eval.yaml" || (name.starts_with("independent") && name.ends_with(".yaml")))
        .collect();
    let number = |name: &str| -> u32 {
        name.trim_start_matches("independent").trim_end_matches(".yaml").parse().unwrap_or(1)
    };
    names.sort_by_key(|name| (name != "eval.yaml", number(name)));
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let items: Vec<Item> = serde_saphyr::from_str(&text).unwrap();
        let every = if name == "eval.yaml" { 1 } else { 2 };
        questions.extend(items.into_iter().step_by(every).map(|i| i.question));
    }
    questions
}

/// A small seeded generator: the same vectors on every machine.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Texts that test the reading itself: case, accents, other scripts, digits, punctuation,
/// phrases at the edges, stopwords only, nothing.
fn edge_texts() -> Vec<String> {
    [
        "",
        "   ",
        "Please describe what you do.",
        "Do you support MULTI-FACTOR authentication (2FA)?",
        "Is data encrypted at rest with AES-256 and in transit with TLS 1.2+?",
        "Café résumé naïve — Übergrößenträger ÆØÅ İstanbul ΣΊΣΥΦΟΣ",
        "数据是否加密？ データは暗号化されていますか",
        "Есть ли у вас политика безопасности?",
        "ISO/IEC 27001:2022 certificate; SOC 2 Type II report",
        "single-sign-on via SAML 2.0 / OIDC",
        "processes processing processed process's",
        "status ss us is bus analysis gas",
        "Zero\u{200b}width\u{00a0}spaces\tand\ttabs\nand lines",
        "𝐁𝐨𝐥𝐝 mathematical letters and emoji 🔐 encryption",
        "x y z 1 2 3 a1 b2 tls1 v2",
        "ﬁle ligature and Ǆ titlecase",
        "Are backups backed up? back up backup backups",
        "third-party third parties subprocessors sub-processors",
        "Can our own warehouse clerks, our HR team and our tenant's end users use MFA?",
        "our own own own staff; our",
        "Our API, SFTP and telephone hotline were affected last week: were we affected?",
        "We are a hospital and our finance team approves suppliers. Do your employees receive security awareness training?",
        "Our finance team approves suppliers; do your employees receive training? And our staff?",
        "Do your sub-processors screen their staff?\nOur team asks.",
        "Context: our users.\u{a0}Is MFA required for your own admins?",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Questions made of the library's own words, shuffled with stopwords and words nobody wrote:
/// a differential check far from the hand-picked questions.
fn random_questions(library: &[LibraryEntry], count: usize, seed: u64) -> Vec<String> {
    let mut random = Seeded(seed);
    let mut vocabulary: Vec<String> = library
        .iter()
        .flat_map(|e| super::text::words(&format!("{} {} {}", e.question, e.also_asked_as.join(" "), e.text)))
        .collect();
    vocabulary.sort();
    vocabulary.dedup();
    let extra = ["the", "do", "you", "cafeteria", "logically", "quarterly", "vendor", "MFA", "SOC 2"];
    (0..count)
        .map(|_| {
            let length = 1 + random.below(12);
            let mut words: Vec<String> = (0..length)
                .map(|_| {
                    if random.below(5) == 0 {
                        random.pick(&extra).to_string()
                    } else {
                        random.pick(&vocabulary).clone()
                    }
                })
                .collect();
            if random.below(2) == 0 {
                let mut chars = words[0].chars();
                if let Some(first) = chars.next() {
                    words[0] = format!("{}{}", first.to_uppercase(), chars.as_str());
                }
            }
            format!("{}{}", words.join(" "), if random.below(2) == 0 { "?" } else { "" })
        })
        .collect()
}

fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// Sheets whose layout and plan both engines must agree on.
fn sheets(library: &[LibraryEntry], seed: u64) -> Vec<(String, Vec<Vec<String>>, Vec<String>)> {
    let mut sheets = vec![
        (
            "answers at a cell's limit".to_string(),
            sheet(&[
                &["Question", "Answer", "Comments"],
                &["Is the zebra procurement manifesto longer than a cell?", "", ""],
                &["Does the okapi glossary fit in a cell?", "", ""],
                &["Is the emoji zebra herd too wide for a cell?", "", ""],
                &["Is customer data encrypted at rest?", "", ""],
            ]),
            Vec::new(),
        ),
        (
            "caiq-like, title above the header, references".to_string(),
            sheet(&[
                &["Consensus-style assessment (our own wording)"],
                &[],
                &[
                    "Question ID",
                    "Question",
                    "CSP CAIQ Answer",
                    "SSRM Control Ownership",
                    "CSP Implementation Description",
                ],
                &["CEK-03.1", "Is customer data encrypted at rest?", "", "", ""],
                &["A&A-01.1", "Are audit policies documented and reviewed?", "", "", ""],
                &["XYZ-99.9", "Do you run a staff cafeteria?", "", "", ""],
                &["", "Section without id", "", "", ""],
                &["IAM-14.1", "Is MFA enforced?", "Yes", "", "already answered"],
            ]),
            vec!["Yes".into(), "No".into(), "NA".into()],
        ),
        (
            "caiq v4.1: ids of the other version are matched by words".to_string(),
            sheet(&[
                &["Question ID", "Question", "CSP CAIQ Answer", "CSP Implementation Description"],
                &["I&S-01.1", "Are infrastructure security policies established?", "", ""],
                &["IAM-14.1", "Is a staff cafeteria available on site?", "", ""],
                &[" cek - 03.1 ", "Is customer data encrypted at rest?", "", ""],
            ]),
            Vec::new(),
        ),
        (
            "caiq v4.1, its one telling id in full-width forms with a zero-width space".to_string(),
            sheet(&[
                &["Question ID", "Question", "CSP CAIQ Answer", "CSP Implementation Description"],
                &[
                    "\u{ff29}\u{ff06}\u{ff33}-01.1\u{200b}",
                    "Are infrastructure security policies established?",
                    "",
                    "",
                ],
                &["IAM-14.1", "Is a staff cafeteria available on site?", "", ""],
            ]),
            Vec::new(),
        ),
        (
            "caiq ids of both versions: matched by reference".to_string(),
            sheet(&[
                &["Question ID", "Question", "CSP CAIQ Answer", "CSP Implementation Description"],
                &["I&S-01.1", "Are infrastructure security policies established?", "", ""],
                &["ivs-01.1", "Are infrastructure security policies established?", "", ""],
                &["IAM-14.1", "Is a staff cafeteria available on site?", "", ""],
            ]),
            Vec::new(),
        ),
        (
            "customer sheet: instructions, sections, evidence column".to_string(),
            sheet(&[
                &["Please answer every question. Use the dropdown for the answer."],
                &["#", "Requirement", "Yes/No", "Comments", "Evidence / link"],
                &["", "Access control", "", "", ""],
                &["1.1", "Is MFA enforced for administrators?", "", "", ""],
                &["1.2", "How often are user access reviews done?", "", "", ""],
                &["", "Data protection", "", "", ""],
                &["2.1", "Is our data encrypted in transit?", "", "", ""],
                &["2.2", "Do you have a bug bounty?", "", "", ""],
            ]),
            Vec::new(),
        ),
        (
            "sig-like: comment column only for the citation".to_string(),
            sheet(&[
                &["Lite questionnaire (fixture)"],
                &["Ques Num", "Question/Request", "Response", "Additional Information", "Scoring"],
                &["1", "Is there a written information security policy?", "", "", ""],
                &["2", "Are background checks performed on new hires?", "Y", "", ""],
                &["3", "Is there a disaster recovery plan, and is it tested?", "", "", ""],
            ]),
            Vec::new(),
        ),
        ("no header".to_string(), sheet(&[&["a", "b"], &["c", "d"]]), Vec::new()),
        (
            "question column only, answers nowhere".to_string(),
            sheet(&[&["Question"], &["Is data encrypted at rest?"]]),
            Vec::new(),
        ),
    ];
    // Seeded sheets: header words from the rules' own lists in random order, with noise
    // columns, a random number of rows above, and library questions (reworded or not) below.
    let rules = super::built_in_rules().unwrap();
    let columns = &rules.columns;
    let mut random = Seeded(seed);
    let pools: [&[String]; 5] =
        [&columns.reference, &columns.question, &columns.response, &columns.comment, &columns.evidence];
    let noise = ["Owner", "Scoring", "Weight", "Guidance", "Category", "Status", "", "Domain"];
    for index in 0..40 {
        let mut header: Vec<String> = Vec::new();
        for pool in pools {
            if random.below(4) != 0 {
                let word = random.pick(pool);
                let word = match random.below(3) {
                    0 => word.to_uppercase(),
                    1 => word.clone(),
                    _ => format!("{} (please fill)", word),
                };
                header.push(word);
            }
            if random.below(3) == 0 {
                header.push(random.pick(&noise).to_string());
            }
        }
        let position = random.below(header.len() + 1);
        header.insert(position, random.pick(&noise).to_string());
        let mut rows: Vec<Vec<String>> =
            (0..random.below(4)).map(|_| vec![random.pick(&noise).to_string()]).collect();
        rows.push(header.clone());
        for _ in 0..(1 + random.below(6)) {
            let entry = random.pick(library);
            let question = match random.below(3) {
                0 => entry.question.clone(),
                1 => entry.also_asked_as.first().cloned().unwrap_or_else(|| entry.question.clone()),
                _ => random_questions(library, 1, random.next()).remove(0),
            };
            let row: Vec<String> = header
                .iter()
                .map(|h| match h.to_lowercase() {
                    h if h.contains("question") || h.contains("requirement") || h.contains("query") => {
                        question.clone()
                    }
                    h if h.contains("id") || h.contains("ref") || h.contains("num") => {
                        if random.below(3) == 0 {
                            entry.caiq.first().cloned().unwrap_or_default()
                        } else {
                            format!("{}", random.below(99))
                        }
                    }
                    _ if random.below(8) == 0 => "pre-filled".to_string(),
                    _ => String::new(),
                })
                .collect();
            rows.push(row);
        }
        let dropdown = match random.below(3) {
            0 => vec!["Y".into(), "N".into(), "n/a".into()],
            1 => vec!["Yes".into(), "No".into(), "Not applicable".into()],
            _ => Vec::new(),
        };
        sheets.push((format!("seeded sheet {index}"), rows, dropdown));
    }
    sheets
}

fn compute(library: Vec<LibraryEntry>) -> Vectors {
    let reader = Reader::new(super::built_in_rules().unwrap());
    let matcher = Matcher::new(&reader, entries(&library));
    let mut texts = edge_texts();
    texts.extend(library.iter().take(10).map(|e| e.text.clone()));
    let tokens =
        texts.iter().map(|text| TokenVector { text: text.clone(), tokens: reader.tokens(text) }).collect();

    let mut questions: Vec<(String, Option<String>)> = Vec::new();
    questions.extend(edge_texts().into_iter().map(|q| (q, None)));
    questions.extend(evaluation_questions().into_iter().map(|q| (q, None)));
    questions.extend(random_questions(&library, 300, 0x7275_7374_7072_6573).into_iter().map(|q| (q, None)));
    // References: an exact id, one in another case with spaces, an unknown one.
    for entry in library.iter().filter(|e| !e.caiq.is_empty()).take(5) {
        questions.push((entry.question.clone(), Some(entry.caiq[0].clone())));
        questions.push(("anything at all".into(), Some(format!("  {} ", entry.caiq[0].to_lowercase()))));
    }
    questions.push(("Is data encrypted at rest?".into(), Some("NOPE-00.0".into())));
    // A reference read as a CAIQ id is: full-width forms and a zero-width space.
    if let Some(entry) = library.iter().find(|e| !e.caiq.is_empty()) {
        let wide: String = entry.caiq[0]
            .chars()
            .map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xfee0).unwrap_or(c) } else { c })
            .collect();
        questions.push(("anything at all".into(), Some(format!("{wide}\u{200b}"))));
    }
    let decisions = questions
        .into_iter()
        .map(|(question, reference)| {
            let decision = matcher.decide(&question, reference.as_deref());
            DecisionVector {
                question,
                reference,
                method: decision.method,
                answers: decision.answers,
                confidence: decision.confidence,
                best: decision.best.map(|(id, _)| id),
                reason: decision.reason,
            }
        })
        .collect();

    let rules = reader.rules();
    let caiq = crate::caiq::ids::VersionTell::of(crate::caiq::Version::V4_0_3);
    let sheets = sheets(&library, 0x0051_7565_7374)
        .into_iter()
        .map(|(name, rows, dropdown)| {
            let layout = detect(&rows, &rules.columns, rules.header_within_rows, Overrides::default());
            let by_reference = layout.as_ref().is_none_or(|layout| by_reference(&rows, layout, &caiq));
            let plan = match &layout {
                Some(layout) => {
                    let vocabulary = Vocabulary::of_sheet(&rows, layout, &dropdown);
                    plan(&rows, layout, &matcher, &vocabulary, by_reference, &Unwritable::default())
                        .into_iter()
                        .map(|row| RowVector {
                            row: row.row,
                            state: row.state,
                            answers: row.decision.answers,
                            writes: row.writes,
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            SheetVector { name, rows, dropdown, layout, by_reference, plan }
        })
        .collect();
    Vectors {
        about: "The shared test vectors of trustpress answer (Rust) and the questionnaire page (JavaScript): both must give exactly these. Made by src/answer/vectors.rs; write again with TRUSTPRESS_UPDATE_VECTORS=1 cargo test --lib answer::vectors".into(),
        library,
        caiq,
        tokens,
        decisions,
        sheets,
    }
}

#[test]
fn the_rust_engine_gives_the_shared_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PATH);
    if std::env::var_os("TRUSTPRESS_UPDATE_VECTORS").is_some() {
        let vectors = compute(example_library());
        let mut json = serde_json::to_string_pretty(&vectors).unwrap();
        json.push('\n');
        std::fs::write(&path, json).unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).expect("tests/answer/vectors.json is there");
    let recorded: Vectors = serde_json::from_str(&text).expect("the vectors parse");
    // Computed from the recorded library, so the example's answers can change without
    // touching the vectors; the engine and the rules cannot.
    let computed = compute(recorded.library.clone());
    for (want, got) in recorded.tokens.iter().zip(&computed.tokens) {
        assert_eq!(
            want, got,
            "tokens differ; if the change is meant, write the vectors again (see src/answer/vectors.rs)"
        );
    }
    for (want, got) in recorded.decisions.iter().zip(&computed.decisions) {
        assert_eq!(want, got, "a decision differs; if the change is meant, write the vectors again");
    }
    for (want, got) in recorded.sheets.iter().zip(&computed.sheets) {
        assert_eq!(
            want, got,
            "a sheet's layout or plan differs; if the change is meant, write the vectors again"
        );
    }
    assert_eq!(recorded, computed, "the vectors' lists differ in length or content");
    // The vectors must test something: every kind of decision and row occurs.
    for method in [Method::Reference, Method::Text, Method::NeedsPerson] {
        assert!(recorded.decisions.iter().any(|d| d.method == method), "no {method:?} decision");
    }
    for state in [RowState::Answered, RowState::NeedsPerson, RowState::AlreadyFilled] {
        assert!(recorded.sheets.iter().flat_map(|s| &s.plan).any(|r| r.state == state), "no {state:?} row");
    }
    assert!(recorded.sheets.iter().any(|s| s.layout.is_none()));
    // Answers longer than a cell holds are left for a person; one just under is written.
    let limit =
        recorded.sheets.iter().find(|s| s.name == "answers at a cell's limit").expect("the limit sheet");
    let states: Vec<(RowState, &[String])> =
        limit.plan.iter().map(|r| (r.state, r.answers.as_slice())).collect();
    assert_eq!(states[0], (RowState::NeedsPerson, &[][..]), "past the limit");
    assert_eq!(states[1].0, RowState::Answered, "just under the limit, with accents");
    assert_eq!(states[2], (RowState::NeedsPerson, &[][..]), "past the limit in UTF-16 code units");
    assert!(limit.plan[1].writes.iter().all(|(_, v)| v.encode_utf16().count() <= super::fill::CELL_LIMIT));
    assert!(
        recorded.sheets.iter().any(|s| s.layout.is_some() && !s.by_reference),
        "no sheet of the other CAIQ version"
    );
}
