//! The page's original content as forms: annotations, undecodable and shared streams, the
//! structure tree, marked content.

use super::*;
use crate::share::stamp::nesting::{nesting, Nesting};
use lopdf::dictionary;

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
    let courier =
        pdf.doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier" });
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
    let (tree, document, heading, paragraph) =
        (pdf.doc.new_object_id(), pdf.doc.new_object_id(), pdf.doc.new_object_id(), pdf.doc.new_object_id());
    // An MCID as an integer (the element's page) and as a reference without /Stm.
    pdf.doc.objects.insert(
        heading,
        dictionary! { "Type" => "StructElem", "S" => "H1", "P" => document, "Pg" => page, "K" => 0 }.into(),
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
    let parents = pdf
        .doc
        .add_object(dictionary! { "Nums" => vec![0.into(), vec![heading.into(), paragraph.into()].into()] });
    pdf.doc.objects.insert(
        tree,
        dictionary! { "Type" => "StructTreeRoot", "K" => document, "ParentTree" => parents }.into(),
    );
    let catalog = dictionary! { "MarkInfo" => dictionary! { "Marked" => true }, "StructTreeRoot" => tree };
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
