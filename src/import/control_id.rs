//! The ways a spreadsheet writes an Annex A control id: `A.5.1`, `5.1`, `A 5.1`, `A5.1`,
//! `A.05.01`, `Annex A 5.1`, `A.5.1.` and an id followed by its title in the same cell
//! (`A.5.1 Policies for information security`), all read as `A.5.1`.

/// What a cell holds in an id column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellId {
    /// An id of the shape `[A.]clause.number`, written as the catalog writes ids (`A.5.1`),
    /// whether or not the catalog has it, with what follows it in the cell (a title).
    Id { id: String, rest: String, prefixed: bool },
    /// An id of ISO/IEC 27001:2013's shape (`A.9.2.1`): three numbers.
    Old(String),
    /// Nothing shaped like a control id (a heading, a note, empty).
    None,
}

/// Reads the start of `text` as a control id.
pub fn parse(text: &str) -> CellId {
    let text = text.trim();
    let mut rest = text;
    let mut prefixed = false;
    let lower = rest.to_ascii_lowercase();
    for prefix in ["annex a", "annex", "a"] {
        if lower.starts_with(prefix) {
            let after = &rest[prefix.len()..];
            let after_trimmed = after.trim_start_matches([' ', '.', '-', '_', ':']);
            if after_trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                rest = after_trimmed;
                prefixed = true;
            }
            break;
        }
    }
    let mut numbers = Vec::new();
    loop {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 3 {
            break;
        }
        rest = &rest[digits.len()..];
        numbers.push(digits.trim_start_matches('0').parse::<u32>().unwrap_or(0));
        // A separator followed by a digit continues the id; anything else ends it.
        let mut chars = rest.chars();
        match (chars.next(), chars.next()) {
            (Some('.' | '-'), Some(next)) if next.is_ascii_digit() => rest = &rest[1..],
            _ => break,
        }
    }
    // What follows must not glue onto the id (`5.1a`, `5.1%`).
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '%') {
        return CellId::None;
    }
    let rest = rest.trim_start_matches([' ', ':', '-', '–', '—', ',', ';', '\t', '\n']).trim().to_string();
    match numbers.as_slice() {
        [clause, number] if *clause > 0 && *number > 0 => {
            CellId::Id { id: format!("A.{clause}.{number}"), rest, prefixed }
        }
        [a, b, c] if *a > 0 && *b > 0 && *c > 0 => CellId::Old(format!("A.{a}.{b}.{c}")),
        _ => CellId::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Option<String> {
        match parse(text) {
            CellId::Id { id, .. } => Some(id),
            _ => None,
        }
    }

    #[test]
    fn every_common_spelling_reads_as_the_catalogs() {
        for text in [
            "A.5.1",
            "5.1",
            "A 5.1",
            "A5.1",
            "A.05.01",
            "a.5.1",
            "Annex A 5.1",
            "Annex A.5.1",
            " A.5.1. ",
            "A-5-1",
            "A.5.1:",
        ] {
            assert_eq!(id(text).as_deref(), Some("A.5.1"), "{text}");
        }
        assert_eq!(
            parse("A.8.34 Protection of information systems during audit testing"),
            CellId::Id {
                id: "A.8.34".into(),
                rest: "Protection of information systems during audit testing".into(),
                prefixed: true
            }
        );
        assert_eq!(parse("A.9.2.1"), CellId::Old("A.9.2.1".into()));
        for text in [
            "",
            "Organizational controls",
            "5",
            "5 Organizational controls",
            "5.1a",
            "50%",
            "A",
            "Access",
            "5.1.x",
            "0.5",
            "2026-01-01",
            "1234.5",
        ] {
            assert_eq!(id(text), None, "{text}");
        }
    }
}
