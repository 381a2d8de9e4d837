//! Metadata, determinism, structure.

use super::*;
use std::collections::HashSet;

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
fn a_recipient_in_any_script_is_in_the_info_as_given() {
    // The footer's standard font draws other scripts as `?`; the document's properties show
    // the name as given.
    let name = "\u{682a}\u{5f0f}\u{4f1a}\u{793e}\u{30a2}\u{30af}\u{30e1} (\u{41c}\u{438}\u{440}) <security@acme.example>";
    let (output, _) =
        stamped_with(&pdf_with_pages(&[(A4, "Text")]), &Stamp { recipient: name.to_string(), ..stamp() });
    let info = info(&output);
    assert_eq!(lopdf::decode_text_string(info.get(b"TrustpressRecipient").unwrap()).unwrap(), name);
    if let Some(pages) = page_texts(&output) {
        assert!(pages[0].contains("??????? (???) <security@acme.example>"), "{}", pages[0]);
    }
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
    let table =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/content/documents/soc2-type2-report-2026.pdf"))
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
