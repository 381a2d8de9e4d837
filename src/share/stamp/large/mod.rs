//! Large streams left on disk, so that stamping a huge PDF takes memory for its structure and
//! pages' content, not for its images, fonts and attachments.
//!
//! lopdf reads a document from one slice of bytes and copies every stream's data out of it. A
//! PDF of scanned pages or with a large attachment would be held twice. Instead:
//!
//! 1. **Scan** ([`scan`]): one pass over the file, front to back through a small buffer, finds
//!    each stream of at least [`LEAST`] bytes whose /Length is a plain number (or a reference
//!    to an object that is one) that ends its data just before `endstream`. It records how it
//!    read the structure (where each `N G obj` starts, where each stream's data ends, which
//!    objects are integers, where the cross-reference sections are) and hashes the whole file,
//!    each candidate stream's data, and the bytes outside them.
//! 2. **Load**: lopdf is given a buffer as long as the file, filled from it except for those
//!    streams' data. The buffer is allocated zeroed, so the pages never filled are never
//!    given memory. Each of those streams' /Length is overwritten, in the buffer and in place,
//!    with a name (`/~3`), which lopdf reads as a length it cannot resolve: it keeps the stream's
//!    dictionary and reads none of its data. Every byte put in the buffer is checked against
//!    the scan's hashes: a file changed since the scan fails ("changed while it was being
//!    stamped").
//! 3. **Check** ([`checked`]): lopdf's reading must be the scan's. Every object lopdf read
//!    starts where the scan read that object's `N G obj`; every stream it holds has data
//!    ending where the scan found it; every stream left out is the object its entry points
//!    at, with the name for a /Length and no data, and a /Length reference points at the
//!    integer the scan used; lopdf's cross-reference sections, and every one the file names,
//!    are ones the scan read, each starting as lopdf's own check reads a section (else lopdf
//!    would look for one nearby); lopdf did not repair the file. What lopdf reads besides
//!    objects is outside data left out ([`reads_around_as_whole`]): the file starts with
//!    `%PDF-` (lopdf counts offsets from the first one), its binary mark comes before the
//!    first data left out, and its last `%%EOF` and `startxref` after the last. An earlier
//!    copy of a stream that an incremental update replaced is not read at all, and not left
//!    out either. When any of these fails, the two readings could differ, and the
//!    file is read whole the ordinary way (checked against the scan's hash too). lopdf alone
//!    decides what the document is; the scan only decides what it need not see. The tests
//!    hold the two ways to the same output, byte for byte, on files written to make them
//!    differ and on random mutations (`tests/attacks.rs`, `tests/large.rs`).
//! 4. **Stamp**: a page's content streams left out are read back in, as the stamper decodes them.
//! 5. **Write**: a stream still left out is copied from the file into the output, and its bytes
//!    are checked against the scan's hash of them.

mod lexer;
mod scan;

use scan::Scanned;

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Seek, SeekFrom, Write};

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectId};
use sha2::{Digest, Sha256};

use super::StampError;

/// Streams of at least this many bytes of data are left on disk.
pub(super) const LEAST: u64 = 1 << 20;
/// How much is copied at a time.
const CHUNK: usize = 64 << 10;

/// A stream whose data lopdf was not given.
#[derive(Debug, Clone)]
pub(super) struct OnDisk {
    pub(super) id: ObjectId,
    /// Where its `N G obj` starts.
    pub(super) header: u64,
    /// Where its /Length value is written.
    pub(super) length_at: (u64, u64),
    /// Where its data starts.
    pub(super) data: u64,
    /// How long its data is.
    pub(super) length: u64,
    /// How many bytes from `data` the digest covers (the data, and for a /Length that is a
    /// reference, the end of line before `endstream`).
    pub(super) covered: u64,
    pub(super) digest: [u8; 32],
    /// The object its /Length refers to, when it is a reference.
    pub(super) reference: Option<ObjectId>,
}

/// The input file and the streams of the loaded document still left in it.
pub(super) struct Input<'r, R> {
    file: &'r mut R,
    left: HashMap<ObjectId, (OnDisk, Vec<u8>)>,
}

/// The document lopdf read, the input's hash, and the input with what was left in it.
pub(super) struct Loaded<'r, R> {
    pub(super) document: Document,
    pub(super) hash: Sha256,
    pub(super) input: Input<'r, R>,
}

/// Reads `file` into a document, leaving streams of at least `least` bytes on disk where that
/// can be checked. `load` is how bytes become a document (and how a failure is reported).
pub(super) fn read<'r, R: Read + Seek>(
    file: &'r mut R,
    least: u64,
    load: impl Fn(&[u8]) -> Result<Document, StampError>,
) -> Result<Loaded<'r, R>, StampError> {
    file.seek(SeekFrom::Start(0)).map_err(StampError::Read)?;
    let Some(mut scanned) = scan::scan(file, least).map_err(StampError::Read)? else {
        let bytes = whole(file).map_err(StampError::Read)?;
        let document = load(&bytes)?;
        let hash = Sha256::new_with_prefix(&bytes);
        return Ok(Loaded { document, hash, input: Input { file, left: HashMap::new() } });
    };
    let mut candidates = std::mem::take(&mut scanned.streams);
    // At most twice: again without the earlier copies of replaced objects, if there were any.
    for _ in 0..2 {
        let streams = with_placeholders(candidates.clone());
        if streams.is_empty() {
            break;
        }
        let Some(buffer) = sparse_copy(file, &scanned, &streams)? else { break };
        let Ok(document) = load(&buffer) else { break };
        match checked(&document, &buffer, &scanned, streams) {
            Checked::Agree(left) => {
                drop(buffer);
                return Ok(Loaded { document, hash: scanned.hash, input: Input { file, left } });
            }
            Checked::Replaced(replaced) => candidates.retain(|stream| !replaced.contains(&stream.data)),
            Checked::Differ => break,
        }
    }
    // Read whole, and as the scan read it.
    let bytes = whole(file).map_err(StampError::Read)?;
    if Sha256::digest(&bytes)[..] != scanned.hash.clone().finalize()[..] {
        return Err(StampError::Changed);
    }
    let document = load(&bytes)?;
    Ok(Loaded { document, hash: scanned.hash, input: Input { file, left: HashMap::new() } })
}

fn whole(file: &mut (impl Read + Seek)) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The name written over stream `index`'s /Length, without its slash.
fn placeholder(index: usize) -> Vec<u8> {
    format!("~{index}").into_bytes()
}

/// The streams whose /Length has room for their placeholder, each with it.
fn with_placeholders(streams: Vec<OnDisk>) -> Vec<(OnDisk, Vec<u8>)> {
    streams
        .into_iter()
        .filter(|stream| stream.length_at.1 > stream.length_at.0)
        .enumerate()
        .map(|(index, stream)| (stream, placeholder(index)))
        .filter(|(stream, name)| (name.len() + 1) as u64 <= stream.length_at.1 - stream.length_at.0)
        .collect()
}

/// The file's bytes, but for the data of `streams` (zeros, never written, so never given
/// memory), with each one's /Length overwritten by its placeholder. Every byte read is
/// checked against the scan ([`StampError::Changed`] when one differs). `None` when lopdf
/// would read the file's second line (its binary mark) from data left out.
fn sparse_copy(
    file: &mut (impl Read + Seek),
    scanned: &Scanned,
    streams: &[(OnDisk, Vec<u8>)],
) -> Result<Option<Vec<u8>>, StampError> {
    let changed = |error: io::Error| match error.kind() {
        io::ErrorKind::UnexpectedEof => StampError::Changed,
        _ => StampError::Read(error),
    };
    let size = usize::try_from(scanned.length).map_err(|error| StampError::Read(io::Error::other(error)))?;
    let left: HashSet<u64> = streams.iter().map(|(stream, _)| stream.data).collect();
    let mut buffer = vec![0u8; size];
    let mut structure = Sha256::new();
    let mut at = 0u64;
    let mut read = |from: u64, to: u64, buffer: &mut [u8]| -> Result<(), StampError> {
        if to > from {
            file.seek(SeekFrom::Start(from)).map_err(StampError::Read)?;
            file.read_exact(&mut buffer[from as usize..to as usize]).map_err(changed)?;
        }
        Ok(())
    };
    for region in &scanned.regions {
        read(at, region.start, &mut buffer)?;
        structure.update(&buffer[at as usize..region.start as usize]);
        if left.contains(&region.start) {
            if region.end > region.start {
                // lopdf skips blanks after a stream whose length it cannot read; zeros are
                // blanks, and this ends them at once.
                buffer[region.start as usize] = b'~';
            }
        } else {
            read(region.start, region.end, &mut buffer)?;
            if Sha256::digest(&buffer[region.start as usize..region.end as usize])[..] != region.digest[..] {
                return Err(StampError::Changed);
            }
        }
        at = region.end;
    }
    read(at, scanned.length, &mut buffer)?;
    structure.update(&buffer[at as usize..]);
    if structure.finalize()[..] != scanned.structure[..] {
        return Err(StampError::Changed);
    }
    if file.seek(SeekFrom::End(0)).map_err(StampError::Read)? != scanned.length {
        return Err(StampError::Changed);
    }
    if !reads_around_as_whole(&buffer, streams, &scanned.seen.named_sections) {
        return Ok(None);
    }
    for (stream, name) in streams {
        let (start, end) = (stream.length_at.0 as usize, stream.length_at.1 as usize);
        buffer[start] = b'/';
        buffer[start + 1..start + 1 + name.len()].copy_from_slice(name);
        buffer[start + 1 + name.len()..end].fill(b' ');
    }
    Ok(Some(buffer))
}

/// Whether what lopdf reads of a file besides its objects is the same in `buffer` as in the
/// whole file: its header (lopdf takes the file from the first `%PDF-`, here required at the
/// start, as the scan's offsets are from there) and the binary mark on the line after it,
/// before the first data left out; the last `%%EOF` and the `startxref` before it, after the
/// last; and no cross-reference offset the file names that lopdf would correct (it looks for
/// `xref` within 64 bytes when an offset does not start a section by its own stricter reading,
/// and there data left out would read otherwise).
fn reads_around_as_whole(buffer: &[u8], streams: &[(OnDisk, Vec<u8>)], sections: &[u64]) -> bool {
    let first = streams.iter().map(|(stream, _)| stream.data as usize).min().unwrap_or(buffer.len());
    let last = streams.iter().map(|(stream, _)| (stream.data + stream.covered) as usize).max().unwrap_or(0);
    let header = buffer.starts_with(b"%PDF-");
    let mark = buffer[..first].iter().filter(|&&byte| byte == b'\n').count() >= 2;
    // lopdf's `get_xref_start`: the end is after the last byte that is not blank (data left
    // out is zeros here, and a NUL is blank); the last `%%EOF` in the 1,024 bytes before it,
    // and `startxref` in the 25 bytes before that. Data left out after that `%%EOF`'s
    // `startxref` could hold a later one in the whole file.
    let end = buffer.iter().rposition(|byte| !b" \t\n\r\0\x0C".contains(byte)).map_or(0, |at| at + 1);
    let from = end.saturating_sub(1024);
    let eof = buffer[from..end].windows(5).rposition(|window| window == b"%%EOF").map(|at| from + at);
    let tail = eof.is_some_and(|eof| last + 25 <= eof);
    let exact = sections.iter().all(|&at| {
        usize::try_from(at).ok().and_then(|at| buffer.get(at..)).is_some_and(starts_section_as_lopdf_checks)
    });
    header && mark && tail && exact
}

/// Whether `bytes` start a cross-reference section as lopdf's check before correcting an
/// offset reads them: `xref`, or `N G obj` with 1–10 and 1–5 digits and only spaces, tabs
/// and line ends between.
fn starts_section_as_lopdf_checks(bytes: &[u8]) -> bool {
    fn digits(bytes: &[u8], most: usize) -> Option<&[u8]> {
        let count = bytes.iter().take_while(|byte| byte.is_ascii_digit()).count();
        (1..=most).contains(&count).then(|| &bytes[count..])
    }
    fn blanks(bytes: &[u8]) -> Option<&[u8]> {
        let count = bytes.iter().take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n')).count();
        (count > 0).then(|| &bytes[count..])
    }
    if bytes.starts_with(b"xref") {
        return true;
    }
    let header = digits(bytes, 10)
        .and_then(blanks)
        .and_then(|rest| digits(rest, 5))
        .and_then(blanks)
        .and_then(|rest| rest.strip_prefix(b"obj"));
    header.is_some_and(|rest| rest.first().is_none_or(|byte| !byte.is_ascii_alphanumeric()))
}

/// What [`checked`] made of lopdf's reading.
enum Checked {
    /// The two readings agree: the streams left out, by id.
    Agree(HashMap<ObjectId, (OnDisk, Vec<u8>)>),
    /// They would agree, but these streams left out (by where their data starts) are earlier
    /// copies of objects an incremental update replaced: lopdf did not read them, and their
    /// zeros could still reach a length recovery nearby. Read again with their bytes.
    Replaced(HashSet<u64>),
    /// They could differ: read the file whole.
    Differ,
}

/// Whether lopdf read the file as the scan did, so that reading it whole would give the same
/// document; they could differ when:
/// - lopdf repaired the file, or the file names a cross-reference section the scan could not
///   read the offset of, or lopdf would have corrected an offset it used;
/// - an object the cross-reference table lists as in the file was not loaded, or does not
///   start where the scan read that object's `N G obj`;
/// - an object the table lists as compressed is in a stream left out;
/// - a stream lopdf holds has data the scan did not find where it ends, or not as long as the
///   /Length the scan read says, resolved through lopdf's table (lopdf recovered the length,
///   or could not resolve it);
/// - a stream left out is not, in what lopdf read, the object its entry points at with its
///   placeholder for a /Length and no data; or its /Length was a reference to an object that
///   is not, where its entry points, the integer the scan used;
/// - a cross-reference section lopdf read, or one the file names, is not one the scan read;
/// - the catalog has no page tree by lopdf's test (lopdf then reads the file again, scanning
///   it all, data left out included).
fn checked(
    document: &Document,
    buffer: &[u8],
    scanned: &Scanned,
    streams: Vec<(OnDisk, Vec<u8>)>,
) -> Checked {
    let seen = &scanned.seen;
    let xref_start = document.xref_start as u64;
    if document.xref_recovery.is_some()
        || seen.unreadable_section
        || !seen.sections.contains(&xref_start)
        || !buffer.get(document.xref_start..).is_some_and(starts_section_as_lopdf_checks)
        || seen.named_sections.iter().any(|at| !seen.sections.contains(at))
        || !page_tree_loaded(document)
    {
        return Checked::Differ;
    }
    let entry_at = |id: ObjectId| match document.reference_table.get(id.0) {
        Some(&XrefEntry::Normal { offset, generation }) if generation == id.1 => Some(u64::from(offset)),
        _ => None,
    };
    let left_ids: HashSet<ObjectId> = streams.iter().map(|(stream, _)| stream.id).collect();
    let left_numbers: HashSet<u32> = left_ids.iter().map(|id| id.0).collect();
    for (&number, entry) in &document.reference_table.entries {
        let (offset, generation) = match *entry {
            XrefEntry::Normal { offset, generation } => (u64::from(offset), generation),
            XrefEntry::Compressed { container, .. } if left_numbers.contains(&container) => {
                return Checked::Differ
            }
            _ => continue,
        };
        if seen.headers.get(&offset) != Some(&(number, generation)) {
            return Checked::Differ;
        }
        match document.objects.get(&(number, generation)) {
            None => return Checked::Differ,
            Some(Object::Stream(stream)) if !left_ids.contains(&(number, generation)) => {
                let length = stream.content.len() as u64;
                let read_as_seen = seen.streams.get(&offset).is_some_and(|end| end.allows(length));
                // lopdf sets a stream's /Length to its data's when it reads it, so what it read
                // is held to the /Length the scan saw, resolved through lopdf's table.
                let declared = match seen.lengths.get(&offset) {
                    Some(&scan::Length::Direct(declared)) => Some(declared),
                    Some(&scan::Length::Indirect(reference)) => entry_at(reference)
                        .and_then(|at| seen.integers.get(&at))
                        .filter(|(id, _)| *id == reference)
                        .map(|&(_, value)| value),
                    None => None,
                };
                if !read_as_seen || declared != i64::try_from(length).ok() {
                    return Checked::Differ;
                }
            }
            Some(_) => {}
        }
    }
    let mut left = HashMap::new();
    let mut replaced = HashSet::new();
    for (stream, name) in streams {
        let points_here = entry_at(stream.id) == Some(stream.header);
        let read_as_left = matches!(document.objects.get(&stream.id), Some(Object::Stream(read))
            if read.content.is_empty() && read.dict.get(b"Length").ok() == Some(&Object::Name(name.clone())));
        if !points_here && !read_as_left {
            replaced.insert(stream.data);
            continue;
        }
        let length_as_used = match stream.reference {
            None => true,
            Some(reference) => entry_at(reference)
                .and_then(|at| seen.integers.get(&at))
                .is_some_and(|&(id, value)| id == reference && u64::try_from(value) == Ok(stream.length)),
        };
        if !points_here || !read_as_left || !length_as_used {
            return Checked::Differ;
        }
        left.insert(stream.id, (stream, name));
    }
    if replaced.is_empty() {
        Checked::Agree(left)
    } else {
        Checked::Replaced(replaced)
    }
}

/// lopdf's own test of whether a loaded document has its page tree (`Reader::page_tree_loaded`):
/// when it fails, lopdf reads the file again, scanning all of it.
fn page_tree_loaded(document: &Document) -> bool {
    document
        .catalog()
        .and_then(|catalog| catalog.get(b"Pages"))
        .and_then(Object::as_reference)
        .and_then(|root| document.get_dictionary(root))
        .and_then(|root| root.get_deref(b"Kids", document))
        .and_then(Object::as_array)
        .is_ok()
}

impl<R: Read + Seek> Input<'_, R> {
    /// Reads the data of each of `ids` still left on disk into the document.
    pub(super) fn bring_back(
        &mut self,
        document: &mut Document,
        ids: &HashSet<ObjectId>,
    ) -> Result<(), StampError> {
        for id in ids {
            let Some((stream, _)) = self.left.remove(id) else { continue };
            let mut data = Vec::new();
            copy(self.file, &stream, &mut data)?;
            if let Some(Object::Stream(read)) = document.objects.get_mut(id) {
                read.dict.set("Length", i64::try_from(stream.length).unwrap_or(i64::MAX));
                read.set_content(data);
            }
        }
        Ok(())
    }

    /// The data of `stream` (object `id`) when it is still left on disk: its length.
    pub(super) fn left_length(&self, id: ObjectId, stream: &lopdf::Stream) -> Option<u64> {
        let (left, name) = self.left.get(&id)?;
        (stream.content.is_empty() && stream.dict.get(b"Length").ok() == Some(&Object::Name(name.clone())))
            .then_some(left.length)
    }

    /// How many streams are still left on disk.
    #[cfg(test)]
    pub(super) fn left_on_disk(&self) -> usize {
        self.left.len()
    }

    /// Copies the data of stream `id`, left on disk, to `out`.
    pub(super) fn copy_left(&mut self, id: ObjectId, out: &mut dyn Write) -> Result<(), StampError> {
        let Some((stream, _)) = self.left.get(&id) else { return Ok(()) };
        copy(self.file, stream, out)
    }
}

/// Copies `stream`'s data from `file` to `out`, checking it against the scan's digest.
fn copy(file: &mut (impl Read + Seek), stream: &OnDisk, out: &mut dyn Write) -> Result<(), StampError> {
    file.seek(SeekFrom::Start(stream.data)).map_err(StampError::Read)?;
    let mut digest = Sha256::new();
    let mut chunk = vec![0u8; CHUNK];
    let mut left = stream.covered;
    let mut to_write = stream.length;
    while left > 0 {
        let take = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        file.read_exact(&mut chunk[..take]).map_err(|error| match error.kind() {
            io::ErrorKind::UnexpectedEof => StampError::Changed,
            _ => StampError::Read(error),
        })?;
        digest.update(&chunk[..take]);
        let write = usize::try_from(to_write.min(take as u64)).unwrap_or(take);
        out.write_all(&chunk[..write]).map_err(StampError::Write)?;
        to_write -= write as u64;
        left -= take as u64;
    }
    if digest.finalize()[..] != stream.digest[..] {
        return Err(StampError::Changed);
    }
    Ok(())
}
