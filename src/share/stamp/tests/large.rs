//! Large streams left on disk: the output is the same, byte for byte, as when the file is read
//! whole, whatever the file holds; and memory does not grow with them.

use super::*;
use lopdf::dictionary;
use std::io::{Cursor, Read, Seek, SeekFrom};

use super::super::large;

/// Streams of this many bytes or more are left on disk in these tests, so that small files
/// exercise it.
const SMALL: u64 = 100;

/// Stamps `input` read whole and with every stream of [`SMALL`] bytes or more left on disk; the
/// two must give the same bytes (or the same error). Returns that result and how many streams
/// were left on disk.
fn both_ways(input: &[u8]) -> (Result<Vec<u8>, String>, usize) {
    let run = |least| {
        let mut out = Vec::new();
        stamp_leaving(&mut Cursor::new(input), &stamp(), &mut out, least)
            .map(|_| out)
            .map_err(|e| e.to_string())
    };
    let whole = run(u64::MAX);
    let left = run(SMALL);
    assert!(
        whole == left,
        "reading {} bytes whole and leaving streams on disk gave different results: {:?} / {:?}",
        input.len(),
        whole.as_ref().map(Vec::len),
        left.as_ref().map(Vec::len),
    );
    let count = large::read(&mut Cursor::new(input), SMALL, super::super::load)
        .map_or(0, |loaded| loaded.input.left_on_disk());
    (whole, count)
}

/// Deterministic bytes that look like compressed image data (they hold `endstream` and `obj`
/// now and then, as real binary data may).
fn image_bytes(size: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    for (index, chunk) in bytes.chunks_mut(4096).enumerate() {
        let planted: &[u8] =
            if index % 2 == 0 { b"\nendstream\nendobj\n" } else { b" 9 0 obj << /Length 5 >> stream\n" };
        if chunk.len() > planted.len() + 10 {
            chunk[5..5 + planted.len()].copy_from_slice(planted);
        }
    }
    bytes
}

/// `pages` pages, each drawing one image of `size` bytes and a line of text.
fn pdf_with_image(size: usize, pages: usize) -> Vec<u8> {
    let mut pdf = TestPdf::new();
    let root = pdf.root;
    let image = pdf.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 64, "Height" => 64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        image_bytes(size),
    ));
    let mut resources = pdf.resources();
    resources.set("XObject", dictionary! { "Im1" => image });
    let kids: Vec<ObjectId> = (1..=pages)
        .map(|number| {
            let content = format!(
                "q 200 0 0 200 100 400 cm /Im1 Do Q\nBT /F1 12 Tf 1 0 0 1 40 300 Tm (Scanned page {number} of the report) Tj ET\n"
            );
            let contents = pdf.raw_stream(&content);
            pdf.doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => root, "Resources" => resources.clone(), "Contents" => contents,
                "MediaBox" => numbers(A4),
            })
        })
        .collect();
    pdf.save_pages(&kids)
}

/// A PDF written by hand: `objects` as numbered, then a cross-reference table (`xref` may
/// point an object elsewhere) and a trailer whose root is object 1.
fn raw_pdf(objects: &[(u32, Vec<u8>)], xref: &[(u32, usize)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = std::collections::BTreeMap::new();
    for (number, body) in objects {
        offsets.insert(*number, out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    for &(number, offset) in xref {
        offsets.insert(number, offset);
    }
    let size = offsets.keys().max().unwrap() + 1;
    let start = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for number in 1..size {
        match offsets.get(&number) {
            Some(offset) => out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 00000 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n").as_bytes(),
    );
    out
}

fn stream_body(dictionary: &str, data: &[u8], end_of_line: &str) -> Vec<u8> {
    let mut body = format!("<< {dictionary} >>\nstream{end_of_line}").into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A one-page PDF by hand: its content stream's /Length a reference, after a CR LF; an image
/// whose data holds `endstream`; a string in the page holding `stream` and `endstream`.
fn hand_made() -> Vec<u8> {
    let content = b"q 100 0 0 100 50 50 cm /Im1 Do Q\nBT /F1 12 Tf 1 0 0 1 40 300 Tm (A page written by hand, with a long enough line of text) Tj ET";
    let image = image_bytes(3000);
    raw_pdf(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /PieceInfo << /Note (a stream\\) endstream 7 0 obj) >> /Resources << /Font << /F1 6 0 R >> /XObject << /Im1 7 0 R >> >> >>".to_vec(),
            ),
            (4, stream_body("/Length 5 0 R", content, "\r\n")),
            (5, content.len().to_string().into_bytes()),
            (6, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
            (
                7,
                stream_body(
                    &format!("/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {}", image.len()),
                    &image,
                    "\n",
                ),
            ),
        ],
        &[],
    )
}

#[test]
fn an_image_is_copied_from_the_file_and_the_output_is_the_same() {
    let input = pdf_with_image(5000, 3);
    let (output, left) = both_ways(&input);
    // The image and the three pages' content streams.
    assert_eq!(left, 4, "the image and the content streams are left on disk");
    let output = output.unwrap();
    assert!(contains(&output, &image_bytes(5000)), "the image's data is in the output as it was");
    if let Some(texts) = page_texts(&output) {
        assert_eq!(texts.len(), 3);
        for (index, text) in texts.iter().enumerate() {
            assert!(text.contains(&format!("Scanned page {} of the report", index + 1)));
            assert!(text.contains(SHARE_ID) && text.contains(RECIPIENT), "the stamp on page {}", index + 1);
        }
    }
}

#[test]
fn streams_found_by_hand_made_structure_are_the_same_when_left_on_disk() {
    let input = hand_made();
    let (output, left) = both_ways(&input);
    assert_eq!(left, 2, "the content stream (indirect /Length, CR LF) and the image are left on disk");
    if let Some(texts) = page_texts(&output.unwrap()) {
        assert!(texts[0].contains("A page written by hand") && texts[0].contains(SHARE_ID));
    }
}

#[test]
fn a_stale_copy_of_an_object_or_an_object_inside_data_makes_the_file_read_whole() {
    // An incremental update: image 7 written again, the cross-reference table pointing at the
    // second copy. The first copy was found by the scan; lopdf reads the second.
    let mut input = hand_made();
    let second = input.len();
    input.extend_from_slice(b"7 0 obj\n");
    input.extend_from_slice(&stream_body("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1", b"\x80", "\n"));
    input.extend_from_slice(b"\nendobj\n");
    let start = input.len();
    input.extend_from_slice(format!("xref\n7 1\n{second:010} 00000 n \ntrailer\n<< /Size 8 /Root 1 0 R /Prev {} >>\nstartxref\n{start}\n%%EOF\n", find(&hand_made(), b"xref\n")).as_bytes());
    let (output, left) = both_ways(&input);
    assert_eq!(
        left, 1,
        "the replaced image's first copy is not read; the content stream is still left on disk"
    );
    assert!(!contains(&output.unwrap(), &image_bytes(3000)), "the replaced image is not in the output");

    // An object whose cross-reference entry points inside an image's data, where that data
    // happens to read as an object.
    let planted = b"8 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (inside the image) >>\nendobj\n";
    let mut image = image_bytes(2000);
    image[1000..1000 + planted.len()].copy_from_slice(planted);
    let objects = [
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (3, b"<< /Type /Page /Parent 2 0 R /Annots [8 0 R] /Resources << /XObject << /Im1 7 0 R >> >> >>".to_vec()),
        (7, stream_body(&format!("/Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {}", image.len()), &image, "\n")),
    ];
    let without = raw_pdf(&objects, &[]);
    let inside = find(&without, b"8 0 obj\n<< /Type /Annot");
    let input = raw_pdf(&objects, &[(8, inside)]);
    let (output, left) = both_ways(&input);
    assert_eq!(left, 0, "an object inside data left out would read as zeros: the file is read whole");
    assert!(contains(&output.unwrap(), b"inside the image"), "lopdf read the object where its entry points");
}

/// [`pdf_with_image`] saved with object streams and a cross-reference stream.
fn modern(input: &[u8]) -> Vec<u8> {
    let mut document = Document::load_mem(input).unwrap();
    let mut out = Vec::new();
    let options = lopdf::SaveOptions::builder().use_object_streams(true).use_xref_streams(true).build();
    document.save_with_options(&mut out, options).unwrap();
    out
}

#[test]
fn object_streams_and_cross_reference_streams_are_never_left_out() {
    let input = modern(&pdf_with_image(3000, 4));
    assert!(contains(&input, b"/ObjStm") && contains(&input, b"/XRef"));
    let (output, left) = both_ways(&input);
    assert_eq!(left, 5, "the image and four content streams, not the object or cross-reference streams");
    assert_eq!(
        page_texts(&output.unwrap()).map(|texts| texts.len()),
        page_texts(&input).map(|texts| texts.len())
    );
}

#[test]
fn damaged_and_mutated_files_give_the_same_output_either_way() {
    // Seeded mutations of two files: bytes changed to what PDF syntax is made of, inserted and
    // removed. Whatever lopdf makes of a file, leaving streams on disk must not change it.
    let seeds = [hand_made(), pdf_with_image(700, 2), modern(&pdf_with_image(400, 2))];
    let alphabet = b"0123456789 /<>()[]\n\rRobjendstreamLength%\\#";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut random = move |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    let mut left_out = 0;
    for round in 0..400 {
        let mut input = seeds[round % seeds.len()].clone();
        for _ in 0..1 + random(4) {
            let at = random(input.len());
            match random(3) {
                0 => input[at] = alphabet[random(alphabet.len())],
                1 => input.insert(at, alphabet[random(alphabet.len())]),
                _ => {
                    input.remove(at);
                }
            }
        }
        let (_, left) = both_ways(&input);
        left_out += left;
    }
    assert!(left_out > 100, "most mutated files still leave streams on disk ({left_out} streams in all)");
}

#[test]
fn a_file_cut_short_while_it_is_stamped_is_refused_as_changed() {
    /// Reads `bytes`, cut short when the writer seeks to the image's data to copy it.
    struct Shrinking {
        bytes: Cursor<Vec<u8>>,
        image: u64,
        reads: usize,
    }
    impl Read for Shrinking {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            self.bytes.read(buffer)
        }
    }
    impl Seek for Shrinking {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            if to == SeekFrom::Start(self.image) {
                self.reads += 1;
                if self.reads == 1 {
                    self.bytes.get_mut().truncate(self.image as usize + 10);
                }
            }
            self.bytes.seek(to)
        }
    }
    let input = pdf_with_image(5000, 1);
    let image = find(&input, &image_bytes(5000)[..64]) as u64;
    let mut shrinking = Shrinking { bytes: Cursor::new(input), image, reads: 0 };
    let error = stamp_leaving(&mut shrinking, &stamp(), &mut Vec::new(), SMALL).unwrap_err();
    assert!(error.to_string().starts_with("changed while it was being stamped"), "{error}");
}

#[test]
fn a_file_changed_while_it_is_stamped_is_refused() {
    /// Reads `bytes`, and changes one byte of them the first time it has been read to the end.
    struct Changing {
        bytes: Cursor<Vec<u8>>,
        at: usize,
        changed: bool,
    }
    impl Read for Changing {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let read = self.bytes.read(buffer)?;
            if read == 0 && !buffer.is_empty() && !self.changed {
                self.bytes.get_mut()[self.at] ^= 0xFF;
                self.changed = true;
            }
            Ok(read)
        }
    }
    impl Seek for Changing {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.bytes.seek(to)
        }
    }
    let input = pdf_with_image(5000, 1);
    let at = find(&input, &image_bytes(5000)[..64]) + 2500;
    let mut changing = Changing { bytes: Cursor::new(input), at, changed: false };
    let mut out = Vec::new();
    let error = stamp_leaving(&mut changing, &stamp(), &mut out, SMALL).unwrap_err();
    assert!(error.to_string().starts_with("changed while it was being stamped"), "{error}");
}

/// A PDF with a 48 MiB image stamped from its file in a process of its own: the peak memory
/// above the test harness's stays far below the file's size.
#[test]
#[allow(clippy::print_stderr)]
fn a_huge_pdf_is_stamped_in_flat_memory() {
    const IMAGE: usize = 48 << 20;
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("huge.pdf");
    let output = folder.path().join("huge-stamped.pdf");
    std::fs::write(&input, pdf_with_image(IMAGE, 3)).unwrap();
    let measured = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "share::stamp::tests::large::stamp_for_memory", "--ignored", "--nocapture"])
        .env("TRUSTPRESS_STAMP_MEMORY_IN", &input)
        .env("TRUSTPRESS_STAMP_MEMORY_OUT", &output)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&measured.stderr);
    assert!(measured.status.success(), "{report}");
    let line = report.lines().find(|line| line.starts_with("peak above harness")).expect(&report);
    eprintln!("{line}");
    let kib: u64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(kib < 24 << 10, "stamping a {} MiB PDF took {kib} KiB above the harness", IMAGE >> 20);
    let stamped = std::fs::read(&output).unwrap();
    assert!(stamped.len() > IMAGE, "the image is in the output");
    if let Some(texts) = page_texts(&stamped) {
        assert_eq!(texts.len(), 3);
        assert!(texts.iter().all(|text| text.contains(SHARE_ID) && text.contains(RECIPIENT)));
    }
}

/// Stamps TRUSTPRESS_STAMP_MEMORY_IN into TRUSTPRESS_STAMP_MEMORY_OUT from their files and
/// prints the peak memory (Linux) above what the harness had before: run by
/// [`a_huge_pdf_is_stamped_in_flat_memory`].
#[test]
#[ignore = "run by a_huge_pdf_is_stamped_in_flat_memory"]
#[allow(clippy::print_stderr)]
fn stamp_for_memory() {
    let (Some(input), Some(output)) =
        (std::env::var_os("TRUSTPRESS_STAMP_MEMORY_IN"), std::env::var_os("TRUSTPRESS_STAMP_MEMORY_OUT"))
    else {
        return;
    };
    let peak = || -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let before = peak();
    let mut file = std::fs::File::open(input).unwrap();
    let mut out = std::fs::File::create(output).unwrap();
    stamp_file(&mut file, &stamp(), &mut out).unwrap();
    eprintln!("peak above harness {} KiB (harness {before} KiB)", peak().saturating_sub(before));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).position(|window| window == needle).unwrap()
}

/// [`both_ways`] over the PDFs named in TRUSTPRESS_STAMP_FILES (separated by `:`), for
/// checking real files: `TRUSTPRESS_STAMP_FILES=a.pdf:b.pdf cargo test --lib
/// share::stamp::tests::large::real_files -- --ignored --nocapture`.
#[test]
#[ignore = "reads the files named in TRUSTPRESS_STAMP_FILES"]
#[allow(clippy::print_stderr)]
fn real_files() {
    let Some(files) = std::env::var_os("TRUSTPRESS_STAMP_FILES") else { return };
    for path in std::env::split_paths(&files).filter(|path| !path.as_os_str().is_empty()) {
        let input = std::fs::read(&path).unwrap();
        let (output, left) = both_ways(&input);
        eprintln!("{}: {left} streams left on disk, {:?}", path.display(), output.map(|out| out.len()));
    }
}
