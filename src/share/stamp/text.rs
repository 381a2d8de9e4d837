//! The footer's text: the stamp's fields tidied and encoded in WinAnsi, measured in
//! Helvetica's widths and broken into lines.

use super::{Stamp, StampError, FONT_SIZE};

/// The stamp as it is drawn: the parts of the footer, already in WinAnsi.
pub(super) struct StampText {
    /// "Confidential — shared under NDA with <recipient>".
    head: Vec<u8>,
    /// "on <date> · share <share_id>".
    tail: Vec<u8>,
    /// The share id as given (blanks tidied), for /Info.
    pub(super) share_id: String,
    /// The recipient as given (blanks tidied), in whatever script, for /Info.
    pub(super) recipient: String,
    /// The whole footer on one line, as Unicode: the stamp annotation's /Contents.
    pub(super) line: String,
    /// What the trailer's second /ID half is derived from, besides the input.
    pub(super) fingerprint: Vec<u8>,
}

impl StampText {
    pub(super) fn new(stamp: &Stamp) -> Result<Self, StampError> {
        let recipient = one_line(&stamp.recipient, "recipient")?;
        let date = one_line(&stamp.date, "date")?;
        let share_id = one_line(&stamp.share_id, "share id")?;
        let head = win_ansi(&format!("Confidential \u{2014} shared under NDA with {recipient}"));
        let tail = win_ansi(&format!("on {date} \u{b7} share {share_id}"));
        let fingerprint = [recipient.as_bytes(), date.as_bytes(), share_id.as_bytes()].join(&0u8);
        let line = format!(
            "Confidential \u{2014} shared under NDA with {recipient} on {date} \u{b7} share {share_id}"
        );
        Ok(Self { head, tail, share_id, recipient, line, fingerprint })
    }

    fn full_line(&self) -> Vec<u8> {
        [self.head.as_slice(), self.tail.as_slice()].join(&b' ')
    }
}

/// `text` with every run of blanks and line breaks made one space and the ends trimmed: the
/// footer is laid out by words, and a line break in a name must not break the layout.
fn one_line(text: &str, field: &'static str) -> Result<String, StampError> {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return Err(StampError::EmptyStampField(field));
    }
    Ok(line)
}

/// `text` in WinAnsiEncoding (PDF 32000-1, Annex D). A character it has no code for is spelt
/// as near as WinAnsi can ([`nearest`]), else drawn as `?`.
pub(super) fn win_ansi(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    for character in text.chars() {
        match win_ansi_byte(character) {
            Some(byte) => bytes.push(byte),
            None => bytes.extend(nearest(character)),
        }
    }
    bytes
}

/// A letter of another Latin alphabet without what WinAnsi cannot draw: its compatibility
/// decomposition without the accents (`ř` → `r`, `ő` → `o`, `ș` → `s`, `ﬁ` → `fi`, a
/// full-width `Ａ` → `A`), or the letter a stroke or a missing dot was added to (`Ł` → `L`,
/// `ı` → `i`). Anything else (another script, a symbol) is `?`: drawing it needs an embedded
/// font.
fn nearest(character: char) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    let plain = match character {
        '\u{141}' => Some(b'L'),
        '\u{142}' => Some(b'l'),
        '\u{110}' => Some(b'D'),
        '\u{111}' => Some(b'd'),
        '\u{126}' => Some(b'H'),
        '\u{127}' => Some(b'h'),
        '\u{166}' => Some(b'T'),
        '\u{167}' => Some(b't'),
        '\u{131}' => Some(b'i'),
        _ => None,
    };
    if let Some(byte) = plain {
        return vec![byte];
    }
    // Letters and digits only: `‼` decomposes to `!!`, which is not a spelling of it.
    let spelt: Option<Vec<u8>> = std::iter::once(character)
        .nfkd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| if c.is_alphanumeric() { win_ansi_byte(c) } else { None })
        .collect();
    match spelt {
        Some(bytes) if !bytes.is_empty() => bytes,
        _ => vec![b'?'],
    }
}

/// The characters of `text` the footer draws as `?` (another script, a symbol), each once, in
/// order: what a team is told before it sends a package stamped with them.
pub fn undrawable(text: &str) -> Vec<char> {
    let mut found = Vec::new();
    for character in text.chars() {
        if win_ansi_byte(character).is_none() && nearest(character) == b"?" && !found.contains(&character) {
            found.push(character);
        }
    }
    found
}

/// The WinAnsi code of `character`, if it has one.
fn win_ansi_byte(character: char) -> Option<u8> {
    Some(match character {
        ' '..='~' | '\u{a0}'..='\u{ff}' => character as u8,
        '\u{20ac}' => 0x80,
        '\u{201a}' => 0x82,
        '\u{192}' => 0x83,
        '\u{201e}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{2c6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{160}' => 0x8a,
        '\u{2039}' => 0x8b,
        '\u{152}' => 0x8c,
        '\u{17d}' => 0x8e,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201c}' => 0x93,
        '\u{201d}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{2dc}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{161}' => 0x9a,
        '\u{203a}' => 0x9b,
        '\u{153}' => 0x9c,
        '\u{17e}' => 0x9e,
        '\u{178}' => 0x9f,
        _ => return None,
    })
}

/// Helvetica's advance widths (thousandths of the font size) for WinAnsi codes 0x20 to 0xff,
/// from Adobe's Helvetica AFM; 0 for the codes WinAnsi leaves unused, which are never drawn.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// The width of WinAnsi `text` in the footer's font size, in points.
pub(super) fn text_width(text: &[u8]) -> f64 {
    let thousandths: u64 = text
        .iter()
        .map(|&byte| {
            u64::from(byte.checked_sub(0x20).map_or(0, |index| HELVETICA_WIDTHS[usize::from(index)]))
        })
        .sum();
    thousandths as f64 * FONT_SIZE / 1000.0
}

/// The footer's lines for a line length of `width` points: one line when it fits, else the
/// recipient part and the date-and-share part, else the words wrapped (a word longer than a
/// line is cut).
pub(super) fn footer_lines(text: &StampText, width: f64) -> Vec<Vec<u8>> {
    let full = text.full_line();
    if text_width(&full) <= width {
        return vec![full];
    }
    if text_width(&text.head) <= width && text_width(&text.tail) <= width {
        return vec![text.head.clone(), text.tail.clone()];
    }
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in full.split(|&byte| byte == b' ').filter(|word| !word.is_empty()) {
        let joined_width = text_width(&line) + text_width(b" ") + text_width(word);
        if !line.is_empty() && joined_width <= width {
            line.push(b' ');
            line.extend_from_slice(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for &byte in word {
            if !line.is_empty() && text_width(&line) + text_width(&[byte]) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(byte);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
