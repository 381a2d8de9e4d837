//! The scan: one pass over the input that finds the streams large enough to leave on disk,
//! records how it read the file's structure, and hashes the input on the way.
//!
//! It reads objects the simple way (`N G obj`, a dictionary, `stream`), and only proposes what
//! lopdf need not see; lopdf still reads the document. What it records of the structure
//! (where each object starts, where each stream's data ends, which objects are integers,
//! where the cross-reference sections are) is what [`super::checked`] holds lopdf's reading
//! against: when the two could differ, the file is read whole.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};

use lopdf::ObjectId;
use sha2::{Digest, Sha256};

use super::lexer::{Lexer, Located, Tail, Token};
use super::OnDisk;

/// How deep arrays and dictionaries may nest before the scan gives up on the file.
const DEPTH_LIMIT: usize = 64;

/// What the scan found.
pub(super) struct Scanned {
    /// The streams that may be left on disk, in input order.
    pub(super) streams: Vec<OnDisk>,
    /// Every stretch of data hashed apart from the structure (each candidate's data, kept or
    /// not), in input order.
    pub(super) regions: Vec<Region>,
    /// The whole input's hash.
    pub(super) hash: Sha256,
    /// The hash of every byte outside `regions`, in order.
    pub(super) structure: [u8; 32],
    /// The input's length.
    pub(super) length: u64,
    /// How the scan read the structure.
    pub(super) seen: Seen,
}

/// A stretch of the input and the hash of its bytes.
#[derive(Debug, Clone)]
pub(super) struct Region {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) digest: [u8; 32],
}

/// How the scan read the file's structure.
#[derive(Default)]
pub(super) struct Seen {
    /// Where each `N G obj` it read as an object starts, and the object's id.
    pub(super) headers: HashMap<u64, ObjectId>,
    /// The objects that are an integer (`N G obj 123 endobj`), by where they start.
    pub(super) integers: HashMap<u64, (ObjectId, i64)>,
    /// Where each stream's data ends, by where its object starts.
    pub(super) streams: HashMap<u64, DataEnd>,
    /// Each stream's /Length as written, by where its object starts (none when it is neither a
    /// plain number nor a reference).
    pub(super) lengths: HashMap<u64, Length>,
    /// Where cross-reference sections start: an `xref` keyword, or a cross-reference stream's
    /// object.
    pub(super) sections: HashSet<u64>,
    /// Where the file says cross-reference sections are: after `startxref`, and a trailer's
    /// or a cross-reference stream's /Prev and /XRefStm (signed integers included, as lopdf
    /// reads `+12` as 12).
    pub(super) named_sections: Vec<u64>,
    /// A `startxref`, /Prev or /XRefStm whose value the scan could not read as an offset:
    /// lopdf may read it some way, so no stream is left out.
    pub(super) unreadable_section: bool,
}

/// Where a stream's data ends, as the scan read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DataEnd {
    /// Exactly this many bytes, as its /Length says, followed by `endstream`.
    Exact { length: u64 },
    /// Somewhere before the `endstream` at this offset: an end of line before it may belong
    /// to the data or not.
    Before { data: u64, endstream: u64, tail: Tail },
    /// Its `endstream` was never found.
    Unknown,
}

impl DataEnd {
    /// Whether data of `length` bytes is one this reading allows.
    pub(super) fn allows(self, length: u64) -> bool {
        match self {
            DataEnd::Exact { length: expected } => length == expected,
            DataEnd::Before { data, endstream, tail } => ends_before(data, length, endstream, tail),
            DataEnd::Unknown => false,
        }
    }
}

/// Whether data of `length` bytes from `data` ends just before `endstream`, or before the end
/// of line (`tail`'s last bytes) before it.
pub(super) fn ends_before(data: u64, length: u64, endstream: u64, tail: Tail) -> bool {
    let Some(before) = data.checked_add(length).and_then(|end| endstream.checked_sub(end)) else {
        return false;
    };
    match before {
        0 => true,
        1 => matches!(tail[1], Some(b'\n' | b'\r')),
        2 => tail == [Some(b'\r'), Some(b'\n')],
        _ => false,
    }
}

/// A stream's /Length as the scan saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Length {
    Direct(i64),
    Indirect(ObjectId),
}

/// What the scan keeps of a stream's dictionary.
#[derive(Default)]
struct StreamDictionary {
    /// The /Length value and where it is written.
    length: Option<(Length, u64, u64)>,
    /// More than one /Length key, or something that is not a key where one should be.
    doubtful: bool,
    /// The /Type name.
    kind: Option<Vec<u8>>,
    /// The /Prev and /XRefStm offsets.
    named_sections: Vec<u64>,
    /// A /Prev or /XRefStm that is not an integer.
    unreadable_section: bool,
}

/// A stream whose /Length is a reference: its data runs to the `endstream` found.
struct Unresolved {
    id: ObjectId,
    header: u64,
    length_at: (u64, u64),
    reference: ObjectId,
    data: u64,
    endstream: u64,
    tail: Tail,
    digest: [u8; 32],
}

/// The parts of a value the scan keeps.
enum Value {
    Integer(i64),
    /// A signed integer (`+12`): never a length or an object number, but lopdf reads it as an
    /// integer where it looks for an offset.
    Signed(i64),
    Reference(ObjectId),
    Name(Vec<u8>),
    Dictionary(StreamDictionary),
    Other,
}

/// The scan stopped: the file is read the ordinary way.
struct GiveUp;

impl From<io::Error> for GiveUp {
    fn from(_: io::Error) -> Self {
        GiveUp
    }
}

/// Scans `input` for streams of at least `least` bytes; `None` when the scan gave up (the
/// caller reads the file whole instead). An error only when the input could not be read.
pub(super) fn scan(input: &mut dyn Read, least: u64) -> io::Result<Option<Scanned>> {
    let mut lexer = Lexer::new(input);
    let mut scanner = Scanner { least, ..Scanner::default() };
    let outcome = scanner.objects(&mut lexer);
    let totals = lexer.finish()?;
    if outcome.is_err() {
        return Ok(None);
    }
    let mut integers: HashMap<ObjectId, Option<i64>> = HashMap::new();
    for &(id, value) in scanner.seen.integers.values() {
        let entry = integers.entry(id).or_insert(Some(value));
        if *entry != Some(value) {
            *entry = None;
        }
    }
    let mut streams = scanner.direct;
    streams.extend(scanner.unresolved.iter().filter_map(|stream| resolve(stream, &integers)));
    // No cross-reference section may start in data left out, and no cross-reference stream
    // is left out.
    let named = &scanner.seen.named_sections;
    streams.retain(|stream| {
        stream.length >= least
            && !named.contains(&stream.header)
            && !named.iter().any(|&at| at >= stream.data && at - stream.data < stream.covered)
    });
    streams.sort_by_key(|stream| stream.data);
    scanner.regions.sort_by_key(|region| region.start);
    Ok(Some(Scanned {
        streams,
        regions: scanner.regions,
        hash: totals.hash,
        structure: totals.structure.finalize().into(),
        length: totals.length,
        seen: scanner.seen,
    }))
}

#[derive(Default)]
struct Scanner {
    least: u64,
    direct: Vec<OnDisk>,
    unresolved: Vec<Unresolved>,
    regions: Vec<Region>,
    seen: Seen,
}

impl Scanner {
    /// Reads the input object by object.
    fn objects(&mut self, lexer: &mut Lexer) -> Result<(), GiveUp> {
        // The two tokens before the current one: `N G` before `obj`.
        let mut before: [Option<Located>; 2] = [None, None];
        loop {
            let token = lexer.next()?;
            match token.token {
                Token::End => return Ok(()),
                Token::Keyword(ref word) if word == b"startxref" => {
                    let next = lexer.next()?;
                    match next.token {
                        Token::Integer(offset) | Token::Number(Some(offset)) => match u64::try_from(offset) {
                            Ok(offset) => self.seen.named_sections.push(offset),
                            Err(_) => self.seen.unreadable_section = true,
                        },
                        _ => self.seen.unreadable_section = true,
                    }
                    lexer.give_back(next);
                    before = [None, None];
                }
                Token::Keyword(ref word) if word == b"xref" => {
                    self.seen.sections.insert(token.start);
                    before = [None, None];
                }
                Token::Keyword(ref word) if word == b"trailer" => {
                    if let (Value::Dictionary(mut dictionary), ..) = value(lexer, 0)? {
                        self.seen.named_sections.append(&mut dictionary.named_sections);
                        self.seen.unreadable_section |= dictionary.unreadable_section;
                    }
                    before = [None, None];
                }
                Token::Keyword(ref word) if word == b"obj" => {
                    if let [Some(number), Some(generation)] = &before {
                        if let (Token::Integer(number), Token::Integer(generation)) =
                            (&number.token, &generation.token)
                        {
                            let header = before[0].as_ref().map_or(0, |token| token.start);
                            if let (Ok(number), Ok(generation)) =
                                (u32::try_from(*number), u16::try_from(*generation))
                            {
                                self.object(lexer, (number, generation), header)?;
                            }
                        }
                    }
                    before = [None, None];
                }
                _ => before = [before[1].take(), Some(token)],
            }
        }
    }

    /// The body of object `id`, whose `N G obj` starts at `header`.
    fn object(&mut self, lexer: &mut Lexer, id: ObjectId, header: u64) -> Result<(), GiveUp> {
        self.seen.headers.insert(header, id);
        match value(lexer, 0)?.0 {
            Value::Dictionary(mut dictionary) => {
                self.seen.named_sections.append(&mut dictionary.named_sections);
                self.seen.unreadable_section |= dictionary.unreadable_section;
                if dictionary.kind.as_deref() == Some(b"XRef") {
                    self.seen.sections.insert(header);
                }
                let next = lexer.next()?;
                if next.token == Token::Keyword(b"stream".to_vec()) {
                    // The data's offset is read from the lexer, which must not hold tokens read
                    // ahead (a damaged dictionary).
                    if lexer.holds_tokens() {
                        return Err(GiveUp);
                    }
                    self.stream(lexer, id, header, dictionary)?;
                } else {
                    lexer.give_back(next);
                }
            }
            Value::Integer(integer) => {
                let next = lexer.next()?;
                if next.token == Token::Keyword(b"endobj".to_vec()) {
                    self.seen.integers.insert(header, (id, integer));
                } else {
                    lexer.give_back(next);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A stream's data, after its `stream` keyword: skipped, noted when it may stay on disk,
    /// and where it ends recorded.
    fn stream(
        &mut self,
        lexer: &mut Lexer,
        id: ObjectId,
        header: u64,
        dictionary: StreamDictionary,
    ) -> Result<(), GiveUp> {
        // The data starts after the keyword's end of line: CR LF or LF (a lone CR is ambiguous).
        let standard_end_of_line = match lexer.peek()? {
            Some(b'\n') => {
                lexer.bump();
                true
            }
            Some(b'\r') => {
                lexer.bump();
                if lexer.peek()? == Some(b'\n') {
                    lexer.bump();
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        let data = lexer.position();
        if let Some((length, ..)) = dictionary.length {
            if !dictionary.doubtful {
                self.seen.lengths.insert(header, length);
            }
        }
        let kind_allows = !matches!(dictionary.kind.as_deref(), Some(b"ObjStm" | b"XRef"));
        let eligible = standard_end_of_line && kind_allows && !dictionary.doubtful;
        let end = match dictionary.length {
            Some((Length::Direct(length), start, end)) if length >= 0 => {
                let length = length as u64;
                let wanted = eligible && length >= self.least;
                let mut digest = wanted.then(Sha256::new);
                let skipped = lexer.skip(length, digest.as_mut())?;
                if let Some(digest) = digest.take() {
                    self.regions.push(Region {
                        start: data,
                        end: data + skipped,
                        digest: digest.finalize().into(),
                    });
                }
                if skipped < length {
                    self.seen.streams.insert(header, DataEnd::Unknown);
                    return Ok(());
                }
                // `endstream` may follow an end of line.
                if lexer.peek()? == Some(b'\r') {
                    lexer.bump();
                }
                if lexer.peek()? == Some(b'\n') {
                    lexer.bump();
                }
                if lexer.eat(b"endstream")? {
                    if wanted {
                        let digest = self.regions.last().map(|region| region.digest).unwrap_or_default();
                        self.direct.push(OnDisk {
                            id,
                            header,
                            length_at: (start, end),
                            data,
                            length,
                            covered: length,
                            digest,
                            reference: None,
                        });
                    }
                    DataEnd::Exact { length }
                } else {
                    // Not where its /Length says: lopdf recovers such a length its own way.
                    match lexer.find_endstream(None)? {
                        Some((endstream, tail)) => DataEnd::Before { data, endstream, tail },
                        None => DataEnd::Unknown,
                    }
                }
            }
            Some((Length::Indirect(reference), start, end)) if eligible => {
                let mut digest = Sha256::new();
                let found = lexer.find_endstream(Some(&mut digest))?;
                let digest: [u8; 32] = digest.finalize().into();
                match found {
                    Some((endstream, tail)) => {
                        self.regions.push(Region { start: data, end: endstream, digest });
                        self.unresolved.push(Unresolved {
                            id,
                            header,
                            length_at: (start, end),
                            reference,
                            data,
                            endstream,
                            tail,
                            digest,
                        });
                        DataEnd::Before { data, endstream, tail }
                    }
                    None => {
                        self.regions.push(Region { start: data, end: lexer.position(), digest });
                        DataEnd::Unknown
                    }
                }
            }
            _ => match lexer.find_endstream(None)? {
                Some((endstream, tail)) => DataEnd::Before { data, endstream, tail },
                None => DataEnd::Unknown,
            },
        };
        self.seen.streams.insert(header, end);
        Ok(())
    }
}

/// A stream whose /Length is a reference, once the reference is known: on disk when the
/// referenced integer ends the data just before `endstream` (or an end of line before it).
fn resolve(stream: &Unresolved, integers: &HashMap<ObjectId, Option<i64>>) -> Option<OnDisk> {
    let length = u64::try_from((*integers.get(&stream.reference)?)?).ok()?;
    ends_before(stream.data, length, stream.endstream, stream.tail).then(|| OnDisk {
        id: stream.id,
        header: stream.header,
        length_at: stream.length_at,
        data: stream.data,
        length,
        covered: stream.endstream - stream.data,
        digest: stream.digest,
        reference: Some(stream.reference),
    })
}

/// One value and where it is written; in a dictionary at `depth` 0 (an object's own), the
/// entries the scan keeps.
fn value(lexer: &mut Lexer, depth: usize) -> Result<(Value, u64, u64), GiveUp> {
    if depth > DEPTH_LIMIT {
        return Err(GiveUp);
    }
    let token = lexer.next()?;
    let (start, end) = (token.start, token.end);
    Ok(match token.token {
        Token::DictionaryOpen => {
            let mut dictionary = StreamDictionary::default();
            loop {
                let key = lexer.next()?;
                match key.token {
                    Token::DictionaryClose => break,
                    Token::End => return Err(GiveUp),
                    Token::Name(name) => {
                        let (entry, start, end) = value(lexer, depth + 1)?;
                        if depth > 0 {
                            continue;
                        }
                        match (name.as_slice(), entry) {
                            (b"Length", entry) => {
                                if dictionary.length.is_some() {
                                    dictionary.doubtful = true;
                                }
                                let length = match entry {
                                    Value::Integer(length) => Some(Length::Direct(length)),
                                    Value::Reference(id) => Some(Length::Indirect(id)),
                                    _ => None,
                                };
                                dictionary.length = length.map(|length| (length, start, end));
                            }
                            (b"Type", Value::Name(kind)) => dictionary.kind = Some(kind),
                            (b"Prev" | b"XRefStm", Value::Integer(offset) | Value::Signed(offset)) => {
                                match u64::try_from(offset) {
                                    Ok(offset) => dictionary.named_sections.push(offset),
                                    Err(_) => dictionary.unreadable_section = true,
                                }
                            }
                            (b"Prev" | b"XRefStm", _) => dictionary.unreadable_section = true,
                            _ => {}
                        }
                    }
                    // Not a key: a damaged dictionary, which lopdf may read otherwise.
                    _ => dictionary.doubtful = true,
                }
            }
            (Value::Dictionary(dictionary), start, lexer.position())
        }
        Token::ArrayOpen => {
            loop {
                let item = lexer.next()?;
                match item.token {
                    Token::ArrayClose => break,
                    Token::End => return Err(GiveUp),
                    _ => {
                        lexer.give_back(item);
                        value(lexer, depth + 1)?;
                    }
                }
            }
            (Value::Other, start, lexer.position())
        }
        Token::Integer(number) => {
            let second = lexer.next()?;
            if let Token::Integer(generation) = second.token {
                let third = lexer.next()?;
                if third.token == Token::Keyword(b"R".to_vec()) {
                    if let (Ok(number), Ok(generation)) = (u32::try_from(number), u16::try_from(generation)) {
                        return Ok((Value::Reference((number, generation)), start, third.end));
                    }
                    return Ok((Value::Other, start, third.end));
                }
                lexer.give_back(third);
            }
            lexer.give_back(second);
            (Value::Integer(number), start, end)
        }
        Token::Name(name) => (Value::Name(name), start, end),
        Token::Number(Some(number)) => (Value::Signed(number), start, end),
        _ => (Value::Other, start, end),
    })
}
