// A questionnaire kept as CSV, read so that it can be written back with only the touched
// cells changed: a port of src/answer/csv_file.rs. Every record keeps its fields' raw text
// (quotes and all) and its line ending; the file keeps its byte-order mark and delimiter.

export class CsvError extends Error {}

/** The index of the first byte that is not valid UTF-8, or -1 (Rust's `valid_up_to`). */
function invalidUtf8At(bytes) {
  let at = 0;
  while (at < bytes.length) {
    const byte = bytes[at];
    let length;
    let min;
    if (byte < 0x80) {
      at += 1;
      continue;
    } else if (byte >= 0xc2 && byte <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return at;
    }
    if (at + length > bytes.length) return at;
    let code = byte & (0xff >> (length + 1));
    for (let i = 1; i < length; i++) {
      const next = bytes[at + i];
      if ((next & 0xc0) !== 0x80) return at;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return at;
    at += length;
  }
  return -1;
}

/** `,`, `;` or a tab: whichever the first line has most of, outside quotes (`,` on a tie). */
function detectDelimiter(text) {
  let first = text.split("\n")[0];
  if (first.endsWith("\r")) first = first.slice(0, -1);
  const counts = new Map([
    [",", 0],
    [";", 0],
    ["\t", 0],
  ]);
  let quoted = false;
  for (const char of first) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char) + 1);
  }
  // Rust's max_by_key keeps the last of equal keys; the key is (count, is comma).
  let best = ",";
  let key = [-1, false];
  for (const [delimiter, count] of counts) {
    const candidate = [count, delimiter === ","];
    if (candidate[0] > key[0] || (candidate[0] === key[0] && candidate[1] >= key[1])) {
      best = delimiter;
      key = candidate;
    }
  }
  return best;
}

/** One record from `at`, and where the next starts; null when a quoted field never closes. */
function parseRecord(text, at, delimiter) {
  const raw = [];
  const values = [];
  const stop = (i) => i < text.length && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r";
  for (;;) {
    const start = at;
    let value = "";
    if (text[at] === '"') {
      at += 1;
      for (;;) {
        const next = text.indexOf('"', at);
        if (next === -1) return null;
        value += text.slice(at, next);
        if (text[next + 1] === '"') {
          value += '"';
          at = next + 2;
        } else {
          at = next + 1;
          break;
        }
      }
      const tail = at;
      while (stop(at)) at += 1;
      value += text.slice(tail, at);
    } else {
      while (stop(at)) at += 1;
      value += text.slice(start, at);
    }
    raw.push(text.slice(start, at));
    values.push(value);
    const char = text[at];
    if (char === delimiter) {
      at += 1;
    } else if (char === "\r" && text[at + 1] === "\n") {
      return [{ raw, values, ending: "\r\n" }, at + 2];
    } else if (char === "\n") {
      return [{ raw, values, ending: "\n" }, at + 1];
    } else if (char === "\r") {
      return [{ raw, values, ending: "\r" }, at + 1];
    } else {
      return [{ raw, values, ending: "" }, at];
    }
  }
}

/** A value as a CSV field, as `csv_file::quote`: formulas defused, quoted when needed. */
function quote(value, delimiter) {
  if (/^[=+\-@]/.test(value)) value = "'" + value;
  const needs =
    /["\n\r]/.test(value) || value.includes(delimiter) || value.startsWith(" ") || value.endsWith(" ");
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

export class CsvFile {
  /** Reads `bytes` (a Uint8Array); throws CsvError with the Rust command's words. */
  static parse(bytes) {
    let bom = false;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bom = true;
      bytes = bytes.subarray(3);
    }
    const bad = invalidUtf8At(bytes);
    if (bad !== -1) {
      throw new CsvError(`the file is not UTF-8 text (byte ${bad}): save it as CSV UTF-8 and try again`);
    }
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    if (text.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "") === "") {
      throw new CsvError("the file is empty");
    }
    const delimiter = detectDelimiter(text);
    const records = [];
    let at = 0;
    let line = 1;
    while (at < text.length) {
      const parsed = parseRecord(text, at, delimiter);
      if (parsed === null) throw new CsvError(`line ${line}: a quoted field is never closed`);
      const [record, next] = parsed;
      line += record.raw.reduce((n, field) => n + field.split("\n").length - 1, 0) + 1;
      records.push(record);
      at = next;
    }
    const file = new CsvFile();
    file.bom = bom;
    file.delimiter = delimiter;
    file.records = records;
    return file;
  }

  /** The values, row by row. */
  rows() {
    return this.records.map((record) => record.values.slice());
  }

  /** Sets one cell, quoting as CSV needs; a short record gets empty fields up to it. */
  set(row, column, value) {
    const record = this.records[row];
    if (!record) return;
    while (record.raw.length <= column) {
      record.raw.push("");
      record.values.push("");
    }
    record.raw[column] = quote(value, this.delimiter);
    record.values[column] = value;
  }

  /** The file's bytes: the bytes parsed when nothing was set. */
  toBytes() {
    let out = this.bom ? "\ufeff" : "";
    for (const record of this.records) out += record.raw.join(this.delimiter) + record.ending;
    return new TextEncoder().encode(out);
  }
}
