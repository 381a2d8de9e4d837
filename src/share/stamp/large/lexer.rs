//! PDF tokens read straight from the input, front to back, through a small buffer: the
//! scanner's view of the file. Every byte read passes through the input's hash once.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// The longest name or keyword kept whole; a longer one is cut (it is never one the scanner
/// looks for).
const TOKEN_LIMIT: usize = 256;
/// How much of the input is read at a time.
const CHUNK: usize = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// An integer written as digits alone (no sign), that fits an i64: the only numbers the
    /// scanner takes for an object number, a generation or a /Length.
    Integer(i64),
    /// Any other number (signed, real, too long): its value when it is a signed integer
    /// (`+12`, `-3`), which lopdf reads as that integer.
    Number(Option<i64>),
    /// A name, without its slash, its `#xx` escapes decoded (as lopdf reads it).
    Name(Vec<u8>),
    /// A literal or hexadecimal string (its bytes are not kept).
    String,
    DictionaryOpen,
    DictionaryClose,
    ArrayOpen,
    ArrayClose,
    /// Anything else made of regular characters (`obj`, `R`, `stream`, `true`…), or a stray
    /// delimiter.
    Keyword(Vec<u8>),
    End,
}

/// A token and where it is: `start..end` in the input.
#[derive(Debug, Clone)]
pub(super) struct Located {
    pub(super) token: Token,
    pub(super) start: u64,
    pub(super) end: u64,
}

/// The input read front to back.
pub(super) struct Lexer<'r> {
    input: &'r mut dyn Read,
    buffer: Box<[u8]>,
    at: usize,
    filled: usize,
    /// The input offset of `buffer[at]`.
    position: u64,
    /// Every byte consumed so far, in order.
    hash: Sha256,
    /// Every byte consumed so far outside regions (see [`Self::skip`] and
    /// [`Self::find_endstream`]), in order.
    structure: Sha256,
    /// From where in `buffer` the bytes consumed are not yet in `structure`.
    structure_from: usize,
    /// Bytes consumed now belong to a region, not to the structure.
    in_region: bool,
    /// Tokens read ahead and given back.
    pending: Vec<Located>,
}

/// What a scan read: the whole input's hash, the hash of its bytes outside regions, and its
/// length.
pub(super) struct Totals {
    pub(super) hash: Sha256,
    pub(super) structure: Sha256,
    pub(super) length: u64,
}

pub(super) fn is_blank(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(byte: u8) -> bool {
    !is_blank(byte) && !is_delimiter(byte)
}

impl<'r> Lexer<'r> {
    pub(super) fn new(input: &'r mut dyn Read) -> Self {
        Lexer {
            input,
            buffer: vec![0; CHUNK].into_boxed_slice(),
            at: 0,
            filled: 0,
            position: 0,
            hash: Sha256::new(),
            structure: Sha256::new(),
            structure_from: 0,
            in_region: false,
            pending: Vec::new(),
        }
    }

    /// The offset of the next byte not yet consumed (tokens given back aside).
    pub(super) fn position(&self) -> u64 {
        self.position
    }

    /// The next byte, without consuming it; `None` at the end of the input.
    pub(super) fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.at == self.filled {
            self.refill()?;
        }
        Ok(self.buffer[self.at..self.filled].first().copied())
    }

    fn refill(&mut self) -> io::Result<()> {
        self.hash.update(&self.buffer[..self.filled]);
        if !self.in_region {
            self.structure.update(&self.buffer[self.structure_from..self.filled]);
        }
        self.structure_from = 0;
        self.at = 0;
        self.filled = 0;
        loop {
            match self.input.read(&mut self.buffer) {
                Ok(read) => {
                    self.filled = read;
                    return Ok(());
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }

    /// Consumes one byte (call after [`Self::peek`] gave one).
    pub(super) fn bump(&mut self) {
        if self.at < self.filled {
            self.at += 1;
            self.position += 1;
        }
    }

    /// Bytes consumed from here on belong to a region: they are left out of the structure.
    fn begin_region(&mut self) {
        self.structure.update(&self.buffer[self.structure_from..self.at]);
        self.in_region = true;
    }

    /// Bytes consumed from here on belong to the structure again.
    fn end_region(&mut self) {
        self.structure_from = self.at;
        self.in_region = false;
    }

    /// Consumes up to `count` bytes; returns how many there were. With `region`, they are a
    /// region: hashed into it, and not into the structure.
    pub(super) fn skip(&mut self, count: u64, region: Option<&mut Sha256>) -> io::Result<u64> {
        let is_region = region.is_some();
        if is_region {
            self.begin_region();
        }
        let skipped = self.skip_hashing(count, region);
        if is_region {
            self.end_region();
        }
        skipped
    }

    fn skip_hashing(&mut self, count: u64, mut also: Option<&mut Sha256>) -> io::Result<u64> {
        let mut left = count;
        while left > 0 {
            if self.at == self.filled {
                self.refill()?;
                if self.filled == 0 {
                    break;
                }
            }
            let take = (self.filled - self.at).min(usize::try_from(left).unwrap_or(usize::MAX));
            if let Some(hash) = also.as_deref_mut() {
                hash.update(&self.buffer[self.at..self.at + take]);
            }
            self.at += take;
            self.position += take as u64;
            left -= take as u64;
        }
        Ok(count - left)
    }

    /// Consumes the rest of the input, so that the hashes cover all of it.
    pub(super) fn finish(mut self) -> io::Result<Totals> {
        while self.skip(u64::MAX, None)? > 0 {}
        self.hash.update(&self.buffer[..self.filled]);
        self.structure.update(&self.buffer[self.structure_from..self.filled]);
        Ok(Totals { hash: self.hash, structure: self.structure, length: self.position })
    }

    /// Whether tokens were given back and not yet read again.
    pub(super) fn holds_tokens(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Consumes `expected` if the input goes on with it; a partial match is consumed too.
    pub(super) fn eat(&mut self, expected: &[u8]) -> io::Result<bool> {
        for &byte in expected {
            if self.peek()? != Some(byte) {
                return Ok(false);
            }
            self.bump();
        }
        Ok(true)
    }

    /// Gives `token` back: the next call to [`Self::next`] returns it.
    pub(super) fn give_back(&mut self, token: Located) {
        self.pending.push(token);
    }

    /// The next token, blanks and comments skipped.
    pub(super) fn next(&mut self) -> io::Result<Located> {
        if let Some(token) = self.pending.pop() {
            return Ok(token);
        }
        loop {
            match self.peek()? {
                Some(byte) if is_blank(byte) => self.bump(),
                Some(b'%') => {
                    while self.peek()?.is_some_and(|byte| byte != b'\n' && byte != b'\r') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let start = self.position;
        let token = match self.peek()? {
            None => Token::End,
            Some(b'/') => {
                self.bump();
                Token::Name(decode_name(&self.regular_run()?))
            }
            Some(b'(') => {
                self.literal_string()?;
                Token::String
            }
            Some(b'<') => {
                self.bump();
                if self.peek()? == Some(b'<') {
                    self.bump();
                    Token::DictionaryOpen
                } else {
                    while self.peek()?.is_some_and(|byte| byte != b'>') {
                        self.bump();
                    }
                    self.bump();
                    Token::String
                }
            }
            Some(b'>') => {
                self.bump();
                if self.peek()? == Some(b'>') {
                    self.bump();
                    Token::DictionaryClose
                } else {
                    Token::Keyword(b">".to_vec())
                }
            }
            Some(b'[') => {
                self.bump();
                Token::ArrayOpen
            }
            Some(b']') => {
                self.bump();
                Token::ArrayClose
            }
            Some(byte) if is_delimiter(byte) => {
                self.bump();
                Token::Keyword(vec![byte])
            }
            Some(_) => {
                let run = self.regular_run()?;
                number(&run).unwrap_or(Token::Keyword(run))
            }
        };
        Ok(Located { token, start, end: self.position })
    }

    /// Regular characters up to the next blank or delimiter (kept up to [`TOKEN_LIMIT`]).
    fn regular_run(&mut self) -> io::Result<Vec<u8>> {
        let mut run = Vec::new();
        while let Some(byte) = self.peek()? {
            if !is_regular(byte) {
                break;
            }
            if run.len() < TOKEN_LIMIT {
                run.push(byte);
            }
            self.bump();
        }
        Ok(run)
    }

    /// A literal string: balanced parentheses, backslash escapes.
    fn literal_string(&mut self) -> io::Result<()> {
        let mut depth = 0usize;
        while let Some(byte) = self.peek()? {
            self.bump();
            match byte {
                b'\\' if self.peek()?.is_some() => self.bump(),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Consumes bytes up to and including the next `endstream`; returns the offset where that
    /// `endstream` starts and the two bytes before it (`None` at the end of the input). With
    /// `region`, the bytes before `endstream` are a region: hashed into it, and not into the
    /// structure (the `endstream` is).
    pub(super) fn find_endstream(&mut self, region: Option<&mut Sha256>) -> io::Result<Option<(u64, Tail)>> {
        let is_region = region.is_some();
        if is_region {
            self.begin_region();
        }
        let found = self.find_endstream_hashing(region);
        if is_region {
            self.end_region();
            if let Ok(Some(_)) = found {
                self.structure.update(b"endstream");
            }
        }
        found
    }

    fn find_endstream_hashing(&mut self, mut also: Option<&mut Sha256>) -> io::Result<Option<(u64, Tail)>> {
        const PATTERN: &[u8] = b"endstream";
        // How many bytes of the pattern end what was read: held back from `also`, and known to
        // be the pattern's first bytes even when they were in the previous chunk.
        let mut held = 0usize;
        let mut tail: Tail = [None, None];
        let mut release = |bytes: &mut dyn Iterator<Item = u8>, tail: &mut Tail| {
            for byte in bytes {
                if let Some(hash) = also.as_deref_mut() {
                    hash.update([byte]);
                }
                *tail = [tail[1], Some(byte)];
            }
        };
        loop {
            if self.at == self.filled {
                self.refill()?;
                if self.filled == 0 {
                    release(&mut PATTERN[..held].iter().copied(), &mut tail);
                    return Ok(None);
                }
            }
            let byte = self.buffer[self.at];
            self.at += 1;
            self.position += 1;
            let next = next_match(PATTERN, held, byte);
            let dropped = held + 1 - next;
            release(&mut PATTERN[..held].iter().copied().chain([byte]).take(dropped), &mut tail);
            held = next;
            if held == PATTERN.len() {
                return Ok(Some((self.position - PATTERN.len() as u64, tail)));
            }
        }
    }
}

/// The last two bytes of a stream's data, the last one last.
pub(super) type Tail = [Option<u8>; 2];

/// How much of `pattern` is matched after `byte`, when `matched` bytes were before it (the
/// longest prefix of the pattern that ends the text read so far).
fn next_match(pattern: &[u8], matched: usize, byte: u8) -> usize {
    let mut length = matched;
    loop {
        if pattern[length] == byte {
            return length + 1;
        }
        if length == 0 {
            return 0;
        }
        // The longest proper prefix of pattern[..length] that is also its suffix.
        length = (1..length).rev().find(|&k| pattern[..k] == pattern[length - k..length]).unwrap_or(0);
    }
}

/// A name's `#xx` escapes decoded.
fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut name = Vec::with_capacity(raw.len());
    let mut at = 0;
    while at < raw.len() {
        let hex = raw
            .get(at + 1..at + 3)
            .filter(|digits| digits.iter().all(u8::is_ascii_hexdigit))
            .and_then(|digits| std::str::from_utf8(digits).ok());
        match (raw[at], hex.and_then(|digits| u8::from_str_radix(digits, 16).ok())) {
            (b'#', Some(byte)) => {
                name.push(byte);
                at += 3;
            }
            (byte, _) => {
                name.push(byte);
                at += 1;
            }
        }
    }
    name
}

/// An integer token (an optional sign and digits), or another number.
fn number(run: &[u8]) -> Option<Token> {
    let first = *run.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    if run.len() < TOKEN_LIMIT && run.iter().all(u8::is_ascii_digit) {
        let integer = std::str::from_utf8(run).ok().and_then(|text| text.parse().ok());
        return Some(integer.map_or(Token::Number(None), Token::Integer));
    }
    let digits = run.strip_prefix(b"+").or_else(|| run.strip_prefix(b"-")).unwrap_or(run);
    if run.len() < TOKEN_LIMIT && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        let text = std::str::from_utf8(run).ok()?;
        return Some(Token::Number(text.strip_prefix('+').unwrap_or(text).parse().ok()));
    }
    if digits.iter().all(|&byte| byte.is_ascii_digit() || byte == b'.') {
        return Some(Token::Number(None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &[u8]) -> Vec<Token> {
        let mut input = text;
        let mut lexer = Lexer::new(&mut input);
        let mut tokens = Vec::new();
        loop {
            let token = lexer.next().unwrap().token;
            if token == Token::End {
                return tokens;
            }
            tokens.push(token);
        }
    }

    #[test]
    fn tokens_of_an_object() {
        assert_eq!(
            tokens(b"12 0 obj\n<</Length 8 0 R/Type /XObject (a (nested) \\) string) <3C3E> [1.5 -2]>>% c\nstream"),
            vec![
                Token::Integer(12),
                Token::Integer(0),
                Token::Keyword(b"obj".to_vec()),
                Token::DictionaryOpen,
                Token::Name(b"Length".to_vec()),
                Token::Integer(8),
                Token::Integer(0),
                Token::Keyword(b"R".to_vec()),
                Token::Name(b"Type".to_vec()),
                Token::Name(b"XObject".to_vec()),
                Token::String,
                Token::String,
                Token::ArrayOpen,
                Token::Number(None),
                Token::Number(Some(-2)),
                Token::ArrayClose,
                Token::DictionaryClose,
                Token::Keyword(b"stream".to_vec()),
            ]
        );
    }

    #[test]
    fn names_are_read_as_lopdf_reads_them() {
        assert_eq!(
            tokens(b"/Obj#53tm /A#2 /# /B#+1"),
            vec![
                Token::Name(b"ObjStm".to_vec()),
                Token::Name(b"A#2".to_vec()),
                Token::Name(b"#".to_vec()),
                Token::Name(b"B#+1".to_vec())
            ]
        );
    }

    #[test]
    fn endstream_is_found_after_a_false_start() {
        let text = b"xxendstrendstream tail";
        let mut input = &text[..];
        let mut lexer = Lexer::new(&mut input);
        let mut data = Sha256::new();
        assert_eq!(lexer.find_endstream(Some(&mut data)).unwrap(), Some((8, [Some(b't'), Some(b'r')])));
        assert_eq!(lexer.position(), 17);
        assert_eq!(data.finalize()[..], Sha256::digest(b"xxendstr")[..], "the data before endstream");
        let read = lexer.finish().unwrap();
        assert_eq!(read.length, 22);
        assert_eq!(read.hash.finalize()[..], Sha256::digest(text)[..], "the hash covers every byte once");
        assert_eq!(
            read.structure.finalize()[..],
            Sha256::digest(b"endstream tail")[..],
            "the region is not structure"
        );
    }

    #[test]
    fn the_hash_covers_every_byte_however_it_was_read() {
        let text: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
        let mut input = &text[..];
        let mut lexer = Lexer::new(&mut input);
        lexer.skip(70_000, None).unwrap();
        lexer.peek().unwrap();
        lexer.bump();
        lexer.skip(5, None).unwrap();
        assert_eq!(lexer.position(), 70_006);
        let read = lexer.finish().unwrap();
        assert_eq!(read.length, 200_000);
        assert_eq!(read.hash.finalize()[..], Sha256::digest(&text)[..]);
        assert_eq!(read.structure.finalize()[..], Sha256::digest(&text)[..], "no region: all structure");
    }
}
