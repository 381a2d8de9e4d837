// A customer's Excel questionnaire (.xlsx, .xlsm), read and filled in the customer's browser
// exactly as `trustpress answer` does it in src/answer/xlsx/: nothing is uploaded.
//
// Reading mirrors the Rust side, which reads cells with calamine (0.38) and its own XML with
// quick-xml (0.42); filling produces, for each sheet written, the very bytes Rust's
// `rewrite_sheet` produces. The package around the sheets is kept better than the Rust side
// keeps it: every part not written is copied byte for byte (local header, compressed data,
// data descriptor), so the filled file differs from the customer's only in the written sheets.
//
// An ES module without dependencies or build step, for Chromium and Node >= 20: it uses only
// (De)CompressionStream("deflate-raw"), TextDecoder/TextEncoder and typed arrays.
//
// Where this does not mirror calamine or the Rust side exactly (each also noted in place):
// - Dates: none to mirror. calamine turns a number in a date-formatted cell into a DateTime
//   whose Display is the serial number as an f64, the same text as a plain number; so
//   styles.xml is never read here. (calamine would refuse a workbook whose styles.xml is
//   malformed XML; this reader does not look at it.)
// - Zip: ZIP64, encrypted parts, compression other than stored/deflate, duplicate part names
//   and parts whose local header disagrees with the central directory are refused when the
//   workbook is opened (the zip crate reads some of these). A part that inflates to more than
//   the size the central directory declares is refused as soon as it does, so a lying zip
//   bomb costs nothing and the 256 MiB cap holds while inflating.
// - Data before the first part (a self-extractor stub) or between parts is not kept: the
//   filled archive is the parts, in central directory order, then the directory and the end
//   record with the archive's comment. A rewritten part's "version needed" is raised to 2.0
//   (deflate) when it was lower.
// - Invalid UTF-8: a sheet being rewritten is refused (as quick-xml would); other parts are
//   decoded with U+FFFD replacements where quick-xml would stop at the bad bytes.
// - A sheet whose used cells span more than 16,777,216 cells (or rows) is refused with a
//   message; calamine would try to allocate them all.
// - Messages: calamine's and quick-xml's are reproduced as they read, but positions inside
//   XML attribute errors count UTF-16 units, not bytes. A part that cannot be inflated (damaged,
//   lying about its size, wrong CRC) is refused with the part's own message, also from rows(),
//   where the Rust would wrap the zip crate's error in "cannot read the workbook: ...".

/// More than this in all, uncompressed, is not a questionnaire (src/answer/xlsx/mod.rs).
const MAX_UNCOMPRESSED = 256 * 1024 * 1024;

/// More cells than this in one sheet's used range is refused rather than allocated.
const MAX_CELLS = 1 << 24;

// ---------------------------------------------------------------------------------------------
// Errors: the Display strings of the Rust `XlsxError`.

export class WorkbookError extends Error {
  constructor(message) {
    super(message);
    this.name = "WorkbookError";
  }
}

const refused = {
  empty: () => new WorkbookError("the file is empty"),
  encrypted: () =>
    new WorkbookError(
      "the workbook is password-protected (or a legacy .xls): remove the password, or save it as .xlsx, and try again",
    ),
  notAWorkbook: (why) => new WorkbookError(`the file is not an Excel workbook (.xlsx): ${why}`),
  tooLarge: (bytes) =>
    new WorkbookError(
      `the workbook holds ${bytes} bytes uncompressed, more than a questionnaire can (256 MiB): refused`,
    ),
  noSuchSheet: (name, names) =>
    new WorkbookError(`the workbook has no sheet named \`${name}\`; its sheets: ${names.join(", ")}`),
  broken: (message) => new WorkbookError(message),
};

// ---------------------------------------------------------------------------------------------
// Bytes.

const u16 = (bytes, at) => bytes[at] | (bytes[at + 1] << 8);
const u32 = (bytes, at) =>
  (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

function put16(bytes, at, value) {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}

function put32(bytes, at, value) {
  put16(bytes, at, value & 0xffff);
  put16(bytes, at + 2, (value >>> 16) & 0xffff);
}

function concat(chunks, length = chunks.reduce((n, chunk) => n + chunk.length, 0)) {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/// The CRC-32 a zip entry records (IEEE, reflected, as zlib computes it).
function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Text as Rust sees it: `trim()` and `split_whitespace()` use Unicode White_Space (which,
// unlike JavaScript's trim(), does not include U+FEFF).
const trimRust = (text) => text.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
const splitWhitespace = (text) => text.split(/\p{White_Space}+/u).filter(Boolean);
const asciiLowercase = (text) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/// Rust's `String` order (UTF-8 bytes), which is code point order, not UTF-16 order.
function compareRustStrings(a, b) {
  const left = Array.from(a);
  const right = Array.from(b);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0) - right[i].codePointAt(0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

const decodeLenient = (bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

/// Lossless: decoding then encoding gives the same bytes back (the BOM is kept), so a sheet's
/// untouched bytes can be copied as text.
function decodeExact(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Deflate, through the platform's streams.

/// The inflated bytes of `data`, stopping (and refusing) as soon as they pass `limit`, so a
/// part that lies about its size is never inflated in full.
async function inflateRaw(data, limit, path) {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  // Not awaited: the reader below drives the stream, and may cancel it half way.
  writer.write(data).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      throw refused.broken(`\`${path}\`: its compressed data is damaged`);
    }
    if (chunk.done) break;
    length += chunk.value.length;
    if (length > limit) {
      reader.cancel().catch(() => {});
      throw refused.broken(
        `\`${path}\` inflates to more than the ${limit} bytes the archive declares for it: the file is damaged or crafted, refused`,
      );
    }
    chunks.push(chunk.value);
  }
  return concat(chunks, length);
}

async function deflateRaw(bytes) {
  const stream = new CompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const chunks = [];
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(chunks);
    chunks.push(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip: reading the central directory, reading a part, writing the filled archive.

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;

const notSupported = (what) =>
  refused.notAWorkbook(`${what}, which this reader does not support: save it again from Excel and try again`);

/// The end of central directory record: searched in the last 65,557 bytes (its 22 bytes and
/// the longest comment), from the end.
function findEnd(bytes) {
  const lowest = Math.max(0, bytes.length - (22 + 0xffff));
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (u32(bytes, at) === SIG_END && at + 22 + u16(bytes, at + 20) <= bytes.length) return at;
  }
  throw refused.notAWorkbook("invalid Zip archive: Could not find EOCD");
}

/// The archive's parts, in central directory order, each with where its local header, data
/// and data descriptor are.
function readArchive(bytes) {
  const end = findEnd(bytes);
  const count = u16(bytes, end + 10);
  const directorySize = u32(bytes, end + 12);
  const directoryOffset = u32(bytes, end + 16);
  const zip64 =
    (end >= 20 && u32(bytes, end - 20) === SIG_ZIP64_LOCATOR) ||
    count === 0xffff ||
    directorySize === 0xffffffff ||
    directoryOffset === 0xffffffff;
  if (zip64) throw notSupported("it is a ZIP64 archive");
  if (u16(bytes, end + 4) !== 0 || u16(bytes, end + 6) !== 0 || u16(bytes, end + 8) !== count) {
    throw notSupported("it is split over several files (disks)");
  }
  const directoryEnd = directoryOffset + directorySize;
  if (directoryEnd > end) {
    throw refused.notAWorkbook("invalid Zip archive: Invalid central directory size or offset");
  }
  const entries = [];
  const byName = new Map();
  let at = directoryOffset;
  for (let index = 0; index < count; index++) {
    const entry = readCentralRecord(bytes, at, directoryEnd);
    if (byName.has(entry.name)) throw refused.notAWorkbook(`it holds two parts named \`${entry.name}\``);
    byName.set(entry.name, entry);
    entries.push(entry);
    at += entry.central.length;
  }
  const commentLength = u16(bytes, end + 20);
  return { bytes, entries, byName, comment: bytes.subarray(end + 22, end + 22 + commentLength) };
}

function readCentralRecord(bytes, at, directoryEnd) {
  if (at + 46 > directoryEnd || u32(bytes, at) !== SIG_CENTRAL) {
    throw refused.notAWorkbook("invalid Zip archive: Invalid Central Directory header");
  }
  const nameLength = u16(bytes, at + 28);
  const length = 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
  if (at + length > directoryEnd) {
    throw refused.notAWorkbook("invalid Zip archive: Invalid Central Directory header");
  }
  const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
  const entry = {
    name: decodeLenient(nameBytes),
    central: bytes.subarray(at, at + length),
    flags: u16(bytes, at + 8),
    method: u16(bytes, at + 10),
    crc: u32(bytes, at + 16),
    compressedSize: u32(bytes, at + 20),
    size: u32(bytes, at + 24),
    localOffset: u32(bytes, at + 42),
  };
  if (entry.flags & FLAG_ENCRYPTED) {
    throw refused.notAWorkbook(
      `its part \`${entry.name}\` is encrypted: save it again from Excel, without a password, and try again`,
    );
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw notSupported(`its part \`${entry.name}\` is compressed with method ${entry.method}`);
  }
  if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localOffset === 0xffffffff) {
    throw notSupported("it is a ZIP64 archive");
  }
  locateData(bytes, entry, nameBytes);
  return entry;
}

/// Where the entry's data starts and its whole span (header, data, descriptor) ends, from
/// the LOCAL header's own name and extra field lengths.
function locateData(bytes, entry, nameBytes) {
  const at = entry.localOffset;
  const broken = refused.notAWorkbook(
    `invalid Zip archive: the local header of \`${entry.name}\` is missing or does not match the central directory`,
  );
  if (at + 30 > bytes.length || u32(bytes, at) !== SIG_LOCAL) throw broken;
  const nameLength = u16(bytes, at + 26);
  const localName = bytes.subarray(at + 30, at + 30 + nameLength);
  if (nameLength !== nameBytes.length || localName.some((byte, i) => byte !== nameBytes[i])) throw broken;
  entry.dataStart = at + 30 + nameLength + u16(bytes, at + 28);
  entry.dataEnd = entry.dataStart + entry.compressedSize;
  entry.spanEnd = entry.dataEnd;
  // The local header's flags say how the entry is laid out: a data descriptor (crc, sizes; with
  // or without the optional signature in front) follows the data when bit 3 is set.
  if (u16(bytes, at + 6) & FLAG_DESCRIPTOR) {
    const signed = entry.dataEnd + 4 <= bytes.length && u32(bytes, entry.dataEnd) === SIG_DESCRIPTOR;
    entry.spanEnd += signed ? 16 : 12;
  }
  if (entry.spanEnd > bytes.length) {
    throw refused.notAWorkbook(
      `invalid Zip archive: the data of \`${entry.name}\` runs past the end of the file`,
    );
  }
}

/// The part's uncompressed bytes, checked against its declared size and CRC-32.
async function inflateEntry(archive, entry) {
  const data = archive.bytes.subarray(entry.dataStart, entry.dataEnd);
  const content = entry.method === 0 ? data : await inflateRaw(data, entry.size, entry.name);
  if (content.length !== entry.size) {
    throw refused.broken(
      `\`${entry.name}\` holds ${content.length} bytes, not the ${entry.size} the archive declares for it: the file is damaged`,
    );
  }
  if (crc32(content) !== entry.crc) throw refused.broken(`\`${entry.name}\`: Invalid checksum`);
  return content;
}

/// The archive again, with the parts of `replaced` (name → new content) deflated anew and
/// every other part's local header, data and data descriptor copied byte for byte.
async function rebuildArchive(archive, replaced) {
  const pieces = [];
  const directory = [];
  let offset = 0;
  for (const entry of archive.entries) {
    const central = entry.central.slice();
    put32(central, 42, offset);
    const content = replaced.get(entry.name);
    if (content === undefined) {
      pieces.push(archive.bytes.subarray(entry.localOffset, entry.spanEnd));
      offset += entry.spanEnd - entry.localOffset;
    } else {
      const data = await deflateRaw(content);
      const local = archive.bytes.slice(entry.localOffset, entry.dataStart);
      const sizes = { crc: crc32(content), compressed: data.length, size: content.length };
      // Local header: version needed at 4, flags 6, method 8, crc 14, sizes 18 and 22.
      rewriteHeader(local, 4, sizes);
      // Central record: the same fields, two bytes further (after "version made by").
      rewriteHeader(central, 6, sizes);
      pieces.push(local, data);
      offset += local.length + data.length;
    }
    directory.push(central);
  }
  const directoryBytes = concat(directory);
  if (offset + directoryBytes.length > 0xffffffff) {
    throw refused.broken("the filled workbook would be larger than a zip without ZIP64 can hold");
  }
  const end = new Uint8Array(22 + archive.comment.length);
  put32(end, 0, SIG_END);
  put16(end, 8, directory.length);
  put16(end, 10, directory.length);
  put32(end, 12, directoryBytes.length);
  put32(end, 16, offset);
  put16(end, 20, archive.comment.length);
  end.set(archive.comment, 22);
  return concat([...pieces, directoryBytes, end]);
}

/// Deflate (method 8), no data descriptor (flag bit 3 cleared), the new CRC and sizes; the
/// date, time, name and extra field stay as they were.
function rewriteHeader(header, at, { crc, compressed, size }) {
  put16(header, at, Math.max(u16(header, at), 20));
  put16(header, at + 2, u16(header, at + 2) & ~FLAG_DESCRIPTOR);
  put16(header, at + 4, 8);
  put32(header, at + 10, crc);
  put32(header, at + 14, compressed);
  put32(header, at + 18, size);
}

// ---------------------------------------------------------------------------------------------
// XML: a tokenizer that behaves like quick-xml's reader and reports each token's span, so
// that a sheet can be rewritten by copying every untouched character as written.

/// An XML error, with quick-xml's `Error` Display as its message.
class XmlError extends Error {}

const syntaxError = (what) => new XmlError(`syntax error: ${what}`);
const LESS_THAN = 0x3c;
const AMPERSAND = 0x26;
const TEXT_END = /[<&]/g;
const REFERENCE_END = /[;&<]/g;
const illFormed = (what) => new XmlError(`ill-formed document: ${what}`);
const isXmlSpace = (c) => c === " " || c === "\t" || c === "\r" || c === "\n";
const isAsciiSpace = (c) => isXmlSpace(c) || c === "\f";

/// `x:sheetData` → `sheetData`: quick-xml's `local_name()`, after the first colon.
const localName = (name) => name.slice(name.indexOf(":") + 1);

/// A token: its type (start, empty, end, text, ref, comment, cdata, pi, decl, doctype, eof);
/// the element's `name` and raw `attrs` (the text after the name) for start, empty and end;
/// the `text` of the others (raw text, entity references apart; the name between `&` and `;`
/// for ref); and its span [start, end) in the input. Every token has the same fields, which
/// keeps property access fast on large sheets.
const token = (type, name = null, attrs = null, text = null) => ({
  type,
  name,
  attrs,
  text,
  start: 0,
  end: 0,
});

/// The tokens of an XML text, whose spans tile the input. The options are quick-xml's
/// `expand_empty_elements` (an empty element is reported as a start and an end, as calamine
/// reads) and `check_end_names`.
class XmlReader {
  constructor(text, { expandEmpty = false, checkEndNames = true } = {}) {
    this.text = text;
    this.expandEmpty = expandEmpty;
    this.checkEndNames = checkEndNames;
    // A byte order mark is skipped, as quick-xml does; it stays inside the first span.
    this.offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.spanStart = 0;
    this.opened = [];
    this.pendingEnd = null;
  }

  next() {
    if (this.pendingEnd) {
      const end = this.pendingEnd;
      this.pendingEnd = null;
      return end;
    }
    const token = this.read();
    token.start = this.spanStart;
    token.end = this.offset;
    this.spanStart = this.offset;
    return token;
  }

  read() {
    const text = this.text;
    const at = this.offset;
    if (at >= text.length) return token("eof");
    const c = text.charCodeAt(at);
    if (c === LESS_THAN) return this.readMarkup(at);
    if (c === AMPERSAND) return this.readReference(at);
    TEXT_END.lastIndex = at;
    const stop = TEXT_END.exec(text)?.index ?? text.length;
    this.offset = stop;
    return token("text", null, null, text.slice(at, stop));
  }

  readReference(at) {
    const text = this.text;
    REFERENCE_END.lastIndex = at + 1;
    const stop = REFERENCE_END.exec(text)?.index ?? text.length;
    if (text[stop] !== ";") {
      throw illFormed("entity or character reference not closed: `;` not found before end of input");
    }
    this.offset = stop + 1;
    return token("ref", null, null, text.slice(at + 1, stop));
  }

  readMarkup(at) {
    const text = this.text;
    const kind = text[at + 1];
    if (kind === undefined) throw syntaxError("tag not closed: `>` not found before end of input");
    if (kind === "!") return this.readBang(at);
    if (kind === "?") return this.readProcessingInstruction(at);
    const close = findTagEnd(text, at + 1);
    this.offset = close + 1;
    if (kind === "/") return this.closeElement(text.slice(at + 2, close));
    let content = text.slice(at + 1, close);
    const empty = content.endsWith("/");
    if (empty) content = content.slice(0, -1);
    let nameEnd = 0;
    while (nameEnd < content.length && !isXmlSpace(content[nameEnd])) nameEnd++;
    const name = content.slice(0, nameEnd);
    const attrs = content.slice(nameEnd);
    if (!empty) {
      this.opened.push(name);
      return token("start", name, attrs);
    }
    if (this.expandEmpty) {
      this.pendingEnd = token("end", name);
      this.pendingEnd.start = this.pendingEnd.end = this.offset;
      return token("start", name, attrs);
    }
    return token("empty", name, attrs);
  }

  closeElement(content) {
    let length = content.length;
    while (length > 0 && isXmlSpace(content[length - 1])) length--;
    const name = content.slice(0, length);
    if (this.opened.length === 0) throw illFormed(`close tag \`</${name}>\` does not match any open tag`);
    const expected = this.opened.pop();
    if (this.checkEndNames && expected !== name) {
      throw illFormed(`expected \`</${expected}>\`, but \`</${name}>\` was found`);
    }
    return token("end", name);
  }

  readBang(at) {
    const text = this.text;
    const kind = text[at + 2];
    if (kind === "[") {
      const close = text.indexOf("]]>", at + 3);
      if (close < 0 || !text.startsWith("<![CDATA[", at) || close < at + 9) {
        throw syntaxError("CDATA not closed: `]]>` not found before end of input");
      }
      this.offset = close + 3;
      return token("cdata", null, null, text.slice(at + 9, close));
    }
    if (kind === "-") {
      const close = text.indexOf("-->", at + 4);
      if (close < 0 || !text.startsWith("<!--", at)) {
        throw syntaxError("comment not closed: `-->` not found before end of input");
      }
      this.offset = close + 3;
      return token("comment", null, null, text.slice(at + 4, close));
    }
    if (kind === "D" || kind === "d") return this.readDoctype(at);
    throw syntaxError("unknown or missed symbol in markup");
  }

  readDoctype(at) {
    const text = this.text;
    // The closing `>` outside the internal subset (`[...]`) and quotes.
    let depth = 0;
    let quote = null;
    let close = -1;
    for (let i = at + 2; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "[") depth++;
      else if (c === "]") depth--;
      else if (c === ">" && depth <= 0) {
        close = i;
        break;
      }
    }
    if (close < 0 || text.slice(at, at + 9).toUpperCase() !== "<!DOCTYPE") {
      throw syntaxError("DOCTYPE not closed: `>` not found before end of input");
    }
    const body = text.slice(at + 9, close);
    if (!/[^ \t\r\n]/.test(body)) {
      throw illFormed("`<!DOCTYPE>` declaration does not contain a name of a document type");
    }
    this.offset = close + 1;
    return token("doctype", null, null, body.replace(/^[ \t\r\n]+/, ""));
  }

  readProcessingInstruction(at) {
    const text = this.text;
    const close = text.indexOf("?>", at + 1);
    if (close < 0 || close === at + 1) {
      throw syntaxError(
        /^<\?xml[ \t\r\n]/.test(text.slice(at, at + 6))
          ? "XML declaration not closed: `?>` not found before end of input"
          : "processing instruction not closed: `?>` not found before end of input",
      );
    }
    this.offset = close + 2;
    const content = text.slice(at + 2, close);
    const declaration = content.startsWith("xml") && (content.length === 3 || isXmlSpace(content[3]));
    return token(declaration ? "decl" : "pi", null, null, content);
  }
}

/// The `>` closing a tag that starts before `from`, outside quoted attribute values.
function findTagEnd(text, from) {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x3e) return i; // >
    else if (c === 0x22 || c === 0x27) quote = c; // " '
  }
  if (quote === 0x27) throw syntaxError("attribute value not closed: `'` not found before end of input");
  if (quote === 0x22) throw syntaxError('attribute value not closed: `"` not found before end of input');
  throw syntaxError("tag not closed: `>` not found before end of input");
}

/// The tokens of `text`, ending at the first XML error, as the Rust helpers read
/// (`Ok(Event::Eof) | Err(_) => return`).
function* tokensUntilError(text) {
  const reader = new XmlReader(text);
  for (;;) {
    let token;
    try {
      token = reader.next();
    } catch (error) {
      if (error instanceof XmlError) return;
      throw error;
    }
    if (token.type === "eof") return;
    yield token;
  }
}

const PREDEFINED_ENTITIES = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["apos", "'"],
  ["quot", '"'],
]);

/// `&#n;` / `&#xh;` as quick-xml's `parse_number` reads them (lowercase `x` only, no sign, no
/// NUL); errors carry quick-xml's messages.
function parseCharacterReference(number) {
  const hex = number.startsWith("x");
  const digits = hex ? number.slice(1) : number;
  const invalid = (why) => new XmlError(`invalid character reference: ${why}`);
  if (digits.startsWith("+") || digits.startsWith("-")) throw invalid("unexpected number sign");
  if (digits === "") throw invalid("cannot parse integer from empty string");
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) throw invalid("invalid digit found in string");
  const code = parseInt(digits, hex ? 16 : 10);
  if (code > 0xffffffff) throw invalid("number too large to fit in target type");
  if (code === 0) throw invalid("0x0 character is not permitted in XML");
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    throw invalid(`\`${code}\` is not a valid codepoint`);
  }
  return String.fromCodePoint(code);
}

/// quick_xml::escape::unescape: the five predefined entities and character references;
/// throws an XmlError with quick-xml's message otherwise.
function unescapeOrThrow(raw) {
  let out = "";
  let last = 0;
  for (let start = raw.indexOf("&"); start >= 0; start = raw.indexOf("&", last)) {
    let end = start + 1;
    while (end < raw.length && raw[end] !== ";" && raw[end] !== "&") end++;
    if (raw[end] !== ";") {
      throw new XmlError(
        `Error while escaping character at range ${start}..${raw.length}: Cannot find ';' after '&'`,
      );
    }
    const name = raw.slice(start + 1, end);
    out += raw.slice(last, start);
    if (name.startsWith("#")) out += parseCharacterReference(name.slice(1));
    else if (PREDEFINED_ENTITIES.has(name)) out += PREDEFINED_ENTITIES.get(name);
    else throw new XmlError(`at ${start + 1}..${end}: unrecognized entity \`${name}\``);
    last = end + 1;
  }
  return out + raw.slice(last);
}

/// `unescape(..).ok()`: null when the text cannot be unescaped.
function unescape(raw) {
  try {
    return unescapeOrThrow(raw);
  } catch (error) {
    if (error instanceof XmlError) return null;
    throw error;
  }
}

/// src/answer/xlsx/xml.rs `unescaped_text`: what a text token or an entity or character reference
/// (`&amp;`, `&#39;`, a token of its own, as quick-xml reports it) stands for, unescaped; null
/// for any other token, or when it cannot be unescaped (an unknown entity, a bad reference).
function unescapedText(token) {
  if (token.type === "text") return unescape(token.text);
  if (token.type === "ref") return unescape(`&${token.text};`);
  return null;
}

/// quick_xml::escape::escape (0.42): `& < > ' "` and also a carriage return (`&#13;`, so that
/// it survives XML end-of-line normalisation).
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;", "\r": "&#13;" };
const escapeXml = (text) => text.replace(/[&<>'"\r]/g, (c) => ESCAPES[c]);

/// The attributes of a tag, as quick-xml's checked iterator gives them with `.flatten()`:
/// malformed ones and repeats of a name are skipped, parsing goes on after them.
function attributeList(raw) {
  const found = [];
  const seen = new Set();
  const n = raw.length;
  let at = 0;
  const skipSpace = () => {
    while (at < n && isXmlSpace(raw[at])) at++;
  };
  for (;;) {
    skipSpace();
    if (at >= n) return found;
    const keyStart = at;
    while (at < n && raw[at] !== "=" && !isXmlSpace(raw[at])) at++;
    const key = raw.slice(keyStart, at);
    skipSpace();
    if (raw[at] !== "=") continue; // a name without a value: skipped
    at++;
    skipSpace();
    const quote = raw[at];
    if (quote !== '"' && quote !== "'") {
      while (at < n && !isXmlSpace(raw[at])) at++; // an unquoted value: skipped
      continue;
    }
    const close = raw.indexOf(quote, at + 1);
    if (close < 0) return found;
    if (!seen.has(key)) {
      seen.add(key);
      found.push([key, raw.slice(at + 1, close)]);
    }
    at = close + 1;
  }
}

/// src/answer/xlsx/xml.rs `attribute`: the first attribute with that local name, unescaped
/// (null when missing or when it cannot be unescaped).
function attribute(token, name) {
  const found = attributeList(token.attrs).find(([key]) => localName(key) === name);
  return found ? unescape(found[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Ports of src/answer/xlsx/ (references.rs, package.rs, fill.rs).

/// `C5` → [4, 2]; null when it is not a cell reference (1–3 letters, then a row from 1).
function parseReference(reference) {
  const letters = /^[A-Za-z]*/.exec(reference)[0];
  const digits = reference.slice(letters.length);
  if (letters.length === 0 || letters.length > 3 || digits === "") return null;
  // Rust's usize parse: digits, with an optional leading `+`. (Beyond 2^53 rows: refused.)
  if (!/^\+?[0-9]+$/.test(digits)) return null;
  const row = Number(digits);
  if (!Number.isSafeInteger(row) || row < 1) return null;
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return [row - 1, column - 1];
}

/// [0, 2] → `C1`.
function reference(row, column) {
  let n = column + 1;
  let letters = "";
  while (n > 0) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${row + 1}`;
}

/// [sheet name, relationship id] of each `<sheet>` in workbook.xml.
/// What `fill` says of a sheet in which a row or cell has no reference (`r`).
const NO_REFERENCE =
  "the sheet has rows or cells without a reference (`r`), which cannot be filled safely: open the file in Excel or LibreOffice, save it, and try again";

/// The name (or `?`) of the first `<sheet>` with more than one attribute whose local name is
/// `id` (`r:id` and `id`): calamine reads the last, `sheetIds` the first. Rust
/// `sheet_with_several_ids`.
function sheetWithSeveralIds(workbook) {
  for (const token of tokensUntilError(workbook)) {
    if ((token.type === "start" || token.type === "empty") && localName(token.name) === "sheet") {
      const ids = attributeList(token.attrs).filter(([key]) => localName(key) === "id").length;
      if (ids > 1) return attribute(token, "name") ?? "?";
    }
  }
  return null;
}

function sheetIds(workbook) {
  const sheets = [];
  for (const token of tokensUntilError(workbook)) {
    if ((token.type === "start" || token.type === "empty") && localName(token.name) === "sheet") {
      const idAttribute = attributeList(token.attrs).find(([key]) => key.endsWith(":id"));
      const id = idAttribute ? unescape(idAttribute[1]) : null;
      const name = attribute(token, "name");
      if (name !== null && id !== null) sheets.push([name, id]);
    }
  }
  return sheets;
}

/// Relationship id → target, from a `.rels` part.
function relationshipTargets(relations) {
  const targets = new Map();
  for (const token of tokensUntilError(relations)) {
    if ((token.type === "start" || token.type === "empty") && localName(token.name) === "Relationship") {
      const id = attribute(token, "Id");
      const target = attribute(token, "Target");
      if (id !== null && target !== null) targets.set(id, target);
    }
  }
  return targets;
}

/// What a workbook-level defined name stands for (`YesNo` → `Lists!$A$1:$A$3`): the whole
/// text of the first such `<definedName>` that holds any, entity references unescaped
/// (`'Q&amp;A''s lists'!$A$1:$A$3` → `'Q&A''s lists'!$A$1:$A$3`). Null when there is none,
/// or when its text cannot be unescaped.
function definedName(workbook, name) {
  if (!/^[\p{Alphabetic}\p{N}_.]+$/u.test(name)) return null;
  let inside = false;
  let value = "";
  for (const token of tokensUntilError(workbook)) {
    if (token.type === "start" && localName(token.name) === "definedName") {
      inside = attribute(token, "name") === name && attribute(token, "localSheetId") === null;
      value = "";
    } else if ((token.type === "text" || token.type === "ref") && inside) {
      const text = unescapedText(token);
      if (text === null) return null;
      value += text;
    } else if (token.type === "end" && localName(token.name) === "definedName") {
      if (inside && value !== "") return value;
      inside = false;
    }
  }
  return null;
}

/// Every list validation of a sheet: [the cells it covers, its `formula1`], classic ones
/// (`<dataValidation type="list" sqref="C4:C40"><formula1>…`) and Excel 2010's
/// (`<x14:dataValidation type="list"><x14:formula1><xm:f>…</xm:f></x14:formula1><xm:sqref>…`).
/// The text of `formula1` and `sqref` is read with its entity references, unescaped.
function listValidations(xml) {
  const found = [];
  let list = false;
  let sqref = "";
  let formula = "";
  let inFormula = false;
  let inSqref = false;
  for (const token of tokensUntilError(xml)) {
    if (token.type === "start") {
      const name = localName(token.name);
      if (name === "dataValidation") {
        list = attribute(token, "type") === "list";
        sqref = attribute(token, "sqref") ?? "";
        formula = "";
      } else if (name === "formula1") inFormula = true;
      else if (name === "sqref") inSqref = true;
    } else if ((token.type === "text" || token.type === "ref") && (inFormula || inSqref)) {
      const text = unescapedText(token) ?? "";
      if (inFormula) formula += text;
      else sqref += text;
    } else if (token.type === "end") {
      const name = localName(token.name);
      if (name === "formula1") inFormula = false;
      else if (name === "sqref") inSqref = false;
      else if (name === "dataValidation") {
        if (list && formula !== "") {
          found.push([sqref, formula]);
          sqref = "";
          formula = "";
        }
        list = false;
      }
    }
  }
  return found;
}

function rangeHasColumn(range, column) {
  const colon = range.indexOf(":");
  const [start, end] = colon < 0 ? [range, range] : [range.slice(0, colon), range.slice(colon + 1)];
  const columnOf = (ref) => parseReference(`${/^[A-Za-z]*/.exec(ref)[0]}1`)?.[1] ?? null;
  const first = columnOf(start);
  const last = columnOf(end);
  return first !== null && last !== null && first <= column && column <= last;
}

/// xlsx::parse_area: `A1:C3` (or `B2`, one cell) as [first row, first column, last row, last
/// column]; null when it is not one.
function parseArea(text) {
  if (text === null) return null;
  const colon = text.indexOf(":");
  const start = parseReference(colon < 0 ? text : text.slice(0, colon));
  const end = parseReference(colon < 0 ? text : text.slice(colon + 1));
  return start && end ? [start[0], start[1], end[0], end[1]] : null;
}

/// Every merged area as [first row, first column, last row, last column].
function mergedAreas(sheet) {
  const areas = [];
  for (const token of tokensUntilError(sheet)) {
    if ((token.type === "start" || token.type === "empty") && localName(token.name) === "mergeCell") {
      const area = parseArea(attribute(token, "ref"));
      if (area) areas.push(area);
    }
  }
  return areas;
}

/// xlsx::array_areas: every area an array (or data table) formula fills.
function arrayAreas(sheet) {
  const areas = [];
  for (const token of tokensUntilError(sheet)) {
    if ((token.type === "start" || token.type === "empty") && localName(token.name) === "f") {
      const kind = attribute(token, "t");
      if (kind !== "array" && kind !== "dataTable") continue;
      const area = parseArea(attribute(token, "ref"));
      if (area) areas.push(area);
    }
  }
  return areas;
}

/// xlsx::covered_areas: merged areas first, then array formulas' areas, each with why `fill`
/// leaves its cells (other than the top-left one).
function coveredAreas(sheet) {
  return [
    ...mergedAreas(sheet).map((area) => [area, "inside a merged area"]),
    ...arrayAreas(sheet).map((area) => [area, "inside an array formula"]),
  ];
}

/// xlsx::covered_by: why (row, column) cannot be written, when it is inside one of `areas` but
/// not its top-left cell; else null.
function coveredBy(areas, row, column) {
  const inside = areas.find(
    ([[r0, c0, r1, c1]]) => r0 <= row && row <= r1 && c0 <= column && column <= c1 && !(row === r0 && column === c0),
  );
  return inside ? inside[1] : null;
}

/// Workbook::formulas, their places only: every cell of a sheet that holds a formula (computed
/// or not), as "row,column" from 0.
function formulaCells(sheet) {
  const found = new Set();
  let cell = null; // { place, formula }
  for (const token of tokensUntilError(sheet)) {
    const name = token.name === null ? null : localName(token.name);
    if (token.type === "start" && name === "c") {
      const r = attribute(token, "r");
      cell = { place: r === null ? null : parseReference(r), formula: false };
    } else if ((token.type === "start" || token.type === "empty") && name === "f") {
      if (cell) cell.formula = true;
    } else if (token.type === "empty" && name === "c") {
      cell = null;
    } else if (token.type === "end" && name === "c") {
      if (cell && cell.place && cell.formula) found.add(`${cell.place[0]},${cell.place[1]}`);
      cell = null;
    }
  }
  return found;
}

/// `x:` for `x:sheetData`, "" for `sheetData`: the namespace prefix of an element's name.
const prefixOf = (name) => name.slice(0, name.indexOf(":") + 1);

/// xlsx::excel_text: a character XML 1.0 does not allow is written `_xHHHH_`; the underscore of
/// text that merely looks like such an escape (`_x0041_`) is written `_x005F_`, so that readers
/// show the text as the answer has it.
const EXCEL_ESCAPES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|_(?=x[0-9A-Fa-f]{4}_)/g;
export const excelText = (text) =>
  text.replace(EXCEL_ESCAPES, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`);

/// The cell written for `text` at (row, column), keeping the style of the cell it replaces;
/// its elements take the sheet's namespace `prefix` (`x:`, or "").
function inlineCell(prefix, row, column, style, text) {
  const styleAttribute = style === null ? "" : ` s="${escapeXml(style)}"`;
  const t = `<${prefix}t xml:space="preserve">${escapeXml(excelText(text))}</${prefix}t>`;
  const is = `<${prefix}is>${t}</${prefix}is>`;
  return `<${prefix}c r="${reference(row, column)}"${styleAttribute} t="inlineStr">${is}</${prefix}c>`;
}

/// The sheet's XML with the cells of `writes` ([row, column, text], sorted, one per cell) set,
/// every other character as it was; and the cells not written because they hold a formula.
/// Follows the Rust event by event; what it copies as read is left in place and copied in
/// bulk (`copied` is how far the input has been written out).
function rewriteSheet(xml, writes) {
  const reader = new XmlReader(xml);
  const next = () => {
    try {
      return reader.next();
    } catch (error) {
      if (error instanceof XmlError) throw refused.broken(`the sheet's XML: ${error.message}`);
      throw error;
    }
  };
  const cellsByRow = new Map(); // row → Map(column → text), columns ascending
  for (const [row, column, text] of writes) {
    if (!cellsByRow.has(row)) cellsByRow.set(row, new Map());
    cellsByRow.get(row).set(column, text);
  }
  const pendingRows = [...cellsByRow.keys()].reverse(); // popped from the end, lowest first
  const formulas = [];
  const out = [];
  let copied = 0;
  /// Writes the input up to `start`, then `texts` in place of the input up to `end`.
  const replace = (start, end, ...texts) => {
    if (start === end && texts.length === 0) return;
    out.push(xml.slice(copied, start), ...texts);
    copied = end;
  };
  // The prefix of `<sheetData>` (`x:` in `<x:sheetData>`): the rows and cells written in it
  // take it too, so that they are in the sheet's namespace.
  let prefix = "";
  const newCell = (row, column) => inlineCell(prefix, row, column, null, cellsByRow.get(row).get(column));
  const newCells = (row, columns) => columns.map((column) => newCell(row, column));
  const newRow = (row) => {
    const cells = newCells(row, [...cellsByRow.get(row).keys()]);
    return `<${prefix}row r="${row + 1}">${cells.join("")}</${prefix}row>`;
  };
  const last = (stack) => stack[stack.length - 1];
  let currentRow = null;
  let pendingCells = []; // columns of the current row, reversed
  let inSheetData = false;
  for (;;) {
    const token = next();
    if (token.type === "eof") break;
    const name = token.name === null ? null : localName(token.name);
    // A row or cell without its reference is where Excel puts it, after the one before: the
    // rows and cells written could land on it twice.
    if (
      inSheetData &&
      (token.type === "start" || token.type === "empty") &&
      (name === "row" || name === "c") &&
      attribute(token, "r") === null
    ) {
      throw refused.broken(NO_REFERENCE);
    }
    if (token.type === "start" && name === "sheetData") {
      inSheetData = true;
      prefix = prefixOf(token.name);
    } else if (token.type === "empty" && name === "sheetData" && pendingRows.length > 0) {
      // `<sheetData/>`: kept as it is when no row is written, else opened (its prefix and
      // attributes kept) for the new rows.
      prefix = prefixOf(token.name);
      const raw = xml.slice(token.start, token.end);
      const rows = pendingRows.splice(0).reverse().map(newRow);
      replace(token.start, token.end, raw.slice(0, -2), ">", ...rows, `</${token.name}>`);
    } else if (token.type === "end" && name === "sheetData") {
      inSheetData = false;
      replace(token.start, token.start, ...pendingRows.splice(0).reverse().map(newRow));
    } else if ((token.type === "start" || token.type === "empty") && name === "row") {
      const r = attribute(token, "r");
      const number = r !== null && /^\+?[0-9]+$/.test(r) ? Number(r) : NaN;
      const row = Number.isSafeInteger(number) && number >= 1 ? number - 1 : null;
      const earlier = [];
      while (row !== null && pendingRows.length && last(pendingRows) < row) {
        earlier.push(newRow(pendingRows.pop()));
      }
      replace(token.start, token.start, ...earlier);
      if (row !== null && last(pendingRows) === row) {
        pendingRows.pop();
        pendingCells = [...cellsByRow.get(row).keys()].reverse();
        if (token.type === "empty") {
          // `<row r="5"/>`: its cells are all new.
          const cells = newCells(row, pendingCells.splice(0).reverse());
          const raw = xml.slice(token.start, token.end);
          replace(token.start, token.end, raw.slice(0, -2), ">", ...cells, `</${token.name}>`);
          continue;
        }
        currentRow = row;
      } else {
        currentRow = null;
      }
    } else if (token.type === "end" && name === "row") {
      if (currentRow !== null) {
        const row = currentRow;
        replace(token.start, token.start, ...newCells(row, pendingCells.splice(0).reverse()));
        currentRow = null;
      }
    } else if ((token.type === "start" || token.type === "empty") && name === "c" && currentRow !== null) {
      const row = currentRow;
      const r = attribute(token, "r");
      const column = r === null ? null : (parseReference(r)?.[1] ?? null);
      const style = attribute(token, "s");
      // New cells that come before this one.
      const earlier = [];
      while (column !== null && pendingCells.length && last(pendingCells) < column) {
        earlier.push(newCell(row, pendingCells.pop()));
      }
      replace(token.start, token.start, ...earlier);
      // The whole cell, as written.
      let cellEnd = token.end;
      let hasFormula = false;
      if (token.type === "start") {
        for (let depth = 1; depth > 0; ) {
          const inner = next();
          const element = inner.type === "start" || inner.type === "empty";
          if (element && localName(inner.name) === "f") hasFormula = true;
          if (inner.type === "start") depth++;
          else if (inner.type === "end") depth--;
          else if (inner.type === "eof") throw refused.broken("the sheet's XML ends inside a cell");
          cellEnd = inner.end;
        }
      }
      if (column !== null && last(pendingCells) === column) {
        pendingCells.pop();
        const text = cellsByRow.get(row).get(column);
        if (hasFormula) formulas.push([row, column]);
        else replace(token.start, cellEnd, inlineCell(prefix, row, column, style, text));
      }
    }
  }
  out.push(xml.slice(copied));
  return { xml: out.join(""), formulas };
}

// ---------------------------------------------------------------------------------------------
// Ports of calamine 0.38 (src/xlsx/mod.rs, src/xlsx/cells_reader.rs, src/utils.rs): how the
// Rust side reads a sheet's cells as text.

/// A calamine error, with the Display of calamine's `XlsxError` as its message.
class CalamineError extends Error {}

/// calamine's `XlsxError` Display for whatever went wrong.
function calamineMessage(error) {
  if (error instanceof XmlError) return `Xml error: ${error.message}`;
  if (error instanceof CalamineError) return error.message;
  throw error;
}

const endOfXml = (expected) => new CalamineError(`Unexpected end of xml, expecting '</${expected}>'`);

/// calamine reads with `expand_empty_elements` and without `check_end_names`.
const calamineReader = (text) => new XmlReader(text, { expandEmpty: true, checkEndNames: false });

/// calamine's own attribute scanner (attrs.rs `RawAttrIter`): calls `visit(key, raw value)`
/// for each attribute until it returns true; a malformed attribute (reached) is an error.
function scanRawAttributes(raw, visit) {
  const n = raw.length;
  let at = 0;
  for (;;) {
    while (at < n && isAsciiSpace(raw[at])) at++;
    if (at >= n) return;
    const keyStart = at;
    while (at < n && raw[at] !== "=") at++;
    if (at >= n) {
      throw new CalamineError(
        `Xml attribute error: position ${keyStart}: attribute key must be directly followed by \`=\` or space`,
      );
    }
    let keyEnd = at;
    while (keyEnd > keyStart && isAsciiSpace(raw[keyEnd - 1])) keyEnd--;
    at++;
    while (at < n && isAsciiSpace(raw[at])) at++;
    const quote = raw[at];
    if (quote !== '"' && quote !== "'") {
      throw new CalamineError(
        `Xml attribute error: position ${at}: attribute value must be enclosed in \`"\` or \`'\``,
      );
    }
    const valueStart = ++at;
    while (at < n && raw[at] !== quote) at++;
    const value = raw.slice(valueStart, at);
    if (at < n) at++;
    if (visit(raw.slice(keyStart, keyEnd), value)) return;
  }
}

/// `raw_attr`: the raw value of the first attribute with exactly this key.
function rawAttribute(token, key) {
  let found = null;
  scanRawAttributes(token.attrs, (k, value) => {
    if (k === key) found = value;
    return found !== null;
  });
  return found;
}

/// `get_attrs!`: several keys in one pass, stopping once as many matches as keys were seen.
function rawAttributesOf(token, keys) {
  const values = keys.map(() => null);
  let found = 0;
  scanRawAttributes(token.attrs, (key, value) => {
    const index = keys.indexOf(key);
    if (index < 0) return false;
    values[index] = value;
    return ++found === keys.length;
  });
  return values;
}

/// quick-xml's `xml10_content()`: XML 1.0 end-of-line normalisation.
const normalizeEndOfLines = (text) => text.replace(/\r\n?/g, "\n");

/// calamine's `unescape_entity_to_buffer`: a reference event's text.
function resolveReference(name) {
  if (PREDEFINED_ENTITIES.has(name)) return PREDEFINED_ENTITIES.get(name);
  if (name.startsWith("#")) return parseCharacterReference(name.slice(1));
  throw new XmlError(`at 0..0: unrecognized entity \`&${name};\``);
}

/// calamine's `unescape_xml`: Excel's `_xHHHH_` escapes (UTF-16 code units; `_x005F_`
/// escapes the underscore; an unpaired surrogate becomes U+FFFD).
function unescapeExcel(text) {
  const escape = /_x([0-9A-Fa-f]{4})_/g;
  let out = "";
  let copied = 0;
  for (let match = escape.exec(text); match; match = escape.exec(text)) {
    out += text.slice(copied, match.index);
    const unit = parseInt(match[1], 16);
    let next = match.index + 7;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = /^_x([0-9A-Fa-f]{4})_/.exec(text.slice(next));
      const lowUnit = low ? parseInt(low[1], 16) : -1;
      if (lowUnit >= 0xdc00 && lowUnit <= 0xdfff) {
        out += String.fromCharCode(unit, lowUnit);
        next += 7;
      } else out += "\ufffd";
    } else if (unit >= 0xdc00 && unit <= 0xdfff) out += "\ufffd";
    else out += String.fromCharCode(unit);
    copied = next;
    escape.lastIndex = next;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/// `read_to_end_into`: skips to the end of the element `name` just started.
function skipElement(reader, name) {
  for (let depth = 0; ; ) {
    const token = reader.next();
    if (token.type === "start" && token.name === name) depth++;
    else if (token.type === "end" && token.name === name) {
      if (depth === 0) return;
      depth--;
    } else if (token.type === "eof") {
      throw illFormed(`start tag not closed: \`</${name}>\` not found before end of input`);
    }
  }
}

/// `read_string_with_bufs`: a shared string (`<si>`) or inline string (`<is>`): its `<t>`
/// texts, rich-text runs included, phonetic runs (`<rPh>`) skipped.
function readString(reader, closing) {
  let rich = null;
  let phonetic = false;
  for (;;) {
    const token = reader.next();
    const name = token.name === null ? null : localName(token.name);
    if (token.type === "start" && name === "r" && rich === null) rich = "";
    else if (token.type === "start" && name === "rPh") phonetic = true;
    else if (token.type === "end" && token.name === closing) return rich ?? "";
    else if (token.type === "end" && name === "rPh") phonetic = false;
    else if (token.type === "start" && name === "t" && !phonetic) {
      const preserve = rawAttribute(token, "xml:space") === "preserve";
      let value = "";
      for (;;) {
        const inner = reader.next();
        if (inner.type === "text" || inner.type === "cdata") value += normalizeEndOfLines(inner.text);
        else if (inner.type === "ref") value += resolveReference(inner.text);
        else if (inner.type === "end" && inner.name === token.name) break;
        else if (inner.type === "eof") throw endOfXml("t");
      }
      value = unescapeExcel(preserve ? value : value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ""));
      rich = rich === null ? value : rich + value;
    } else if (token.type === "eof") throw endOfXml("");
  }
}

/// `read_shared_strings`.
function readSharedStrings(xml) {
  const strings = [];
  if (xml === null) return strings;
  const reader = calamineReader(xml);
  for (;;) {
    const token = reader.next();
    if (token.type === "start" && localName(token.name) === "sst") break;
    if (token.type === "eof") throw endOfXml("sst");
  }
  for (;;) {
    const token = reader.next();
    if (token.type === "start" && localName(token.name) === "si") {
      strings.push(readString(reader, token.name));
    } else if (token.type === "end" && localName(token.name) === "sst") return strings;
    else if (token.type === "eof") throw endOfXml("sst");
  }
}

/// `read_package_relationships`: the folder and name of the main workbook part.
function readPackageRelationships(xml) {
  const reader = calamineReader(xml);
  for (;;) {
    const token = reader.next();
    if (token.type === "start" && localName(token.name) === "Relationships") break;
    if (token.type === "eof") throw endOfXml("Relationships");
  }
  let target = null;
  for (;;) {
    const token = reader.next();
    if (token.type === "start" && localName(token.name) === "Relationship") {
      const [type, value] = rawAttributesOf(token, ["Type", "Target"]);
      if (type !== null && type.endsWith("/relationships/officeDocument") && value !== null) {
        target = unescapeOrThrow(value);
      }
    } else if (token.type === "end" && localName(token.name) === "Relationships") break;
    else if (token.type === "eof") throw endOfXml("Relationships");
  }
  if (target === null) throw new CalamineError("Relationship not found");
  const slash = target.lastIndexOf("/");
  const folder = target.slice(0, slash + 1);
  const name = target.slice(slash + 1);
  return {
    xlPath: folder.startsWith("/") ? folder.slice(1) : folder,
    workbookName: name === "" ? "workbook.xml" : name,
  };
}

/// `read_relationships`: id → [target, type], both raw.
function readWorkbookRelationships(xml) {
  const relationships = new Map();
  const reader = calamineReader(xml);
  for (;;) {
    const token = reader.next();
    if (token.type === "start" && localName(token.name) === "Relationship") {
      const [id, type, target] = rawAttributesOf(token, ["Id", "Type", "Target"]);
      if (id !== null) relationships.set(id, [target ?? "", type ?? ""]);
    } else if (token.type === "end" && localName(token.name) === "Relationships") return relationships;
    else if (token.type === "eof") throw endOfXml("Relationships");
  }
}

/// `read_workbook`: [sheet name, part path] of each sheet, in workbook order.
function readWorkbookSheets(xml, relationships, xlPath) {
  const sheets = [];
  const reader = calamineReader(xml);
  for (;;) {
    const token = reader.next();
    const name = token.name === null ? null : localName(token.name);
    if (token.type === "start" && name === "sheet") {
      let sheetName = "";
      let relationshipId = "";
      scanRawAttributes(token.attrs, (key, value) => {
        if (key === "name") sheetName = unescapeOrThrow(value);
        else if (key === "state" && !["visible", "hidden", "veryHidden"].includes(value)) {
          throw new CalamineError(`Unrecognized sheet:state: ${value}`);
        } else if (key === "id" || key.endsWith(":id")) relationshipId = value;
        return false;
      });
      const relationship = relationships.get(relationshipId);
      if (!relationship) throw new CalamineError("Relationship not found");
      const [target, type] = relationship;
      const path = target.startsWith("/") ? target.slice(1) : `${xlPath}${target}`;
      if (!["worksheet", "chartsheet", "dialogsheet"].includes(type.split("/").pop())) {
        throw new CalamineError(`Unrecognized sheet:type: ${path}`);
      }
      sheets.push([sheetName, path]);
    } else if (token.type === "start" && name === "workbookPr") {
      rawAttribute(token, "date1904"); // read for its errors only: dates need no epoch here
    } else if (token.type === "start" && name === "definedName") {
      const definedNameAttribute = rawAttribute(token, "name");
      if (definedNameAttribute !== null) {
        unescapeOrThrow(definedNameAttribute);
        // Read through (calamine keeps them; nothing here needs them).
        for (;;) {
          const inner = reader.next();
          if (inner.type === "ref") resolveReference(inner.text);
          else if (inner.type === "end" && inner.name === token.name) break;
          else if (inner.type === "eof") throw endOfXml("workbook");
        }
      }
    } else if (token.type === "end" && name === "workbook") return sheets;
    else if (token.type === "eof") throw endOfXml("workbook");
  }
}

/// `get_row_and_optional_column`: `B3` → [2, 1], `3` → [2, null].
function rowAndOptionalColumn(range) {
  const notAlphanumeric = (i) => {
    const byte = new TextEncoder().encode(String.fromCodePoint(range.codePointAt(i)))[0];
    return new CalamineError(`Expecting alphanumeric character, got ${byte.toString(16).toUpperCase()}`);
  };
  let column = 0;
  let row = 0;
  let i = 0;
  for (; i < range.length; i++) {
    const c = range.charCodeAt(i) | 0x20; // lower case for letters
    if (c >= 0x61 && c <= 0x7a) column = column * 26 + (c - 0x60);
    else if (range.charCodeAt(i) >= 0x30 && range.charCodeAt(i) <= 0x39) break;
    else throw notAlphanumeric(i);
  }
  for (; i < range.length; i++) {
    const c = range.charCodeAt(i);
    if (c < 0x30 || c > 0x39) throw notAlphanumeric(i);
    row = row * 10 + (c - 0x30);
  }
  if (row === 0) throw new CalamineError("Range is missing the expected row component.");
  return [row - 1, column === 0 ? null : column - 1];
}

function rowColumn(range) {
  const [row, column] = rowAndOptionalColumn(range);
  if (column === null) throw new CalamineError("Range is missing the expected column component.");
  return [row, column];
}

/// `get_dimension`, for its errors: a sheet whose `<dimension ref>` is malformed is refused.
function checkDimension(ref) {
  const parts = ref.split(":");
  parts.forEach(rowColumn);
  if (parts.length > 2) throw new CalamineError(`Range dimension must be lower than 2. Got ${parts.length}`);
}

const CELL_ERRORS = new Set(["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"]);

/// fast_float2's grammar: what calamine accepts as a number.
const FLOAT = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

function parseFloatLikeRust(text) {
  const lower = text.toLowerCase();
  if (lower.endsWith("nan")) return NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    return lower.startsWith("-") ? -Infinity : Infinity;
  }
  return parseFloat(text);
}

/// Rust's f64 Display: the shortest digits that read back as the same number (as
/// JavaScript's), never with an exponent: 1 → "1", 1e21 → "1000000000000000000000".
function formatFloat(value) {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  const text = String(value);
  const exponential = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(text);
  if (!exponential) return text;
  const [, sign, first, rest = "", exponent] = exponential;
  const digits = first + rest;
  const point = 1 + Number(exponent); // digits before the decimal point
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/// `read_v`: a `<v>` value as text, or null for an empty cell.
function readV(value, type, strings) {
  switch (type) {
    case "s": {
      if (value === "") return null;
      // atoi_simd: digits only, up to usize::MAX; anything else reads as 0.
      const index = /^[0-9]+$/.test(value) && BigInt(value) <= 0xffffffffffffffffn ? Number(value) : 0;
      if (index >= strings.length) {
        throw new CalamineError("Cell string index not found in shared strings table");
      }
      return strings[index];
    }
    case "b": {
      const text = trimRust(value);
      if (text === "") return null;
      if (text === "0" || text.toLowerCase() === "false") return "false";
      if (text === "1" || text.toLowerCase() === "true") return "true";
      throw new CalamineError(`Unrecognized boolean cell value: ${value}`);
    }
    case "d":
      return value;
    case "e":
      if (!CELL_ERRORS.has(value)) throw new CalamineError(`Unsupported cell error value '${value}'`);
      return value;
    case "str":
      return unescapeExcel(value);
    case "n":
    case null:
      if (value === "") return null;
      if (FLOAT.test(value)) return formatFloat(parseFloatLikeRust(value));
      if (type === null) return value;
      throw new CalamineError("Parse float error: invalid float literal");
    default:
      throw new CalamineError(`Unknown cell 't' attribute: ${JSON.stringify(type)}`);
  }
}

/// `read_value`: the value of a cell's child element `<v>`, `<is>` or `<f>` (null: empty).
function readValue(reader, token, type, strings) {
  switch (localName(token.name)) {
    case "is":
      return readString(reader, token.name);
    case "v": {
      if (type === "inlineStr" || type === "is") {
        skipElement(reader, token.name);
        return null;
      }
      if (type === null || ["n", "s", "b", "e"].includes(type)) {
        // Plain ASCII values: the first text event only.
        const first = reader.next();
        if (first.type === "end" && first.name === token.name) return null;
        if (first.type === "eof") throw endOfXml("v");
        const value = first.type === "text" ? readV(first.text, type, strings) : null;
        skipElement(reader, token.name);
        return value;
      }
      let value = "";
      for (;;) {
        const inner = reader.next();
        if (inner.type === "text") value += normalizeEndOfLines(inner.text);
        else if (inner.type === "ref") value += resolveReference(inner.text);
        else if (inner.type === "end" && inner.name === token.name) break;
        else if (inner.type === "eof") throw endOfXml("v");
      }
      return readV(value, type, strings);
    }
    case "f":
      skipElement(reader, token.name);
      return null;
    default:
      throw new CalamineError("Expecting 'v, f, or is' node");
  }
}

/// A sheet's non-empty cells, [row, column, text], in document order (`worksheet_range_ref`).
/// null when the part is not a worksheet (a chart sheet): calamine reads it as empty.
function readCells(xml, strings) {
  const reader = calamineReader(xml);
  let firstElement = null;
  for (;;) {
    const token = reader.next();
    if (token.type === "start") {
      const name = localName(token.name);
      if (name === "dimension") {
        const ref = rawAttribute(token, "ref");
        if (ref === null) throw new CalamineError("Expecting 'dimension' node");
        checkDimension(ref);
      } else if (name === "sheetData") break;
      else firstElement ??= name;
    } else if (token.type === "eof") {
      if (firstElement !== null) return null;
      throw endOfXml("worksheet");
    }
  }
  const cells = [];
  let rowIndex = 0;
  let columnIndex = 0;
  for (;;) {
    const token = reader.next();
    const name = token.name === null ? null : localName(token.name);
    if (token.type === "start" && name === "row") {
      const r = rawAttribute(token, "r");
      if (r !== null) rowIndex = rowAndOptionalColumn(r)[0];
    } else if (token.type === "end" && name === "row") {
      rowIndex++;
      columnIndex = 0;
    } else if (token.type === "start" && name === "c") {
      const [r, , type] = rawAttributesOf(token, ["r", "s", "t"]);
      let position = [rowIndex, columnIndex];
      if (r !== null) {
        position = rowColumn(r);
        columnIndex = position[1];
      }
      let value = null;
      for (;;) {
        const inner = reader.next();
        if (inner.type === "start") value = readValue(reader, inner, type, strings);
        else if (inner.type === "end" && localName(inner.name) === "c") break;
        else if (inner.type === "eof") throw endOfXml("c");
      }
      columnIndex++;
      if (value !== null) cells.push([position[0], position[1], value]);
    } else if (token.type === "end" && name === "sheetData") return cells;
    else if (token.type === "eof") throw endOfXml("sheetData");
  }
}

/// A cell or row reference as calamine reads it, each number at most MAX_CELLS + 1: [row,
/// column] from 0 (column null when absent); null when it is not one (Rust `span_reference`).
function spanReference(reference) {
  let row = 0;
  let column = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const c = reference.charCodeAt(i);
    const lower = c | 0x20;
    if (((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) column = Math.min(column * 26 + (lower - 0x60), MAX_CELLS + 1);
    else if (c >= 0x30 && c <= 0x39) break;
    else return null;
  }
  for (; i < reference.length; i++) {
    const c = reference.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    row = Math.min(row * 10 + (c - 0x30), MAX_CELLS + 1);
  }
  if (row === 0) return null;
  return [row - 1, column === 0 ? null : column - 1];
}

/// Refuses a sheet whose cells (all of them, with or without a value, where calamine puts
/// them) span more than MAX_CELLS, before they are read. Stops, saying nothing more, at what
/// calamine itself refuses (malformed XML, a reference that is not one). Rust `check_span`.
function checkSpan(xml) {
  const reader = calamineReader(xml);
  let [top, left, bottom, right] = [Infinity, Infinity, 0, 0];
  let rowIndex = 0;
  let columnIndex = 0;
  let inSheetData = false;
  const rawR = (token) => {
    try {
      return { r: rawAttribute(token, "r") };
    } catch (error) {
      if (error instanceof CalamineError) return null;
      throw error;
    }
  };
  scan: for (;;) {
    let token;
    try {
      token = reader.next();
    } catch (error) {
      if (error instanceof XmlError) break;
      throw error;
    }
    if (token.type === "eof") break;
    const name = token.name === null ? null : localName(token.name);
    if (!inSheetData) {
      if (token.type === "start") inSheetData = name === "sheetData";
    } else if (token.type === "start" && name === "row") {
      const found = rawR(token);
      if (found === null) break;
      if (found.r !== null) {
        const reference = spanReference(found.r);
        if (reference === null) break;
        rowIndex = reference[0];
      }
    } else if (token.type === "end" && name === "row") {
      rowIndex = Math.min(rowIndex + 1, MAX_CELLS + 1);
      columnIndex = 0;
    } else if (token.type === "start" && name === "c") {
      const found = rawR(token);
      if (found === null) break;
      let position = [rowIndex, columnIndex];
      if (found.r !== null) {
        position = spanReference(found.r);
        if (position === null || position[1] === null) break;
      }
      const [row, column] = position;
      columnIndex = Math.min(column + 1, MAX_CELLS + 1);
      top = Math.min(top, row);
      left = Math.min(left, column);
      bottom = Math.max(bottom, row);
      right = Math.max(right, column);
      for (;;) {
        let inner;
        try {
          inner = reader.next();
        } catch (error) {
          if (error instanceof XmlError) break scan;
          throw error;
        }
        if (inner.type === "end" && localName(inner.name) === "c") break;
        if (inner.type === "eof") break scan;
      }
    } else if (token.type === "end" && name === "sheetData") break;
  }
  if (top === Infinity) return;
  const [height, width] = [bottom - top + 1, right - left + 1];
  if (width * height > MAX_CELLS || bottom >= MAX_CELLS) {
    throw new CalamineError(
      `its cells span ${height} rows and ${width} columns, more than a questionnaire can (${MAX_CELLS} cells)`,
    );
  }
}

/// `Range::from_sparse` then Rust's `Workbook::rows`: rows above the first used row are
/// empty lists; every other row has the used range's width, from column A.
function rowsOfCells(cells, admit = () => {}) {
  if (cells.length === 0) {
    admit(0);
    return [];
  }
  let [top, left, bottom, right] = [Infinity, Infinity, 0, 0];
  for (const [row, column] of cells) {
    top = Math.min(top, row);
    left = Math.min(left, column);
    bottom = Math.max(bottom, row);
    right = Math.max(right, column);
  }
  const width = right - left + 1;
  const height = bottom - top + 1;
  if (width * height > MAX_CELLS || bottom >= MAX_CELLS) {
    throw new CalamineError(
      `its cells span ${height} rows and ${width} columns, more than a questionnaire can (${MAX_CELLS} cells)`,
    );
  }
  admit(height * (left + width));
  const grid = Array.from({ length: height }, () => new Array(width).fill(""));
  for (const [row, column, text] of cells) grid[row - top][column - left] = text;
  const padding = new Array(left).fill("");
  const rows = Array.from({ length: top }, () => []);
  for (const row of grid) rows.push(left ? padding.concat(row) : row);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The workbook.

/// The writes of one sheet, one per cell (the last given wins), sorted by row then column.
function sortedWrites(list, sheet) {
  const byCell = new Map();
  for (const write of list) {
    const [row, column, text] = write ?? [];
    if (!Number.isSafeInteger(row) || row < 0 || !Number.isSafeInteger(column) || column < 0) {
      const given = JSON.stringify(write);
      throw new TypeError(`a write to sheet \`${sheet}\` is not [row, column, text] from 0: ${given}`);
    }
    byCell.set(`${row},${column}`, [row, column, String(text)]);
  }
  return [...byCell.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

const compareSkipped = (a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);

/// Sets `key` even when it is `__proto__`.
function setOwn(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

class Workbook {
  #archive;
  #parts = new Map(); // path → Promise of its bytes
  #book = null; // Promise of calamine's view: {strings, sheets}
  #caseless = null; // calamine's path lookup: lowercased path → part name
  #spans = new Map(); // sheet name → cells rows() returned: together at most MAX_CELLS

  constructor(archive, sheets) {
    this.#archive = archive;
    /** @type {Array<{name: string, path: string}>} */
    this.sheets = sheets;
  }

  /// The sheet's cells as text, at their place in the sheet (row and column from 0).
  async rows(sheet) {
    let book;
    try {
      book = await this.#calamineBook();
    } catch (error) {
      if (error instanceof WorkbookError) throw error;
      throw refused.broken(`cannot read the workbook: ${calamineMessage(error)}`);
    }
    try {
      // calamine would allocate a sheet's whole used range (Rust `check_span`).
      const ours = this.sheets.find(({ name }) => name === sheet);
      if (ours) {
        let part = null;
        try {
          part = decodeLenient(await this.#part(ours.path));
        } catch (error) {
          if (!(error instanceof WorkbookError)) throw error;
        }
        if (part !== null) checkSpan(part);
      }
      const found = book.sheets.find(([name]) => name === sheet);
      const xml = found ? await this.#caselessText(found[1]) : null;
      if (xml === null) throw new CalamineError(`Worksheet '${sheet}' not found`);
      const cells = readCells(xml, book.strings);
      const admit = (count) => {
        if (this.#spans.has(sheet)) return;
        const total = [...this.#spans.values()].reduce((sum, n) => sum + n, 0);
        if (total + count > MAX_CELLS) {
          throw new CalamineError(
            `the workbook's sheets together span more than a questionnaire can (${MAX_CELLS} cells)`,
          );
        }
        this.#spans.set(sheet, count);
      };
      return rowsOfCells(cells ?? [], admit);
    } catch (error) {
      if (error instanceof WorkbookError) throw error;
      throw refused.broken(`cannot read sheet \`${sheet}\`: ${calamineMessage(error)}`);
    }
  }

  /// The values of the list dropdown (data validation) over `column` of `sheet`: written in
  /// the validation (`"Yes,No,N/A"`), or a range of cells (`$H$2:$H$4`, `Lists!$A$1:$A$3`),
  /// or a defined name for one; in the classic form or in Excel 2010's extension. Empty when
  /// there is none or it cannot be read.
  async dropdown(sheet, column) {
    const xml = decodeLenient(await this.#part(sheetPath(this, sheet)));
    for (const [sqref, formula] of listValidations(xml)) {
      if (splitWhitespace(sqref).some((range) => rangeHasColumn(range, column))) {
        return this.#listValues(sheet, formula);
      }
    }
    return [];
  }

  /// What a sheet's values do not show (fill::Unwritable), as `plan` asks it: whether a cell
  /// holds a formula (one never computed reads as empty), and why a cell cannot be written
  /// ("cell C4 is inside a merged area"), or null.
  async unwritable(sheet) {
    const xml = decodeLenient(await this.#part(sheetPath(this, sheet)));
    const formulas = formulaCells(xml);
    const covered = coveredAreas(xml);
    return {
      formula: (row, column) => formulas.has(`${row},${column}`),
      blocked: (row, column) => {
        const why = coveredBy(covered, row, column);
        return why === null ? null : `cell ${reference(row, column)} is ${why}`;
      },
    };
  }

  /// The workbook with `writes` ({sheet: [[row, column, text]]}) made, and per sheet the cells
  /// left alone: inside a merged area (only its top-left cell holds a value) or an array
  /// formula's area, or holding a formula. Every part of the file but the written sheets is copied byte for byte.
  async fill(writes) {
    const parts = new Map();
    const skippedBySheet = {};
    for (const sheet of Object.keys(writes).sort(compareRustStrings)) {
      const path = sheetPath(this, sheet);
      const original = decodeExact(await this.#part(path));
      if (original === null) throw refused.broken("the sheet's XML: cannot decode input using UTF-8");
      const covered = coveredAreas(original);
      const skipped = [];
      const kept = sortedWrites(writes[sheet], sheet).filter(([row, column]) => {
        const why = coveredBy(covered, row, column);
        if (why !== null) skipped.push([row, column, why]);
        return why === null;
      });
      const { xml, formulas } = rewriteSheet(original, kept);
      for (const [row, column] of formulas) skipped.push([row, column, "holds a formula"]);
      skipped.sort(compareSkipped);
      parts.set(path, new TextEncoder().encode(xml));
      setOwn(skippedBySheet, sheet, skipped);
    }
    return { bytes: await rebuildArchive(this.#archive, parts), skipped: skippedBySheet };
  }

  /// The values a list validation's formula names.
  async #listValues(sheet, formula) {
    formula = trimRust(formula).replace(/^=+/, "");
    if (formula.length >= 2 && formula.startsWith('"') && formula.endsWith('"')) {
      return formula
        .slice(1, -1)
        .split(",")
        .map(trimRust)
        .filter((value) => value !== "");
    }
    let target = null;
    try {
      target = definedName(decodeLenient(await this.#part("xl/workbook.xml")), formula);
    } catch (error) {
      if (!(error instanceof WorkbookError)) throw error;
    }
    if (target !== null) formula = target;
    let onSheet = sheet;
    let range = formula;
    const bang = formula.lastIndexOf("!");
    if (bang >= 0) {
      const name = trimRust(formula.slice(0, bang));
      range = formula.slice(bang + 1);
      const quoted = name.length >= 2 && name.startsWith("'") && name.endsWith("'");
      onSheet = quoted ? name.slice(1, -1).replaceAll("''", "'") : name;
    }
    const bare = range.replaceAll("$", "");
    const colon = bare.indexOf(":");
    const start = parseReference(colon < 0 ? bare : bare.slice(0, colon));
    const end = parseReference(colon < 0 ? bare : bare.slice(colon + 1));
    if (!start || !end) return [];
    const [[top, left], [bottom, right]] = [start, end];
    let rows;
    try {
      rows = await this.rows(onSheet);
    } catch (error) {
      if (error instanceof WorkbookError) return [];
      throw error;
    }
    const values = [];
    for (const row of rows.slice(top, bottom + 1)) {
      for (const cell of row.slice(left, right + 1)) {
        const value = trimRust(cell);
        if (value !== "" && !values.includes(value)) values.push(value);
      }
    }
    return values;
  }

  /// A part's bytes, by its exact name (the Rust `read_part`).
  #part(path) {
    if (!this.#parts.has(path)) {
      const entry = this.#archive.byName.get(path);
      if (!entry) return Promise.reject(refused.notAWorkbook(`it has no \`${path}\``));
      this.#parts.set(path, inflateEntry(this.#archive, entry));
    }
    return this.#parts.get(path);
  }

  /// A part's text by calamine's lookup (ASCII case and `\` ignored), or null when missing.
  async #caselessText(path) {
    if (this.#caseless === null) {
      this.#caseless = new Map();
      for (const { name } of this.#archive.entries) {
        this.#caseless.set(asciiLowercase(name.replaceAll("\\", "/")), name);
      }
    }
    const name = this.#caseless.get(asciiLowercase(path)) ?? path;
    if (!this.#archive.byName.has(name)) return null;
    return decodeLenient(await this.#part(name));
  }

  /// What calamine's `Xlsx::new` reads (styles apart): the shared strings and the sheets.
  #calamineBook() {
    this.#book ??= (async () => {
      const packageRelationships = await this.#caselessText("_rels/.rels");
      if (packageRelationships === null) throw new CalamineError("File not found '_rels/.rels'");
      const { xlPath, workbookName } = readPackageRelationships(packageRelationships);
      const strings = readSharedStrings(await this.#caselessText(`${xlPath}sharedStrings.xml`));
      const relationshipsPath = `${xlPath}_rels/${workbookName}.rels`;
      const relationships = await this.#caselessText(relationshipsPath);
      if (relationships === null) throw new CalamineError(`File not found '${relationshipsPath}'`);
      const targets = readWorkbookRelationships(relationships);
      const workbook = await this.#caselessText(`${xlPath}${workbookName}`);
      const sheets = workbook === null ? [] : readWorkbookSheets(workbook, targets, xlPath);
      return { strings, sheets };
    })();
    return this.#book;
  }
}

/// Opens a workbook from its bytes: the sheets are found, nothing else is read yet. Throws a
/// WorkbookError for what is not a workbook, or is too large once inflated (judged from the
/// zip's directory, before anything is inflated).
export async function openWorkbook(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("openWorkbook needs the file's bytes, as a Uint8Array");
  }
  // A plain view: a Node Buffer's slice() shares memory, and the headers copied with slice()
  // when filling must not write into the caller's bytes.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 0) throw refused.empty();
  // An OLE compound file: an encrypted workbook, or a legacy .xls.
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw refused.encrypted();
  }
  const archive = readArchive(bytes);
  const total = archive.entries.reduce((sum, entry) => sum + entry.size, 0);
  if (total > MAX_UNCOMPRESSED) throw refused.tooLarge(total);
  const read = async (path) => {
    const entry = archive.byName.get(path);
    if (!entry) throw refused.notAWorkbook(`it has no \`${path}\``);
    return decodeLenient(await inflateEntry(archive, entry));
  };
  const workbook = await read("xl/workbook.xml");
  const several = sheetWithSeveralIds(workbook);
  if (several !== null) {
    throw refused.broken(
      `the workbook's sheet \`${several}\` has more than one relationship id, so it is not clear which part it is: open the file in Excel or LibreOffice, save it, and try again`,
    );
  }
  const targets = relationshipTargets(await read("xl/_rels/workbook.xml.rels"));
  const sheets = [];
  for (const [name, id] of sheetIds(workbook)) {
    const target = targets.get(id);
    if (target === undefined) continue;
    sheets.push({ name, path: target.startsWith("/") ? target.slice(1) : `xl/${target}` });
  }
  return new Workbook(archive, sheets);
}

/// The part path of a sheet, by name (`xl/worksheets/sheet1.xml`).
export function sheetPath(workbook, name) {
  const found = workbook.sheets.find((sheet) => sheet.name === name);
  if (!found) throw refused.noSuchSheet(name, workbook.sheets.map((sheet) => sheet.name));
  return found.path;
}
