//! The stamped document written out: a new trailer and /ID, only what is reachable, the whole
//! file anew.

use std::collections::HashSet;
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};

use super::text::StampText;

/// The trailer's /ID: the input's first half kept (or, when it has none, one derived from the
/// input), and a second half derived from the input and the stamp, so the same input and stamp
/// always give the same file.
pub(super) fn trailer_id(document: &Document, input: &[u8], text: &StampText) -> Object {
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
pub(super) fn new_trailer(document: &Document, info: ObjectId, trailer_id: Object) -> Dictionary {
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
pub(super) fn drop_unreachable(document: &mut Document) {
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
pub(super) fn write_whole(mut document: Document, out: &mut dyn Write) -> std::io::Result<()> {
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
