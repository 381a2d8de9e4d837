//! YAML and front matter into typed values, with every error placed at its file, line and
//! column. Parsing runs under serde-saphyr's budget, so alias bombs and absurd nesting are
//! errors rather than hangs.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Location};

/// Parses `text` as YAML into `T`. `first_line` is the line of `text`'s first line in its
/// file (1 for a whole file, later for front matter), so locations are the file's own.
pub fn parse<T: DeserializeOwned>(text: &str, file: &Path, first_line: u32) -> Result<T, Diagnostic> {
    refuse_ambiguous(text, file, first_line)?;
    let options = serde_saphyr::options! {
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|error| {
        let (line, column) = error
            .location()
            .map(|location| {
                (u32::try_from(location.line()).unwrap_or(0), u32::try_from(location.column()).unwrap_or(0))
            })
            .unwrap_or((0, 0));
        let line = if line > 0 { line + first_line - 1 } else { 0 };
        let raw = clean_message(&error.without_snippet().to_string());
        let code = classify(&raw);
        let (message, hint) = crate::diagnostic::suggest::explain_serde_message(&raw);
        let message = match code {
            "invalid-type" if !message.starts_with("invalid type") => {
                format!("wrong type: {}", plain_words(&message))
            }
            _ => message,
        };
        let hint = hint.or_else(|| {
            let field = raw.strip_prefix("missing field `")?.split('`').next()?;
            Some(format!("add `{field}:` to this item: it is required"))
        });
        let diagnostic = Diagnostic::error(code, message).at(Location::at(file, line, column));
        match hint {
            Some(hint) => diagnostic.hint(hint),
            None => diagnostic,
        }
    })
}

/// The YAML tags a value may carry: the standard ones that say what a scalar already is.
/// Any other tag could change what serde reads (`audience: !public internal` picks the enum
/// variant `public` from the tag), so it is refused, on every field of every kind.
const ALLOWED_TAGS: [&str; 3] = ["str", "int", "bool"];

/// Refuses YAML that serde would read otherwise than its author may mean, before it is
/// deserialized: any tag but `!!str`, `!!int` and `!!bool`, and any scalar (in whatever
/// style: plain, quoted, folded, literal) whose value holds `:::` that does not scan as
/// audience blocks (a folded or quoted string joins the fence lines into one line). The same
/// YAML parser serde-saphyr uses reads the text, so both see the same nodes.
fn refuse_ambiguous(text: &str, file: &Path, first_line: u32) -> Result<(), Diagnostic> {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    if !text.contains('!') && !crate::audience_blocks::may_have_blocks(text) {
        return Ok(());
    }
    let at = |line: usize, column: usize| {
        let line = u32::try_from(line).unwrap_or(0);
        Location::at(
            file,
            if line > 0 { line + first_line - 1 } else { 0 },
            u32::try_from(column + 1).unwrap_or(0),
        )
    };
    for result in Parser::new_from_str(text) {
        // A text the parser rejects is reported by the parse that follows, in its words.
        let Ok((event, span)) = result else { return Ok(()) };
        let tag = match &event {
            Event::Scalar(_, _, _, tag)
            | Event::SequenceStart(_, _, tag)
            | Event::MappingStart(_, _, tag) => tag.as_ref(),
            _ => None,
        };
        if let Some(tag) = tag {
            let allowed = tag.core_suffix().is_some_and(|suffix| ALLOWED_TAGS.contains(&suffix))
                && tag.original_handle() == "!!";
            if !allowed {
                let marker = span.tag_start.unwrap_or(span.start);
                return Err(Diagnostic::error(
                    "yaml-tag",
                    format!("YAML tag `{}{}` is not allowed: values are plain text", tag.original_handle(), tag.suffix()),
                )
                .at(at(marker.line(), marker.col()))
                .hint("remove the tag (`audience: !public internal` would be read as public); only !!str, !!int and !!bool are accepted"));
            }
        }
        if let Event::Scalar(value, style, _, _) = &event {
            // A style that joins lines (folded, plain, quoted) may have joined fence lines
            // into one, and markdown may then read them as anything, a code span included:
            // there a `:::` must begin a line of the value (written with `\n` escapes).
            let joined_fence = !matches!(style, ScalarStyle::Literal)
                && value
                    .match_indices(crate::audience_blocks::TOKEN)
                    .any(|(at, _)| at > 0 && !value[..at].ends_with(['\n', '\r']));
            if joined_fence {
                return Err(Diagnostic::error(
                    "audience-block",
                    "`:::` in the middle of a line of a text value: audience fences are lines of their own",
                )
                .at(at(span.start.line(), span.start.col()))
                .hint("a folded (`>`), plain or quoted YAML string joins its lines into one: write the value as a literal block (`key: |`) with each fence on a line of its own"));
            }
            if let Some(error) = crate::audience_blocks::validate(value).into_iter().next() {
                // A literal block's span starts at its first line that holds anything (the
                // line after its indicator, unless empty lines come first): the value's leading
                // empty lines are before it.
                let (line, column) = match style {
                    ScalarStyle::Literal => {
                        let empty = value.bytes().take_while(|&b| b == b'\n').count();
                        (span.start.line().saturating_sub(empty) + error.line as usize - 1, 0)
                    }
                    _ => (span.start.line(), span.start.col()),
                };
                let joined = matches!(
                    style,
                    ScalarStyle::Folded
                        | ScalarStyle::SingleQuoted
                        | ScalarStyle::DoubleQuoted
                        | ScalarStyle::Plain
                ) && value.contains(crate::audience_blocks::TOKEN);
                let hint = if joined && !value.contains('\n') {
                    "this YAML string style joins lines into one, so the fence lines are no longer lines: write the value as a literal block (`key: |`) with each fence on a line of its own"
                } else {
                    crate::load::FENCE_HINT
                };
                return Err(Diagnostic::error("audience-block", error.message)
                    .at(at(line, column))
                    .hint(hint));
            }
        }
    }
    Ok(())
}

/// Lists at least this long (in bytes) are parsed in pieces, in parallel.
const PIECES_FROM_BYTES: usize = 64 * 1024;

/// Parses `text`, a YAML file whose top level is a list, into its items, each with the line
/// and column where it starts. A long block list (the evidence index of a large ISMS holds
/// thousands of entries) is cut at the lines that start its items and the pieces are parsed
/// in parallel; when any piece does not parse on its own, the whole text is parsed in one
/// go, so that every error is the one a single parse reports.
pub fn parse_list<T: DeserializeOwned + Send>(
    text: &str,
    file: &Path,
) -> Result<Vec<(T, u32, u32)>, Diagnostic> {
    use rayon::prelude::*;
    if text.len() >= PIECES_FROM_BYTES {
        if let Some(pieces) = list_pieces(text, rayon::current_num_threads() * 4) {
            let parsed: Result<Vec<_>, Diagnostic> = pieces
                .par_iter()
                .map(|&(first_line, piece)| list_items::<T>(piece, file, first_line))
                .collect();
            if let Ok(parsed) = parsed {
                return Ok(parsed.into_iter().flatten().collect());
            }
        }
    }
    list_items(text, file, 1)
}

/// One parse of a list (or a piece of one that starts at `first_line` of `file`).
fn list_items<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: u32,
) -> Result<Vec<(T, u32, u32)>, Diagnostic> {
    let items: Vec<serde_saphyr::Spanned<T>> = parse(text, file, first_line)?;
    Ok(items
        .into_iter()
        .map(|item| {
            let line = u32::try_from(item.referenced.line()).unwrap_or(0);
            let column = u32::try_from(item.referenced.column()).unwrap_or(0);
            (item.value, if line > 0 { line + first_line - 1 } else { 0 }, column)
        })
        .collect())
}

/// Cuts a top-level block list into about `count` pieces, each a whole number of items,
/// with the line each starts on. `None` when anything could tie items together or give a
/// line starting with `- ` another meaning: anchors, aliases, tags, or any line that starts
/// with something other than an item, an indented line, a comment or nothing (directives,
/// document markers, a top-level mapping, a scalar continued at column 0).
fn list_pieces(text: &str, count: usize) -> Option<Vec<(u32, &str)>> {
    if text.contains(['&', '*', '!']) {
        return None;
    }
    let mut starts = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        match line.as_bytes().first() {
            Some(b'-') if line.starts_with("- ") || line.trim_end() == "-" => {
                starts.push((offset, u32::try_from(index + 1).ok()?));
            }
            Some(b' ' | b'#' | b'\n') | None => {}
            // The marker of the one document, on the first line, stays with the first piece.
            Some(b'-') if index == 0 && line.trim_end() == "---" => {}
            Some(_) => return None,
        }
        offset += line.len();
    }
    let per_piece = starts.len().div_ceil(count.max(1)).max(1);
    // The first piece also holds what comes before the first item (comments).
    let mut cuts: Vec<(usize, u32)> = starts.into_iter().step_by(per_piece).skip(1).collect();
    cuts.insert(0, (0, 1));
    if cuts.len() < 2 {
        return None;
    }
    let ends = cuts.iter().skip(1).map(|&(offset, _)| offset).chain([text.len()]);
    Some(cuts.iter().zip(ends).map(|(&(start, line), end)| (line, &text[start..end])).collect())
}

/// The parser's phrases in the words of someone writing YAML.
fn plain_words(message: &str) -> String {
    message
        .replace("expected sequence start", "expected a list (`[a, b]` or lines starting with `- `)")
        .replace("expected mapping start", "expected a mapping of `key: value` lines")
        .replace("expected string scalar", "expected a single text value")
        .replace("invalid boolean", "expected true or false")
}

/// A stable code for each kind of parse error.
fn classify(message: &str) -> &'static str {
    let lower = message.to_lowercase();
    if lower.starts_with("unknown field") {
        "unknown-key"
    } else if lower.starts_with("missing field") {
        "missing-field"
    } else if lower.starts_with("invalid date") || lower.starts_with("invalid timestamp") {
        "invalid-date"
    } else if lower.starts_with("unknown variant")
        || lower.starts_with("invalid score")
        || lower.starts_with("invalid interval")
        // A number out of its type's range, such as `-1` for a count of days ("invalid u32").
        || ["invalid u8", "invalid u16", "invalid u32", "invalid u64", "invalid usize", "invalid i32", "invalid i64"]
            .contains(&lower.trim())
    {
        "invalid-value"
    } else if lower.contains("budget")
        || lower.contains("alias")
        || lower.contains("recursion")
        || lower.contains("depth")
    {
        "yaml-too-complex"
    } else if lower.starts_with("invalid type")
        || lower.starts_with("expected ")
        || lower.starts_with("invalid boolean")
        || lower.starts_with("invalid value")
        || lower.contains("invalid integer")
    {
        "invalid-type"
    } else {
        "invalid-yaml"
    }
}

/// serde-saphyr appends " at line X column Y" to messages; the location is shown separately.
fn clean_message(message: &str) -> String {
    let message = message.trim();
    let message = match message.find(" at line ") {
        Some(index) => &message[..index],
        None => message,
    };
    message.to_string()
}

/// A markdown file split into its YAML front matter and its body.
#[derive(Debug)]
pub struct FrontMatter<'a> {
    pub yaml: &'a str,
    /// Line number of the first front-matter line (the line after the opening `---`).
    pub yaml_first_line: u32,
    pub body: &'a str,
    pub body_first_line: u32,
}

/// Splits `---\n yaml \n---\n body`. A file without front matter, or whose front matter is
/// never closed, is an error: every item kind in markdown needs its fields.
pub fn split_front_matter<'a>(text: &'a str, file: &Path) -> Result<FrontMatter<'a>, Diagnostic> {
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != "---" {
        return Err(Diagnostic::error(
            "missing-front-matter",
            "expected YAML front matter: the file must start with a line `---`",
        )
        .at(Location::at(file, 1, 1))
        .hint("start the file with ---, the fields (id, title, …), then --- and the markdown body"));
    }
    let yaml_start = (first_line_end + 1).min(text.len());
    let mut offset = yaml_start;
    for (line, raw_line) in (2u32..).zip(text[yaml_start..].split_inclusive('\n')) {
        let trimmed = raw_line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &text[yaml_start..offset];
            let body_start = offset + raw_line.len();
            if yaml.trim().is_empty() {
                return Err(Diagnostic::error("empty-front-matter", "front matter is empty")
                    .at(Location::at(file, 2, 1))
                    .hint("put the item's fields between the two --- lines"));
            }
            return Ok(FrontMatter {
                yaml,
                yaml_first_line: 2,
                body: &text[body_start..],
                body_first_line: line + 1,
            });
        }
        offset += raw_line.len();
    }
    Err(Diagnostic::error(
        "unterminated-front-matter",
        "front matter is never closed: expected a line `---` after the fields",
    )
    .at(Location::at(file, 1, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[allow(dead_code)]
        id: String,
    }

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let text = "---\nid: A\ntitle: T\n---\nBody\n";
        let split = split_front_matter(text, Path::new("p.md")).unwrap();
        assert_eq!(split.yaml, "id: A\ntitle: T\n");
        assert_eq!(split.body, "Body\n");
        assert_eq!(split.body_first_line, 5);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let error = split_front_matter("---\nid: A\n", Path::new("p.md")).unwrap_err();
        assert_eq!(error.code, "unterminated-front-matter");
        let error = split_front_matter("id: A\n", Path::new("p.md")).unwrap_err();
        assert_eq!(error.code, "missing-front-matter");
    }

    #[test]
    fn an_alias_bomb_is_an_error_not_a_hang() {
        // Nine levels of nine aliases: 387 million strings if expanded, into a field whose
        // type would accept them all. The parser's budget must stop it.
        let mut text = String::from("anchors:\n  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..9 {
            let previous = format!("*l{}", level - 1);
            let items = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("  - &l{level} [{items}]\n"));
        }
        text.push_str("bomb: *l8\n");
        type Deep = Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<Vec<String>>>>>>>>>;
        #[derive(Debug, Deserialize)]
        struct Document {
            #[allow(dead_code)]
            anchors: serde::de::IgnoredAny,
            #[allow(dead_code)]
            bomb: Deep,
        }
        let started = std::time::Instant::now();
        let error = parse::<Document>(&text, Path::new("bomb.yaml"), 1).unwrap_err();
        assert_eq!(error.code, "yaml-too-complex", "{}", error.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        id: String,
        tags: Vec<String>,
        notes: String,
    }

    /// A list past the size where it is parsed in pieces; items span five lines, and their
    /// notes hold a line that looks like an item but is indented.
    fn long_list(broken_item: Option<usize>) -> String {
        let mut text = String::from("# Evidence index\n\n");
        for index in 0..3000 {
            let key = if Some(index) == broken_item { "colour" } else { "notes" };
            text.push_str(&format!(
                "- id: E{index}\n  tags: [a, b]\n  {key}: |\n    first\n    - not an item\n"
            ));
        }
        assert!(text.len() >= PIECES_FROM_BYTES);
        text
    }

    #[test]
    fn a_long_list_parses_in_pieces_to_what_one_parse_gives() {
        let text = long_list(None);
        assert!(list_pieces(&text, 8).is_some_and(|pieces| pieces.len() > 4));
        let file = Path::new("evidence/evidence.yaml");
        let pieces: Vec<(Entry, u32, u32)> = parse_list(&text, file).unwrap();
        let whole: Vec<(Entry, u32, u32)> = list_items(&text, file, 1).unwrap();
        assert_eq!(pieces.len(), 3000);
        assert_eq!(pieces, whole);
        assert_eq!((pieces[2999].1, pieces[2999].2), (3 + 2999 * 5, 3));
        assert_eq!(pieces[2999].0.notes, "first\n- not an item\n");
    }

    #[test]
    fn an_error_deep_in_a_long_list_is_the_one_a_single_parse_reports() {
        let text = long_list(Some(2500));
        let file = Path::new("evidence/evidence.yaml");
        let error = parse_list::<Entry>(&text, file).unwrap_err();
        let single = list_items::<Entry>(&text, file, 1).unwrap_err();
        assert_eq!(error.code, "unknown-key");
        assert_eq!(error.location, single.location);
        assert_eq!(error.message, single.message);
        assert_eq!(error.location.unwrap().line, 3 + 2500 * 5 + 2);
    }

    #[test]
    fn lists_with_anchors_or_text_at_column_zero_are_not_cut() {
        let text = long_list(None);
        assert!(list_pieces(&text.replacen("tags: [a, b]", "tags: &t [a, b]", 1), 8).is_none());
        assert!(list_pieces(&text.replacen("first", "*ref", 1), 8).is_none());
        assert!(list_pieces(&format!("%YAML 1.2\n---\n{text}"), 8).is_none());
        assert!(list_pieces(&format!("{text}---\n- id: next\n"), 8).is_none());
        assert!(list_pieces(&text.replacen("    first\n", "first\n", 1), 8).is_none());
        let marked = format!("---\n{text}");
        assert!(list_pieces(&marked, 8).is_some());
        let file = Path::new("evidence/evidence.yaml");
        assert_eq!(
            parse_list::<Entry>(&marked, file).unwrap(),
            list_items::<Entry>(&marked, file, 1).unwrap()
        );
    }

    /// A malformed fence in a literal block is reported at its own line, whatever comes
    /// between the indicator and the text: a comment, an indentation indicator, empty lines,
    /// a line of less-indented spaces, a tab.
    #[test]
    fn a_fence_error_in_a_literal_block_is_at_the_fences_line() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Answer {
            answer: String,
        }
        let cases = [
            "answer: |\n  Plinkett.\n\n  :::\n",
            "answer: |\n  :::\n",
            "answer: |-\n\n  x\n\n  ::: intenral\n",
            "answer: |-\n\n\n  x\n  :::\n",
            "answer: | # a comment\n  x\n  :::\n",
            "answer: |2\n    x\n  :::\n",
            "answer: |+\n \n  x\n  :::\n",
            "answer: |\n  \t\n  x\n  :::\n",
            "answer: |\n  <!--\n  :::\n  -->\n",
        ];
        for (index, text) in cases.iter().enumerate() {
            let fence = text.lines().position(|line| line.trim_start().starts_with(":::")).unwrap() + 1;
            let error = parse::<Answer>(text, Path::new("faq.yaml"), 10).unwrap_err();
            assert_eq!(error.code, "audience-block", "case {index}: {}", error.message);
            let location = error.location.unwrap();
            assert_eq!(location.line as usize, fence + 9, "case {index} ({text:?}): {}", error.message);
        }
    }

    #[test]
    fn errors_carry_the_files_own_line() {
        let error = parse::<Item>("id: A\ncolour: red\n", Path::new("p.md"), 2).unwrap_err();
        assert_eq!(error.code, "unknown-key");
        let location = error.location.unwrap();
        assert_eq!((location.line, location.column), (3, 1), "{}", error.message);
        assert!(error.message.contains("colour"), "{}", error.message);
    }
}
