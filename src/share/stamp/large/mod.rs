//! Large streams left on disk, so that stamping a huge PDF takes memory for its structure and
//! pages' content, not for its images, fonts and attachments.
//!
//! lopdf reads a document from one slice of bytes and copies every stream's data out of it. A
//! PDF of scanned pages or with a large attachment would be held twice. Instead:
//!
//! 1. **Scan** ([`scan`]): one pass over the file, front to back through a small buffer, finds
//!    each stream of at least [`LEAST`] bytes whose /Length is a number (or a reference to one)
//!    that ends its data just before `endstream`, and hashes its data and the whole file.
//! 2. **Load**: lopdf is given a buffer as long as the file, filled from it except for those
//!    streams' data. The buffer is allocated zeroed, so the pages never filled are never
//!    given memory. Each of those streams' /Length is overwritten, in the buffer and in place,
//!    with a name (`/~3`), which lopdf reads as a length it cannot resolve: it keeps the stream's
//!    dictionary and reads none of its data.
//! 3. **Check**: every stream left out must be, in what lopdf read, the object its
//!    cross-reference entry points at, with the name in place of its /Length and no data. When
//!    one is not, or lopdf had to repair the file, or an object begins inside data left out, the
//!    file is read whole the ordinary way. lopdf alone decides what the document is; the scan
//!    only decides what it need not see.
//! 4. **Stamp**: a page's content streams left out are read back in, as the stamper decodes them.
//! 5. **Write**: a stream still left out is copied from the file into the output, and its bytes
//!    are checked against the hash of the scan: a file changed during stamping fails.

mod lexer;
mod scan;

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
    let scanned = scan::scan(file, least).map_err(StampError::Read)?;
    if let Some(scanned) = scanned {
        let streams = with_placeholders(scanned.streams);
        if !streams.is_empty() {
            let buffer = sparse_copy(file, scanned.length, &streams).map_err(StampError::Read)?;
            if let Ok(document) = load(&buffer) {
                drop(buffer);
                if let Some(left) = checked(&document, streams) {
                    return Ok(Loaded { document, hash: scanned.hash, input: Input { file, left } });
                }
            }
        }
        let bytes = whole(file).map_err(StampError::Read)?;
        let document = load(&bytes)?;
        return Ok(Loaded { document, hash: scanned.hash, input: Input { file, left: HashMap::new() } });
    }
    let bytes = whole(file).map_err(StampError::Read)?;
    let document = load(&bytes)?;
    let hash = Sha256::new_with_prefix(&bytes);
    Ok(Loaded { document, hash, input: Input { file, left: HashMap::new() } })
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
/// memory), with each one's /Length overwritten by its placeholder.
fn sparse_copy(
    file: &mut (impl Read + Seek),
    length: u64,
    streams: &[(OnDisk, Vec<u8>)],
) -> io::Result<Vec<u8>> {
    let size = usize::try_from(length).map_err(io::Error::other)?;
    let mut buffer = vec![0u8; size];
    let mut fill = |from: u64, to: u64, buffer: &mut [u8]| -> io::Result<()> {
        if to > from {
            file.seek(SeekFrom::Start(from))?;
            file.read_exact(&mut buffer[from as usize..to as usize])?;
        }
        Ok(())
    };
    let mut at = 0;
    for (stream, _) in streams {
        fill(at, stream.data, &mut buffer)?;
        at = stream.data + stream.length;
    }
    fill(at, length, &mut buffer)?;
    for (stream, name) in streams {
        let (start, end) = (stream.length_at.0 as usize, stream.length_at.1 as usize);
        buffer[start] = b'/';
        buffer[start + 1..start + 1 + name.len()].copy_from_slice(name);
        buffer[start + 1 + name.len()..end].fill(b' ');
        // lopdf skips blanks after a stream it cannot read the length of; zeros are blanks,
        // and this ends them at once.
        if stream.length > 0 {
            buffer[stream.data as usize] = b'~';
        }
    }
    Ok(buffer)
}

/// The streams left out, by id, when each is in `document` as its cross-reference entry
/// says, with its placeholder for a /Length and no data; `None` when one is not, when lopdf
/// repaired the file, or when an object starts inside data left out.
fn checked(
    document: &Document,
    streams: Vec<(OnDisk, Vec<u8>)>,
) -> Option<HashMap<ObjectId, (OnDisk, Vec<u8>)>> {
    if document.xref_recovery.is_some() {
        return None;
    }
    let mut regions: Vec<(u64, u64)> = streams.iter().map(|(s, _)| (s.data, s.data + s.length)).collect();
    regions.sort_unstable();
    let inside = |offset: u64| {
        let index = regions.partition_point(|&(start, _)| start <= offset);
        index > 0 && offset < regions[index - 1].1
    };
    for entry in document.reference_table.entries.values() {
        if let XrefEntry::Normal { offset, .. } = entry {
            if inside(u64::from(*offset)) {
                return None;
            }
        }
    }
    if inside(document.xref_start as u64) {
        return None;
    }
    let mut left = HashMap::new();
    for (stream, name) in streams {
        let entry = document.reference_table.get(stream.id.0);
        let points_here = matches!(entry, Some(&XrefEntry::Normal { offset, generation })
            if u64::from(offset) == stream.header && generation == stream.id.1);
        let read_as_left = matches!(document.objects.get(&stream.id), Some(Object::Stream(read))
            if read.content.is_empty() && read.dict.get(b"Length").ok() == Some(&Object::Name(name.clone())));
        if !points_here || !read_as_left {
            return None;
        }
        left.insert(stream.id, (stream, name));
    }
    Some(left)
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
        file.read_exact(&mut chunk[..take]).map_err(StampError::Read)?;
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
