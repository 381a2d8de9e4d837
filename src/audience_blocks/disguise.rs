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

/// Whether the line's [`skeleton`] can hold `:::` at all, which [`reads_as_fence`] needs:
/// three colons or look-alikes in a row (invisible characters between them dropped), or
/// three of one non-ASCII character after the leading blanks. Exactly that, without making
/// the skeleton: most lines of a text with a dash or an accent are passed over here.
fn may_read_as_colons(line: &str) -> bool {
    let mut visible = line.chars().filter(|c| !invisible(*c));
    let mut leading = visible.clone().skip_while(|c| c.is_whitespace());
    if let (Some(a), Some(b), Some(c)) = (leading.next(), leading.next(), leading.next()) {
        if !a.is_ascii() && a == b && b == c {
            return true;
        }
    }
    let mut run = 0;
    visible.any(|c| {
        let colon = c == ':' || !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace();
        run = if colon { run + 1 } else { 0 };
        run >= 3
    })
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
        if line.is_ascii() || line.contains(TOKEN) || !may_read_as_colons(line) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick test passes over no line the skeleton would read as a fence: random lines
    /// of colons, look-alikes, invisible characters, letters and blanks.
    #[test]
    fn the_quick_test_never_passes_over_a_fence() {
        let alphabet = [
            ':', '\u{ff1a}', '\u{a789}', '\u{a4fd}', '\u{2014}', '\u{200b}', '\u{301}', '\u{e9}', 'a', 'i',
            ' ', '\t', '\u{3000}', '\u{5b57}', '|', '>',
        ];
        let words = ["internal", "auditor", "public", "Internal"];
        let mut state: u64 = 0x853C_49E6_748F_EA9B;
        let mut random = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let (mut fences, mut passed) = (0, 0);
        for _ in 0..200_000 {
            let mut line = String::new();
            for _ in 0..1 + random(8) {
                if random(6) == 0 {
                    line.push_str(words[random(words.len())]);
                } else {
                    line.push(alphabet[random(alphabet.len())]);
                }
            }
            let reads = reads_as_fence(&skeleton(&line));
            if reads.is_some() {
                fences += 1;
                assert!(
                    may_read_as_colons(&line),
                    "{line:?} reads as a fence but the quick test passed over it"
                );
            } else if !may_read_as_colons(&line) {
                passed += 1;
            }
        }
        assert!(
            fences > 1_000 && passed > 10_000,
            "the lines exercise both sides: {fences} fences, {passed} passed over"
        );
    }
}
