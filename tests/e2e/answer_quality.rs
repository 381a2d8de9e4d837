//! The matcher's quality on its evaluation set (`tests/answer/eval.yaml`): customer-worded
//! questions against the example's public FAQ, each with the answer a person would pick or
//! `none`. Precision (answers given that are right) and recall (answerable questions
//! answered) are printed for the tuning half and the held-out half. The targets are
//! precision ≥ 95% and recall ≥ 70% on each; they are not met yet (docs/PERFORMANCE.md has
//! the figures), so this test holds the floor reached so far, to catch a change that makes
//! matching worse. A third set, `tests/answer/independent.yaml`, was written by someone who
//! saw only the FAQ, and is never tuned on.

use crate::common::example_content;

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    /// `tune` or `holdout`; the independent set has none (it is all held out).
    #[serde(default = "independent")]
    split: String,
    expect: String,
    question: String,
}

fn independent() -> String {
    "independent".to_string()
}

struct Score {
    answered_right: usize,
    answered_wrong: usize,
    answerable: usize,
    answerable_answered: usize,
    wrong: Vec<String>,
    missed: Vec<String>,
}

/// The floor this test enforces until the targets (95% and 70%) are met: precision, then
/// recall, per set.
fn floor(split: &str) -> (f64, f64) {
    match split {
        "independent" => (90.0, 40.0),
        // Measured once, unseen, 2026-12-04: 88.0% / 35.5%.
        "independent2" => (85.0, 30.0),
        _ => (90.0, 45.0),
    }
}

#[test]
fn answer_quality_holds_its_floor_on_every_set() {
    let text = std::fs::read_to_string(crate::common::repo().join("tests/answer/eval.yaml")).unwrap();
    let mut cases: Vec<Case> = serde_saphyr::from_str(&text).unwrap();
    assert!(cases.len() >= 80, "the evaluation set has at least 80 questions");
    // A second set, written by someone who saw only the FAQ (never the matcher, its rules or
    // the first set), and never tuned on.
    let independent =
        std::fs::read_to_string(crate::common::repo().join("tests/answer/independent.yaml")).unwrap();
    cases.extend(serde_saphyr::from_str::<Vec<Case>>(&independent).unwrap());
    // A fourth, written the same way after the third had been used to judge changes: the
    // unseen measure for the next round of work on the matcher.
    let second =
        std::fs::read_to_string(crate::common::repo().join("tests/answer/independent2.yaml")).unwrap();
    let second: Vec<Case> = serde_saphyr::from_str(&second).unwrap();
    assert_eq!(second.len(), 80);
    cases.extend(second.into_iter().map(|case| Case { split: "independent2".into(), ..case }));
    let Ok(loaded) = trustpress::load::load(&example_content()) else { panic!("the example loads") };
    let isms = trustpress::cut::cut(&loaded.isms, trustpress::Audience::Public);
    let reader = trustpress::answer::Reader::new(trustpress::answer::built_in_rules().unwrap());
    let matcher = trustpress::answer::Matcher::new(
        &reader,
        trustpress::answer::library(&isms, "https://trust.example"),
    );
    let mut report = String::new();
    for split in ["tune", "holdout", "independent", "independent2"] {
        let mut score = Score {
            answered_right: 0,
            answered_wrong: 0,
            answerable: 0,
            answerable_answered: 0,
            wrong: Vec::new(),
            missed: Vec::new(),
        };
        for case in cases.iter().filter(|c| c.split == split) {
            let decision = matcher.decide(&case.question, None);
            let first = decision.answers.first().cloned();
            let answerable = case.expect != "none";
            if answerable {
                score.answerable += 1;
            }
            match &first {
                Some(id) if *id == case.expect => {
                    score.answered_right += 1;
                    score.answerable_answered += 1;
                }
                Some(id) => {
                    score.answered_wrong += 1;
                    if answerable {
                        score.answerable_answered += 1;
                    }
                    score.wrong.push(format!(
                        "{} → {id} (expected {}, {:.2})",
                        case.id, case.expect, decision.confidence
                    ));
                }
                None if answerable => score
                    .missed
                    .push(format!("{} (expected {}; best {:?})", case.id, case.expect, decision.best)),
                None => {}
            }
        }
        let given = score.answered_right + score.answered_wrong;
        let precision = score.answered_right as f64 / given.max(1) as f64;
        let recall = score.answered_right as f64 / score.answerable.max(1) as f64;
        report.push_str(&format!(
            "{split}: precision {:.1}% ({} of {given} answers right), recall {:.1}% ({} of {} answerable answered right)\n",
            precision * 100.0,
            score.answered_right,
            recall * 100.0,
            score.answered_right,
            score.answerable,
        ));
        // The held-out half's rows are not shown: tuning on them would make them a second
        // tuning set. Set TRUSTPRESS_EVAL_DETAIL=holdout to see them after tuning is done.
        let detail = std::env::var("TRUSTPRESS_EVAL_DETAIL").unwrap_or_else(|_| "tune".to_string());
        if detail == split {
            report.push_str(&format!("  wrong: {:?}\n  missed: {:?}\n", score.wrong, score.missed));
        }
        let _ = score.answerable_answered;
    }
    println!("{report}");
    for line in report
        .lines()
        .filter(|l| l.starts_with("tune") || l.starts_with("holdout") || l.starts_with("independent"))
    {
        let number = |label: &str| -> f64 {
            let at = line.find(label).unwrap() + label.len() + 1;
            line[at..].split('%').next().unwrap().parse().unwrap()
        };
        let (precision, recall) = floor(line.split(':').next().unwrap_or_default());
        assert!(number("precision") >= precision && number("recall") >= recall, "below the floor:\n{report}");
    }
}
