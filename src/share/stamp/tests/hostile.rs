//! Hostile input.

use super::*;
use lopdf::dictionary;

#[test]
fn hostile_page_trees_and_boxes_do_not_panic() {
    let mut pdf = TestPdf::new();
    let root = pdf.root;
    let looping = pdf.doc.new_object_id();
    let huge = pdf.page(looping, "Huge", dictionary! { "MediaBox" => numbers([-1e30, -1e30, 1e30, 1e30]) });
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
        Object::Dictionary(dictionary! { "Type" => "Page", "Parent" => own_parent, "Contents" => contents }),
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
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/content/documents/soc2-type2-report-2026.pdf"))
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

#[test]
fn a_content_stream_named_through_a_reference_object_by_two_users_is_not_made_a_form_in_place() {
    // Page one's /Contents is object 6, which is only `4 0 R`; page two draws object 6 as an
    // XObject. Stream 4 is named twice through 6, so page one's form is a copy, and page two's
    // XObject stays the stream it was (a plain stream, not a form that draws page one).
    let mut pdf = TestPdf::new();
    let root = pdf.root;
    let contents = pdf.text("Page one");
    let through = pdf.doc.add_object(Object::Reference(contents));
    let one = pdf.doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => root, "Resources" => pdf.resources(), "Contents" => through,
    });
    let mut resources = pdf.resources();
    resources.set("XObject", dictionary! { "X" => through });
    let two_contents = pdf.text("Page two");
    let two = pdf.doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => root, "Resources" => resources, "Contents" => two_contents,
    });
    let (output, pages) = stamped(&pdf.save_pages(&[one, two]));
    assert_eq!(pages, 2);
    let doc = reload(&output);
    let original = doc.get_object(contents).and_then(Object::as_stream).unwrap();
    assert!(!original.dict.has(b"Subtype"), "stream 4 was made a form in place: {:?}", original.dict);
}
