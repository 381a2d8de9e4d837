//! The scan: one pass over the input that finds the streams large enough to leave on disk, and
//! hashes the input on the way.
//!
//! It reads objects the simple way (`N G obj`, a dictionary, `stream`), and only decides what
//! lopdf need not see; lopdf still reads the document. Whatever it is unsure of (a /Length it
//! cannot resolve, data not followed by `endstream`, a dictionary with two /Length keys, an
//! object stream) stays in memory, and [`super::load`] checks every stream it left out
//! against what lopdf read.

use std::collections::HashMap;
use std::io::{self, Read};

use lopdf::ObjectId;
use sha2::{Digest, Sha256};

use super::lexer::{Lexer, Located, Tail, Token};
use super::OnDisk;

/// How deep arrays and dictionaries may nest before the scan gives up on the file.
const DEPTH_LIMIT: usize = 64;

/// What the scan found.
pub(in super::super) struct Scanned {
    /// The streams to leave on disk, in input order.
    pub(super) streams: Vec<OnDisk>,
    /// The whole input's hash.
    pub(in super::super) hash: Sha256,
    /// The input's length.
    pub(super) length: u64,
}

/// A stream's /Length as the scan saw it.
#[derive(Debug, Clone, Copy)]
enum Length {
    Direct(i64),
    Indirect(ObjectId),
}

/// What the scan keeps of a stream's dictionary.
#[derive(Default)]
struct StreamDictionary {
    /// The /Length value and where it is written.
    length: Option<(Length, u64, u64)>,
    /// More than one /Length key.
    repeated_length: bool,
    /// The /Type name.
    kind: Option<Vec<u8>>,
    /// The /Prev and /XRefStm offsets.
    cross_references: Vec<u64>,
}

/// A stream whose /Length is a reference: its data runs to the `endstream` found.
struct Unresolved {
    id: ObjectId,
    header: u64,
    length_at: (u64, u64),
    reference: ObjectId,
    data: u64,
    endstream: u64,
    /// The (up to) two bytes before `endstream`.
    tail: Tail,
    digest: [u8; 32],
}

/// The parts of a value the scan keeps.
enum Value {
    Integer(i64),
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

/// Scans `input` for streams of at least `least` bytes; `None` when the input could not be
/// read through or the scan gave up (the caller reads the file whole instead).
pub(in super::super) fn scan(input: &mut dyn Read, least: u64) -> io::Result<Option<Scanned>> {
    let mut lexer = Lexer::new(input);
    let mut scanner = Scanner {
        least,
        direct: Vec::new(),
        unresolved: Vec::new(),
        integers: HashMap::new(),
        cross_references: Vec::new(),
    };
    let outcome = scanner.objects(&mut lexer);
    let (hash, length) = lexer.finish()?;
    if outcome.is_err() {
        return Ok(None);
    }
    let mut streams = scanner.direct;
    streams.extend(scanner.unresolved.iter().filter_map(|stream| resolve(stream, &scanner.integers)));
    // A cross-reference section (or stream) must be read by lopdf where it is: none may start
    // in data left out, and no cross-reference stream is left out.
    let references = &scanner.cross_references;
    streams.retain(|stream| {
        stream.length >= least
            && !references.contains(&stream.header)
            && !references.iter().any(|&at| at >= stream.data && at - stream.data < stream.covered)
    });
    streams.sort_by_key(|stream| stream.data);
    Ok(Some(Scanned { streams, hash, length }))
}

struct Scanner {
    least: u64,
    direct: Vec<OnDisk>,
    unresolved: Vec<Unresolved>,
    /// Objects that are an integer (a stream's /Length kept apart), by id; `None` for an id
    /// defined twice with different values.
    integers: HashMap<ObjectId, Option<i64>>,
    /// Where cross-reference sections are said to be: after `startxref`, and a trailer's or
    /// a cross-reference stream's /Prev and /XRefStm.
    cross_references: Vec<u64>,
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
                    if let Token::Integer(offset) = next.token {
                        self.cross_references.extend(u64::try_from(offset).ok());
                    }
                    lexer.give_back(next);
                    before = [None, None];
                }
                Token::Keyword(ref word) if word == b"trailer" => {
                    if let (Value::Dictionary(dictionary), ..) = value(lexer, 0)? {
                        self.cross_references.extend(dictionary.cross_references);
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
        match value(lexer, 0)?.0 {
            Value::Dictionary(mut dictionary) => {
                self.cross_references.append(&mut dictionary.cross_references);
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
                    let entry = self.integers.entry(id).or_insert(Some(integer));
                    if *entry != Some(integer) {
                        *entry = None;
                    }
                } else {
                    lexer.give_back(next);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A stream's data, after its `stream` keyword: skipped, and noted when it may stay on disk.
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
        let kind_allows = !matches!(dictionary.kind.as_deref(), Some(b"ObjStm" | b"XRef"));
        let eligible = standard_end_of_line && kind_allows && !dictionary.repeated_length;
        match dictionary.length {
            Some((Length::Direct(length), start, end)) if length >= 0 => {
                let length = length as u64;
                let wanted = eligible && length >= self.least;
                let mut digest = wanted.then(Sha256::new);
                if lexer.skip(length, digest.as_mut())? < length {
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
                    if let Some(digest) = digest {
                        self.direct.push(OnDisk {
                            id,
                            header,
                            length_at: (start, end),
                            data,
                            length,
                            covered: length,
                            digest: digest.finalize().into(),
                        });
                    }
                } else {
                    // Not where its /Length says: lopdf recovers such a length its own way.
                    lexer.find_endstream(None)?;
                }
            }
            Some((Length::Indirect(reference), start, end)) if eligible => {
                let mut digest = Sha256::new();
                if let Some((endstream, tail)) = lexer.find_endstream(Some(&mut digest))? {
                    self.unresolved.push(Unresolved {
                        id,
                        header,
                        length_at: (start, end),
                        reference,
                        data,
                        endstream,
                        tail,
                        digest: digest.finalize().into(),
                    });
                }
            }
            _ => {
                lexer.find_endstream(None)?;
            }
        }
        Ok(())
    }
}

/// A stream whose /Length is a reference, once the reference is known: on disk when the
/// referenced integer ends the data just before `endstream` (or an end of line before it).
fn resolve(stream: &Unresolved, integers: &HashMap<ObjectId, Option<i64>>) -> Option<OnDisk> {
    let length = u64::try_from((*integers.get(&stream.reference)?)?).ok()?;
    let before = stream.endstream.checked_sub(stream.data.checked_add(length)?)?;
    let ends_well = match before {
        0 => true,
        1 => matches!(stream.tail[1], Some(b'\n' | b'\r')),
        2 => stream.tail == [Some(b'\r'), Some(b'\n')],
        _ => false,
    };
    ends_well.then(|| OnDisk {
        id: stream.id,
        header: stream.header,
        length_at: stream.length_at,
        data: stream.data,
        length,
        covered: stream.endstream - stream.data,
        digest: stream.digest,
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
                                    dictionary.repeated_length = true;
                                }
                                let length = match entry {
                                    Value::Integer(length) => Some(Length::Direct(length)),
                                    Value::Reference(id) => Some(Length::Indirect(id)),
                                    _ => None,
                                };
                                dictionary.length = length.map(|length| (length, start, end));
                            }
                            (b"Type", Value::Name(kind)) => dictionary.kind = Some(kind),
                            (b"Prev" | b"XRefStm", Value::Integer(offset)) => {
                                dictionary.cross_references.extend(u64::try_from(offset).ok());
                            }
                            _ => {}
                        }
                    }
                    // Not a key: a damaged dictionary, which lopdf may read otherwise.
                    _ => dictionary.repeated_length = true,
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
        _ => (Value::Other, start, end),
    })
}
