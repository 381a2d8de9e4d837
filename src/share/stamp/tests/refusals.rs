//! Refusals.

use super::*;
use lopdf::dictionary;

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
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => count }),
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
    assert_eq!(refusal(&input), "has no pages: there is nothing to stamp, check that this is the right file");
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
