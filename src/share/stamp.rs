//! Stamps a gated PDF for one recipient: every page gets a visible footer naming the recipient,
//! the date and the share, and the document's metadata records the share id.
//!
//! **What and where.** One to a few centred lines of 8 pt Helvetica in dark grey, near the bottom
//! edge of what the viewer sees: `Confidential — shared under NDA with <recipient> on <date> ·
//! share <share_id>`, broken before "on" when it does not fit on one line. Helvetica is one of
//! the standard fonts every PDF reader has, so nothing is embedded; the text is encoded in
//! WinAnsi (the em dash is 0x97), and a character WinAnsi has no code for is drawn as `?`. The
//! footer is placed in each page's effective CropBox (else MediaBox), looked up through the page
//! tree as a reader does, and turned with the page's /Rotate so it reads upright along the
//! bottom of the displayed page. A page too small for the footer gets it scaled down, so it is
//! never drawn off the page. It is marked as a pagination artifact, so a screen reader skips it.
//!
//! **Why the page's content becomes a form.** A page's content may be written to hide whatever
//! is drawn after it: leave the graphics state changed (a `cm` that scales everything, a clip, a
//! white fill), end inside a string or a comment that would swallow the next operators, leave an
//! optional-content section open whose layer is off, or put a `/DefaultGray` colour space in the
//! page's resources that turns dark grey white. Counting and closing what the content leaves open
//! is a race with every reader's parser; instead the page's original content streams (decoded and
//! joined into one) become a Form XObject, `/TPOrig`, with the page's MediaBox as its /BBox and
//! the page's effective (possibly inherited) resources as its own. A reader parses a form's
//! content on its own and restores the graphics state after it, so nothing in it reaches what
//! follows. The page's /Contents becomes one stream, `q /TPOrig Do Q` and then the footer, and
//! its /Resources a new dictionary that holds only `/TPOrig` and the footer's font
//! (`/TPStampF1`): no colour space, ExtGState or other resource of the original applies to the
//! footer. For readers that let an optional-content section opened inside a form stay open after
//! it (poppler does not), the `Do` is wrapped in as many `/TPGuard BMC` … `EMC` pairs as the
//! content leaves marked-content sections open (counted with strings, comments and inline images
//! skipped), so the footer's `EMC`s close those sections first. A page without content gets only
//! the footer; one whose content streams cannot all be decoded gets one form per stream, kept as
//! they are. An annotation appearance without /Resources of its own, which readers let use the
//! page's, gets the page's original resources, so it still draws as before. In a tagged PDF the
//! form gets the page's /StructParents, and the structure tree's marked-content references to
//! the page name the form (/Stm), so screen readers still find each element's content. The
//! page's /Group (transparency), /Rotate, boxes, annotations and every other entry are kept.
//!
//! **Why an annotation too.** Annotations are drawn over the page's content, so an opaque one
//! over the bottom of the page would hide the footer. The footer is therefore also added as the
//! page's last annotation, which is drawn after (above) every other: a /Stamp annotation over the
//! footer's band whose appearance draws exactly the same text at exactly the same place, flagged
//! Print, ReadOnly, Locked and LockedContents (so it prints, does not respond to clicks and a
//! viewer does not offer to move or delete it). Removing the annotations that overlap the band
//! was the alternative; it would silently drop the document's own links, form fields and
//! comments, and a transparent or off-band annotation can still be made to cover it. Text
//! extraction sees the footer once: readers drop text drawn twice at the same place (poppler
//! does), as with fake bold.
//!
//! **Output.** The whole document written anew (never an incremental update: the original bytes,
//! unstamped, must not be recoverable by cutting the file short), with only the objects still
//! reachable from the catalog and /Info, as lopdf read them: a reader of the output sees the
//! pages that were stamped, whatever another parser would have made of the input. The trailer's /Info (created when there is none) gets
//! `/TrustpressShareId`. The output depends only on the input and the [`Stamp`]: there is no
//! timestamp, and the trailer's /ID is derived with SHA-256 (its first half kept when the input has
//! one, its second half a hash of the input and the stamp, as a changed file's /ID should be).
//!
//! **Refused**, with an error saying what to do: an encrypted PDF (even one that opens without a
//! password: its objects can only be changed with its key, and the recipient gets a decrypted
//! copy to open), a file that cannot be parsed as a PDF, a PDF without pages, and a stamp with an
//! empty field. Damaged or hostile structure (page-tree cycles, missing or wrong-typed /Contents,
//! /Resources, /Annots or boxes, dangling references) never panics: what cannot be used is treated
//! as absent.
//!
//! **Memory.** lopdf holds the whole document; it is changed in place. A page's only content
//! stream becomes its form where it is, still encoded as it was (copied only when something else
//! refers to it too); the streams of a page with several are decoded (at most [`CONTENT_LIMIT`]
//! each), joined and compressed. Every content stream is decoded once, one at a time, to count its
//! marked-content sections.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};

/// What is stamped on every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Who the document is shared with, as it should read on the page ("Jane Doe, Acme Corp").
    pub recipient: String,
    /// The day it is shared, `YYYY-MM-DD`.
    pub date: String,
    /// The share's id, which the access ledger records; also written into the PDF's /Info.
    pub share_id: String,
}

/// Why a PDF was not stamped. Each message is written to follow the input file's name
/// ("soc2.pdf is encrypted: …").
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    /// The PDF is encrypted (its trailer has /Encrypt), even with an empty password.
    #[error("is encrypted: decrypt it (e.g. qpdf --decrypt) and share the decrypted copy")]
    Encrypted,
    /// The bytes are not a PDF, or a PDF too damaged to read.
    #[error("cannot be read as a PDF: {0}")]
    Unreadable(String),
    /// The PDF's page tree holds no page.
    #[error("has no pages: there is nothing to stamp, check that this is the right file")]
    NoPages,
    /// A field of the [`Stamp`] is empty or only blanks.
    #[error("cannot be stamped: the share's {0} is empty")]
    EmptyStampField(&'static str),
    /// Writing the stamped PDF to the output failed.
    #[error("could not be written out stamped: {0}")]
    Write(#[source] std::io::Error),
}

/// Writes `input` (a whole PDF's bytes) stamped to `out`; returns how many pages were stamped.
///
/// Nothing is written when an error is returned, except for [`StampError::Write`].
pub fn stamp_pdf(input: &[u8], stamp: &Stamp, out: &mut dyn Write) -> Result<usize, StampError> {
    let text = StampText::new(stamp)?;
    let mut document = load(input)?;
    let changes = stamp_document(&mut document, &text)?;
    document.trailer = new_trailer(&document, changes.info, trailer_id(&document, input, &text));
    drop_unreachable(&mut document);
    write_whole(document, out).map_err(StampError::Write)?;
    Ok(changes.pages)
}

/// Font size of the footer, in points.
const FONT_SIZE: f64 = 8.0;
/// Distance between the baselines of two footer lines.
const LEADING: f64 = 10.0;
/// Distance from the bottom edge to the baseline of the last line, and the least room kept
/// above the first line.
const BOTTOM_MARGIN: f64 = 16.0;
/// Room kept free at the left and right of the footer.
const SIDE_MARGIN: f64 = 24.0;
/// A page narrower than this gets its footer laid out this wide, then scaled down to fit.
const MIN_LAYOUT_WIDTH: f64 = 240.0;
/// Fill colour of the footer (DeviceGray): dark grey.
const GREY: &str = "0.3";
/// The footer font's resource name, in the page's new resources and in the annotation's.
const FONT_NAME: &str = "TPStampF1";
/// The resource name of the form holding the page's original content; a second, third… form
/// (content streams that could not be joined) is `TPOrig2`, `TPOrig3`…
const ORIGINAL_NAME: &str = "TPOrig";
/// The tag of the marked-content sections that close what the original content leaves open.
const GUARD_TAG: &str = "TPGuard";
/// At most this many guard sections are written (content that leaves more open is hostile, and
/// the annotation still shows the footer).
const GUARD_LIMIT: i64 = 4096;
/// The stamp annotation's flags: Print (4), ReadOnly (64), Locked (128), LockedContents (512).
const ANNOTATION_FLAGS: i64 = 4 | 64 | 128 | 512;
/// How far a /Parent chain or a chain of references is followed before giving up: a cycle ends.
const CHAIN_LIMIT: usize = 64;
/// Page boxes are clamped to this many points either way of the origin, so a hostile box does
/// not produce numbers no reader accepts.
const COORDINATE_LIMIT: f64 = 1.0e7;
/// The most a page content stream is decompressed to, to be joined or scanned.
const CONTENT_LIMIT: usize = 64 << 20;
/// Used when a page has no usable MediaBox anywhere: US Letter, what readers assume.
const DEFAULT_MEDIA_BOX: [f64; 4] = [0.0, 0.0, 612.0, 792.0];

fn load(input: &[u8]) -> Result<Document, StampError> {
    match Document::load_mem(input) {
        Ok(document) if document.trailer.has(b"Encrypt") || document.encryption_state.is_some() => {
            Err(StampError::Encrypted)
        }
        Ok(document) => Ok(document),
        Err(
            lopdf::Error::Decryption(_)
            | lopdf::Error::InvalidPassword
            | lopdf::Error::UnsupportedSecurityHandler(_)
            | lopdf::Error::AlreadyEncrypted,
        ) => Err(StampError::Encrypted),
        // An encryption dictionary lopdf could not make sense of fails the load some other way;
        // "decrypt it" is still the advice that helps.
        Err(_) if contains(input, b"/Encrypt") => Err(StampError::Encrypted),
        Err(_) if !contains(input, b"%PDF-") => {
            Err(StampError::Unreadable("it has no %PDF- header, so it is not a PDF file".to_string()))
        }
        Err(error) => Err(StampError::Unreadable(format!(
            "{} (if it opens in a PDF viewer, a repaired copy may work: qpdf damaged.pdf repaired.pdf)",
            describe(&error)
        ))),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// An error and its sources, in one line: lopdf's own messages are terse ("couldn't parse
/// input") and the detail is in the source.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The stamp as it is drawn: the parts of the footer, already in WinAnsi.
struct StampText {
    /// "Confidential — shared under NDA with <recipient>".
    head: Vec<u8>,
    /// "on <date> · share <share_id>".
    tail: Vec<u8>,
    /// The share id as given (blanks tidied), for /Info.
    share_id: String,
    /// The whole footer on one line, as Unicode: the stamp annotation's /Contents.
    line: String,
    /// What the trailer's second /ID half is derived from, besides the input.
    fingerprint: Vec<u8>,
}

impl StampText {
    fn new(stamp: &Stamp) -> Result<Self, StampError> {
        let recipient = one_line(&stamp.recipient, "recipient")?;
        let date = one_line(&stamp.date, "date")?;
        let share_id = one_line(&stamp.share_id, "share id")?;
        let head = win_ansi(&format!("Confidential \u{2014} shared under NDA with {recipient}"));
        let tail = win_ansi(&format!("on {date} \u{b7} share {share_id}"));
        let fingerprint = [recipient.as_bytes(), date.as_bytes(), share_id.as_bytes()].join(&0u8);
        let line = format!(
            "Confidential \u{2014} shared under NDA with {recipient} on {date} \u{b7} share {share_id}"
        );
        Ok(Self { head, tail, share_id, line, fingerprint })
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

/// `text` in WinAnsiEncoding (PDF 32000-1, Annex D), `?` for a character it has no code for.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

fn win_ansi_byte(character: char) -> u8 {
    match character {
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
        _ => b'?',
    }
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
fn text_width(text: &[u8]) -> f64 {
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
fn footer_lines(text: &StampText, width: f64) -> Vec<Vec<u8>> {
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

/// A page's box as the viewer sees it: the effective CropBox in default user space, and how
/// far the page is turned clockwise.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PageGeometry {
    /// The effective CropBox: lower-left x, lower-left y, upper-right x, upper-right y.
    bounds: [f64; 4],
    /// The effective MediaBox, the same way.
    media: [f64; 4],
    /// 0, 90, 180 or 270.
    rotate: u16,
}

impl PageGeometry {
    fn of(document: &Document, page: &Dictionary) -> Self {
        let media = inherited(document, page, b"MediaBox")
            .and_then(|value| rectangle(document, value))
            .unwrap_or(DEFAULT_MEDIA_BOX);
        let crop = inherited(document, page, b"CropBox")
            .and_then(|value| rectangle(document, value))
            .and_then(|crop| {
                let bounds = [
                    crop[0].max(media[0]),
                    crop[1].max(media[1]),
                    crop[2].min(media[2]),
                    crop[3].min(media[3]),
                ];
                has_area(&bounds).then_some(bounds)
            });
        let rotate = inherited(document, page, b"Rotate")
            .and_then(|value| document.dereference(value).ok())
            .and_then(|(_, value)| match *value {
                Object::Integer(degrees) => Some(degrees),
                Object::Real(degrees) if degrees.fract() == 0.0 && degrees.abs() < 1.0e9 => {
                    Some(degrees as i64)
                }
                _ => None,
            })
            .map(|degrees| degrees.rem_euclid(360))
            .and_then(|degrees| u16::try_from(degrees).ok())
            .filter(|degrees| degrees % 90 == 0)
            .unwrap_or(0);
        Self { bounds: crop.unwrap_or(media), media, rotate }
    }

    /// The width and height of the page as displayed.
    fn displayed_size(&self) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.bounds;
        match self.rotate {
            90 | 270 => (y1 - y0, x1 - x0),
            _ => (x1 - x0, y1 - y0),
        }
    }

    /// The matrix from displayed-page coordinates (origin at the bottom-left corner of the page
    /// as the viewer sees it, y up) to default user space.
    fn displayed_to_user(&self) -> [f64; 6] {
        let [x0, y0, x1, y1] = self.bounds;
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, x1, y0],
            180 => [-1.0, 0.0, 0.0, -1.0, x1, y1],
            270 => [0.0, -1.0, 1.0, 0.0, x0, y1],
            _ => [1.0, 0.0, 0.0, 1.0, x0, y0],
        }
    }
}

fn has_area(bounds: &[f64; 4]) -> bool {
    bounds[2] - bounds[0] >= 1.0 && bounds[3] - bounds[1] >= 1.0
}

/// `key` of the page or of the nearest ancestor in the page tree that has it (MediaBox,
/// CropBox, Rotate and Resources are inherited). A /Parent cycle ends the search.
fn inherited<'a>(document: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..CHAIN_LIMIT {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
    None
}

/// A rectangle `[llx lly urx ury]` in any corner order, or `None` when it is not four finite
/// numbers or has no area.
fn rectangle(document: &Document, value: &Object) -> Option<[f64; 4]> {
    let (_, value) = document.dereference(value).ok()?;
    let items = value.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut numbers = [0.0; 4];
    for (number, item) in numbers.iter_mut().zip(items) {
        *number = match document.dereference(item).ok()?.1 {
            Object::Integer(value) => *value as f64,
            Object::Real(value) => f64::from(*value),
            _ => return None,
        };
        if !number.is_finite() {
            return None;
        }
        *number = number.clamp(-COORDINATE_LIMIT, COORDINATE_LIMIT);
    }
    let [a, b, c, d] = numbers;
    let bounds = [a.min(c), b.min(d), a.max(c), b.max(d)];
    has_area(&bounds).then_some(bounds)
}

/// The footer as drawn on one page: its content, in default user space, and the rectangle it is
/// drawn in, for the stamp annotation's /Rect and its appearance's /BBox.
struct Footer {
    content: Vec<u8>,
    band: [f64; 4],
}

fn footer(geometry: &PageGeometry, text: &StampText) -> Footer {
    let (width, height) = geometry.displayed_size();
    let layout_width = width.max(MIN_LAYOUT_WIDTH);
    let lines = footer_lines(text, layout_width - 2.0 * SIDE_MARGIN);
    let first_baseline = BOTTOM_MARGIN + (lines.len().max(1) - 1) as f64 * LEADING;
    let needed_height = first_baseline + BOTTOM_MARGIN + FONT_SIZE;
    let scale = (width / layout_width).min(height / needed_height).min(1.0);
    let [a, b, c, d, e, f] = geometry.displayed_to_user();
    let layout_width = width / scale;
    let matrix = [a * scale, b * scale, c * scale, d * scale, e, f];

    let mut content = b"q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n".to_vec();
    content.extend_from_slice(
        format!(
            "{} cm\n{GREY} g\nBT\n/{FONT_NAME} {} Tf\n0 Tc 0 Tw 100 Tz 0 Tr 0 Ts\n",
            matrix.map(number).join(" "),
            number(FONT_SIZE)
        )
        .as_bytes(),
    );
    for (index, line) in lines.iter().enumerate() {
        let x = (layout_width - text_width(line)) / 2.0;
        let y = BOTTOM_MARGIN + (lines.len() - 1 - index) as f64 * LEADING;
        content.extend_from_slice(format!("1 0 0 1 {} {} Tm (", number(x), number(y)).as_bytes());
        push_literal_string(&mut content, line);
        content.extend_from_slice(b") Tj\n");
    }
    content.extend_from_slice(b"ET\nEMC\nQ\n");

    // The page's width, from the bottom edge to above the accents of the first line.
    let top = first_baseline + FONT_SIZE + 2.0;
    let corners = [(0.0, 0.0), (layout_width, 0.0), (0.0, top), (layout_width, top)]
        .map(|(x, y)| (matrix[0] * x + matrix[2] * y + matrix[4], matrix[1] * x + matrix[3] * y + matrix[5]));
    let mut band = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for (x, y) in corners {
        band = [band[0].min(x), band[1].min(y), band[2].max(x), band[3].max(y)];
    }
    Footer { content, band }
}

/// A page's new content: the forms holding its original content, each drawn between `q` and
/// `Q`, inside `guards` marked-content sections, then the footer.
fn page_content(forms: usize, guards: i64, footer: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    for _ in 0..guards {
        content.extend_from_slice(format!("/{GUARD_TAG} BMC\n").as_bytes());
    }
    for index in 0..forms {
        content.extend_from_slice(format!("q /{} Do Q\n", form_name(index)).as_bytes());
    }
    for _ in 0..guards {
        content.extend_from_slice(b"EMC\n");
    }
    content.extend_from_slice(footer);
    content
}

/// The resource name of the `index`th form of a page's original content.
fn form_name(index: usize) -> String {
    if index == 0 {
        ORIGINAL_NAME.to_string()
    } else {
        format!("{ORIGINAL_NAME}{}", index + 1)
    }
}

/// A rectangle as a PDF array.
fn rectangle_object(bounds: [f64; 4]) -> Object {
    Object::Array(bounds.iter().map(|&value| Object::Real(value as f32)).collect())
}

/// A number as content streams write it: at most three decimals, no exponent.
fn number(value: f64) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" || text.is_empty() {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// The inside of a literal string: `(`, `)` and `\` escaped, and every byte that is not
/// printable ASCII as an octal escape, so the content stream stays plain text.
fn push_literal_string(content: &mut Vec<u8>, text: &[u8]) {
    for &byte in text {
        match byte {
            b'(' | b')' | b'\\' => content.extend_from_slice(&[b'\\', byte]),
            b' '..=b'~' => content.push(byte),
            _ => content.extend_from_slice(format!("\\{byte:03o}").as_bytes()),
        }
    }
}

/// The pages in the order a reader shows them: the page tree walked depth first from the
/// catalog's /Pages, a node met a second time (a cycle, a page listed twice) skipped, as readers
/// do. A kid that is neither a /Page nor a node with /Kids is a page too, as poppler takes it.
fn pages(document: &Document) -> Vec<ObjectId> {
    let Ok(root) = document.catalog().and_then(|catalog| catalog.get(b"Pages")) else { return Vec::new() };
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<&[Object]> = vec![std::slice::from_ref(root)];
    while let Some(kids) = stack.last_mut() {
        let Some((kid, rest)) = kids.split_first() else {
            stack.pop();
            continue;
        };
        *kids = rest;
        let Ok(id) = kid.as_reference() else { continue };
        if !seen.insert(id) {
            continue;
        }
        let Ok(node) = document.get_dictionary(id) else { continue };
        if node.has_type(b"Page") || !(node.has(b"Kids") || node.has_type(b"Pages")) {
            pages.push(id);
        } else if let Ok(kids) = node.get_deref(b"Kids", document).and_then(Object::as_array) {
            stack.push(kids);
        }
    }
    pages
}

/// How content changes the depth of marked-content sections (`BMC`/`BDC` … `EMC`), relative to
/// where it starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Nesting {
    /// The lowest depth reached: minus the number of `EMC`s closing sections opened before it.
    lowest: i64,
    /// The depth at the end: the sections left open, less the `EMC`s too many.
    end: i64,
}

impl Nesting {
    /// This content followed by `next` (a page's content streams are one sequence).
    fn then(self, next: Nesting) -> Nesting {
        Nesting {
            lowest: self.lowest.min(self.end.saturating_add(next.lowest)),
            end: self.end.saturating_add(next.end),
        }
    }

    /// How many guard sections to open before the content and close after it so that, in a
    /// reader that lets sections outlive the form that opens them, the `EMC`s after it close
    /// every section the content leaves open and no more: as many as it closes too many plus as
    /// many as it leaves open. (A reader that ends them with the form sees them balanced.)
    fn guards(self) -> i64 {
        (self.end.max(0).saturating_sub(self.lowest)).clamp(0, GUARD_LIMIT)
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Counts the `BMC`, `BDC` and `EMC` operators of a content stream, stepping over strings,
/// comments, names and inline image data, where those letters are not operators.
fn nesting(content: &[u8]) -> Nesting {
    let mut nesting = Nesting::default();
    let mut at = 0;
    while let Some(&byte) = content.get(at) {
        match byte {
            b'%' => {
                while content.get(at).is_some_and(|&byte| byte != b'\n' && byte != b'\r') {
                    at += 1;
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while let Some(&byte) = content.get(at) {
                    at += 1;
                    match byte {
                        b'\\' => at += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            b'<' if content.get(at + 1) == Some(&b'<') => at += 2,
            b'<' => {
                while content.get(at).is_some_and(|&byte| byte != b'>') {
                    at += 1;
                }
                at += 1;
            }
            b'/' => {
                at += 1;
                while content.get(at).is_some_and(|&byte| !is_blank(byte) && !is_delimiter(byte)) {
                    at += 1;
                }
            }
            _ if is_blank(byte) || is_delimiter(byte) => at += 1,
            _ => {
                let start = at;
                while content.get(at).is_some_and(|&byte| !is_blank(byte) && !is_delimiter(byte)) {
                    at += 1;
                }
                match &content[start..at] {
                    b"BMC" | b"BDC" => nesting.end = nesting.end.saturating_add(1),
                    b"EMC" => {
                        nesting.end = nesting.end.saturating_sub(1);
                        nesting.lowest = nesting.lowest.min(nesting.end);
                    }
                    // Inline image data runs to an `EI` between blanks.
                    b"ID" => {
                        at += 1;
                        while at < content.len() {
                            let ends = content[at..].starts_with(b"EI")
                                && content.get(at.wrapping_sub(1)).is_some_and(|&byte| is_blank(byte))
                                && content
                                    .get(at + 2)
                                    .is_none_or(|&byte| is_blank(byte) || is_delimiter(byte));
                            at += if ends { 2 } else { 1 };
                            if ends {
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    nesting
}

/// What stamping did, for writing the document out.
struct Changes {
    /// The /Info dictionary's id, for the new trailer.
    info: ObjectId,
    /// How many pages were stamped.
    pages: usize,
}

/// A form made of a piece of original content, for a page with this MediaBox and resources.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MadeForm {
    bbox: [f64; 4],
    resources: Option<ObjectId>,
    struct_parents: Option<i64>,
    id: ObjectId,
}

/// The pages' original content on its way into forms. A piece is one content stream, or the
/// streams of a page with several, joined; pages with the same piece, box and resources share
/// one form.
#[derive(Default)]
struct Forms {
    /// The streams of pages with several, decoded, joined and compressed, until a form is made.
    joined: HashMap<Vec<ObjectId>, Stream>,
    /// Lists of streams that could not be joined (one could not be decoded): one form each.
    unjoinable: HashSet<Vec<ObjectId>>,
    /// How each piece nests marked content.
    nestings: HashMap<Vec<ObjectId>, Nesting>,
    /// The forms made of each piece.
    made: HashMap<Vec<ObjectId>, Vec<MadeForm>>,
    /// How many bytes of content were decoded so far.
    decoded: usize,
    /// The form of each page whose original content became one form, for the structure tree.
    of_page: HashMap<ObjectId, ObjectId>,
}

/// Decoding stops after this many bytes in all (hostile files could make every page decode the
/// same huge stream): after that, streams are not scanned and a page's streams not joined.
const DECODE_BUDGET: usize = 1 << 30;

/// Changes the loaded document in place.
struct Stamper<'d> {
    document: &'d mut Document,
    /// How many references name each object, before stamping.
    references: HashMap<ObjectId, usize>,
    /// Resources inherited as a direct dictionary from a page-tree node, made an object of their
    /// own, per node.
    inherited_resources: HashMap<ObjectId, ObjectId>,
    forms: Forms,
}

/// Stamps every page of `document` in place.
fn stamp_document(document: &mut Document, text: &StampText) -> Result<Changes, StampError> {
    let kids = pages(document);
    // New objects are numbered after every number in use, even one referred to but missing: a
    // dangling reference must not come to point at the stamp.
    let (highest, references) = references(document);
    document.max_id = highest.max(document.max_id);
    let mut stamper =
        Stamper { document, references, inherited_resources: HashMap::new(), forms: Forms::default() };
    // Each page dictionary once, even when two kids refer to it.
    let mut seen = HashSet::new();
    let page_ids: Vec<ObjectId> = kids
        .into_iter()
        .filter_map(|kid| match stamper.resolve_id(kid) {
            Some((id, Object::Dictionary(_))) => Some(id),
            _ => None,
        })
        .filter(|&id| seen.insert(id))
        .collect();
    if page_ids.is_empty() {
        return Err(StampError::NoPages);
    }
    let font = stamper.add(Object::Dictionary(Dictionary::from_iter([
        ("Type", Object::from("Font")),
        ("Subtype", Object::from("Type1")),
        ("BaseFont", Object::from("Helvetica")),
        ("Encoding", Object::from("WinAnsiEncoding")),
    ])))?;
    // Every content stream is decoded and scanned before any page is changed: with the changes
    // made in between, glibc's allocator left each decoder's freed buffers as holes it did not
    // reuse.
    for &page_id in &page_ids {
        stamper.prepare_content(page_id);
    }
    // Pages alike share one content stream and one annotation appearance.
    let mut shared = Shared::default();
    for &page_id in &page_ids {
        stamper.stamp_page(page_id, text, font, &mut shared)?;
    }
    stamper.point_structure_at_forms();
    let info = stamper.info(&text.share_id)?;
    Ok(Changes { info, pages: page_ids.len() })
}

/// The streams pages alike share, by content.
#[derive(Default)]
struct Shared {
    contents: HashMap<Vec<u8>, ObjectId>,
    appearances: HashMap<Vec<u8>, ObjectId>,
    /// The stamp annotations' /Contents, one string object for all.
    description: Option<ObjectId>,
}

/// The highest object number any reference in `document` names, and how many references name
/// each object.
fn references(document: &Document) -> (u32, HashMap<ObjectId, usize>) {
    let mut highest = 0;
    let mut counts: HashMap<ObjectId, usize> = HashMap::new();
    let mut pending: Vec<&Object> = document.objects.values().collect();
    pending.extend(document.trailer.iter().map(|(_, value)| value));
    while let Some(object) = pending.pop() {
        match object {
            Object::Reference(id) => {
                highest = highest.max(id.0);
                *counts.entry(*id).or_default() += 1;
            }
            Object::Array(items) => pending.extend(items),
            Object::Dictionary(dictionary) => pending.extend(dictionary.iter().map(|(_, value)| value)),
            Object::Stream(stream) => pending.extend(stream.dict.iter().map(|(_, value)| value)),
            _ => {}
        }
    }
    (highest, counts)
}

impl Stamper<'_> {
    /// Adds `object` under the next free number.
    fn add(&mut self, object: impl Into<Object>) -> Result<ObjectId, StampError> {
        let number = self.document.max_id.checked_add(1).ok_or_else(|| {
            StampError::Unreadable("its object numbers are used up to the highest possible".to_string())
        })?;
        self.document.max_id = number;
        self.document.objects.insert((number, 0), object.into());
        Ok((number, 0))
    }

    /// The object `id` is, following references, and the id it is finally stored under; `None`
    /// for a missing object or a reference cycle.
    fn resolve_id(&self, mut id: ObjectId) -> Option<(ObjectId, &Object)> {
        for _ in 0..CHAIN_LIMIT {
            match self.document.objects.get(&id)? {
                Object::Reference(next) => id = *next,
                object => return Some((id, object)),
            }
        }
        None
    }

    /// The object `value` is, following references, and the id it is stored under when it is an
    /// indirect object.
    fn resolve<'a>(&'a self, value: &'a Object) -> Option<(Option<ObjectId>, &'a Object)> {
        match *value {
            Object::Reference(id) => self.resolve_id(id).map(|(id, object)| (Some(id), object)),
            _ => Some((None, value)),
        }
    }

    /// The id of the indirect dictionary `value` refers to.
    fn indirect_dictionary(&self, value: &Object) -> Option<ObjectId> {
        match self.resolve(value)? {
            (Some(id), Object::Dictionary(_)) => Some(id),
            _ => None,
        }
    }

    fn page(&self, page_id: ObjectId) -> Option<&Dictionary> {
        self.document.objects.get(&page_id)?.as_dict().ok()
    }

    /// The page's original content streams, in order: its /Contents stream, or the streams of
    /// its /Contents array. Anything else there (a dictionary, a missing object) is dropped, as
    /// readers ignore it.
    fn content_streams(&self, page: &Dictionary) -> Vec<ObjectId> {
        let Ok(contents) = page.get(b"Contents") else { return Vec::new() };
        let stream = |value: &Object| match self.resolve(value) {
            Some((Some(id), Object::Stream(_))) => Some(id),
            _ => None,
        };
        match self.resolve(contents) {
            Some((_, Object::Array(items))) => items.iter().filter_map(stream).collect(),
            Some((Some(id), Object::Stream(_))) => vec![id],
            _ => Vec::new(),
        }
    }

    /// The page's annotations as its /Annots array lists them; none when it is not an array.
    fn annotations(&self, page: &Dictionary) -> Vec<Object> {
        match page.get(b"Annots").ok().and_then(|annots| self.resolve(annots)) {
            Some((_, Object::Array(items))) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// The content stream `id` decoded; `None` when it cannot be (or would decode to more than
    /// [`CONTENT_LIMIT`] bytes, or the [`DECODE_BUDGET`] is spent).
    fn decoded(&mut self, id: ObjectId) -> Option<Vec<u8>> {
        if self.forms.decoded >= DECODE_BUDGET {
            return None;
        }
        let Some((_, Object::Stream(stream))) = self.resolve_id(id) else { return None };
        let content = stream.decompressed_content_with_limit(CONTENT_LIMIT).ok()?;
        self.forms.decoded = self.forms.decoded.saturating_add(content.len());
        Some(content)
    }

    /// Scans the page's content for marked content and, when it has several streams, joins them.
    fn prepare_content(&mut self, page_id: ObjectId) {
        let Some(page) = self.page(page_id) else { return };
        let streams = self.content_streams(page);
        if streams.len() > 1
            && !self.forms.nestings.contains_key(&streams)
            && !self.forms.unjoinable.contains(&streams)
        {
            let mut joined = Vec::new();
            let mut complete = true;
            for (index, &id) in streams.iter().enumerate() {
                let Some(content) = self.decoded(id) else {
                    complete = false;
                    break;
                };
                if index > 0 {
                    joined.push(b'\n');
                }
                joined.extend_from_slice(&content);
            }
            if complete {
                self.forms.nestings.insert(streams.clone(), nesting(&joined));
                let mut stream = Stream::new(Dictionary::new(), joined);
                // Left uncompressed when compressing fails.
                let _ = stream.compress();
                self.forms.joined.insert(streams, stream);
                return;
            }
            self.forms.unjoinable.insert(streams.clone());
        }
        if streams.len() == 1 || self.forms.unjoinable.contains(&streams) {
            for id in streams {
                if !self.forms.nestings.contains_key(&[id][..]) {
                    let nesting = self.decoded(id).map_or_else(Nesting::default, |content| nesting(&content));
                    self.forms.nestings.insert(vec![id], nesting);
                }
            }
        }
    }

    /// Moves the page's content into forms and gives it the footer, in its content and as its
    /// last annotation.
    fn stamp_page(
        &mut self,
        page_id: ObjectId,
        text: &StampText,
        font: ObjectId,
        shared: &mut Shared,
    ) -> Result<(), StampError> {
        let Some(page) = self.page(page_id) else { return Ok(()) };
        let geometry = PageGeometry::of(self.document, page);
        let streams = self.content_streams(page);
        let mut annotations = self.annotations(page);
        let pieces: Vec<Vec<ObjectId>> = if streams.len() > 1
            && (self.forms.joined.contains_key(&streams) || self.forms.made.contains_key(&streams))
        {
            vec![streams]
        } else {
            streams.into_iter().map(|id| vec![id]).collect()
        };
        let nesting = pieces.iter().fold(Nesting::default(), |nesting, piece| {
            nesting.then(self.forms.nestings.get(piece).copied().unwrap_or_default())
        });
        // Marked content in a tagged PDF's page is found through the page's /StructParents; in
        // a form, through the form's.
        let struct_parents = page
            .get(b"StructParents")
            .ok()
            .and_then(|value| self.resolve(value))
            .and_then(|(_, value)| value.as_i64().ok());
        let resources = self.original_resources(page_id)?;

        let mut forms = Dictionary::new();
        for (index, piece) in pieces.iter().enumerate() {
            let form = self.form(piece, geometry.media, resources, struct_parents)?;
            forms.set(form_name(index), Object::Reference(form));
            if pieces.len() == 1 {
                self.forms.of_page.insert(page_id, form);
            }
        }
        let footer = footer(&geometry, text);
        let content = page_content(pieces.len(), nesting.guards(), &footer.content);
        let contents = match shared.contents.get(&content) {
            Some(&id) => id,
            None => {
                let mut stream = Stream::new(Dictionary::new(), content.clone());
                if content.len() > 4096 {
                    // Left uncompressed when compressing fails.
                    let _ = stream.compress();
                }
                let id = self.add(stream)?;
                shared.contents.insert(content, id);
                id
            }
        };
        let font_resources = || Dictionary::from_iter([(FONT_NAME, Object::Reference(font))]);
        let appearance = match shared.appearances.get(&footer.content) {
            Some(&id) => id,
            None => {
                let dictionary = Dictionary::from_iter([
                    ("Type", Object::from("XObject")),
                    ("Subtype", Object::from("Form")),
                    ("BBox", rectangle_object(footer.band)),
                    ("Resources", Dictionary::from_iter([("Font", Object::from(font_resources()))]).into()),
                ]);
                let id = self.add(Stream::new(dictionary, footer.content.clone()))?;
                shared.appearances.insert(footer.content, id);
                id
            }
        };
        let description = match shared.description {
            Some(id) => id,
            None => *shared.description.insert(self.add(lopdf::text_string(&text.line))?),
        };
        let annotation = self.add(Dictionary::from_iter([
            ("Type", Object::from("Annot")),
            ("Subtype", Object::from("Stamp")),
            ("Rect", rectangle_object(footer.band)),
            ("F", Object::Integer(ANNOTATION_FLAGS)),
            ("P", Object::Reference(page_id)),
            ("NM", Object::string_literal("trustpress-share-stamp")),
            ("Contents", Object::Reference(description)),
            ("AP", Dictionary::from_iter([("N", Object::Reference(appearance))]).into()),
        ]))?;
        if let Some(resources) = resources {
            self.lend_resources(&annotations, resources);
        }
        annotations.push(Object::Reference(annotation));

        let mut own_resources = Dictionary::new();
        if !forms.is_empty() {
            own_resources.set("XObject", forms);
        }
        own_resources.set("Font", font_resources());
        if let Some(Object::Dictionary(page)) = self.document.objects.get_mut(&page_id) {
            page.set("Contents", Object::Reference(contents));
            page.set("Resources", own_resources);
            page.set("Annots", annotations);
        }
        Ok(())
    }

    /// The resources the page's content is drawn with, as an object: the page's /Resources or the
    /// nearest ancestor's, a direct dictionary made an object of its own (once per page-tree
    /// node). `None` when there are none that are a dictionary.
    fn original_resources(&mut self, page_id: ObjectId) -> Result<Option<ObjectId>, StampError> {
        let mut node_id = page_id;
        for _ in 0..CHAIN_LIMIT {
            let Some(node) = self.page(node_id) else { return Ok(None) };
            match node.get(b"Resources") {
                Ok(Object::Dictionary(resources)) => {
                    if let Some(&id) = self.inherited_resources.get(&node_id) {
                        return Ok(Some(id));
                    }
                    let resources = resources.clone();
                    let id = self.add(resources)?;
                    if node_id != page_id {
                        self.inherited_resources.insert(node_id, id);
                    }
                    return Ok(Some(id));
                }
                Ok(value) => return Ok(self.indirect_dictionary(value)),
                Err(_) => {}
            }
            let parent = node.get(b"Parent").ok().and_then(|parent| self.resolve(parent));
            node_id = match parent {
                Some((Some(id), Object::Dictionary(_))) => id,
                _ => return Ok(None),
            };
        }
        Ok(None)
    }

    /// The form that draws `piece` of original content with the page's MediaBox `bbox` and its
    /// `resources`. A page's only content stream becomes the form where it is, unless something
    /// else refers to it; otherwise its encoded data is copied.
    fn form(
        &mut self,
        piece: &[ObjectId],
        bbox: [f64; 4],
        resources: Option<ObjectId>,
        struct_parents: Option<i64>,
    ) -> Result<ObjectId, StampError> {
        let made = self.forms.made.get(piece);
        let alike = |form: &&MadeForm| {
            form.bbox == bbox && form.resources == resources && form.struct_parents == struct_parents
        };
        if let Some(form) = made.and_then(|made| made.iter().find(alike)) {
            return Ok(form.id);
        }
        let earlier = made.and_then(|made| made.first()).map(|form| form.id);
        let mut dictionary = Dictionary::from_iter([
            ("Type", Object::from("XObject")),
            ("Subtype", Object::from("Form")),
            ("BBox", rectangle_object(bbox)),
            ("Resources", resources.map_or_else(|| Dictionary::new().into(), Object::Reference)),
        ]);
        if let Some(struct_parents) = struct_parents {
            dictionary.set("StructParents", struct_parents);
        }
        let joined = if earlier.is_none() { self.forms.joined.remove(piece) } else { None };
        let id = if let Some(joined) = joined {
            copy_encoding(&joined.dict, &mut dictionary);
            self.add(Stream::new(dictionary, joined.content))?
        } else {
            let source = earlier.unwrap_or(piece[0]);
            let in_place = earlier.is_none()
                && self.references.get(&source).copied().unwrap_or(0) <= 1
                && matches!(self.document.objects.get(&source), Some(Object::Stream(_)));
            if in_place {
                if let Some(Object::Stream(stream)) = self.document.objects.get_mut(&source) {
                    let content = std::mem::take(&mut stream.content);
                    copy_encoding(&stream.dict, &mut dictionary);
                    *stream = Stream::new(dictionary, content);
                }
                source
            } else {
                let content = match self.resolve_id(source) {
                    Some((_, Object::Stream(stream))) => {
                        copy_encoding(&stream.dict, &mut dictionary);
                        stream.content.clone()
                    }
                    _ => Vec::new(),
                };
                self.add(Stream::new(dictionary, content))?
            }
        };
        self.forms.made.entry(piece.to_vec()).or_default().push(MadeForm {
            bbox,
            resources,
            struct_parents,
            id,
        });
        Ok(id)
    }

    /// Gives each appearance stream of `annotations` that has no /Resources the page's original
    /// `resources`, which readers let it use and which the page no longer has.
    fn lend_resources(&mut self, annotations: &[Object], resources: ObjectId) {
        let mut streams = Vec::new();
        for annotation in annotations {
            let Some((_, Object::Dictionary(annotation))) = self.resolve(annotation) else { continue };
            let Some((_, Object::Dictionary(appearances))) =
                annotation.get(b"AP").ok().and_then(|appearances| self.resolve(appearances))
            else {
                continue;
            };
            for (_, appearance) in appearances.iter() {
                match self.resolve(appearance) {
                    Some((Some(id), Object::Stream(_))) => streams.push(id),
                    Some((_, Object::Dictionary(states))) => {
                        for (_, state) in states.iter() {
                            if let Some((Some(id), Object::Stream(_))) = self.resolve(state) {
                                streams.push(id);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for id in streams {
            if let Some(Object::Stream(stream)) = self.document.objects.get_mut(&id) {
                if !stream.dict.has(b"Resources") {
                    stream.dict.set("Resources", Object::Reference(resources));
                }
            }
        }
    }

    /// Points the marked-content references of a tagged PDF's structure tree at the forms that
    /// now hold the pages' content (a reference to content in a form names the form, /Stm), so
    /// screen readers still find each element's content. Pages whose content became several
    /// forms are left as they are.
    fn point_structure_at_forms(&mut self) {
        if self.forms.of_page.is_empty() {
            return;
        }
        let root = self
            .document
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|root| self.indirect_dictionary(root))
            .and_then(|catalog| self.page(catalog))
            .and_then(|catalog| catalog.get(b"StructTreeRoot").ok())
            .and_then(|root| self.indirect_dictionary(root));
        let Some(root) = root else { return };
        let mut pending = vec![(root, None)];
        let mut seen = HashSet::new();
        while let Some((id, inherited_page)) = pending.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(element) = self.page(id) else { continue };
            if element.has_type(b"OBJR") {
                continue;
            }
            let page = element
                .get(b"Pg")
                .ok()
                .and_then(|page| self.resolve(page))
                .and_then(|(page, _)| page)
                .or(inherited_page);
            let forms = &self.forms.of_page;
            let Some(Object::Dictionary(element)) = self.document.objects.get_mut(&id) else { continue };
            if is_content_reference(element) {
                point_at_form(element, page, forms);
                continue;
            }
            let Ok(kids) = element.get_mut(b"K") else { continue };
            let mut children = Vec::new();
            match kids {
                Object::Array(items) => {
                    for item in items {
                        point_kid_at_form(item, page, forms, &mut children);
                    }
                }
                kid => point_kid_at_form(kid, page, forms, &mut children),
            }
            pending.extend(children.into_iter().map(|child| (child, page)));
        }
    }

    /// Records the share id in the document's /Info dictionary, created when there is none;
    /// returns its id.
    fn info(&mut self, share_id: &str) -> Result<ObjectId, StampError> {
        let existing =
            self.document.trailer.get(b"Info").ok().and_then(|value| self.indirect_dictionary(value));
        let id = match existing {
            Some(id) => id,
            None => {
                // A direct dictionary (which the trailer should not hold) becomes an object.
                let info = match self.document.trailer.get(b"Info") {
                    Ok(Object::Dictionary(info)) => info.clone(),
                    _ => Dictionary::new(),
                };
                self.add(info)?
            }
        };
        if let Some(Object::Dictionary(info)) = self.document.objects.get_mut(&id) {
            info.set("TrustpressShareId", lopdf::text_string(share_id));
        }
        Ok(id)
    }
}

/// Whether a dictionary in a structure element's /K is a marked-content reference.
fn is_content_reference(dictionary: &Dictionary) -> bool {
    dictionary.has_type(b"MCR") || (dictionary.has(b"MCID") && !dictionary.has(b"S"))
}

/// A marked-content reference to content of `page` (its own /Pg, else the element's) made to
/// name the form that now holds that content.
fn point_at_form(reference: &mut Dictionary, page: Option<ObjectId>, forms: &HashMap<ObjectId, ObjectId>) {
    if reference.has(b"Stm") {
        return;
    }
    let page = reference.get(b"Pg").and_then(Object::as_reference).ok().or(page);
    if let Some(&form) = page.and_then(|page| forms.get(&page)) {
        reference.set("Stm", Object::Reference(form));
    }
}

/// One kid of a structure element: a marked-content id becomes a reference naming the page and
/// its form; a reference is noted in `children` to be visited.
fn point_kid_at_form(
    kid: &mut Object,
    page: Option<ObjectId>,
    forms: &HashMap<ObjectId, ObjectId>,
    children: &mut Vec<ObjectId>,
) {
    match kid {
        Object::Integer(mcid) => {
            if let Some((page, &form)) = page.and_then(|page| Some((page, forms.get(&page)?))) {
                *kid = Object::Dictionary(Dictionary::from_iter([
                    ("Type", Object::from("MCR")),
                    ("Pg", Object::Reference(page)),
                    ("MCID", Object::Integer(*mcid)),
                    ("Stm", Object::Reference(form)),
                ]));
            }
        }
        Object::Dictionary(dictionary) if is_content_reference(dictionary) => {
            point_at_form(dictionary, page, forms)
        }
        Object::Reference(id) => children.push(*id),
        _ => {}
    }
}

/// Copies how a stream's data is encoded (/Filter, /DecodeParms) to the dictionary of a stream
/// that takes its data.
fn copy_encoding(from: &Dictionary, to: &mut Dictionary) {
    for key in [&b"Filter"[..], b"DecodeParms"] {
        if let Ok(value) = from.get(key) {
            to.set(key, value.clone());
        }
    }
}

/// The trailer's /ID: the input's first half kept (or, when it has none, one derived from the
/// input), and a second half derived from the input and the stamp, so the same input and stamp
/// always give the same file.
fn trailer_id(document: &Document, input: &[u8], text: &StampText) -> Object {
    let input_hash = Sha256::new_with_prefix(input);
    let first = match document.trailer.get(b"ID").and_then(Object::as_array).map(Vec::as_slice) {
        Ok([first @ Object::String(..), Object::String(..)]) => first.clone(),
        _ => Object::String(input_hash.clone().finalize()[..16].to_vec(), StringFormat::Hexadecimal),
    };
    let mut second = input_hash;
    second.update(b"\0trustpress share stamp\0");
    second.update(&text.fingerprint);
    let second = Object::String(second.finalize()[..16].to_vec(), StringFormat::Hexadecimal);
    Object::Array(vec![first, second])
}

/// The trailer entries every revision carries (everything else in a loaded trailer describes
/// the cross-reference section it was read from).
fn new_trailer(document: &Document, info: ObjectId, trailer_id: Object) -> Dictionary {
    let mut trailer = Dictionary::new();
    if let Ok(root) = document.trailer.get(b"Root") {
        trailer.set("Root", root.clone());
    }
    trailer.set("Info", Object::Reference(info));
    trailer.set("ID", trailer_id);
    trailer
}

/// Drops every object the trailer does not lead to: the page content streams that were joined,
/// object and cross-reference streams, anything the original no longer used.
fn drop_unreachable(document: &mut Document) {
    let mut reachable: HashSet<ObjectId> = HashSet::new();
    let mut pending: Vec<&Object> = document.trailer.iter().map(|(_, value)| value).collect();
    while let Some(object) = pending.pop() {
        match object {
            Object::Reference(id) if reachable.insert(*id) => pending.extend(document.objects.get(id)),
            Object::Array(items) => pending.extend(items),
            Object::Dictionary(dictionary) => pending.extend(dictionary.iter().map(|(_, value)| value)),
            Object::Stream(stream) => pending.extend(stream.dict.iter().map(|(_, value)| value)),
            _ => {}
        }
    }
    document.objects.retain(|id, _| reachable.contains(id));
}

/// The whole document written anew, every stream's /Length its data's.
fn write_whole(mut document: Document, out: &mut dyn Write) -> std::io::Result<()> {
    for object in document.objects.values_mut() {
        if let Object::Stream(stream) = object {
            let length = i64::try_from(stream.content.len()).unwrap_or(i64::MAX);
            stream.dict.set("Length", length);
        }
    }
    let mut out = std::io::BufWriter::new(out);
    document.save_to(&mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;
    use std::process::Command;

    const RECIPIENT: &str = "Globex Corporation (J. Smith)";
    const SHARE_ID: &str = "sh_7Q2XK9";

    fn stamp() -> Stamp {
        Stamp {
            recipient: RECIPIENT.to_string(),
            date: "2026-11-21".to_string(),
            share_id: SHARE_ID.to_string(),
        }
    }

    fn stamped(input: &[u8]) -> (Vec<u8>, usize) {
        stamped_with(input, &stamp())
    }

    fn stamped_with(input: &[u8], stamp: &Stamp) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let pages =
            stamp_pdf(input, stamp, &mut out).unwrap_or_else(|error| panic!("stamping failed: {error}"));
        (out, pages)
    }

    fn refusal(input: &[u8]) -> String {
        let mut out = Vec::new();
        let error = stamp_pdf(input, &stamp(), &mut out).expect_err("the PDF should have been refused");
        assert!(out.is_empty(), "nothing is written for a refused PDF");
        error.to_string()
    }

    // ---- Building test PDFs with lopdf ----

    fn numbers(values: [f64; 4]) -> Object {
        Object::Array(values.iter().map(|&value| Object::Real(value as f32)).collect())
    }

    /// A document with a Helvetica font object (`/F1` in the resources tests make) and a
    /// reserved id for the root of the page tree.
    struct TestPdf {
        doc: Document,
        root: ObjectId,
        font: ObjectId,
    }

    impl TestPdf {
        fn new() -> Self {
            let mut doc = Document::with_version("1.5");
            let root = doc.new_object_id();
            let font = doc.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
            });
            Self { doc, root, font }
        }

        fn resources(&self) -> Dictionary {
            dictionary! { "Font" => dictionary! { "F1" => self.font } }
        }

        fn text(&mut self, text: &str) -> ObjectId {
            let content = format!("BT /F1 12 Tf 1 0 0 1 40 300 Tm ({text}) Tj ET\n");
            self.doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()))
        }

        fn raw_stream(&mut self, content: &str) -> ObjectId {
            self.doc.add_object(Stream::new(Dictionary::new(), content.as_bytes().to_vec()))
        }

        /// A page under `parent` with its own resources, `text` as content, and `entries`.
        fn page(&mut self, parent: ObjectId, text: &str, entries: Dictionary) -> ObjectId {
            let contents = self.text(text);
            let mut page = dictionary! { "Type" => "Page", "Parent" => parent, "Resources" => self.resources(), "Contents" => contents };
            page.extend(&entries);
            self.doc.add_object(page)
        }

        /// Saves the document with `root` as the root of the page tree.
        fn save(self, root: Dictionary) -> Vec<u8> {
            self.save_with_catalog(root, Dictionary::new())
        }

        /// Saves the document with `root` as the root of the page tree and `entries` in the
        /// catalog.
        fn save_with_catalog(mut self, root: Dictionary, entries: Dictionary) -> Vec<u8> {
            self.doc.objects.insert(self.root, Object::Dictionary(root));
            let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => self.root };
            catalog.extend(&entries);
            let catalog = self.doc.add_object(catalog);
            self.doc.trailer.set("Root", catalog);
            let mut bytes = Vec::new();
            self.doc.save_to(&mut bytes).unwrap();
            bytes
        }

        fn save_pages(self, kids: &[ObjectId]) -> Vec<u8> {
            let count = kids.len() as i64;
            let kids: Vec<Object> = kids.iter().map(|&kid| Object::Reference(kid)).collect();
            self.save(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count })
        }
    }

    /// One page per `(MediaBox, text)`.
    fn pdf_with_pages(pages: &[([f64; 4], &str)]) -> Vec<u8> {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let kids: Vec<ObjectId> = pages
            .iter()
            .map(|&(media_box, text)| pdf.page(root, text, dictionary! { "MediaBox" => numbers(media_box) }))
            .collect();
        pdf.save_pages(&kids)
    }

    const LETTER: [f64; 4] = [0.0, 0.0, 612.0, 792.0];
    const A4: [f64; 4] = [0.0, 0.0, 595.0, 842.0];

    // ---- Reading the result as a user would: pdftotext and pdftoppm ----

    /// Whether `tool` can be run; when it cannot, prints a notice (the test is skipped) unless
    /// TRUSTPRESS_REQUIRE_TOOLS is set, when the test fails.
    #[allow(clippy::print_stderr)]
    fn have(tool: &str) -> bool {
        match Command::new(tool).arg("-v").output() {
            Ok(_) => true,
            Err(error) => {
                assert!(
                    std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                    "{tool} is required for this test (poppler-utils; scripts/test installs it): {error}"
                );
                eprintln!("\n*** SKIPPED the {tool} check: {tool} is not installed (poppler-utils) ***\n");
                false
            }
        }
    }

    /// `tool`'s output for `pdf`; `strict` fails on any complaint on stderr.
    fn run_poppler(tool: &str, pdf: &[u8], args: &[&str], strict: bool) -> Option<String> {
        if !have(tool) {
            return None;
        }
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pdf).unwrap();
        let output = Command::new(tool).args(args).arg(file.path()).arg("-").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{tool} failed: {stderr}");
        // Poppler reports a damaged cross-reference section or object as a syntax error.
        assert!(!strict || stderr.is_empty(), "{tool} complained about the stamped PDF: {stderr}");
        Some(String::from_utf8(output.stdout).unwrap())
    }

    /// Each page's text as `pdftotext -layout` reads it, which must not complain.
    fn page_texts(pdf: &[u8]) -> Option<Vec<String>> {
        page_texts_of(pdf, true)
    }

    fn page_texts_of(pdf: &[u8], strict: bool) -> Option<Vec<String>> {
        let text = run_poppler("pdftotext", pdf, &["-layout"], strict)?;
        let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
        assert_eq!(pages.pop().as_deref(), Some(""), "pdftotext ends every page with a form feed");
        Some(pages)
    }

    #[derive(Debug)]
    struct Word {
        text: String,
        x_min: f64,
        y_min: f64,
        x_max: f64,
        y_max: f64,
    }

    /// A page's words as pdftotext places them. (The page size it prints is the MediaBox's,
    /// not turned by /Rotate, so the tests give the displayed page themselves.)
    #[derive(Debug)]
    struct BoxedPage {
        words: Vec<Word>,
    }

    fn attribute(line: &str, name: &str) -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    }

    /// Each page's words' boxes (y down from the top-left corner of the displayed MediaBox), as
    /// `pdftotext -bbox` reads them.
    fn page_words(pdf: &[u8]) -> Option<Vec<BoxedPage>> {
        page_words_of(pdf, true)
    }

    fn page_words_of(pdf: &[u8], strict: bool) -> Option<Vec<BoxedPage>> {
        let html = run_poppler("pdftotext", pdf, &["-bbox"], strict)?;
        let mut pages = Vec::new();
        for line in html.lines().map(str::trim) {
            if line.starts_with("<page ") {
                pages.push(BoxedPage { words: vec![] });
            } else if line.starts_with("<word ") {
                let text = &line[line.find('>').unwrap() + 1..line.rfind("</word>").unwrap()];
                pages.last_mut().unwrap().words.push(Word {
                    text: text
                        .replace("&amp;", "&")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\""),
                    x_min: attribute(line, "xMin"),
                    y_min: attribute(line, "yMin"),
                    x_max: attribute(line, "xMax"),
                    y_max: attribute(line, "yMax"),
                });
            }
        }
        Some(pages)
    }

    /// Every page of `pdf` carries the whole stamp, on one line, and still its original text.
    fn assert_stamped(pdf: &[u8], originals: &[&str]) {
        assert_stamped_as(pdf, originals, true);
    }

    /// [`assert_stamped`] for a PDF whose original content itself makes poppler complain.
    fn assert_stamped_as(pdf: &[u8], originals: &[&str], strict: bool) {
        let Some(pages) = page_texts_of(pdf, strict) else { return };
        assert_eq!(pages.len(), originals.len(), "{pages:#?}");
        let footer = format!(
            "Confidential \u{2014} shared under NDA with {RECIPIENT} on 2026-11-21 \u{b7} share {SHARE_ID}"
        );
        for (number, (page, original)) in pages.iter().zip(originals).enumerate() {
            assert!(page.contains(&footer), "page {} has no stamp:\n{page}", number + 1);
            assert_eq!(page.matches("Confidential \u{2014}").count(), 1, "page {}:\n{page}", number + 1);
            assert!(page.contains(original), "page {} lost its text {original:?}:\n{page}", number + 1);
        }
    }

    /// The displayed page, `[left, top, right, bottom]`, where pdftotext places words: from the
    /// top-left corner of the MediaBox (of the page as turned by /Rotate), y down.
    fn upright(width: f64, height: f64) -> [f64; 4] {
        [0.0, 0.0, width, height]
    }

    fn inside(word: &Word, [left, top, right, bottom]: [f64; 4]) -> bool {
        word.x_min >= left - 0.5
            && word.x_max <= right + 0.5
            && word.y_min >= top - 0.5
            && word.y_max <= bottom + 0.5
    }

    /// On every page the stamp reads left to right along the bottom edge of the displayed page
    /// (`frames`, one per page), inside it, in the footer's font size, centred.
    fn assert_footer_at_bottom(pdf: &[u8], frames: &[[f64; 4]]) {
        assert_footer_at_bottom_as(pdf, frames, true);
    }

    fn assert_footer_at_bottom_as(pdf: &[u8], frames: &[[f64; 4]], strict: bool) {
        let Some(pages) = page_words_of(pdf, strict) else { return };
        assert_eq!(pages.len(), frames.len());
        for (number, (page, &frame)) in pages.iter().zip(frames).enumerate() {
            let number = number + 1;
            let word = page.words.iter().find(|word| word.text == "Confidential");
            let word = word.unwrap_or_else(|| panic!("page {number} has no stamp: {page:#?}"));
            let (width, height) = (word.x_max - word.x_min, word.y_max - word.y_min);
            assert!(inside(word, frame), "page {number}: the stamp is off the page {frame:?}: {word:?}");
            assert!(word.y_max >= frame[3] - 30.0, "page {number}: not at the bottom of {frame:?}: {page:?}");
            assert!(width > 3.0 * height, "page {number}: the stamp does not read across: {word:?}");
            assert!(height > 6.0 && height < 11.0, "page {number}: the stamp is not 8 pt: {word:?}");
            // Centred: as much room left of the line as right of it.
            let line: Vec<&Word> =
                page.words.iter().filter(|other| (other.y_max - word.y_max).abs() < 0.5).collect();
            let (left, right) = (line[0].x_min - frame[0], frame[2] - line[line.len() - 1].x_max);
            assert!((left - right).abs() < 2.0, "page {number}: not centred ({left} vs {right}): {line:?}");
        }
    }

    /// Page `page` (from 1) rendered in grey at 72 dpi: width, height and one byte per pixel.
    fn render(pdf: &[u8], page: usize) -> Option<(usize, usize, Vec<u8>)> {
        render_at(pdf, page, 72, true)
    }

    /// Page `page` (from 1) rendered in grey at `dpi`; `strict` fails on any complaint.
    fn render_at(pdf: &[u8], page: usize, dpi: u32, strict: bool) -> Option<(usize, usize, Vec<u8>)> {
        if !have("pdftoppm") {
            return None;
        }
        let folder = tempfile::tempdir().unwrap();
        let input = folder.path().join("in.pdf");
        std::fs::write(&input, pdf).unwrap();
        let number = page.to_string();
        let output = Command::new("pdftoppm")
            .args(["-gray", "-r", &dpi.to_string(), "-singlefile", "-f", &number, "-l", &number])
            .arg(&input)
            .arg(folder.path().join("page"))
            .output()
            .unwrap();
        assert!(
            output.status.success() && (!strict || output.stderr.is_empty()),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let image = std::fs::read(folder.path().join("page.pgm")).unwrap();
        // "P5\n<width> <height>\n255\n" then the pixels.
        let mut fields = image.splitn(5, |byte| byte.is_ascii_whitespace());
        assert_eq!(fields.next(), Some(&b"P5"[..]));
        let mut next = || std::str::from_utf8(fields.next().unwrap()).unwrap().parse::<usize>().unwrap();
        let (width, height, _) = (next(), next(), next());
        let pixels = image[image.len() - width * height..].to_vec();
        Some((width, height, pixels))
    }

    fn dark_pixels(pixels: &[u8], width: usize, rows: std::ops::Range<usize>) -> usize {
        pixels[rows.start * width..rows.end * width].iter().filter(|&&pixel| pixel < 160).count()
    }

    fn reload(pdf: &[u8]) -> Document {
        Document::load_mem(pdf).expect("lopdf reads the stamped PDF")
    }

    fn info(pdf: &[u8]) -> Dictionary {
        let doc = reload(pdf);
        let info = doc.trailer.get(b"Info").and_then(Object::as_reference).unwrap();
        doc.get_dictionary(info).unwrap().clone()
    }

    /// What stamping made of a page: its one content stream (decoded), its resources, its forms
    /// (name, dictionary, decoded content) and its annotations.
    struct StampedPage {
        content: Vec<u8>,
        resources: Dictionary,
        forms: Vec<(Vec<u8>, Dictionary, Vec<u8>)>,
        annotations: Vec<Dictionary>,
    }

    fn decoded(stream: &Stream) -> Vec<u8> {
        stream.decompressed_content().unwrap_or_else(|_| stream.content.clone())
    }

    fn stamped_page(doc: &Document, page: ObjectId) -> StampedPage {
        let page = doc.get_dictionary(page).unwrap();
        let contents = page.get(b"Contents").unwrap().as_reference().expect("one content stream");
        let content = decoded(doc.get_object(contents).unwrap().as_stream().unwrap());
        let resources = page.get(b"Resources").unwrap().as_dict().expect("resources of its own").clone();
        let forms = match resources.get(b"XObject") {
            Ok(forms) => forms
                .as_dict()
                .unwrap()
                .iter()
                .map(|(name, form)| {
                    let stream = doc.get_object(form.as_reference().unwrap()).unwrap().as_stream().unwrap();
                    (name.clone(), stream.dict.clone(), decoded(stream))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        let annotations = page
            .get(b"Annots")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|annotation| match annotation {
                Object::Reference(id) => doc.get_dictionary(*id).unwrap().clone(),
                other => other.as_dict().unwrap().clone(),
            })
            .collect();
        StampedPage { content, resources, forms, annotations }
    }

    /// Cutting the stamped file short, or searching it, does not give back the unstamped one.
    fn assert_original_not_recoverable(input: &[u8], output: &[u8]) {
        assert!(output.get(..input.len()) != Some(input), "the output starts with the original");
        assert!(!contains(output, input), "the output holds the original");
    }

    // ---- The stamp on the page ----

    #[test]
    fn one_page_is_stamped_and_the_file_written_anew() {
        let input = pdf_with_pages(&[(LETTER, "Original page text")]);
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 1);
        assert_original_not_recoverable(&input, &output);
        assert!(output.starts_with(b"%PDF-") && output.ends_with(b"%%EOF"));
        assert_stamped(&output, &["Original page text"]);
        assert_footer_at_bottom(&output, &[upright(612.0, 792.0)]);
        assert_eq!(info(&output).get(b"TrustpressShareId").unwrap(), &Object::string_literal(SHARE_ID));
        let doc = reload(&output);
        assert_eq!(doc.revision_count(), 1);

        // The page draws its original content as a form, then the footer, with resources that
        // hold only those two.
        let page = stamped_page(&doc, doc.get_pages()[&1]);
        assert!(
            page.content.starts_with(b"q /TPOrig Do Q\nq\n/Artifact"),
            "{}",
            String::from_utf8_lossy(&page.content)
        );
        let keys: Vec<&[u8]> = page.resources.iter().map(|(key, _)| key.as_slice()).collect();
        assert_eq!(keys, [&b"XObject"[..], b"Font"]);
        let fonts = page.resources.get(b"Font").unwrap().as_dict().unwrap();
        assert_eq!(fonts.iter().map(|(key, _)| key.as_slice()).collect::<Vec<_>>(), [b"TPStampF1"]);
        let [(name, form, content)] = &page.forms[..] else { panic!("one form: {:?}", page.forms.len()) };
        assert_eq!(name, b"TPOrig");
        assert_eq!(form.get(b"Subtype").unwrap(), &Object::from("Form"));
        assert_eq!(form.get(b"BBox").unwrap(), &numbers(LETTER));
        assert_eq!(content, b"BT /F1 12 Tf 1 0 0 1 40 300 Tm (Original page text) Tj ET\n");
        let form_resources =
            doc.get_dictionary(form.get(b"Resources").unwrap().as_reference().unwrap()).unwrap();
        assert!(
            form_resources.get(b"Font").unwrap().as_dict().unwrap().has(b"F1"),
            "the page's own resources"
        );

        // And the footer again as the page's last annotation, drawing the same.
        let [annotation] = &page.annotations[..] else { panic!("{:?}", page.annotations) };
        assert_eq!(annotation.get(b"Subtype").unwrap(), &Object::from("Stamp"));
        assert_eq!(annotation.get(b"F").unwrap(), &Object::Integer(4 | 64 | 128 | 512));
        assert_eq!(annotation.get(b"Rect").unwrap(), &numbers([0.0, 0.0, 612.0, 26.0]));
        let appearance =
            annotation.get(b"AP").unwrap().as_dict().unwrap().get(b"N").unwrap().as_reference().unwrap();
        let appearance = doc.get_object(appearance).unwrap().as_stream().unwrap();
        assert_eq!(appearance.dict.get(b"BBox").unwrap(), annotation.get(b"Rect").unwrap());
        assert!(page.content.ends_with(&appearance.content));
        let description = annotation.get(b"Contents").unwrap().as_reference().unwrap();
        let text = lopdf::decode_text_string(doc.get_object(description).unwrap()).unwrap();
        assert!(
            text.starts_with("Confidential \u{2014} shared under NDA with Globex")
                && text.ends_with(SHARE_ID)
        );
    }

    #[test]
    fn pages_of_different_sizes_and_origins_are_each_stamped_inside_their_crop_box() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let a4 = pdf.page(root, "Page one A4", dictionary! { "MediaBox" => numbers(A4) });
        let landscape = pdf.page(
            root,
            "Page two landscape",
            dictionary! { "MediaBox" => numbers([0.0, 0.0, 792.0, 612.0]) },
        );
        // A box away from the origin, cropped, given corner-first the wrong way round.
        let cropped = pdf.page(
            root,
            "Page three cropped",
            dictionary! {
                "MediaBox" => numbers([-200.0, 900.0, 400.0, 100.0]),
                "CropBox" => numbers([-150.0, 150.0, 380.0, 850.0]),
            },
        );
        // Its text sits at 40,300 in user space, inside the crop box.
        let input = pdf.save_pages(&[a4, landscape, cropped]);
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 3);
        assert_stamped(&output, &["Page one A4", "Page two landscape", "Page three cropped"]);
        // The crop box, from the media box's top-left corner.
        let crop = [-150.0 - -200.0, 900.0 - 850.0, 380.0 - -200.0, 900.0 - 150.0];
        assert_footer_at_bottom(&output, &[upright(595.0, 842.0), upright(792.0, 612.0), crop]);
    }

    #[test]
    fn boxes_resources_and_rotation_inherited_from_the_page_tree() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let shared_resources = pdf.doc.add_object(pdf.resources());
        let middle = pdf.doc.new_object_id();
        let first = {
            let contents = pdf.text("Inherits everything");
            pdf.doc.add_object(dictionary! { "Type" => "Page", "Parent" => middle, "Contents" => contents })
        };
        let second = {
            let contents = pdf.text("Own box, inherited rotation");
            pdf.doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => middle, "Contents" => contents, "MediaBox" => numbers(LETTER),
            })
        };
        pdf.doc.objects.insert(
            middle,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Parent" => root, "Kids" => vec![first.into(), second.into()], "Count" => 2,
                "Rotate" => 90,
            }),
        );
        let input = pdf.save(dictionary! {
            "Type" => "Pages", "Kids" => vec![middle.into()], "Count" => 2,
            "MediaBox" => numbers(A4), "Resources" => shared_resources,
        });
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 2);
        // The original text still shows: its font /F1 is still there beside the stamp's.
        assert_stamped(&output, &["Inherits everything", "Own box, inherited rotation"]);
        assert_footer_at_bottom(&output, &[upright(842.0, 595.0), upright(792.0, 612.0)]);
        let doc = reload(&output);
        for page in doc.get_pages().into_values() {
            let fonts = doc.get_page_fonts(page).unwrap();
            let names: Vec<&[u8]> = fonts.keys().map(Vec::as_slice).collect();
            assert_eq!(names, [&b"F1"[..], b"TPStampF1"]);
        }
    }

    #[test]
    fn rotated_pages_get_the_stamp_upright_along_the_bottom_the_viewer_sees() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let kids: Vec<ObjectId> = [0, 90, 180, 270, -90, 450]
            .into_iter()
            .map(|rotate| {
                let media_box = numbers([10.0, 20.0, 605.0, 862.0]);
                pdf.page(
                    root,
                    &format!("Turned {rotate}"),
                    dictionary! { "MediaBox" => media_box, "Rotate" => rotate },
                )
            })
            .collect();
        let input = pdf.save_pages(&kids);
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 6);
        let originals = ["Turned 0", "Turned 90", "Turned 180", "Turned 270", "Turned -90", "Turned 450"];
        assert_stamped(&output, &originals);
        let (portrait, landscape) = (upright(595.0, 842.0), upright(842.0, 595.0));
        assert_footer_at_bottom(&output, &[portrait, landscape, portrait, landscape, landscape, landscape]);
        // Rendered: the stamp is ink along the bottom edge of the page as displayed.
        for page in [1, 2, 3, 4] {
            let Some((width, height, pixels)) = render(&output, page) else { return };
            let bottom = dark_pixels(&pixels, width, height - 30..height);
            assert!(bottom > 300, "page {page}: no stamp drawn along the bottom ({bottom} dark pixels)");
        }
    }

    #[test]
    fn contents_as_an_array_missing_or_not_a_stream() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let resources = pdf.resources();
        let first_half = pdf.raw_stream("BT /F1 12 Tf 1 0 0 1 40 300 Tm (Split across");
        let second_half = pdf.raw_stream(" two streams) Tj ET");
        let array_page = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER), "Resources" => resources.clone(),
            "Contents" => vec![first_half.into(), second_half.into()],
        });
        let indirect_array = {
            let text = pdf.text("Indirect array");
            pdf.doc.add_object(Object::Array(vec![text.into()]))
        };
        let indirect_array_page = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER), "Resources" => resources.clone(),
            "Contents" => indirect_array,
        });
        let blank = pdf
            .doc
            .add_object(dictionary! { "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER) });
        let not_a_stream = pdf.doc.add_object(dictionary! { "Not" => "a stream" });
        let wrong = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER), "Contents" => not_a_stream,
            "Resources" => 7,
        });
        let dangling = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER), "Contents" => (9999, 0),
        });
        let input = pdf.save_pages(&[array_page, indirect_array_page, blank, wrong, dangling]);
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 5);
        assert_stamped(&output, &["Split across two streams", "Indirect array", "", "", ""]);
        assert_footer_at_bottom(&output, &[upright(612.0, 792.0); 5]);
        // The two streams, joined, are the first page's form; they are not in the file any more.
        let doc = reload(&output);
        let page = stamped_page(&doc, array_page);
        assert_eq!(page.forms.len(), 1);
        assert_eq!(page.forms[0].2, b"BT /F1 12 Tf 1 0 0 1 40 300 Tm (Split across\n two streams) Tj ET");
        assert!(!doc.objects.contains_key(&first_half) && !doc.objects.contains_key(&second_half));
        assert_eq!(stamped_page(&doc, indirect_array_page).forms.len(), 1);
        // A page without content gets the footer only.
        for page in [blank, wrong, dangling] {
            let page = stamped_page(&doc, page);
            assert!(page.forms.is_empty() && !page.resources.has(b"XObject"));
            assert!(page.content.starts_with(b"q\n/Artifact"));
            assert_eq!(page.annotations.len(), 1);
        }
    }

    #[test]
    fn content_that_leaves_the_graphics_state_changed_cannot_distort_the_stamp() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        // Each page ends with a shrinking `cm`, a clip to a small square and an invisible text
        // rendering mode in force: behind `q`s never closed, after `Q`s too many, inside a text
        // object never closed, and in a compressed stream.
        let distort = "0.25 0 0 0.25 0 0 cm 0 0 400 400 re W n 1 g 3 Tr";
        let show = |text: &str| format!("BT /F1 48 Tf 1 0 0 1 40 300 Tm ({text}) Tj");
        let contents = [
            format!("q {distort} q {} ET q", show("Unclosed q")),
            format!("Q Q {distort} {}", show("Excess Q")),
            format!("q {distort} {} ET q{}", show("Compressed"), " ".repeat(400)),
        ];
        let resources = pdf.resources();
        let kids: Vec<ObjectId> = contents
            .iter()
            .enumerate()
            .map(|(index, content)| {
                let mut stream = Stream::new(Dictionary::new(), content.as_bytes().to_vec());
                if index == 2 {
                    stream.compress().unwrap();
                    assert!(stream.dict.has(b"Filter"));
                }
                let content = pdf.doc.add_object(stream);
                pdf.doc.add_object(dictionary! {
                    "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER),
                    "Resources" => resources.clone(), "Contents" => content,
                })
            })
            .collect();
        let input = pdf.save_pages(&kids);
        let (output, _) = stamped(&input);
        // Poppler complains about the `Q`s too many, inside the page's form, and then draws
        // nothing of that content, as it does for the unstamped page.
        assert_eq!(
            page_texts_of(&input, false).map(|texts| texts[1].trim().to_string()),
            have("pdftotext").then(String::new)
        );
        assert_stamped_as(&output, &["Unclosed q", "", "Compressed"], false);
        assert_footer_at_bottom_as(&output, &[upright(612.0, 792.0); 3], false);
        for page in 1..=3 {
            let Some((width, height, pixels)) = render_at(&output, page, 72, false) else { return };
            let ink = dark_pixels(&pixels, width, height - 30..height);
            assert!(ink > 300, "page {page}: the stamp is not drawn ({ink} dark pixels along the bottom)");
            // The footer spans the middle of the page, well outside the 100 pt clip.
            let right_half = (height - 30..height)
                .flat_map(|row| pixels[row * width + width / 2..row * width + width * 3 / 4].iter())
                .filter(|&&pixel| pixel < 160)
                .count();
            assert!(
                right_half > 50,
                "page {page}: the stamp is clipped ({right_half} dark pixels right of the middle)"
            );
        }
    }

    // ---- Content, resources and annotations written to hide the stamp ----

    /// A one-page A4 PDF drawing "BODYTEXT", then `content`; `extras` makes what is added to the
    /// page's resources, to the page and to the catalog.
    fn hostile_pdf(content: &str, extras: impl FnOnce(&mut TestPdf) -> [Dictionary; 3]) -> Vec<u8> {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let [resources, page, catalog] = extras(&mut pdf);
        let contents = pdf.raw_stream(&format!("BT /F1 24 Tf 72 700 Td (BODYTEXT) Tj ET\n{content}"));
        let mut own_resources = pdf.resources();
        own_resources.extend(&resources);
        let mut entries = dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(A4), "Resources" => own_resources,
            "Contents" => contents,
        };
        entries.extend(&page);
        let page = pdf.doc.add_object(entries);
        pdf.save_with_catalog(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            catalog,
        )
    }

    /// Stamps `input` and checks the stamp is read on its page and drawn: rendered at 50 dpi,
    /// the bottom 30 pt of the page has ink the unstamped page does not have there. Returns the
    /// stamped PDF. (Poppler may complain about the hostile content, so it is allowed to.)
    fn assert_stamp_shows_on(input: &[u8]) -> Vec<u8> {
        let (output, pages) = stamped(input);
        assert_eq!(pages, 1);
        assert_stamped_as(&output, &["BODYTEXT"], false);
        assert_footer_at_bottom_as(&output, &[upright(595.0, 842.0)], false);
        let (Some((width, height, before)), Some((_, _, after))) =
            (render_at(input, 1, 50, false), render_at(&output, 1, 50, false))
        else {
            return output;
        };
        let band = (height - 30 * 50 / 72) * width..height * width;
        let ink = band.filter(|&at| before[at].saturating_sub(after[at]) >= 64).count();
        assert!(ink > 150, "the stamp is not drawn ({ink} pixels along the bottom darker than unstamped)");
        output
    }

    #[test]
    fn a_string_left_open_cannot_swallow_the_stamp() {
        assert_stamp_shows_on(&hostile_pdf("BT /F1 1 Tf (", |_| Default::default()));
        // Nested and with an escape at the very end, too.
        assert_stamp_shows_on(&hostile_pdf("BT /F1 1 Tf (((a) \\", |_| Default::default()));
    }

    #[test]
    fn a_comment_at_the_end_cannot_swallow_the_stamp_and_keep_a_clip() {
        assert_stamp_shows_on(&hostile_pdf("0 800 1 1 re W n %", |_| Default::default()));
    }

    #[test]
    fn an_optional_content_section_left_open_cannot_hide_the_stamp() {
        let input = hostile_pdf("/OC /Hid BDC\n", |pdf| {
            let layer = pdf
                .doc
                .add_object(dictionary! { "Type" => "OCG", "Name" => Object::string_literal("hidden") });
            let catalog = dictionary! {
                "OCProperties" => dictionary! {
                    "OCGs" => vec![layer.into()], "D" => dictionary! { "OFF" => vec![layer.into()] },
                },
            };
            let resources = dictionary! { "Properties" => dictionary! { "Hid" => layer } };
            [resources, Dictionary::new(), catalog]
        });
        let output = assert_stamp_shows_on(&input);
        // For readers that let the section outlive the form: one guard section around it.
        let doc = reload(&output);
        let page = stamped_page(&doc, doc.get_pages()[&1]);
        assert!(
            page.content.starts_with(b"/TPGuard BMC\nq /TPOrig Do Q\nEMC\nq\n"),
            "{}",
            String::from_utf8_lossy(&page.content)
        );
        // Balanced content gets no guard.
        let balanced = stamped(&hostile_pdf("/OC /Hid BDC EMC", |_| Default::default())).0;
        let doc = reload(&balanced);
        assert!(stamped_page(&doc, doc.get_pages()[&1]).content.starts_with(b"q /TPOrig Do Q\nq\n"));
    }

    #[test]
    fn a_default_colour_space_cannot_whiten_the_stamp() {
        let calgray = Object::Array(vec![
            "CalGray".into(),
            dictionary! { "WhitePoint" => vec![0.9505.into(), 1.into(), 1.089.into()], "Gamma" => 0.0001 }
                .into(),
        ]);
        let resources = dictionary! { "ColorSpace" => dictionary! { "DefaultGray" => calgray } };
        let output =
            assert_stamp_shows_on(&hostile_pdf("", |_| [resources, Dictionary::new(), Dictionary::new()]));
        // The colour space still applies to the original content, in its form, not to the page.
        let doc = reload(&output);
        let page = stamped_page(&doc, doc.get_pages()[&1]);
        assert!(!page.resources.has(b"ColorSpace"));
        let form_resources =
            doc.get_dictionary(page.forms[0].1.get(b"Resources").unwrap().as_reference().unwrap()).unwrap();
        assert!(form_resources.has(b"ColorSpace"));
    }

    #[test]
    fn an_opaque_annotation_cannot_cover_the_stamp() {
        let square = dictionary! {
            "Type" => "Annot", "Subtype" => "Square", "Rect" => numbers([0.0, 0.0, 595.0, 60.0]),
            "C" => vec![1.into(), 1.into(), 1.into()], "IC" => vec![1.into(), 1.into(), 1.into()], "F" => 4,
            "BS" => dictionary! { "W" => 0 },
        };
        let page = dictionary! { "Annots" => vec![square.into()] };
        let output =
            assert_stamp_shows_on(&hostile_pdf("", |_| [Dictionary::new(), page, Dictionary::new()]));
        // The square is kept, and the stamp is drawn above it, as the last annotation.
        let doc = reload(&output);
        let page = stamped_page(&doc, doc.get_pages()[&1]);
        let subtypes: Vec<&Object> =
            page.annotations.iter().map(|annotation| annotation.get(b"Subtype").unwrap()).collect();
        assert_eq!(subtypes, [&Object::from("Square"), &Object::from("Stamp")]);
    }

    #[test]
    fn a_transparency_group_and_rotation_still_work() {
        let input = hostile_pdf("/GS1 gs 0 0 1 rg 100 100 200 200 re f", |_| {
            let resources = dictionary! { "ExtGState" => dictionary! { "GS1" => dictionary! { "ca" => 0.5, "BM" => "Multiply" } } };
            let page = dictionary! {
                "Group" => dictionary! { "S" => "Transparency", "CS" => "DeviceRGB", "I" => true },
                "Rotate" => 90,
            };
            [resources, page, Dictionary::new()]
        });
        let (output, _) = stamped(&input);
        assert_stamped(&output, &["BODYTEXT"]);
        assert_footer_at_bottom(&output, &[upright(842.0, 595.0)]);
        let doc = reload(&output);
        let page = doc.get_dictionary(doc.get_pages()[&1]).unwrap();
        assert!(page.has(b"Group") && page.get(b"Rotate").unwrap() == &Object::Integer(90), "kept");
        let (Some((width, height, before)), Some((_, _, after))) = (render(&input, 1), render(&output, 1))
        else {
            return;
        };
        assert_eq!((width, height), (842, 595), "turned");
        // The half-transparent square and the text are drawn as before; the stamp along the
        // displayed bottom.
        let above = ..(height - 30) * width;
        assert!(before[above].iter().filter(|&&pixel| pixel < 200).count() > 200 * 200);
        assert!(before[above] == after[above], "the page's own content is drawn as it was");
        assert!(dark_pixels(&after, width, height - 30..height) > 300);
    }

    #[test]
    fn annotations_are_kept_and_their_appearances_keep_the_page_resources() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        // An appearance that uses the page's /F1, having no resources of its own.
        let appearance = pdf.doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => numbers([0.0, 0.0, 200.0, 40.0]) },
            b"BT /F1 20 Tf 10 10 Td (Appearance) Tj ET".to_vec(),
        ));
        let note = pdf.doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Stamp", "Rect" => numbers([100.0, 400.0, 300.0, 440.0]), "F" => 4,
            "AP" => dictionary! { "N" => appearance },
        });
        let link = pdf.doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Link", "Rect" => numbers([40.0, 290.0, 200.0, 320.0]),
            "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal("https://example.com/") },
        });
        // One /Annots array for two pages.
        let annots = pdf.doc.add_object(Object::Array(vec![note.into(), link.into()]));
        let kids: Vec<ObjectId> = ["One", "Two"]
            .into_iter()
            .map(|text| pdf.page(root, text, dictionary! { "MediaBox" => numbers(A4), "Annots" => annots }))
            .collect();
        let input = pdf.save_pages(&kids);
        let Some(texts) = page_texts(&input) else { return };
        assert!(texts[0].contains("Appearance"), "poppler lets the appearance use the page's font");
        let (output, _) = stamped(&input);
        let Some(texts) = page_texts(&output) else { return };
        for text in &texts {
            assert!(text.contains("Appearance") && text.contains(SHARE_ID), "{text}");
        }
        let doc = reload(&output);
        for page in kids {
            let page = stamped_page(&doc, page);
            let subtypes: Vec<&Object> =
                page.annotations.iter().map(|annotation| annotation.get(b"Subtype").unwrap()).collect();
            assert_eq!(subtypes, [&Object::from("Stamp"), &Object::from("Link"), &Object::from("Stamp")]);
        }
        let appearance = doc.get_object(appearance).unwrap().as_stream().unwrap();
        let resources =
            doc.get_dictionary(appearance.dict.get(b"Resources").unwrap().as_reference().unwrap()).unwrap();
        assert!(resources.get(b"Font").unwrap().as_dict().unwrap().has(b"F1"));
    }

    #[test]
    fn streams_that_cannot_be_decoded_become_a_form_each() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let good = pdf.text("Decodable");
        let unknown =
            pdf.doc.add_object(Stream::new(dictionary! { "Filter" => "Nonesuch" }, b"garbage".to_vec()));
        let page = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(A4), "Resources" => pdf.resources(),
            "Contents" => vec![good.into(), unknown.into()],
        });
        let input = pdf.save_pages(&[page]);
        let (output, _) = stamped(&input);
        assert_stamped_as(&output, &["Decodable"], false);
        let doc = reload(&output);
        let page = stamped_page(&doc, page);
        assert!(
            page.content.starts_with(b"q /TPOrig Do Q\nq /TPOrig2 Do Q\nq\n"),
            "{}",
            String::from_utf8_lossy(&page.content)
        );
        let names: Vec<&[u8]> = page.forms.iter().map(|(name, _, _)| name.as_slice()).collect();
        assert_eq!(names, [&b"TPOrig"[..], b"TPOrig2"]);
        assert_eq!(page.forms[1].1.get(b"Filter").unwrap(), &Object::from("Nonesuch"), "kept as it was");
    }

    #[test]
    fn pages_that_share_a_content_stream_share_its_form_when_they_share_resources() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let content = pdf.text("Shared");
        let courier = pdf
            .doc
            .add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" });
        let resources = pdf.doc.add_object(pdf.resources());
        let kids: Vec<ObjectId> = [
            resources.into(),
            resources.into(),
            dictionary! { "Font" => dictionary! { "F1" => courier } }.into(),
        ]
        .into_iter()
        .map(|resources: Object| {
            pdf.doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => root, "MediaBox" => numbers(A4), "Resources" => resources,
                "Contents" => content,
            })
        })
        .collect();
        let input = pdf.save_pages(&kids);
        let (output, _) = stamped(&input);
        assert_stamped(&output, &["Shared"; 3]);
        let doc = reload(&output);
        let forms: Vec<ObjectId> = kids
            .iter()
            .map(|&page| {
                let page = doc.get_dictionary(page).unwrap();
                let resources = page.get(b"Resources").unwrap().as_dict().unwrap();
                resources
                    .get(b"XObject")
                    .unwrap()
                    .as_dict()
                    .unwrap()
                    .get(b"TPOrig")
                    .unwrap()
                    .as_reference()
                    .unwrap()
            })
            .collect();
        assert_eq!(forms[0], forms[1]);
        assert_ne!(forms[0], forms[2]);
        assert!(!forms.contains(&content), "shared, so copied");
        assert!(!doc.objects.contains_key(&content), "and then dropped");
        // The font the third page's form draws with is Courier.
        let Some(words) = page_words(&output) else { return };
        let width = |page: usize| {
            let word = words[page].words.iter().find(|word| word.text == "Shared").unwrap();
            word.x_max - word.x_min
        };
        assert!((width(0) - width(1)).abs() < 0.1 && (width(0) - width(2)).abs() > 1.0);
    }

    #[test]
    fn a_tagged_pdf_keeps_its_structure_pointing_at_the_content() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let content = pdf.raw_stream(
            "/H1 <</MCID 0>> BDC BT /F1 24 Tf 72 700 Td (Heading words) Tj ET EMC\n\
             /P <</MCID 1>> BDC BT /F1 12 Tf 72 600 Td (Paragraph text) Tj ET EMC",
        );
        let page = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "MediaBox" => numbers(A4), "Resources" => pdf.resources(),
            "Contents" => content, "StructParents" => 0,
        });
        let (tree, document, heading, paragraph) = (
            pdf.doc.new_object_id(),
            pdf.doc.new_object_id(),
            pdf.doc.new_object_id(),
            pdf.doc.new_object_id(),
        );
        // An MCID as an integer (the element's page) and as a reference without /Stm.
        pdf.doc.objects.insert(
            heading,
            dictionary! { "Type" => "StructElem", "S" => "H1", "P" => document, "Pg" => page, "K" => 0 }
                .into(),
        );
        pdf.doc.objects.insert(
            paragraph,
            dictionary! {
                "Type" => "StructElem", "S" => "P", "P" => document, "Pg" => page,
                "K" => vec![dictionary! { "Type" => "MCR", "MCID" => 1 }.into()],
            }
            .into(),
        );
        pdf.doc.objects.insert(document, dictionary! { "Type" => "StructElem", "S" => "Document", "P" => tree, "K" => vec![heading.into(), paragraph.into()] }.into());
        let parents = pdf.doc.add_object(
            dictionary! { "Nums" => vec![0.into(), vec![heading.into(), paragraph.into()].into()] },
        );
        pdf.doc.objects.insert(
            tree,
            dictionary! { "Type" => "StructTreeRoot", "K" => document, "ParentTree" => parents }.into(),
        );
        let catalog =
            dictionary! { "MarkInfo" => dictionary! { "Marked" => true }, "StructTreeRoot" => tree };
        let input = pdf.save_with_catalog(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            catalog,
        );
        let (output, _) = stamped(&input);
        assert_stamped(&output, &["Heading words"]);

        let doc = reload(&output);
        let form = stamped_page(&doc, page).forms[0].1.clone();
        assert_eq!(form.get(b"StructParents").unwrap(), &Object::Integer(0));
        let form = doc.get_dictionary(page).unwrap().get(b"Resources").unwrap().as_dict().unwrap();
        let form = form.get(b"XObject").unwrap().as_dict().unwrap().get(b"TPOrig").unwrap().clone();
        let reference = |element: ObjectId| {
            let kids = doc.get_dictionary(element).unwrap().get(b"K").unwrap();
            let kid = match kids {
                Object::Array(items) => items[0].clone(),
                kid => kid.clone(),
            };
            kid.as_dict().unwrap().clone()
        };
        for (element, mcid) in [(heading, 0), (paragraph, 1)] {
            let reference = reference(element);
            assert_eq!(reference.get(b"MCID").unwrap(), &Object::Integer(mcid));
            assert_eq!(reference.get(b"Stm").unwrap(), &form);
        }
        // Poppler reads each element's text through the form.
        if !have("pdfinfo") {
            return;
        }
        let file = tempfile::NamedTempFile::new().unwrap();
        let structure = |pdf: &[u8]| {
            std::fs::write(file.path(), pdf).unwrap();
            let output = Command::new("pdfinfo").arg("-struct-text").arg(file.path()).output().unwrap();
            String::from_utf8(output.stdout).unwrap()
        };
        let before = structure(&input);
        assert!(before.contains("\"Heading words\"") && before.contains("\"Paragraph text\""), "{before}");
        assert_eq!(structure(&output), before);
    }

    #[test]
    fn marked_content_operators_are_counted_as_operators_only() {
        let content = b"/P BMC /BMC (EMC) Tj (a (nested) BDC \\) EMC) Tj <454d43> Tj % EMC comment\nEMC\n\
            BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EMC BDC\xff EI /P <</MCID 0>> BDC\n<< /EMC 1 >> BDC EMC BMCEMC EMC";
        assert_eq!(nesting(content), Nesting { lowest: 0, end: 0 });
        let unclosed = nesting(b"/OC /Hid BDC /X BMC EMC /OC /Hid BDC");
        let excess = nesting(b"EMC EMC /A BMC");
        assert_eq!((unclosed.lowest, unclosed.end), (0, 2));
        assert_eq!((excess.lowest, excess.end), (-2, -1));
        let both = unclosed.then(excess);
        assert_eq!((both.lowest, both.end), (0, 1));
        assert_eq!(excess.then(unclosed), Nesting { lowest: -2, end: 1 });
        // Guards: as many as the content closes too many, plus as many as it leaves open.
        assert_eq!(
            [unclosed.guards(), excess.guards(), both.guards(), excess.then(unclosed).guards()],
            [2, 2, 1, 3]
        );
        assert_eq!(Nesting::default().guards(), 0);
        assert_eq!(nesting(&b"BDC ".repeat(10_000)).guards(), GUARD_LIMIT);
        assert_eq!(nesting(b"(unterminated BDC"), Nesting::default());
        assert_eq!(nesting(b"BI ID BDC EMC BDC"), Nesting::default(), "image data to the end");
    }

    #[test]
    fn the_example_documents_are_stamped() {
        let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/documents"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "pdf"))
            .collect();
        files.sort();
        assert!(files.len() >= 5, "{files:?}");
        for file in files {
            let input = std::fs::read(&file).unwrap();
            let (output, pages) = stamped(&input);
            assert_eq!(pages, 1, "{}", file.display());
            assert_original_not_recoverable(&input, &output);
            assert!(stamped(&input).0 == output, "{}: not deterministic", file.display());
            let Some(original) = page_texts(&input) else { return };
            let first_line = original[0].lines().next().unwrap().trim().to_string();
            assert_stamped(&output, &[first_line.as_str()]);
            assert_footer_at_bottom(&output, &[upright(595.0, 842.0)]);
            let info = info(&output);
            assert_eq!(info.get(b"TrustpressShareId").unwrap(), &Object::string_literal(SHARE_ID));
            assert_eq!(
                info.get(b"Producer").unwrap(),
                &Object::string_literal("hand-written example"),
                "kept"
            );
        }
    }

    #[test]
    fn characters_are_encoded_in_win_ansi_and_strings_escaped() {
        assert_eq!(
            win_ansi("Confidential \u{2014} Zo\u{eb} \u{b7} \u{20ac}5 \u{2019}"),
            b"Confidential \x97 Zo\xeb \xb7 \x805 \x92"
        );
        assert_eq!(win_ansi("\u{141}\u{f3}d\u{17a} \u{2713} \u{65e5}"), b"?\xf3d? ? ?");
        let mut content = Vec::new();
        push_literal_string(&mut content, b"a(b)c\\d\x97\xe9");
        assert_eq!(content, b"a\\(b\\)c\\\\d\\227\\351");
        assert_eq!(
            [number(1.0), number(-0.0001), number(12.3456), number(f64::NAN)],
            ["1", "0", "12.346", "0"]
        );

        let recipient = "Zo\u{eb} M\u{fc}ller-\u{141}ukasz (\u{c6}r\u{f8} ApS) \\ \u{2713}";
        let share =
            Stamp { recipient: recipient.to_string(), date: "2026-11-21".into(), share_id: "x(1)".into() };
        let (output, _) = stamped_with(&pdf_with_pages(&[(A4, "Text")]), &share);
        let Some(pages) = page_texts(&output) else { return };
        let expected = "Confidential \u{2014} shared under NDA with Zo\u{eb} M\u{fc}ller-?ukasz (\u{c6}r\u{f8} ApS) \\ ? on \
                        2026-11-21 \u{b7} share x(1)";
        assert!(pages[0].contains(expected), "{}", pages[0]);
    }

    #[test]
    fn a_long_recipient_goes_on_a_line_of_its_own_and_a_tiny_page_gets_a_smaller_stamp() {
        let long =
            "Initech Global Procurement and Third-Party Vendor Risk Management Office (Attn. Bill Lumbergh)";
        let share =
            Stamp { recipient: long.to_string(), date: "2026-11-21".into(), share_id: SHARE_ID.into() };
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
        assert!(
            tiny.join(" ").contains(&format!("{long} on 2026-11-21 \u{b7} share {SHARE_ID}")),
            "{tiny:?}"
        );
    }

    // ---- Metadata, determinism, structure ----

    #[test]
    fn the_share_id_goes_into_a_new_or_the_existing_info() {
        let input = pdf_with_pages(&[(A4, "Text")]);
        assert!(reload(&input).trailer.get(b"Info").is_err(), "the test PDF starts without /Info");
        let (output, _) = stamped(&input);
        assert_eq!(info(&output).get(b"TrustpressShareId").unwrap(), &Object::string_literal(SHARE_ID));

        let unicode = Stamp { share_id: "share-\u{e9}t\u{e9}".to_string(), ..stamp() };
        let (again, _) = stamped_with(&output, &unicode);
        let info = info(&again);
        let id = lopdf::decode_text_string(info.get(b"TrustpressShareId").unwrap()).unwrap();
        assert_eq!(id, "share-\u{e9}t\u{e9}");
        // Stamped twice: both footers, the second font under the next free name.
        let Some(pages) = page_texts(&again) else { return };
        assert_eq!(pages[0].matches("Confidential").count(), 2, "{}", pages[0]);
        // The page as first stamped is the form of the second stamp; both annotations are there.
        let doc = reload(&again);
        let page = stamped_page(&doc, doc.get_pages()[&1]);
        assert!(page.forms[0].2.starts_with(b"q /TPOrig Do Q\n"));
        let inner =
            doc.get_dictionary(page.forms[0].1.get(b"Resources").unwrap().as_reference().unwrap()).unwrap();
        assert!(inner.get(b"XObject").unwrap().as_dict().unwrap().has(b"TPOrig"));
        assert_eq!(page.annotations.len(), 2);
    }

    #[test]
    fn the_output_depends_only_on_the_input_and_the_stamp() {
        let input = pdf_with_pages(&[(A4, "One"), (LETTER, "Two")]);
        let (first, _) = stamped(&input);
        let (second, _) = stamped(&input);
        assert!(first == second, "stamping twice gave different bytes");
        let other = Stamp { share_id: "sh_other".to_string(), ..stamp() };
        let (third, _) = stamped_with(&input, &other);
        assert!(first != third);
        let ids = |pdf: &[u8]| reload(pdf).trailer.get(b"ID").unwrap().as_array().unwrap().clone();
        assert_eq!(ids(&first)[0], ids(&third)[0], "the first /ID half names the document");
        assert_ne!(ids(&first)[1], ids(&third)[1], "the second names this copy");
    }

    #[test]
    fn same_sized_pages_share_one_footer_stream() {
        let input = pdf_with_pages(&[(A4, "One"), (A4, "Two"), (A4, "Three"), (LETTER, "Four")]);
        let (output, _) = stamped(&input);
        let doc = reload(&output);
        let footers: HashSet<ObjectId> =
            doc.get_pages().into_values().map(|page| *doc.get_page_contents(page).last().unwrap()).collect();
        assert_eq!(footers.len(), 2);
    }

    #[test]
    fn every_kind_of_file_is_written_whole_so_the_original_cannot_be_cut_out() {
        let table = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/documents/soc2-type2-report-2026.pdf"
        ))
        .unwrap();
        assert!(contains(&table, b"\nxref\n"), "a cross-reference table");
        let streams = pdf_with_pages(&[(A4, "Text")]);
        assert!(contains(&streams, b"/XRef"), "lopdf writes a cross-reference stream");
        let packed = with_object_streams(&pdf_with_pages(&[(A4, "One"), (LETTER, "Two")]));
        assert!(contains(&packed, b"/ObjStm"));
        // An update appended to a stamped file: the input ends with a stamped file.
        let mut updated = stamped(&streams).0;
        updated.extend_from_slice(b"\n%%EOF\n");
        for (input, texts) in [
            (&table, &["SOC 2"][..]),
            (&streams, &["Text"][..]),
            (&packed, &["One", "Two"][..]),
            (&updated, &["Text"][..]),
        ] {
            let (output, pages) = stamped(input);
            assert_eq!(pages, texts.len());
            assert_original_not_recoverable(input, &output);
            let doc = reload(&output);
            assert_eq!(doc.revision_count(), 1);
            assert!(doc.objects.values().all(|object| object.type_name().ok() != Some(&b"ObjStm"[..])));
            // (Stamped twice with the same stamp, the footers are drawn at the same place and
            // read once.)
            assert_stamped(&output, texts);
        }
    }

    /// `pdf` saved again with its objects packed in object streams.
    fn with_object_streams(pdf: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        reload(pdf).save_modern(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn a_file_whose_offsets_are_wrong_is_rewritten_whole() {
        let mut input = b"junk before the header\n".to_vec();
        input.extend(pdf_with_pages(&[(A4, "Shifted")]));
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 1);
        assert!(output.starts_with(b"%PDF-"), "rewritten from the start");
        assert_stamped(&output, &["Shifted"]);
        assert_eq!(stamped(&input).0, output, "deterministic too");
    }

    // ---- Refusals ----

    fn encrypted(user_password: &str) -> Vec<u8> {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let page = pdf.page(root, "Secret", dictionary! { "MediaBox" => numbers(A4) });
        pdf.doc.trailer.set(
            "ID",
            vec![Object::string_literal("0123456789abcdef"), Object::string_literal("fedcba9876543210")],
        );
        let count = 1;
        pdf.doc.objects.insert(
            root,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => count },
            ),
        );
        let catalog = pdf.doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => root });
        pdf.doc.trailer.set("Root", catalog);
        let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
            document: &pdf.doc,
            owner_password: "owner",
            user_password,
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        })
        .unwrap();
        pdf.doc.encrypt(&state).unwrap();
        let mut bytes = Vec::new();
        pdf.doc.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn an_encrypted_pdf_is_refused_even_when_it_opens_without_a_password() {
        let message = "is encrypted: decrypt it (e.g. qpdf --decrypt) and share the decrypted copy";
        assert_eq!(refusal(&encrypted("")), message);
        assert_eq!(refusal(&encrypted("reader-secret")), message);
        // A security handler no one knows.
        let mut input = pdf_with_pages(&[(A4, "Text")]);
        let end = input.len();
        input.splice(end - 40..end - 40, *b"");
        let text =
            String::from_utf8_lossy(&input).replace("/Root", "/Encrypt << /Filter /Nonesuch /V 9 >> /Root");
        assert_eq!(refusal(text.as_bytes()), message);
    }

    #[test]
    fn what_is_not_a_pdf_is_refused() {
        for input in
            [&b""[..], b"hello, this is a text file\n", b"%PDF-1.7\n", &[0xff; 4096], b"PK\x03\x04 a zip"]
        {
            let message = refusal(input);
            assert!(message.starts_with("cannot be read as a PDF: "), "{message}");
        }
        assert_eq!(
            refusal(b"PK\x03\x04"),
            "cannot be read as a PDF: it has no %PDF- header, so it is not a PDF file"
        );
        assert!(refusal(b"%PDF-1.7\n").ends_with("a repaired copy may work: qpdf damaged.pdf repaired.pdf)"));
        assert_eq!(refusal(b"%PDF-1.4\nnot really"), refusal(b"%PDF-1.4\nnot really"));
    }

    #[test]
    fn a_pdf_without_pages_is_refused() {
        let input = TestPdf::new().save_pages(&[]);
        assert_eq!(
            refusal(&input),
            "has no pages: there is nothing to stamp, check that this is the right file"
        );
    }

    #[test]
    fn an_empty_stamp_field_is_refused() {
        let input = pdf_with_pages(&[(A4, "Text")]);
        let mut out = Vec::new();
        let blank = Stamp { recipient: " \n\t".to_string(), ..stamp() };
        let error = stamp_pdf(&input, &blank, &mut out).unwrap_err();
        assert_eq!(error.to_string(), "cannot be stamped: the share's recipient is empty");
        let blank = Stamp { share_id: String::new(), ..stamp() };
        assert!(matches!(stamp_pdf(&input, &blank, &mut out), Err(StampError::EmptyStampField("share id"))));
        assert!(out.is_empty());
    }

    #[test]
    fn a_failing_output_is_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let error = stamp_pdf(&pdf_with_pages(&[(A4, "Text")]), &stamp(), &mut Broken).unwrap_err();
        assert_eq!(error.to_string(), "could not be written out stamped: disk full");
    }

    // ---- Hostile input ----

    #[test]
    fn hostile_page_trees_and_boxes_do_not_panic() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let looping = pdf.doc.new_object_id();
        let huge =
            pdf.page(looping, "Huge", dictionary! { "MediaBox" => numbers([-1e30, -1e30, 1e30, 1e30]) });
        let negative = pdf.page(
            looping,
            "Negative",
            dictionary! { "MediaBox" => numbers([-900.0, -900.0, -300.0, -100.0]) },
        );
        let nonsense = pdf.page(
            looping,
            "Nonsense",
            dictionary! {
                "MediaBox" => vec![Object::string_literal("wide"), 0.into(), 1.into()],
                "CropBox" => numbers([5000.0, 5000.0, 6000.0, 6000.0]),
                "Rotate" => 45,
            },
        );
        let flat = pdf.page(
            looping,
            "Flat",
            dictionary! { "MediaBox" => numbers([0.0, 0.0, 612.0, 0.0]), "Rotate" => Object::Real(f32::MAX) },
        );
        // A page whose /Parent points back at itself, with no box of its own.
        let own_parent = pdf.doc.new_object_id();
        let contents = pdf.text("Own parent");
        pdf.doc.objects.insert(
            own_parent,
            Object::Dictionary(
                dictionary! { "Type" => "Page", "Parent" => own_parent, "Contents" => contents },
            ),
        );
        // A node that lists the root again, and the same page twice.
        pdf.doc.objects.insert(
            looping,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Parent" => root, "Count" => 5,
                "Kids" => vec![huge.into(), root.into(), negative.into(), nonsense.into(), flat.into(), huge.into(), own_parent.into()],
            }),
        );
        let reference_loop = pdf.doc.new_object_id();
        pdf.doc.objects.insert(reference_loop, Object::Reference(reference_loop));
        let loop_page = pdf.doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => root, "Contents" => reference_loop, "Resources" => reference_loop,
            "MediaBox" => reference_loop,
        });
        let kids = vec![looping.into(), loop_page.into()];
        let input = pdf.save(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 6 });
        let (output, pages) = stamped(&input);
        assert_eq!(pages, 6, "each page once");
        // Poppler reports the loop, and cannot lay out text on a page 10^30 wide or one with
        // no height; every page where it reads any text has the stamp.
        if let Some(texts) = page_texts_of(&output, false) {
            let with_text: Vec<&String> = texts.iter().filter(|text| !text.trim().is_empty()).collect();
            assert!(with_text.len() >= 3, "{texts:#?}");
            for text in with_text {
                assert!(text.contains(SHARE_ID), "{text}");
            }
        }
    }

    /// A tiny xorshift generator: the same "random" mutations on every run.
    struct Mutations(u64);

    impl Mutations {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn truncated_and_corrupted_pdfs_give_errors_or_stamped_pdfs_never_a_panic() {
        let mut samples = vec![
            std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/content/documents/soc2-type2-report-2026.pdf"
            ))
            .unwrap(),
            pdf_with_pages(&[(A4, "One"), ([10.0, 10.0, 300.0, 400.0], "Two")]),
        ];
        samples.push(stamped(&samples[0]).0);
        samples.push(with_object_streams(&samples[1]));
        let mut random = Mutations(0x5eed_1234_abcd_ef01);
        let mut outcomes = [0usize; 2];
        for sample in &samples {
            let mut check = |input: &[u8]| {
                let mut out = Vec::new();
                outcomes[usize::from(stamp_pdf(input, &stamp(), &mut out).is_ok())] += 1;
            };
            for length in (0..sample.len()).step_by(7) {
                check(&sample[..length]);
            }
            for _ in 0..400 {
                let mut input = sample.clone();
                for _ in 0..=random.next() % 4 {
                    let position = (random.next() % input.len() as u64) as usize;
                    let length = (random.next() % 64) as usize;
                    match random.next() % 5 {
                        0 => input[position] ^= 1 << (random.next() % 8),
                        1 => input[position] = b"0123456789 /<>[]()RobjQq"[(random.next() % 24) as usize],
                        2 => input[position] = random.next() as u8,
                        // Bytes lost or repeated: every offset after them is wrong.
                        3 => drop(input.drain(position..(position + length).min(input.len()))),
                        _ => {
                            let copy = input[position..(position + length).min(input.len())].to_vec();
                            input.splice(position..position, copy);
                        }
                    }
                    if input.is_empty() {
                        break;
                    }
                }
                check(&input);
            }
        }
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "errors and successes both occur: {outcomes:?}");
    }

    /// The process's peak resident set size so far, in KiB (Linux; `None` elsewhere).
    fn peak_memory_kib() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// 2,000 pages of about 40 lines of text each, their content compressed as in a real report:
    /// run with `cargo test --release --lib share::stamp -- --ignored --nocapture`. Prints the
    /// time and, on Linux, the peak memory while stamping.
    #[test]
    #[ignore = "a timing run; see the doc comment"]
    #[allow(clippy::print_stderr)]
    fn two_thousand_pages() {
        let mut pdf = TestPdf::new();
        let root = pdf.root;
        let resources = pdf.resources();
        let kids: Vec<ObjectId> = (1..=2000)
            .map(|number| {
                let mut content = format!("BT /F1 10 Tf 12 TL 1 0 0 1 56 780 Tm (Page {number} of the report) Tj\n");
                for line in 0..40 {
                    content.push_str(&format!("T* (Control {number}.{line}: tested, no exceptions noted; evidence ref {line:04}) Tj\n"));
                }
                content.push_str("ET\n");
                let mut stream = Stream::new(Dictionary::new(), content.into_bytes());
                stream.compress().unwrap();
                let contents = pdf.doc.add_object(stream);
                let media_box = if number % 3 == 0 { numbers(LETTER) } else { numbers(A4) };
                pdf.doc.add_object(dictionary! {
                    "Type" => "Page", "Parent" => root, "MediaBox" => media_box, "Resources" => resources.clone(),
                    "Contents" => contents,
                })
            })
            .collect();
        let input = pdf.save_pages(&kids);
        let started = std::time::Instant::now();
        let mut output = Vec::with_capacity(input.len() * 2);
        let pages = stamp_pdf(&input, &stamp(), &mut output).unwrap();
        let elapsed = started.elapsed();
        assert_eq!(pages, 2000);
        eprintln!(
            "stamped 2,000 pages in {:.1} ms ({} KiB in, {} KiB out)",
            elapsed.as_secs_f64() * 1000.0,
            input.len() / 1024,
            output.len() / 1024,
        );
        // Memory, measured in a fresh process that only reads the file and stamps it.
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("2000-pages.pdf");
        std::fs::write(&file, &input).unwrap();
        let measured = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "share::stamp::tests::stamp_one_file_for_measurement",
                "--ignored",
                "--nocapture",
            ])
            .env("TRUSTPRESS_STAMP_MEASURE", &file)
            .output()
            .unwrap();
        assert!(measured.status.success(), "{}", String::from_utf8_lossy(&measured.stderr));
        let report = String::from_utf8_lossy(&measured.stderr);
        eprintln!(
            "{}",
            report.lines().find(|line| line.starts_with("stamped")).unwrap_or("no memory report")
        );
        if let Some(texts) = page_texts(&output) {
            assert_eq!(texts.len(), 2000);
            assert!(texts.iter().all(|text| text.contains(SHARE_ID) && text.contains(RECIPIENT)));
            assert!(texts[1999].contains("Page 2000 of the report"));
        }
    }

    /// Stamps the file named by TRUSTPRESS_STAMP_MEASURE (does nothing without it) and prints
    /// the time and the process's peak memory: [`two_thousand_pages`] runs it as a process of
    /// its own.
    #[test]
    #[ignore = "run by two_thousand_pages"]
    #[allow(clippy::print_stderr)]
    fn stamp_one_file_for_measurement() {
        let Some(path) = std::env::var_os("TRUSTPRESS_STAMP_MEASURE") else { return };
        let baseline = peak_memory_kib();
        let started = std::time::Instant::now();
        let input = std::fs::read(path).unwrap();
        let mut output = Vec::new();
        let pages = stamp_pdf(&input, &stamp(), &mut output).unwrap();
        let elapsed = started.elapsed();
        let kib = |value: Option<u64>| value.map_or("?".to_string(), |kib| kib.to_string());
        eprintln!(
            "stamped {pages} pages, reading the file included, in {:.1} ms; peak resident memory {} KiB \
             (the test harness alone: {} KiB; input {} KiB, output {} KiB)",
            elapsed.as_secs_f64() * 1000.0,
            kib(peak_memory_kib()),
            kib(baseline),
            input.len() / 1024,
            output.len() / 1024,
        );
    }
}
