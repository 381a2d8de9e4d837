//! "What changed" between two versions of a text: a word-level diff of the text as a reader
//! reads it (markdown rendered to plain text), as runs of kept, removed and added words.
//! Both sides must already be cut to the reader's audience: this sees only what it is given.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// A run of words that is in both versions, only in the older, or only in the newer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub kind: RunKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Same,
    Removed,
    Added,
}

/// One paragraph (or heading, or list item) of the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    /// No run in it is removed or added.
    pub unchanged: bool,
    /// How many unchanged paragraphs before this one [`around_changes`] left out.
    pub skipped_before: usize,
}

/// The most words two versions may hold together to be compared. A word diff's time grows
/// with the product of the texts' length and their difference, so past this a page says the
/// versions are too long to compare rather than slow every build; no time limit is used,
/// since one would make the output depend on the machine's speed.
pub const MAX_WORDS: usize = 12_000;

/// The word-level diff of two markdown texts, by paragraph of the newer text's layout;
/// `None` when they hold more than [`MAX_WORDS`] words together.
pub fn words(older: &str, newer: &str) -> Option<Vec<Paragraph>> {
    let older = crate::markdown::plain_text(older);
    let newer = crate::markdown::plain_text(newer);
    if older.split_whitespace().count() + newer.split_whitespace().count() > MAX_WORDS {
        return None;
    }
    let diff = TextDiff::configure().diff_words(&older, &newer);
    let mut paragraphs = vec![Paragraph { runs: Vec::new(), unchanged: true, skipped_before: 0 }];
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => RunKind::Same,
            ChangeTag::Delete => RunKind::Removed,
            ChangeTag::Insert => RunKind::Added,
        };
        // Every line break starts a new paragraph: a heading and a paragraph added together
        // stay a heading and a paragraph.
        let mut pieces = change.value().split('\n').peekable();
        while let Some(piece) = pieces.next() {
            push(paragraphs.last_mut().expect("never empty"), kind, piece);
            if pieces.peek().is_some() {
                paragraphs.push(Paragraph { runs: Vec::new(), unchanged: true, skipped_before: 0 });
            }
        }
    }
    paragraphs.retain(|paragraph| paragraph.runs.iter().any(|run| !run.text.trim().is_empty()));
    for paragraph in &mut paragraphs {
        paragraph.runs = grouped(std::mem::take(&mut paragraph.runs));
    }
    Some(paragraphs)
}

/// The changed paragraphs with `context` unchanged paragraphs on each side; the others are
/// left out, each kept paragraph counting those left out before it. Returns the paragraphs
/// and how many were left out after the last.
pub fn around_changes(paragraphs: Vec<Paragraph>, context: usize) -> (Vec<Paragraph>, usize) {
    let changed: Vec<usize> =
        paragraphs.iter().enumerate().filter(|(_, p)| !p.unchanged).map(|(i, _)| i).collect();
    let near = |index: usize| changed.iter().any(|&c| index.abs_diff(c) <= context);
    let total = paragraphs.len();
    let mut kept = Vec::new();
    let mut skipped = 0;
    for (index, mut paragraph) in paragraphs.into_iter().enumerate() {
        if near(index) {
            paragraph.skipped_before = skipped;
            skipped = 0;
            kept.push(paragraph);
        } else {
            skipped += 1;
        }
    }
    debug_assert!(kept.len() + skipped <= total);
    (kept, skipped)
}

/// Runs with changes separated only by spaces read as one removed phrase and one added
/// phrase (`[-added in 3.3-]{+edited without approval+}`), not word by word.
fn grouped(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let (mut removed, mut added) = (String::new(), String::new());
    let flush = |out: &mut Vec<Run>, removed: &mut String, added: &mut String| {
        // Spaces at the ends of a phrase stay outside its mark.
        for (kind, text) in [(RunKind::Removed, &mut *removed), (RunKind::Added, &mut *added)] {
            if text.trim().is_empty() {
                text.clear();
                continue;
            }
            out.push(Run { kind, text: std::mem::take(text) });
        }
    };
    let mut index = 0;
    while index < runs.len() {
        let run = &runs[index];
        let between_changes = run.kind == RunKind::Same
            && run.text.trim().is_empty()
            && !(removed.is_empty() && added.is_empty())
            && runs.get(index + 1).is_some_and(|next| next.kind != RunKind::Same);
        match run.kind {
            RunKind::Removed => removed.push_str(&run.text),
            RunKind::Added => added.push_str(&run.text),
            RunKind::Same if between_changes => {
                removed.push_str(&run.text);
                added.push_str(&run.text);
            }
            RunKind::Same => {
                flush(&mut out, &mut removed, &mut added);
                out.push(run.clone());
            }
        }
        index += 1;
    }
    flush(&mut out, &mut removed, &mut added);
    out
}

fn push(paragraph: &mut Paragraph, kind: RunKind, text: &str) {
    if text.is_empty() {
        return;
    }
    if kind != RunKind::Same {
        paragraph.unchanged = false;
    }
    match paragraph.runs.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(text),
        _ => paragraph.runs.push(Run { kind, text: text.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(older: &str, newer: &str) -> Vec<Paragraph> {
        super::words(older, newer).expect("short texts are compared")
    }

    #[test]
    fn texts_too_long_to_compare_are_not_compared() {
        let long = "word ".repeat(MAX_WORDS / 2);
        assert!(super::words(&long, &format!("{long}more")).is_none());
        assert!(super::words(&long, &long[5..]).is_some());
    }

    fn show(paragraphs: &[Paragraph]) -> String {
        paragraphs
            .iter()
            .map(|p| {
                p.runs
                    .iter()
                    .map(|run| match run.kind {
                        RunKind::Same => run.text.clone(),
                        RunKind::Removed => format!("[-{}-]", run.text),
                        RunKind::Added => format!("{{+{}+}}", run.text),
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn words_changed_inside_a_paragraph_are_marked() {
        let diff = words("## Scope\n\nKeys rotate every year.\n", "## Scope\n\nKeys rotate every 90 days.\n");
        assert_eq!(show(&diff), "Scope\nKeys rotate every [-year.-]{+90 days.+}");
        let phrase = words("Added in 3.3 today.\n", "Edited without approval today.\n");
        assert_eq!(show(&phrase), "[-Added in 3.3-]{+Edited without approval+} today.");
        assert!(diff[0].unchanged && !diff[1].unchanged);
    }

    #[test]
    fn only_changes_and_their_neighbours_are_kept() {
        let older = "A.\n\nB.\n\nC.\n\nD.\n\nE.\n\nF.\n";
        let newer = "A.\n\nB.\n\nC.\n\nD changed.\n\nE.\n\nF.\n";
        let (kept, after) = around_changes(words(older, newer), 1);
        assert_eq!(show(&kept), "C.\n[-D.-]{+D changed.+}\nE.");
        assert_eq!((kept[0].skipped_before, after), (2, 1));
    }

    #[test]
    fn a_paragraph_added_or_removed_is_one_run() {
        let diff = words("One.\n\nTwo.\n", "One.\n\nThree and four.\n\nTwo.\n");
        assert!(show(&diff).contains("{+Three and four."), "{}", show(&diff));
        let section = words("Intro.\n", "Intro.\n\n## New section\n\nIts text.\n");
        assert_eq!(show(&section), "Intro.\n{+New section+}\n{+Its text.+}");
        let same = words("Same text.\n", "Same text.\n");
        assert!(same.iter().all(|p| p.unchanged));
    }
}
