//! YAML scalars written so they read back as the same text: plain when nothing in the text
//! could be read otherwise (a number, `yes`, a comment, a mapping), double-quoted with
//! escapes when anything could; a long answer as a literal block (`|`) when its lines allow
//! one. Callers still parse the file they made with the loader's parser before writing it.

/// Words YAML (1.1 or 1.2) reads as something other than text.
const RESERVED: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"];

/// Whether `text` may be written plain: it starts with a letter, holds only letters, digits,
/// spaces and punctuation that means nothing inside a plain scalar, and is not a word YAML
/// reads as something else. In a flow list (`[a, b]`) a comma would end the item.
fn plain_safe(text: &str, in_flow: bool) -> bool {
    let Some(first) = text.chars().next() else { return false };
    first.is_alphabetic()
        && !text.ends_with([' ', ':'])
        && !text.contains("  ")
        && !text.contains(": ")
        && (!in_flow || !text.contains(','))
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || " _.,;:?!%()/'&+-".contains(c)
                || (c.is_alphabetic() && !c.is_ascii())
        })
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
}

/// `text` as a one-line YAML scalar.
pub fn scalar(text: &str) -> String {
    quoted_unless_plain(text, false)
}

fn quoted_unless_plain(text: &str, in_flow: bool) -> String {
    if plain_safe(text, in_flow) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML does not allow as they are, or reads as line breaks or a byte-order mark.
fn needs_escape(c: char) -> bool {
    let code = u32::from(c);
    code < 0x20
        || (0x7F..=0x9F).contains(&code)
        || matches!(code, 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF)
        || (0xD800..=0xDFFF).contains(&code)
}

/// A list of short texts in flow style: `[POL-AC, EV-014]`.
pub fn flow_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| quoted_unless_plain(i, true)).collect::<Vec<_>>().join(", "))
}

/// What follows `key:` for a longer text at `indent` spaces: ` |` and the text's lines as a
/// literal block when they can be one (it then reads back with one final line break), else
/// ` ` and a double-quoted scalar. `text` should have `\n` line ends and no trailing blank
/// lines; the value it reads back as is [`read_back`]'s.
pub fn block(text: &str, indent: usize) -> String {
    if literal_safe(text) {
        let pad = " ".repeat(indent);
        let mut out = String::from(" |\n");
        for line in text.split('\n') {
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
            out.push('\n');
        }
        out.pop();
        out
    } else {
        format!(" {}", scalar(text))
    }
}

/// The value `block(text, _)` reads back as.
pub fn read_back(text: &str) -> String {
    if literal_safe(text) {
        format!("{text}\n")
    } else {
        text.to_string()
    }
}

fn literal_safe(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([' ', '\t', '\n'])
        && !text.ends_with(['\n', ' ', '\t'])
        && text.chars().all(|c| c == '\n' || c == '\t' || !needs_escape(c))
        && text.split('\n').all(|line| !line.ends_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct One {
        value: String,
    }

    fn reads(yaml: &str) -> String {
        crate::load::yaml::parse::<One>(yaml, std::path::Path::new("t.yaml"), 1).unwrap().value
    }

    #[test]
    fn every_text_reads_back_as_written() {
        for text in [
            "Head of IT",
            "yes",
            "No",
            "007",
            "1.0",
            "- not a list",
            "key: value",
            "a # comment?",
            "ends with space ",
            " starts with one",
            "\"quoted\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "bom\u{feff}",
            "nel\u{85}ls\u{2028}",
            "bell\u{7}",
            "&anchor",
            "*alias",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "{flow}",
            "[list]",
            "Règle d'accès",
            "Needed: contracts; risk R-4 (100%)?",
            "ends with colon:",
            "a:b",
            "日本語",
            "emoji 🔐",
            "",
            "~",
            "null",
        ] {
            assert_eq!(reads(&format!("value: {}\n", scalar(text))), text, "{text:?}");
        }
    }

    #[test]
    fn long_texts_are_literal_blocks_when_they_can_be() {
        for text in [
            "Yes.\n\n- one\n- two\n\n    code",
            "first\nsecond: with colon # and hash",
            "one line",
            "one: line # with a colon",
            " leading space\nx",
            "trailing space \nx",
            "x\n\n",
            "carriage\r\nreturn",
            "---\n...\n# not a comment\n- not a list\n\ttab first\nkey: value",
            "=HYPERLINK(\"x\")\n@sum",
            "emoji 🔐\nnext\u{2028}line",
        ] {
            let yaml = format!("value:{}\n", block(text, 2));
            assert_eq!(reads(&yaml), read_back(text), "{text:?} as {yaml}");
        }
        assert!(block("a\nb", 4).starts_with(" |\n    a\n    b"));
        #[derive(serde::Deserialize)]
        struct List {
            value: Vec<String>,
        }
        let items = vec!["a, b".to_string(), "[c]".to_string(), "plain".to_string()];
        let yaml = format!("value: {}\n", flow_list(&items));
        let read: List = crate::load::yaml::parse(&yaml, std::path::Path::new("t.yaml"), 1).unwrap();
        assert_eq!(read.value, items, "{yaml}");
    }
}
