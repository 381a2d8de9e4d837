//! Audience blocks inside markdown: `::: internal` … `:::` and `::: auditor` … `:::`.
//! A block is cut from every output below its level.
//!
//! **One parser decides.** Where a block starts and ends is read from the same
//! pulldown-cmark parse that renders the text ([`crate::markdown::OPTIONS`]), never from a
//! line scanner of our own: a line is a block boundary exactly when CommonMark reads it as
//! text of a top-level paragraph and the whole line is `:::`, `::: internal`, `::: auditor`
//! or `::: public` (trailing spaces or tabs allowed). Inside a code block (fenced or
//! indented) or a one-line code span, `:::` is text to show. Anything else that holds `:::`
//! — inside a blockquote, list, table, HTML block, heading or footnote, indented, `::::`,
//! `:::  internal`, mid-line, inside a code span that spans lines — is an error: two readings
//! could differ there, so the text is refused rather than guessed at.
//!
//! Lines are split as CommonMark splits them (`\n`, `\r\n` or a bare `\r`), so the cut
//! removes exactly the lines the parser saw.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

use crate::audience::Audience;

/// The token every audience fence starts with.
pub const TOKEN: &str = ":::";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceError {
    /// Line within the text, 1-based.
    pub line: u32,
    /// Column within the line, 1-based (in characters).
    pub column: u32,
    pub message: String,
}

/// One audience block: its audience and the 0-based lines of its opening and closing
/// boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub audience: Audience,
    pub open_line: usize,
    pub close_line: usize,
}

/// Whether `text` holds `:::` anywhere: every block line starts with it, and most bodies have
/// none. Found by looking at each `:` (a byte search the standard library vectorises), which
/// is several times faster on a long body than a substring search.
pub fn may_have_blocks(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(':').any(|(at, _)| bytes[at..].starts_with(b":::"))
}

/// The lines of `text` as CommonMark splits them: each line's byte range without its line
/// ending, and the range with it.
fn lines(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                lines.push((start..at, start..at + 1));
                at += 1;
                start = at;
            }
            b'\r' => {
                let end = if bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
                lines.push((start..at, start..end));
                at = end;
                start = at;
            }
            _ => at += 1,
        }
    }
    if start < bytes.len() {
        lines.push((start..bytes.len(), start..bytes.len()));
    }
    lines
}

/// What a line that is a boundary says.
enum Boundary {
    Open(Audience),
    Close,
}

/// The boundary a whole line spells, if it spells one exactly. `Err` names an audience word
/// that is not one.
fn boundary(line: &str) -> Option<Result<Boundary, String>> {
    let rest = line.strip_prefix(TOKEN)?.trim_end_matches([' ', '\t']);
    if rest.is_empty() {
        return Some(Ok(Boundary::Close));
    }
    let word = rest.strip_prefix(' ')?;
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return None;
    }
    Some(word.parse::<Audience>().map(Boundary::Open).map_err(|_| word.to_string()))
}

/// Where `:::` may stand in a text, as the parser read it.
#[derive(Default)]
struct Places {
    /// Code blocks and one-line code spans: `:::` there is shown as code.
    code: Vec<Range<usize>>,
    /// Code spans over several lines, and fenced code blocks never closed by a fence (one
    /// left open by mistake swallows the rest of the text, audience blocks and all): `:::`
    /// there is refused.
    long_code: Vec<Range<usize>>,
    /// Paragraphs at the top level, outside every container.
    paragraphs: Vec<Range<usize>>,
}

fn places(text: &str) -> Places {
    let mut places = Places::default();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, crate::markdown::OPTIONS).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                // A code block in a container, or a fenced one its fence does not close,
                // is not a place where `:::` can be shown safely: refused there.
                // An indented code block is only indentation away from text: an author
                // who indented a block to nest it would see it published as code.
                match kind {
                    _ if depth > 0 => places.long_code.push(range),
                    CodeBlockKind::Fenced(_) if closed_by_fence(&text[range.clone()]) => {
                        places.code.push(range)
                    }
                    _ => places.long_code.push(range),
                }
                depth += 1;
            }
            Event::Start(Tag::Paragraph) => {
                if depth == 0 {
                    places.paragraphs.push(range);
                }
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Code(_) => {
                if text[range.clone()].contains(['\n', '\r']) {
                    places.long_code.push(range);
                } else {
                    places.code.push(range);
                }
            }
            _ => {}
        }
    }
    places
}

/// Whether a fenced code block's source ends with a closing fence as CommonMark writes one:
/// at most three spaces, at least as many of the same fence character as opened it, then
/// nothing but spaces and tabs. Only for blocks at the top level: inside a container the
/// container's markers stand before the fence, and a `:::` there is refused anyway.
fn closed_by_fence(block: &str) -> bool {
    let opening = block.trim_start_matches(' ');
    let Some(fence) = opening.chars().next().filter(|c| matches!(c, '`' | '~')) else { return false };
    let length = opening.chars().take_while(|c| *c == fence).count();
    let body = block.trim_end_matches(['\n', '\r']);
    let Some(last) = body.rfind(['\n', '\r']).map(|at| &body[at + 1..]) else { return false };
    let indent = last.len() - last.trim_start_matches(' ').len();
    let last = &last[indent..];
    let run = last.chars().take_while(|c| *c == fence).count();
    indent <= 3 && run >= length && last[run * fence.len_utf8()..].chars().all(|c| c == ' ' || c == '\t')
}

fn within(ranges: &[Range<usize>], at: usize) -> bool {
    ranges.iter().any(|range| range.contains(&at))
}

/// What one `:::` in the text is.
enum Found {
    /// Shown as code.
    Code,
    Boundary(usize, Boundary),
    /// A problem; an unknown audience word still opens a block, so that its `:::` does not
    /// look like a stray close.
    Error(FenceError, Option<usize>),
}

/// Every `:::` of `text` outside code, classified by the one parse.
fn classify(text: &str) -> Vec<Found> {
    let lines = lines(text);
    let places = places(text);
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut line_index = 0;
    let mut last_line_reported = None;
    let mut at = 0;
    while let Some(offset) = text[at..].find(TOKEN) {
        let position = at + offset;
        // The run of colons is one token: `::::` is looked at once.
        let mut next = position + TOKEN.len();
        while bytes.get(next) == Some(&b':') {
            next += 1;
        }
        at = next;
        while line_index + 1 < lines.len() && lines[line_index].1.end <= position {
            line_index += 1;
        }
        let line_range = lines.get(line_index).map_or(0..text.len(), |line| line.0.clone());
        let column = u32::try_from(text[line_range.start..position].chars().count() + 1).unwrap_or(u32::MAX);
        let line_number = u32::try_from(line_index + 1).unwrap_or(u32::MAX);
        let error = |message: String| Found::Error(FenceError { line: line_number, column, message }, None);
        if within(&places.code, position) {
            found.push(Found::Code);
            continue;
        }
        if last_line_reported == Some(line_index) {
            continue;
        }
        let line = &text[line_range.clone()];
        let item = if within(&places.long_code, position) {
            error("`:::` inside a code span over several lines, or in a code block never closed by a fence: an audience fence must be a line of its own, outside code".into())
        } else if position != line_range.start {
            let what = if line[..position - line_range.start].trim().is_empty() {
                "an indented `:::`"
            } else {
                "`:::` in the middle of a line"
            };
            error(format!("{what} looks like an audience fence but is not one: a fence is a line that starts with `:::` at its first column"))
        } else if !within(&places.paragraphs, position) {
            error("`:::` inside a blockquote, list, table, HTML block, heading or footnote looks like an audience fence but is not one: fences stand at the top level, with a blank line before them after a list or quote".into())
        } else {
            match boundary(line) {
                Some(Ok(kind)) => Found::Boundary(line_index, kind),
                Some(Err(word)) => Found::Error(
                    FenceError {
                        line: line_number,
                        column,
                        message: format!(
                            "unknown audience block `::: {word}`: expected `::: internal`, `::: auditor` or `::: public`"
                        ),
                    },
                    Some(line_index),
                ),
                None => error(format!(
                    "`{}` looks like an audience fence but is not one: expected exactly `::: internal`, `::: auditor` or `:::`",
                    line.trim_end()
                )),
            }
        };
        if matches!(item, Found::Error(..)) {
            last_line_reported = Some(line_index);
        }
        found.push(item);
    }
    found
}

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
fn disguised_fence(text: &str) -> Option<FenceError> {
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
fn bare_carriage_return(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices('\r').map(|(at, _)| at).find(|&at| bytes.get(at + 1) != Some(&b'\n'))
}

/// The audience blocks of `text`, or every problem with them.
pub fn scan(text: &str) -> Result<Vec<Block>, Vec<FenceError>> {
    if let Some(error) = disguised_fence(text) {
        return Err(vec![error]);
    }
    if !may_have_blocks(text) {
        return Ok(Vec::new());
    }
    let mut errors = Vec::new();
    if let Some(at) = bare_carriage_return(text) {
        // Editors differ on whether a lone CR ends a line; the parser says it does. Where
        // fences are, two readings must not differ.
        let line = text[..at].matches('\n').count();
        errors.push(FenceError {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: 1,
            message: "a carriage return that is not followed by a line feed, in a text with audience fences: end lines with \\n or \\r\\n".to_string(),
        });
        return Err(errors);
    }
    let mut blocks = Vec::new();
    let mut open: Vec<(Audience, usize)> = Vec::new();
    let error_at = |line: usize, message: &str| FenceError {
        line: u32::try_from(line + 1).unwrap_or(u32::MAX),
        column: 1,
        message: message.to_string(),
    };
    for found in classify(text) {
        match found {
            Found::Code => {}
            Found::Error(error, opens) => {
                errors.push(error);
                if let Some(line) = opens {
                    open.push((Audience::Auditor, line));
                }
            }
            Found::Boundary(line, Boundary::Open(audience)) => open.push((audience, line)),
            Found::Boundary(line, Boundary::Close) => match open.pop() {
                Some((audience, open_line)) => blocks.push(Block { audience, open_line, close_line: line }),
                None => errors.push(error_at(line, "`:::` closes no audience block")),
            },
        }
    }
    for (_, line) in open {
        errors.push(error_at(
            line,
            "audience block is never closed: expected a line `:::` at the top level (after a list or quote, leave a blank line before it)",
        ));
    }
    if errors.is_empty() {
        blocks.sort_by_key(|block| block.open_line);
        Ok(blocks)
    } else {
        errors.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// Checks that every block names a known audience, is closed, and that nothing else looks
/// like one.
pub fn validate(text: &str) -> Vec<FenceError> {
    scan(text).err().unwrap_or_default()
}

/// The first `:::` of `text` outside code, if any: after the cut there must be none (the
/// tripwire), since the cut removes every boundary line.
pub fn leftover(text: &str) -> Option<FenceError> {
    if let Some(error) = disguised_fence(text) {
        return Some(error);
    }
    if !may_have_blocks(text) {
        return None;
    }
    classify(text).into_iter().find_map(|found| match found {
        Found::Code => None,
        Found::Error(error, _) => Some(error),
        Found::Boundary(line, _) => Some(FenceError {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: 1,
            message: "an audience fence is left after the cut".to_string(),
        }),
    })
}

/// For each line of `text` (as CommonMark splits them), the lowest audience that sees it:
/// the highest enclosing block's. Boundary lines count as inside their block.
fn audiences_of_lines(text: &str, blocks: &[Block]) -> Vec<Audience> {
    let count = lines(text).len();
    let mut audiences = vec![Audience::Public; count];
    for block in blocks {
        for audience in audiences.iter_mut().take(block.close_line + 1).skip(block.open_line) {
            *audience = (*audience).max(block.audience);
        }
    }
    audiences
}

/// A text field as `reader` sees it: its `::: audience` blocks cut like a body's.
pub fn cut_field(text: &mut Option<String>, reader: Audience) {
    if let Some(value) = text.as_mut() {
        if may_have_blocks(value) {
            *value = cut(value, reader);
        }
    }
}

/// The text as `reader` may see it: blocks above `reader` removed with their contents, the
/// boundary lines of kept blocks removed. Text that does not scan (it failed `validate`,
/// which stops every build) is withheld whole from everyone below auditor: a mistake can
/// only hide text, never show it.
pub fn cut(text: &str, reader: Audience) -> String {
    if !may_have_blocks(text) && disguised_fence(text).is_none() {
        return text.to_string();
    }
    let blocks = match scan(text) {
        Ok(blocks) => blocks,
        Err(_) if reader == Audience::Auditor => return text.to_string(),
        Err(_) => return String::new(),
    };
    let audiences = audiences_of_lines(text, &blocks);
    let boundaries: std::collections::BTreeSet<usize> =
        blocks.iter().flat_map(|block| [block.open_line, block.close_line]).collect();
    let mut output = String::with_capacity(text.len());
    for (index, (_, with_ending)) in lines(text).into_iter().enumerate() {
        if boundaries.contains(&index) || !audiences[index].visible_to(reader) {
            continue;
        }
        output.push_str(&text[with_ending]);
    }
    output
}

/// For each line of `text`, the lowest audience that sees it: the highest enclosing block's.
/// Boundary lines count as inside their block. A text without blocks gives an empty list:
/// every line of it is public. Text that does not scan counts as auditor-only throughout.
pub fn line_audiences(text: &str) -> Vec<Audience> {
    if !may_have_blocks(text) {
        return Vec::new();
    }
    match scan(text) {
        Ok(blocks) => audiences_of_lines(text, &blocks),
        Err(_) => vec![Audience::Auditor; lines(text).len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Intro\n::: internal\nBreak glass\n::: auditor\nKey ceremony\n:::\n:::\nOutro\n";

    #[test]
    fn finds_three_colons_anywhere() {
        for text in [":::", "x\n::: internal\n", "a: b ::: c", "::::", "é:::"] {
            assert!(may_have_blocks(text), "{text:?}");
        }
        for text in ["", ":", "::", "a: b :: c:", "time 10:30:00", "ends ::"] {
            assert!(!may_have_blocks(text), "{text:?}");
        }
    }

    #[test]
    fn cuts_blocks_above_the_reader() {
        assert_eq!(cut(TEXT, Audience::Public), "Intro\nOutro\n");
        assert_eq!(cut(TEXT, Audience::Internal), "Intro\nBreak glass\nOutro\n");
        assert_eq!(cut(TEXT, Audience::Auditor), "Intro\nBreak glass\nKey ceremony\nOutro\n");
    }

    #[test]
    fn knows_the_audience_of_each_line() {
        use Audience::*;
        assert_eq!(
            line_audiences(TEXT),
            [Public, Internal, Internal, Auditor, Auditor, Auditor, Internal, Public]
        );
    }

    #[test]
    fn code_blocks_are_left_alone() {
        for text in ["```\n::: internal\n```\nafter\n", "~~~ md\n:::\n~~~\n", "Use `::: internal`.\n"] {
            assert!(validate(text).is_empty(), "{text:?}");
            assert_eq!(cut(text, Audience::Public), text);
            assert_eq!(leftover(text), None, "{text:?}");
        }
    }

    #[test]
    fn reports_unknown_and_unclosed_blocks() {
        let errors = validate("a\n\n::: interal\nsecret\n:::\n\n::: internal\nb\n");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("interal"));
        assert_eq!(errors[1].line, 7);
        assert!(errors[1].message.contains("never closed"));
    }

    #[test]
    fn a_problem_never_shows_text_below_auditor() {
        let text = "a\n::: interal\nsecret\n:::\n";
        assert_eq!(cut(text, Audience::Internal), "");
        let unclosed = "a\n::: internal\nsecret\n";
        assert_eq!(cut(unclosed, Audience::Public), "");
    }

    /// Each of these was read as a block by one reading and not by the other, or hides a
    /// fence where the author may not see it: every one is refused.
    #[test]
    fn lookalikes_are_errors() {
        for text in [
            "\u{a0}```\n::: internal\nsecret\n:::\n\u{a0}```\n",
            "Intro\n\n    ::: internal\n    secret\n    :::\n",
            "> ::: internal\n> secret\n> :::\n",
            "- item\n::: internal\nsecret\n:::\n",
            "1. item\n\n   ::: internal\n   secret\n   :::\n",
            " ::: internal\nsecret\n:::\n",
            "::::\n",
            ":::: internal\nsecret\n::::\n",
            ":::  internal\nsecret\n:::\n",
            ":::\tinternal\nsecret\n:::\n",
            ":::\u{a0}internal\nsecret\n:::\n",
            "Text ::: internal secret :::\n",
            "<div>\n::: internal\nsecret\n:::\n</div>\n",
            "| a |\n|---|\n::: internal\nsecret\n:::\n",
            "`x\n::: internal\nsecret\n:::\n`\n",
            "::: internal\n---\nsecret\n:::\n",
            "[^1]: note\n    ::: internal\n    secret\n    :::\n",
        ] {
            assert!(!validate(text).is_empty(), "{text:?} {:?}", scan(text));
            assert!(!cut(text, Audience::Public).contains("secret"), "{text:?}");
        }
    }

    #[test]
    fn lines_end_as_commonmark_ends_them() {
        let text = "a\r\n::: internal\r\nsecret\r\n:::\r\nb\r\n";
        assert!(validate(text).is_empty(), "{:?}", validate(text));
        assert_eq!(cut(text, Audience::Public), "a\r\nb\r\n");
        // Editors and the parser may not agree on a lone CR: refused where fences are.
        for text in ["a\r::: internal\rsecret\r:::\rb\r", "```\rx\r```\r::: internal\rsecret\r:::\r"] {
            assert!(!validate(text).is_empty(), "{text:?}");
            assert_eq!(cut(text, Audience::Public), "");
        }
    }

    /// The readings that used to differ: what the parser calls a boundary is cut, whatever a
    /// line scanner would have made of it.
    #[test]
    fn a_fence_the_parser_sees_is_cut() {
        for text in [
            "    ```\n::: internal\nsecret\n:::\n    ```\n",
            "\t```\n::: internal\nsecret\n:::\n",
            "```a`b\n::: internal\nsecret\n:::\n```\n",
        ] {
            assert!(validate(text).is_empty(), "{text:?} {:?}", validate(text));
            assert!(!cut(text, Audience::Public).contains("secret"), "{text:?}");
        }
    }

    #[test]
    fn a_code_block_left_open_does_not_swallow_a_block() {
        for text in [
            "```yaml\nkey: value\n\n::: internal\nsecret\n:::\n",
            "```\n::: internal\nsecret\n:::\n    ```\n",
            "```\n::: internal\nsecret\n:::\n\t```\n",
            "```\n::: internal\nsecret\n:::\n> ```\n",
            "```\n::: internal\nsecret\n:::\n```>\n",
            "> ```\n> ::: internal\n> :::\n> ```\n",
        ] {
            assert!(!validate(text).is_empty(), "{text:?}");
            assert_eq!(cut(text, Audience::Public), "", "{text:?}");
        }
        assert!(validate("```\n::: internal\n:::\n   ```  \n").is_empty());
    }

    #[test]
    fn disguised_fences_are_errors() {
        for text in [
            "::\u{200b}: internal\nsecret\n:::\n",
            "\u{feff}::: internal\nsecret\n:::\n",
            "\u{ff1a}\u{ff1a}\u{ff1a} internal\nsecret\n\u{ff1a}\u{ff1a}\u{ff1a}\n",
        ] {
            assert!(!validate(text).is_empty(), "{text:?}");
            assert!(!cut(text, Audience::Public).contains("secret"), "{text:?}");
        }
        assert!(validate("Caf\u{e9}: a colon, \u{ff1a} one.\n").is_empty());
        assert!(
            validate("Intro\n\u{2014}\u{2014}\u{2014}\nOutro\n").is_empty(),
            "a line of dashes in a text with no fence"
        );
        assert!(
            validate("::: internal\n\u{7b2c}\u{4e00}\u{7ae0}\n:::\n").is_empty(),
            "three different letters are words"
        );
        for disguise in [
            "\u{a4fd}\u{a4fd}\u{a4fd}",
            "\u{2f8}\u{2f8}\u{2f8}",
            "\u{fe30}\u{fe30}\u{fe30}",
            "::\u{2066}:",
            "::\u{34f}:",
            ":\u{fe0f}::",
            "::\u{e0020}:",
        ] {
            let text = format!("{disguise} internal\nsecret\n:::\n");
            assert!(!validate(&text).is_empty(), "{text:?}");
            let text = format!("::: internal\nsecret\n{disguise}\n");
            assert!(!validate(&text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn leftovers_are_found() {
        assert!(leftover("a\n::: internal\n").is_some());
        assert!(leftover("a ::: b").is_some());
        assert!(leftover("```\n:::\n```\n").is_none());
        assert!(leftover("plain").is_none());
    }

    #[test]
    fn a_fence_may_close_a_paragraph_and_follow_a_heading() {
        let text = "::: internal\n## Break glass\n\nSecret text\nmore secret\n:::\n\nOutro\n";
        assert!(validate(text).is_empty(), "{:?}", validate(text));
        assert_eq!(cut(text, Audience::Public), "\nOutro\n");
    }
}
