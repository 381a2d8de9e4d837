//! One rule for free text shown on one line (a commit subject, a recipient's name, a title
//! copied into the access ledger): the characters that would make it read differently from
//! what it holds, or break the line it is written on.

/// Whether `c` may not stand in one line of plain text: a control character (line breaks
/// included), a line or paragraph separator, a bidirectional embedding, override or isolate,
/// or a Unicode noncharacter.
pub fn hidden(c: char) -> bool {
    let code = c as u32;
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        || matches!(code, 0xFDD0..=0xFDEF)
        || code & 0xFFFE == 0xFFFE
}

/// `text` with every [`hidden`] character shown as U+FFFD.
pub fn shown(text: &str) -> String {
    text.chars().map(|c| if hidden(c) { '\u{FFFD}' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn controls_bidi_separators_and_noncharacters_are_hidden_letters_are_not() {
        for c in ['\n', '\u{7F}', '\u{85}', '\u{202E}', '\u{2067}', '\u{2028}', '\u{FFFE}', '\u{FDD0}'] {
            assert!(super::hidden(c), "{c:?}");
        }
        for c in ['a', 'é', '李', '—', ' '] {
            assert!(!super::hidden(c), "{c:?}");
        }
        assert_eq!(super::shown("a\u{202E}b"), "a\u{FFFD}b");
    }
}
