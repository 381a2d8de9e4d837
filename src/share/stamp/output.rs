//! The stamped document written out: a new trailer and /ID, only what is reachable, the whole
//! file anew.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufWriter, Read, Seek, Write};

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, Writer};
use sha2::{Digest, Sha256};

use super::large::Input;
use super::text::StampText;
use super::StampError;

/// The trailer's /ID: the input's first half kept (or, when it has none, one derived from the
/// input), and a second half derived from the input and the stamp, so the same input and stamp
/// always give the same file.
pub(super) fn trailer_id(document: &Document, input_hash: Sha256, text: &StampText) -> Object {
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

/// The whole document written anew, every stream's /Length its data's, a stream left on disk
/// copied from `input`; a classic cross-reference table. Object streams and cross-reference
/// streams are not written: their objects were read out of them.
pub(super) fn write_whole<R: Read + Seek>(
    mut document: Document,
    input: &mut Input<'_, R>,
    out: &mut dyn Write,
) -> Result<(), StampError> {
    let mut out = Counting { inner: BufWriter::new(out), written: 0 };
    write_all(&mut document, input, &mut out).map_err(|error| match error {
        Failure::Io(error) => StampError::Write(error),
        Failure::Stamp(error) => error,
    })?;
    out.inner.flush().map_err(StampError::Write)
}

enum Failure {
    Io(std::io::Error),
    Stamp(StampError),
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Io(error)
    }
}

fn write_all<R: Read + Seek>(
    document: &mut Document,
    input: &mut Input<'_, R>,
    out: &mut Counting<'_>,
) -> Result<(), Failure> {
    writeln!(out, "%PDF-{}", document.version)?;
    let mark: &[u8] =
        if !document.binary_mark.is_empty() && document.binary_mark.iter().all(|&byte| byte >= 128) {
            &document.binary_mark
        } else {
            b"\xE2\xE3\xCF\xD3"
        };
    out.write_all(b"%")?;
    out.write_all(mark)?;
    out.write_all(b"\n")?;
    let mut offsets: BTreeMap<u32, (u64, u16)> = BTreeMap::new();
    for (&(number, generation), object) in document.objects.iter_mut() {
        if let Object::Stream(stream) = object {
            if stream.dict.has_type(b"ObjStm") || stream.dict.has_type(b"XRef") {
                continue;
            }
        }
        offsets.insert(number, (out.written, generation));
        writeln!(out, "{number} {generation} obj")?;
        match object {
            Object::Stream(stream) => match input.left_length((number, generation), stream) {
                Some(length) => {
                    let mut dictionary = stream.dict.clone();
                    dictionary.set("Length", i64::try_from(length).unwrap_or(i64::MAX));
                    Writer::write_object(out, &Object::Dictionary(dictionary))?;
                    out.write_all(b"stream\n")?;
                    input.copy_left((number, generation), out).map_err(Failure::Stamp)?;
                    out.write_all(b"\nendstream")?;
                }
                None => {
                    stream.dict.set("Length", i64::try_from(stream.content.len()).unwrap_or(i64::MAX));
                    Writer::write_object(out, &*object)?;
                }
            },
            _ => {
                if Writer::need_separator(object) {
                    out.write_all(b" ")?;
                }
                Writer::write_object(out, object)?;
            }
        }
        if Writer::need_end_separator(object) {
            out.write_all(b" ")?;
        }
        out.write_all(b"\nendobj\n")?;
    }
    let size = offsets.keys().next_back().map_or(1, |&highest| highest + 1);
    let xref_start = out.written;
    write!(out, "xref\n0 {size}\n")?;
    // Free entries form a list: each names the next free number, the last names 0.
    let free: Vec<u32> = (1..size).filter(|number| !offsets.contains_key(number)).collect();
    writeln!(out, "{:010} 65535 f ", free.first().copied().unwrap_or(0))?;
    let mut next_free = free.iter().skip(1);
    for number in 1..size {
        match offsets.get(&number) {
            Some(&(offset, generation)) => writeln!(out, "{offset:010} {generation:05} n ")?,
            None => writeln!(out, "{:010} 00000 f ", next_free.next().copied().unwrap_or(0))?,
        }
    }
    let mut trailer = document.trailer.clone();
    trailer.set("Size", i64::from(size));
    out.write_all(b"trailer\n")?;
    Writer::write_object(out, &Object::Dictionary(trailer))?;
    write!(out, "\nstartxref\n{xref_start}\n%%EOF")?;
    Ok(())
}

/// A writer that counts what it wrote, for the cross-reference table's offsets.
struct Counting<'w> {
    inner: BufWriter<&'w mut dyn Write>,
    written: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
