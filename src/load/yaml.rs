//! YAML and front matter into typed values, with every error placed at its file, line and
//! column. Parsing runs under serde-saphyr's budget, so alias bombs and absurd nesting are
//! errors rather than hangs.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Location};

/// Parses `text` as YAML into `T`. `first_line` is the line of `text`'s first line in its
/// file (1 for a whole file, later for front matter), so locations are the file's own.
pub fn parse<T: DeserializeOwned>(text: &str, file: &Path, first_line: u32) -> Result<T, Diagnostic> {
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
        let (message, hint) = crate::check::suggest::explain_serde_message(&raw);
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

    #[test]
    fn errors_carry_the_files_own_line() {
        let error = parse::<Item>("id: A\ncolour: red\n", Path::new("p.md"), 2).unwrap_err();
        assert_eq!(error.code, "unknown-key");
        let location = error.location.unwrap();
        assert_eq!((location.line, location.column), (3, 1), "{}", error.message);
        assert!(error.message.contains("colour"), "{}", error.message);
    }
}
