//! Fences in disguise: a line that a reader would take for an audience fence, written with
//! invisible characters, colon look-alikes or three of one non-ASCII character. The parser
//! would read it as text, so the block around it would not be cut: such text is refused.

use super::{lines, may_have_blocks, FenceError, TOKEN};

/// Characters that show as nothing, or only change the character before them: format
/// characters (zero-width spaces and joiners, direction marks and isolates, the byte-order
/// mark, the soft hyphen, tag characters), variation selectors and combining marks.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180b}'..='\u{180f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{3164}'
        | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}' | '\u{e0000}'..='\u{e0fff}'
        | '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// The line as it may look: invisible characters dropped, and every other non-ASCII
/// character that is not a letter or digit read as a colon (there are dozens of colon
/// look-alikes; a list would always miss one).
/// Three of one non-ASCII character at the start of a line (`ꓽꓽꓽ`, a letter that looks
/// like a colon) read as colons too.
fn skeleton(line: &str) -> String {
    let visible: Vec<char> = line.chars().filter(|c| !invisible(*c)).collect();
    let start = visible.iter().take_while(|c| c.is_whitespace()).count();
    let repeated = match visible.get(start..start + 3) {
        Some([a, b, c]) if !a.is_ascii() && !a.is_whitespace() && a == b && b == c => start + 3,
        _ => 0,
    };
    visible
        .iter()
        .enumerate()
        .map(|(index, &c)| {
            if index < repeated && index >= start
                || !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace()
            {
                ':'
            } else {
                c
            }
        })
        .collect()
}

/// Whether a skeleton reads as a fence: `Some(true)` when three or more colons anywhere are
/// followed by an audience word (an opener, even after a `|` or `>`), `Some(false)` when the
/// line is nothing but colons (a closer), `None` otherwise.
fn reads_as_fence(skeleton: &str) -> Option<bool> {
    for (at, _) in skeleton.match_indices(TOKEN) {
        let rest = skeleton[at..].trim_start_matches(':').trim_start().to_ascii_lowercase();
        let opener = ["internal", "auditor", "public"].iter().any(|word| {
            rest.strip_prefix(word).is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
        });
        if opener {
            return Some(true);
        }
    }
    (skeleton.trim().starts_with(TOKEN) && skeleton.trim().trim_start_matches(':').is_empty())
        .then_some(false)
}

/// The first line whose fence is disguised: it reads as a fence once invisible characters
/// are dropped and look-alikes read as colons, but holds no `:::` as written (a line that
/// does is judged by the grammar itself). An author who pasted such a line meant a fence;
/// the parser would publish it as text. A closing-looking line (`———` reads as `:::`)
/// counts only in a text that has an opening one.
pub(super) fn disguised_fence(text: &str) -> Option<FenceError> {
    if text.is_ascii() {
        return None;
    }
    let mut closes = Vec::new();
    let has_token = may_have_blocks(text);
    for (index, (line, _)) in lines(text).into_iter().enumerate() {
        let line = &text[line];
        if line.is_ascii() || line.contains(TOKEN) {
            continue;
        }
        let Some(opener) = reads_as_fence(&skeleton(line)) else { continue };
        let error = FenceError {
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            column: 1,
            message: "this line looks like an audience fence but is written with invisible or look-alike characters: write `:::` with plain colons at the first column".to_string(),
        };
        if opener {
            return Some(error);
        }
        closes.push(error);
    }
    // A disguised opener returned above; a real one holds `:::`.
    closes.into_iter().next().filter(|_| has_token)
}

/// The offset of the first `\r` not followed by `\n`.
pub(super) fn bare_carriage_return(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices('\r').map(|(at, _)| at).find(|&at| bytes.get(at + 1) != Some(&b'\n'))
}
