//! The stamp on the page.

use super::*;
use lopdf::dictionary;

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
    let form_resources = doc.get_dictionary(form.get(b"Resources").unwrap().as_reference().unwrap()).unwrap();
    assert!(form_resources.get(b"Font").unwrap().as_dict().unwrap().has(b"F1"), "the page's own resources");

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
        text.starts_with("Confidential \u{2014} shared under NDA with Globex") && text.ends_with(SHARE_ID)
    );
}

#[test]
fn pages_of_different_sizes_and_origins_are_each_stamped_inside_their_crop_box() {
    let mut pdf = TestPdf::new();
    let root = pdf.root;
    let a4 = pdf.page(root, "Page one A4", dictionary! { "MediaBox" => numbers(A4) });
    let landscape =
        pdf.page(root, "Page two landscape", dictionary! { "MediaBox" => numbers([0.0, 0.0, 792.0, 612.0]) });
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
    let blank =
        pdf.doc.add_object(dictionary! { "Type" => "Page", "Parent" => root, "MediaBox" => numbers(LETTER) });
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
        assert_eq!(info.get(b"Producer").unwrap(), &Object::string_literal("hand-written example"), "kept");
    }
}
