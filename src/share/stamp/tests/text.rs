//! The footer's text: encoding, escaping, line breaking.

use super::*;
use crate::share::stamp::footer::{number, push_literal_string};
use crate::share::stamp::text::win_ansi;

#[test]
fn characters_are_encoded_in_win_ansi_and_strings_escaped() {
    assert_eq!(
        win_ansi("Confidential \u{2014} Zo\u{eb} \u{b7} \u{20ac}5 \u{2019}"),
        b"Confidential \x97 Zo\xeb \xb7 \x805 \x92"
    );
    // Other Latin alphabets' letters lose what WinAnsi cannot draw; other scripts are `?`.
    assert_eq!(win_ansi("\u{141}\u{f3}d\u{17a} \u{2713} \u{65e5}"), b"L\xf3dz ? ?");
    assert_eq!(
        win_ansi("Dvo\u{159}\u{e1}k \u{10c}apek K\u{151} \u{15e}ahin \u{21b}ar\u{103} Ba\u{15f}\u{131} \u{fb01}n \u{ff21}"),
        b"Dvor\xe1k Capek Ko Sahin tara Basi fin A"
    );
    assert_eq!(win_ansi("\u{41c}\u{438}\u{440} \u{3a9} \u{2153} \u{b2}"), b"??? ? ? \xb2");
    // A decomposition into a WinAnsi letter beyond ASCII keeps it; one into punctuation is `?`.
    assert_eq!(win_ansi("\u{1e2}\u{1fb} \u{203c}"), b"\xc6a ?");
    let mut content = Vec::new();
    push_literal_string(&mut content, b"a(b)c\\d\x97\xe9");
    assert_eq!(content, b"a\\(b\\)c\\\\d\\227\\351");
    assert_eq!([number(1.0), number(-0.0001), number(12.3456), number(f64::NAN)], ["1", "0", "12.346", "0"]);

    let recipient = "Zo\u{eb} M\u{fc}ller-\u{141}ukasz (\u{c6}r\u{f8} ApS) \\ \u{2713}";
    let share =
        Stamp { recipient: recipient.to_string(), date: "2026-11-21".into(), share_id: "x(1)".into() };
    let (output, _) = stamped_with(&pdf_with_pages(&[(A4, "Text")]), &share);
    let Some(pages) = page_texts(&output) else { return };
    let expected = "Confidential \u{2014} shared under NDA with Zo\u{eb} M\u{fc}ller-Lukasz (\u{c6}r\u{f8} ApS) \\ ? on \
                    2026-11-21 \u{b7} share x(1)";
    assert!(pages[0].contains(expected), "{}", pages[0]);
}

#[test]
fn a_long_recipient_goes_on_a_line_of_its_own_and_a_tiny_page_gets_a_smaller_stamp() {
    let long =
        "Initech Global Procurement and Third-Party Vendor Risk Management Office (Attn. Bill Lumbergh)";
    let share = Stamp { recipient: long.to_string(), date: "2026-11-21".into(), share_id: SHARE_ID.into() };
    let input = pdf_with_pages(&[(A4, "Text"), ([0.0, 0.0, 120.0, 60.0], "Tiny")]);
    let (output, _) = stamped_with(&input, &share);
    let Some(pages) = page_texts(&output) else { return };
    assert!(
        pages[0].contains(&format!("Confidential \u{2014} shared under NDA with {long}\n")),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains(&format!("on 2026-11-21 \u{b7} share {SHARE_ID}")), "{}", pages[0]);
    let Some(boxed) = page_words(&output) else { return };
    for (page, frame) in boxed.iter().zip([upright(595.0, 842.0), upright(120.0, 60.0)]) {
        for word in &page.words {
            assert!(inside(word, frame), "{word:?} is off the page {frame:?}");
        }
    }
    // Scaled down to fit the tiny page, but all there.
    let tiny: Vec<&str> = boxed[1].words.iter().map(|word| word.text.as_str()).collect();
    assert!(tiny.join(" ").contains(&format!("{long} on 2026-11-21 \u{b7} share {SHARE_ID}")), "{tiny:?}");
}

#[test]
fn the_characters_drawn_as_question_marks_are_named() {
    assert_eq!(
        undrawable("Zo\u{eb} Dvo\u{159}\u{e1}k <zoe@acme.example>"),
        Vec::<char>::new(),
        "accents are drawn or dropped"
    );
    assert_eq!(
        undrawable("\u{41c}\u{438}\u{440} \u{41c}\u{438}\u{440} ?"),
        vec!['\u{41c}', '\u{438}', '\u{440}']
    );
}
