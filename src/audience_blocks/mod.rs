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

mod disguise;

use disguise::{bare_carriage_return, disguised_fence};

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
    // Most texts hold no carriage return: each line then ends at the next `\n`, which the
    // standard library's byte search finds many bytes at a time. (Both searches are memchr.)
    if !bytes.contains(&b'\r') {
        let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
        let mut start = 0;
        for (at, _) in text.match_indices('\n') {
            lines.push((start..at, start..at + 1));
            start = at + 1;
        }
        if start < bytes.len() {
            lines.push((start..bytes.len(), start..bytes.len()));
        }
        return lines;
    }
    lines_by_bytes(text)
}

/// [`lines`] found byte by byte: any text, carriage returns included.
fn lines_by_bytes(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
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
mod tests;
