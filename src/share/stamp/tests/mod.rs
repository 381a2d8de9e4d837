//! Tests of the stamp, by topic, and the helpers they share: building test PDFs with lopdf and
//! reading the result as a user would.

mod attacks;
mod forms;
mod hiding;
mod hostile;
mod large;
mod output;
mod page;
mod refusals;
mod text;
mod timing;

use super::*;
use lopdf::{dictionary, Dictionary, Object, ObjectId, Stream};
use std::process::Command;

const RECIPIENT: &str = "Globex Corporation (J. Smith)";
const SHARE_ID: &str = "sh_7Q2XK9";

fn stamp() -> Stamp {
    Stamp { recipient: RECIPIENT.to_string(), date: "2026-11-21".to_string(), share_id: SHARE_ID.to_string() }
}

fn stamped(input: &[u8]) -> (Vec<u8>, usize) {
    stamped_with(input, &stamp())
}

fn stamped_with(input: &[u8], stamp: &Stamp) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let pages = stamp_pdf(input, stamp, &mut out).unwrap_or_else(|error| panic!("stamping failed: {error}"));
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

// ---- Reading the result as a user would: pdftotext and pdftoppm (poppler) ----

/// Whether `tool` can be run; when it cannot, prints a notice (the test is skipped) unless
/// TRUSTPRESS_REQUIRE_TOOLS is set, when the test fails.
#[allow(clippy::print_stderr)]
fn have(tool: &str) -> bool {
    match Command::new(tool).arg("-v").output() {
        Ok(_) => true,
        Err(error) => {
            assert!(
                std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                "{tool} is required for this test (poppler-utils or mupdf-tools; scripts/test installs it): {error}"
            );
            eprintln!(
                "\n*** SKIPPED the {tool} check: {tool} is not installed (poppler-utils, mupdf-tools) ***\n"
            );
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

// ---- A second reader: MuPDF (mutool), another engine than poppler's ----

/// What MuPDF says on stderr about itself, not about the file: Debian's build has no colour
/// management.
const MUPDF_NOTICES: [&str; 1] = ["warning: ICC support is not available"];

/// Runs `mutool` with `args` on `pdf` (the file's path goes where `{}` is); `strict` fails on
/// any complaint on stderr. `None` when mutool is not installed.
fn run_mupdf(pdf: &[u8], args: &[&str], strict: bool) -> Option<(tempfile::TempDir, String)> {
    if !have("mutool") {
        return None;
    }
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let input = input.to_str().unwrap();
    let args: Vec<String> = args.iter().map(|arg| arg.replace("{}", input)).collect();
    let output = Command::new("mutool").current_dir(folder.path()).args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let complaints: Vec<&str> =
        stderr.lines().filter(|line| !MUPDF_NOTICES.contains(line) && !line.trim().is_empty()).collect();
    // On hostile content MuPDF says so and exits with 1, having drawn what it could.
    assert!(output.status.success() || !strict, "mutool {args:?} failed: {stderr}");
    assert!(!strict || complaints.is_empty(), "MuPDF complained about the stamped PDF: {complaints:?}");
    Some((folder, String::from_utf8(output.stdout).unwrap()))
}

/// Each page's text as MuPDF extracts it (`mutool draw -F txt`), its lines' spaces made one.
fn mupdf_page_texts(pdf: &[u8], strict: bool) -> Option<Vec<String>> {
    let (_folder, text) = run_mupdf(pdf, &["draw", "-F", "txt", "-o", "-", "{}"], strict)?;
    // Every page's text ends with a form feed and a newline.
    let mut pages: Vec<String> = text.split("\x0c\n").map(str::to_string).collect();
    assert_eq!(pages.pop().as_deref(), Some(""), "MuPDF ends every page with a form feed");
    // A character without a glyph (a newline inside a string, where two content streams were
    // joined) comes out as U+FFFD; poppler writes a space.
    let words =
        |page: &String| page.replace('\u{fffd}', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    Some(pages.iter().map(words).collect())
}

/// Page `page` (from 1) as MuPDF draws it in grey at `dpi`: width, height, a byte per pixel.
fn mupdf_render(pdf: &[u8], page: usize, dpi: u32, strict: bool) -> Option<Greymap> {
    let number = page.to_string();
    let args = ["draw", "-q", "-r", &dpi.to_string(), "-c", "gray", "-o", "page.pgm", "{}", &number];
    let (folder, _) = run_mupdf(pdf, &args, strict)?;
    Some(read_pgm(&std::fs::read(folder.path().join("page.pgm")).unwrap()))
}

/// A page drawn in grey: width, height, a byte per pixel.
type Greymap = (usize, usize, Vec<u8>);

/// Draws page 1 of a PDF, or `None` when the engine is not installed.
type Draw = fn(&[u8]) -> Option<Greymap>;

/// A binary greymap's width, height and pixels.
fn read_pgm(image: &[u8]) -> Greymap {
    // "P5\n<width> <height>\n255\n" then the pixels.
    let mut fields = image.splitn(5, |byte| byte.is_ascii_whitespace());
    assert_eq!(fields.next(), Some(&b"P5"[..]));
    let mut next = || std::str::from_utf8(fields.next().unwrap()).unwrap().parse::<usize>().unwrap();
    let (width, height, _) = (next(), next(), next());
    (width, height, image[image.len() - width * height..].to_vec())
}

/// Every page of `pdf` carries the whole stamp, on one line, and still its original text.
fn assert_stamped(pdf: &[u8], originals: &[&str]) {
    assert_stamped_as(pdf, originals, true);
}

/// [`assert_stamped`] for a PDF whose original content itself makes poppler complain.
fn assert_stamped_as(pdf: &[u8], originals: &[&str], strict: bool) {
    let footer = format!(
        "Confidential \u{2014} shared under NDA with {RECIPIENT} on 2026-11-21 \u{b7} share {SHARE_ID}"
    );
    // MuPDF reads the same stamp on every page. It reads it twice, from the page and from the
    // annotation drawn over it: it does not drop text drawn twice at one place, as poppler does.
    if let Some(pages) = mupdf_page_texts(pdf, strict) {
        assert_eq!(pages.len(), originals.len(), "MuPDF: {pages:#?}");
        for (number, (page, original)) in pages.iter().zip(originals).enumerate() {
            assert!(page.contains(&footer), "MuPDF: page {} has no stamp:\n{page}", number + 1);
            assert!(page.contains(original), "MuPDF: page {} lost {original:?}:\n{page}", number + 1);
        }
    }
    let Some(pages) = page_texts_of(pdf, strict) else { return };
    assert_eq!(pages.len(), originals.len(), "{pages:#?}");
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
    Some(read_pgm(&std::fs::read(folder.path().join("page.pgm")).unwrap()))
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

/// `pdf` saved again with its objects packed in object streams.
fn with_object_streams(pdf: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    reload(pdf).save_modern(&mut bytes).unwrap();
    bytes
}
