//! The audience-block grammar, tested line by line.

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

/// The quick searches (a run of three colons, a carriage return not followed by a line
/// feed) answer as plain ones, on random texts of colons, line ends, carriage returns,
/// letters and a multibyte character. (The line splitter has its own test below.)
#[test]
fn quick_searches_agree_with_plain_ones() {
    let alphabet = [":", ":", "\n", "\r", "a", " ", "é", "\r\n"];
    let mut random = crate::test_rng::Xorshift(0x2545_f491_4f6c_dd1d);
    for round in 0..2000 {
        let text: String = (0..round % 200).map(|_| alphabet[random.below(alphabet.len())]).collect();
        assert_eq!(may_have_blocks(&text), text.contains(":::"), "{text:?}");
        let bytes = text.as_bytes();
        let plain = (0..bytes.len()).find(|&at| bytes[at] == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
        assert_eq!(disguise::bare_carriage_return(&text), plain, "{text:?}");
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

/// The line splitter's fast path (no carriage return) splits as the byte-by-byte one does,
/// on random texts of newlines, carriage returns and other bytes.
#[test]
fn lines_split_as_byte_by_byte_splitting_does() {
    let mut random = crate::test_rng::Xorshift(0x11e5);
    let pieces = ["\n", "\r", "\r\n", "a", "::: internal", "é", " ", "\n\n"];
    for _ in 0..20_000 {
        let mut text = String::new();
        let length = random.next() % 12;
        for _ in 0..length {
            let seed = random.next();
            // Carriage returns in a quarter of the texts, so the fast path is run most.
            let piece = pieces[(seed % pieces.len() as u64) as usize];
            if piece.contains('\r') && !seed.is_multiple_of(4) {
                continue;
            }
            text.push_str(piece);
        }
        assert_eq!(super::lines(&text), super::lines_by_bytes(&text), "{text:?}");
    }
}
