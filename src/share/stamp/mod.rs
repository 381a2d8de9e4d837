//! Stamps a gated PDF for one recipient: every page gets a visible footer naming the recipient,
//! the date and the share, and the document's metadata records the share id.
//!
//! **What and where.** One to a few centred lines of 8 pt Helvetica in dark grey, near the bottom
//! edge of what the viewer sees: `Confidential — shared under NDA with <recipient> on <date> ·
//! share <share_id>`, broken before "on" when it does not fit on one line. Helvetica is one of
//! the standard fonts every PDF reader has, so nothing is embedded; the text is encoded in
//! WinAnsi (the em dash is 0x97); a letter WinAnsi has no code for is drawn without its accent
//! (`ř` as `r`), and a character of another script as `?` (`text::win_ansi`). The
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
//! `/TrustpressShareId` and `/TrustpressRecipient` (the recipient as given, in any script,
//! as a PDF text string: a viewer's document properties show it even where the footer drew
//! `?`). The output depends only on the input and the [`Stamp`]: there is no
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
//! **Memory.** Streams of a megabyte or more (images, fonts, attachments) are left in the input
//! file and copied from it into the output, checked against a hash taken when the file was
//! first read ([`large`]); lopdf holds the rest of the document and changes it in place. Memory
//! therefore grows with the document's structure and its pages' content, not with its size: a
//! PDF with a 160 MiB image takes as much as one with a 2 MiB image. A file whose structure the
//! check cannot confirm (repaired by lopdf, an object inside data that would be left out) is
//! read whole, as before. A page's only content stream becomes its form where it is, still
//! encoded as it was (copied only when something else refers to it too); the streams of a page
//! with several are decoded (at most [`CONTENT_LIMIT`] each), joined and compressed. Every
//! content stream is decoded once, one at a time, to count its marked-content sections.
//!
//! **Written** with a classic cross-reference table, objects in number order; object streams
//! and cross-reference streams of the input are not written (lopdf read their objects out).

mod footer;
mod forms;
mod large;
mod nesting;
mod output;
mod page;
mod stamper;
mod structure;
#[cfg(test)]
mod tests;
mod text;

use std::io::{Cursor, Read, Seek, Write};

use lopdf::Document;

use output::{drop_unreachable, new_trailer, trailer_id, write_whole};
use stamper::stamp_document;
pub use text::undrawable;
use text::StampText;

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
    /// Reading the PDF failed.
    #[error("could not be read: {0}")]
    Read(#[source] std::io::Error),
    /// The file's bytes differed when read again.
    #[error("changed while it was being stamped: share it again once nothing is writing to it")]
    Changed,
}

/// Writes `input` (a whole PDF's bytes) stamped to `out`; returns how many pages were stamped.
///
/// Nothing is written when an error is returned, except for [`StampError::Write`].
pub fn stamp_pdf(input: &[u8], stamp: &Stamp, out: &mut dyn Write) -> Result<usize, StampError> {
    stamp_file(&mut Cursor::new(input), stamp, out)
}

/// Writes the PDF `file` stamped to `out`; returns how many pages were stamped. Streams of a
/// megabyte or more are copied from the file as they are, not held in memory
/// ([`large`]), so memory grows with the document's structure and pages, not with its images.
///
/// Only [`StampError::Read`], [`StampError::Write`] and [`StampError::Changed`] can come after
/// something was written.
pub fn stamp_file(
    file: &mut (impl Read + Seek),
    stamp: &Stamp,
    out: &mut dyn Write,
) -> Result<usize, StampError> {
    stamp_leaving(file, stamp, out, large::LEAST)
}

/// [`stamp_file`], leaving streams of at least `least` bytes on disk.
fn stamp_leaving(
    file: &mut (impl Read + Seek),
    stamp: &Stamp,
    out: &mut dyn Write,
    least: u64,
) -> Result<usize, StampError> {
    let text = StampText::new(stamp)?;
    let large::Loaded { mut document, hash, mut input } = large::read(file, least, load)?;
    let changes =
        stamp_document(&mut document, &text, &mut |document, contents| input.bring_back(document, contents))?;
    document.trailer = new_trailer(&document, changes.info, trailer_id(&document, hash, &text));
    drop_unreachable(&mut document);
    write_whole(document, &mut input, out)?;
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
