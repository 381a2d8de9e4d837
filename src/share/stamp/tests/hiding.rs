//! Content, resources and annotations written to hide the stamp.

use super::*;
use lopdf::dictionary;

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
    // Drawn by poppler and by MuPDF, two engines that differ in what they forgive.
    let renderers: [(&str, Draw); 2] =
        [("poppler", |pdf| render_at(pdf, 1, 50, false)), ("MuPDF", |pdf| mupdf_render(pdf, 1, 50, false))];
    for (engine, render) in renderers {
        let (Some((width, height, before)), Some((_, _, after))) = (render(input), render(&output)) else {
            continue;
        };
        let band = (height - 30 * 50 / 72) * width..height * width;
        let ink = band.filter(|&at| before[at].saturating_sub(after[at]) >= 64).count();
        assert!(
            ink > 150,
            "{engine}: the stamp is not drawn ({ink} pixels along the bottom darker than unstamped)"
        );
    }
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
        let layer =
            pdf.doc.add_object(dictionary! { "Type" => "OCG", "Name" => Object::string_literal("hidden") });
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
        dictionary! { "WhitePoint" => vec![0.9505.into(), 1.into(), 1.089.into()], "Gamma" => 0.0001 }.into(),
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
    let output = assert_stamp_shows_on(&hostile_pdf("", |_| [Dictionary::new(), page, Dictionary::new()]));
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
    let (Some((width, height, before)), Some((_, _, after))) = (render(&input, 1), render(&output, 1)) else {
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
