// The questionnaire workbook as the customer's browser reads and fills it
// (themes/default/static/questionnaire/workbook.js), in Node, without a browser: the unit tests
// of src/answer/xlsx/tests.rs ported, calamine's reading of cells mirrored, workbooks made by
// openpyxl opened, read and filled, and bad files refused. Run:
//   cd tests/browser && node --test workbook.test.mjs
// The openpyxl tests are skipped with a notice when python3 or openpyxl is missing, unless
// TRUSTPRESS_REQUIRE_TOOLS is set.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { vocabulary } from "../../themes/default/static/questionnaire/engine.js";
import {
  openWorkbook,
  sheetPath,
  WorkbookError,
} from "../../themes/default/static/questionnaire/workbook.js";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../..");
const MAKE = join(here, "fixtures", "questionnaires", "make.py");
/// As lib/harness.mjs finds it (not imported here: this suite needs no browser).
const TRUSTPRESS = process.env.TRUSTPRESS_BIN || join(REPO, "target/debug/trustpress");
const NO_TRUSTPRESS = existsSync(TRUSTPRESS) ? false : `no trustpress binary at ${TRUSTPRESS} (cargo build)`;

// ---------------------------------------------------------------------------------------------
// A small zip writer and reader, independent of the module under test.

const encode = (text) => new TextEncoder().encode(text);
const decode = (bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

/// A zip of `entries` ({name, data, method = 8, descriptor = false, time, date, size, crc}):
/// `size` and `crc` override what the directory declares.
function zip(entries, { comment = "" } = {}) {
  const pieces = [];
  const directory = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encode(entry.name);
    const content = typeof entry.data === "string" ? encode(entry.data) : entry.data;
    const method = entry.method ?? 8;
    const data = entry.compressed ?? (method === 8 ? deflateRawSync(content) : content);
    const crc = entry.crc ?? crc32(content);
    const size = entry.size ?? content.length;
    const flags = (entry.descriptor ? 0x0008 : 0) | 0x0800 | (entry.flags ?? 0);
    const fields = (header, at) => {
      header.setUint16(at, 20, true);
      header.setUint16(at + 2, flags, true);
      header.setUint16(at + 4, method, true);
      header.setUint16(at + 6, entry.time ?? 0x6000, true);
      header.setUint16(at + 8, entry.date ?? 0x5a21, true);
      header.setUint32(at + 10, entry.descriptor ? 0 : crc, true);
      header.setUint32(at + 14, entry.descriptor ? 0 : data.length, true);
      header.setUint32(at + 18, entry.descriptor ? 0 : size, true);
      header.setUint16(at + 22, name.length, true);
    };
    const local = new Uint8Array(30 + name.length);
    const view = new DataView(local.buffer);
    view.setUint32(0, 0x04034b50, true);
    fields(view, 4);
    local.set(name, 30);
    pieces.push(local, data);
    let length = local.length + data.length;
    if (entry.descriptor) {
      const descriptor = new DataView(new ArrayBuffer(16));
      descriptor.setUint32(0, 0x08074b50, true);
      descriptor.setUint32(4, crc, true);
      descriptor.setUint32(8, data.length, true);
      descriptor.setUint32(12, size, true);
      pieces.push(new Uint8Array(descriptor.buffer));
      length += 16;
    }
    const central = new Uint8Array(46 + name.length);
    const record = new DataView(central.buffer);
    record.setUint32(0, 0x02014b50, true);
    record.setUint16(4, 0x031e, true);
    fields(record, 6);
    record.setUint32(16, crc, true);
    record.setUint32(20, data.length, true);
    record.setUint32(24, size, true);
    record.setUint32(42, offset, true);
    central.set(name, 46);
    directory.push(central);
    offset += length;
  }
  const directoryLength = directory.reduce((n, d) => n + d.length, 0);
  const commentBytes = encode(comment);
  const end = new Uint8Array(22 + commentBytes.length);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, entries.length, true);
  view.setUint16(10, entries.length, true);
  view.setUint32(12, directoryLength, true);
  view.setUint32(16, offset, true);
  view.setUint16(20, commentBytes.length, true);
  end.set(commentBytes, 22);
  return Buffer.concat([...pieces, ...directory, end]);
}

/// Each entry of a zip: its central record fields, its raw span and its content.
function unzip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (view.getUint32(end, true) !== 0x06054b50) end--;
  const entries = new Map();
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < view.getUint16(end + 10, true); i++) {
    const nameLength = view.getUint16(at + 28, true);
    const name = decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const offset = view.getUint32(at + 42, true);
    const dataStart = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    const content = method === 8 ? inflateRawSync(data) : data;
    let spanEnd = dataStart + compressedSize;
    if (flags & 8) spanEnd += view.getUint32(spanEnd, true) === 0x08074b50 ? 16 : 12;
    entries.set(name, {
      flags,
      method,
      time: view.getUint16(at + 12, true),
      date: view.getUint16(at + 14, true),
      crc: view.getUint32(at + 16, true),
      span: Buffer.from(bytes.subarray(offset, spanEnd)),
      text: decode(content),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  const commentLength = view.getUint16(end + 20, true);
  return { entries, comment: decode(bytes.subarray(end + 22, end + 22 + commentLength)) };
}

/// A minimal workbook: `sheets` as [name, sheet XML]; `parts` added or replacing the defaults.
function workbookOf(sheets, { parts = {}, definedNames = "", entry = {} } = {}) {
  const files = {
    "[Content_Types].xml":
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "_rels/.rels":
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
      .map(([name], i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join("")}</sheets>${definedNames}</workbook>`,
    "xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
      .map(
        (_, i) =>
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join("")}</Relationships>`,
  };
  sheets.forEach(([, xml], i) => (files[`xl/worksheets/sheet${i + 1}.xml`] = xml));
  Object.assign(files, parts);
  return zip(Object.entries(files).map(([name, data]) => ({ name, data, ...(entry[name] ?? {}) })));
}

/// The filled sheet's XML, with what fill() reported.
async function fillOne(sheetXml, writes, options) {
  const workbook = await openWorkbook(workbookOf([["Sheet1", sheetXml]], options));
  const { bytes, skipped } = await workbook.fill({ Sheet1: writes });
  return { xml: unzip(bytes).entries.get("xl/worksheets/sheet1.xml").text, skipped: skipped.Sheet1, bytes };
}

const rowsOf = async (sheetXml, parts = {}) =>
  (await openWorkbook(workbookOf([["Sheet1", sheetXml]], { parts }))).rows("Sheet1");

const sheetData = (rows) => `<worksheet><sheetData>${rows}</sheetData></worksheet>`;

/// A sheet whose column A holds `words`, from row 1.
const columnOf = (words) =>
  sheetData(
    words
      .map((word, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${word}</t></is></c></row>`)
      .join(""),
  );

/// Rejects with a WorkbookError whose message is exactly `message`.
async function refused(promise, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof WorkbookError, `not a WorkbookError: ${error?.stack}`);
    assert.equal(error.message, message);
    return true;
  });
}

/// `trustpress answer QUESTIONNAIRE` into `out`, with this repository's content: its decisions
/// for each sheet (`--format json`).
function answer(questionnaire, out) {
  const run = spawnSync(
    TRUSTPRESS,
    [
      "answer",
      questionnaire,
      ...["--content", join(REPO, "content"), "--out", out],
      ...["--format", "json", "--today", "2026-11-21"],
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

/// The cells `trustpress answer` wrote into a sheet's XML, as [row, column, text].
function writtenCells(xml) {
  const entities = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"', "#13": "\r" };
  const unescapeText = (text) => text.replace(/&(lt|gt|amp|apos|quot|#13);/g, (_, name) => entities[name]);
  const cell = /<c r="([A-Z]+)([0-9]+)"(?: s="[^"]*")? t="inlineStr"><is><t xml:space="preserve">(.*?)<\/t><\/is><\/c>/gs;
  return [...xml.matchAll(cell)].map(([, letters, row, text]) => [
    Number(row) - 1,
    [...letters].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0) - 1,
    unescapeText(text),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The unit tests of src/answer/xlsx/tests.rs, through the module's API.

describe("ported from src/answer/xlsx.rs", () => {
  const SHEET = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/><sheetData><row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="2"><v>1</v></c></row><row r="3"><c r="A3"><v>7</v></c><c r="C3" s="5"/><c r="D3"><f>SUM(A3)</f><v>7</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><dataValidations count="1"><dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>`;

  test("list validations are read in both forms", async () => {
    const xml = `<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="2">
<dataValidation type="list" sqref="C2:C9"><formula1>"Yes,No"</formula1></dataValidation>
<dataValidation type="whole" sqref="D2:D9"><formula1>1</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>`;
    const lists = sheetData(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>b</t></is></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>c</t></is></c></row>',
    );
    const workbook = await openWorkbook(workbookOf([["Sheet1", xml], ["Lists", lists]]));
    assert.deepEqual(await workbook.dropdown("Sheet1", 2), ["Yes", "No"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 3), []); // a whole-number rule, not a list
    assert.deepEqual(await workbook.dropdown("Sheet1", 4), ["a", "b", "c"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 5), []);
  });

  test("references read and write", async () => {
    const xml = `<worksheet><sheetData/><mergeCells count="3"><mergeCell ref="C5:D5"/><mergeCell ref="AA10:AB11"/><mergeCell ref="5:6"/></mergeCells></worksheet>`;
    const { xml: out, skipped } = await fillOne(xml, [
      [4, 3, "inside C5:D5"],
      [10, 26, "inside AA10:AB11"],
      [9, 26, "AA10, its top-left cell"],
      [4, 0, "A5: `5:6` is no reference"],
    ]);
    assert.deepEqual(skipped, [
      [4, 3, "inside a merged area"],
      [10, 26, "inside a merged area"],
    ]);
    assert.ok(out.includes('<c r="AA10" t="inlineStr">'), out);
    assert.ok(out.includes('<c r="A5" t="inlineStr">'), out);
  });

  test("a row numbered zero is kept as written, not a panic", async () => {
    const sheet = `<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`;
    const { xml } = await fillOne(sheet, [[0, 1, "x"]]);
    assert.ok(xml.startsWith(`<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row>`), xml);
    assert.ok(xml.includes(`<c r="B1" t="inlineStr">`), xml);
  });

  test("no writes change nothing", async () => {
    const { xml, skipped } = await fillOne(SHEET, []);
    assert.equal(xml, SHEET);
    assert.deepEqual(skipped, []);
  });

  test("writes go into place keeping styles and formulas", async () => {
    const { xml: out, skipped } = await fillOne(SHEET, [
      [1, 2, "Yes"], // row 2 is new
      [2, 1, "B & <b>"], // a new cell before C3
      [2, 2, "No"], // C3 exists, styled
      [2, 3, "x"], // D3 holds a formula: kept
      [5, 0, "last"], // a row after every row
    ]);
    assert.deepEqual(skipped, [[2, 3, "holds a formula"]]);
    assert.ok(
      out.includes(
        `</row><row r="2"><c r="C2" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c></row><row r="3">`,
      ),
      out,
    );
    assert.ok(
      out.includes(
        `<c r="A3"><v>7</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">B &amp; &lt;b&gt;</t></is></c><c r="C3" s="5" t="inlineStr"><is><t xml:space="preserve">No</t></is></c><c r="D3"><f>SUM(A3)</f><v>7</v></c></row>`,
      ),
      out,
    );
    assert.ok(
      out.includes(
        `<row r="6"><c r="A6" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row></sheetData>`,
      ),
      out,
    );
    assert.ok(
      out.endsWith(
        `<dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>`,
      ),
    );
    // merged_areas: B1 is inside A1:B1; range_has_column: the list covers C, not D.
    assert.deepEqual((await fillOne(SHEET, [[0, 1, "x"]])).skipped, [[0, 1, "inside a merged area"]]);
    const workbook = await openWorkbook(workbookOf([["Sheet1", SHEET]]));
    assert.deepEqual(await workbook.dropdown("Sheet1", 2), ["Yes", "No", "N/A"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 3), []);
  });

  test("a defined name is read whole, entity references included", async () => {
    const validation = (column, formula) =>
      `<dataValidation type="list" sqref="${column}2:${column}40"><formula1>${formula}</formula1></dataValidation>`;
    const questions = `<worksheet><sheetData/><dataValidations count="3">${validation("C", "Answers")}${validation("D", "Characters")}${validation("E", "Empty")}</dataValidations></worksheet>`;
    const definedNames = [
      `<definedName name="Empty"></definedName>`,
      `<definedName name="Answers" localSheetId="0">Questions!$A$1</definedName>`,
      `<definedName name="Answers">'Q&amp;A&apos;&apos;s lists'!$A$1:$A$3</definedName>`,
      `<definedName name="Characters">&#39;It&#x27;&#39;s&#39;!$A$1:$A$2</definedName>`,
    ].join("");
    const workbook = await openWorkbook(
      workbookOf(
        [
          ["Questions", questions],
          ["Q&amp;A&apos;s lists", columnOf(["Y", "N", "Not applicable"])],
          ["It&apos;s", columnOf(["a", "b"])],
        ],
        { definedNames: `<definedNames>${definedNames}</definedNames>` },
      ),
    );
    assert.deepEqual(await workbook.dropdown("Questions", 2), ["Y", "N", "Not applicable"]);
    assert.deepEqual(await workbook.dropdown("Questions", 3), ["a", "b"]);
    assert.deepEqual(await workbook.dropdown("Questions", 4), []);
  });

  test("list validations keep entity references", async () => {
    const xml = `<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="1">
<dataValidation type="list" sqref="C2:C9"><formula1>'Q&amp;A'!$A$1:$A$3</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>'Q&amp;A&apos;&apos;s &#x4C;ists'!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40&#32;G2:G9</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>`;
    const workbook = await openWorkbook(
      workbookOf([
        ["Sheet1", xml],
        ["Q&amp;A", columnOf(["Yes", "No"])],
        ["Q&amp;A&apos;s Lists", columnOf(["Y", "N"])],
      ]),
    );
    assert.deepEqual(await workbook.dropdown("Sheet1", 2), ["Yes", "No"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 4), ["Y", "N"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 6), ["Y", "N"], "the sqref's second range");
    assert.deepEqual(await workbook.dropdown("Sheet1", 5), []);
  });

  test("an empty <sheetData/> is kept unless rows are written into it", async () => {
    for (const sheet of [
      `<worksheet><sheetData/></worksheet>`,
      `<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>`,
    ]) {
      assert.equal((await fillOne(sheet, [])).xml, sheet);
    }
    const { xml } = await fillOne(`<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>`, [
      [0, 1, "b"],
      [1, 0, "a"],
    ]);
    assert.equal(
      xml,
      `<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" >` +
        `<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">b</x:t></x:is></x:c></x:row>` +
        `<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t xml:space="preserve">a</x:t></x:is></x:c></x:row>` +
        `</x:sheetData></x:worksheet>`,
    );
  });

  test("rows and cells written take the sheet's prefix", async () => {
    const sheet = `<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"/><x:row r="3"><x:c r="B3" s="4"/></x:row></x:sheetData></x:worksheet>`;
    const { xml } = await fillOne(sheet, [
      [0, 0, "a"],
      [1, 0, "b"],
      [2, 1, "c"],
    ]);
    const cell = (reference, style, text) =>
      `<x:c r="${reference}"${style} t="inlineStr"><x:is><x:t xml:space="preserve">${text}</x:t></x:is></x:c>`;
    assert.equal(
      xml,
      `<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1">${cell("A1", "", "a")}</x:row>` +
        `<x:row r="2">${cell("A2", "", "b")}</x:row><x:row r="3">${cell("B3", ' s="4"', "c")}</x:row>` +
        `</x:sheetData></x:worksheet>`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// rewrite_sheet's other cases.

describe("found by a red team, refused as the command refuses them (src/answer/xlsx.rs)", () => {
  test("absurd references are refused before a grid is built", async () => {
    for (const reference of ["ZZZZZZZ2", "A99999999999999999999999", "XFD1048576"]) {
      const sheet = sheetData(`<row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c></row><row><c r="${reference}"><v>1</v></c></row>`);
      const workbook = await openWorkbook(workbookOf([["Q", sheet]]));
      await assert.rejects(workbook.rows("Q"), (error) => {
        assert.ok(error instanceof WorkbookError);
        assert.match(error.message, /more than a questionnaire can \(16777216 cells\)/, reference);
        return true;
      });
    }
  });

  test("sheets that together span more than the cap are refused", async () => {
    // Two sheets of 9,000 × 1,000 cells: each under the cap, together over it.
    const wide = sheetData(`<row r="1"><c r="A1"><v>1</v></c></row><row r="9000"><c r="ALL9000"><v>1</v></c></row>`);
    const workbook = await openWorkbook(workbookOf([["One", wide], ["Two", wide]]));
    assert.equal((await workbook.rows("One")).length, 9000);
    await assert.rejects(workbook.rows("Two"), /sheets together span more than a questionnaire can \(16777216 cells\)/);
  });

  test("a sheet with two relationship ids is refused", async () => {
    const bytes = workbookOf([["Q", columnOf(["Question"])]], {
      parts: {
        "xl/workbook.xml":
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q" sheetId="1" r:id="rId1" id="rId2"/></sheets></workbook>',
      },
    });
    await assert.rejects(openWorkbook(bytes), /has more than one relationship id/);
  });

  test("a sheet whose rows or cells have no reference is not filled", async () => {
    for (const rows of [`<row><c r="A1"><v>1</v></c></row>`, `<row r="1"><c><v>1</v></c></row>`]) {
      await refused(
        fillOne(sheetData(rows), [[1, 1, "x"]]),
        "the sheet has rows or cells without a reference (`r`), which cannot be filled safely: open the file in Excel or LibreOffice, save it, and try again",
      );
    }
  });
});

describe("filling a sheet", () => {
  test("an empty <sheetData/> gets the new rows", async () => {
    const { xml } = await fillOne(`<worksheet><sheetData/></worksheet>`, [
      [1, 0, "a"],
      [0, 1, "b"],
    ]);
    assert.equal(
      xml,
      `<worksheet><sheetData><row r="1"><c r="B1" t="inlineStr"><is><t xml:space="preserve">b</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">a</t></is></c></row></sheetData></worksheet>`,
    );
  });

  test("an empty <row/> gets its cells, its attributes kept", async () => {
    const { xml } = await fillOne(sheetData(`<row r="5" spans="1:3" ht="20"/>`), [
      [4, 2, "c"],
      [4, 0, "a"],
    ]);
    assert.equal(
      xml,
      sheetData(
        `<row r="5" spans="1:3" ht="20"><c r="A5" t="inlineStr"><is><t xml:space="preserve">a</t></is></c><c r="C5" t="inlineStr"><is><t xml:space="preserve">c</t></is></c></row>`,
      ),
    );
  });

  test("text is escaped as quick-xml escapes it, a carriage return included", async () => {
    const { xml } = await fillOne(sheetData(""), [[0, 0, `a & b < c > d 'e' "f"\r\ng\tö😀`]]);
    assert.ok(
      xml.includes(
        `<t xml:space="preserve">a &amp; b &lt; c &gt; d &apos;e&apos; &quot;f&quot;&#13;\ng\tö😀</t>`,
      ),
      xml,
    );
  });

  test("cells an array formula fills are left alone, as xlsx::array_areas; shared formulas' cells are not", async () => {
    const sheet = sheetData(
      `<row r="3"><c r="C3"><f t="array" ref="C3:C5">A3:A5*2</f><v>2</v></c><c r="D3"><f t="shared" ref="D3:D5" si="0">A3</f><v>1</v></c></row>` +
        `<row r="4"><c r="C4"><v>4</v></c><c r="D4"><f t="shared" si="0"/><v>2</v></c></row>`,
    );
    const { skipped } = await fillOne(sheet, [
      [3, 2, "x"],
      [4, 2, "y"],
      [5, 2, "z"],
      [4, 3, "w"],
    ]);
    assert.deepEqual(skipped, [
      [3, 2, "inside an array formula"],
      [4, 2, "inside an array formula"],
    ]);
  });

  test("control characters are written as Excel's escapes, as xlsx::excel_text", async () => {
    const cases = [
      ["plain, with _x0041 and x0041_ as written", "plain, with _x0041 and x0041_ as written"],
      // Text that looks like an escape keeps its meaning: its underscore is escaped.
      ["code _x0041_ and __x00fF_", "code _x005F_x0041_ and __x005F_x00fF_"],
      ["_x005F_", "_x005F_x005F_"],
      ["a\u0001b\u000bc\u001b\ufffe\uffff\t\n", "a_x0001_b_x000B_c_x001B__xFFFE__xFFFF_\t\n"],
      ["é\u0000😀", "é_x0000_😀"],
    ];
    for (const [text, want] of cases) {
      const { xml } = await fillOne(sheetData(""), [[0, 0, text]]);
      assert.ok(xml.includes(`<t xml:space="preserve">${want}</t>`), `${JSON.stringify(text)}: ${xml}`);
    }
  });

  test("prefixed elements, a byte order mark, comments and CDATA are kept; new ones take the prefix", async () => {
    const sheet = `\ufeff<?xml version="1.0"?>\n<x:worksheet xmlns:x="urn:x"><!-- a <row> in a comment --><x:sheetData>\n  <x:row r='2' x:spans="1:2"><x:c r="A2" t="inlineStr"><x:is><x:t><![CDATA[<kept>]]></x:t></x:is></x:c><x:c r="C2" s='7' t="s"><x:v>0</x:v></x:c></x:row>\n</x:sheetData></x:worksheet>`;
    const { xml } = await fillOne(sheet, [
      [1, 1, "B2"],
      [1, 2, "C2"],
      [2, 0, "A3"],
    ]);
    assert.equal(
      xml,
      `\ufeff<?xml version="1.0"?>\n<x:worksheet xmlns:x="urn:x"><!-- a <row> in a comment --><x:sheetData>\n  <x:row r='2' x:spans="1:2"><x:c r="A2" t="inlineStr"><x:is><x:t><![CDATA[<kept>]]></x:t></x:is></x:c><x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">B2</x:t></x:is></x:c><x:c r="C2" s="7" t="inlineStr"><x:is><x:t xml:space="preserve">C2</x:t></x:is></x:c></x:row>\n<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t xml:space="preserve">A3</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
    );
  });

  test("an empty <sheetData/> is kept as written when no row goes into it", async () => {
    const empty = `<worksheet><x:sheetData/></worksheet>`;
    assert.equal((await fillOne(empty, [])).xml, empty);
    // Nor when the writes go to another sheet.
    const workbook = await openWorkbook(workbookOf([["a", empty], ["b", sheetData("")]]));
    const { bytes } = await workbook.fill({ a: [], b: [[0, 0, "x"]] });
    assert.equal(unzip(bytes).entries.get("xl/worksheets/sheet1.xml").text, empty);
  });

  test("a formula written as an empty element is kept too", async () => {
    const sheet = sheetData(`<row r="1"><c r="A1"><f t="shared" si="0"/><v>2</v></c></row>`);
    const { skipped, xml } = await fillOne(sheet, [[0, 0, "x"]]);
    assert.deepEqual(skipped, [[0, 0, "holds a formula"]]);
    assert.ok(xml.includes(`<c r="A1"><f t="shared" si="0"/><v>2</v></c>`));
  });

  test("the last of several writes to one cell wins; sheets are written in Rust's order", async () => {
    const workbook = await openWorkbook(workbookOf([["b", sheetData("")], ["a", sheetData("")]]));
    const { bytes, skipped } = await workbook.fill({ b: [[0, 0, "1"], [0, 0, "2"]], a: [] });
    assert.deepEqual(Object.keys(skipped), ["a", "b"]);
    assert.ok(unzip(bytes).entries.get("xl/worksheets/sheet1.xml").text.includes(">2</t>"));
  });

  test("broken sheet XML is refused with quick-xml's message", async () => {
    await refused(
      fillOne(sheetData(`<row r="1"><c r="A1"><v>1</c></row>`), [[0, 0, "x"]]),
      "the sheet's XML: ill-formed document: expected `</v>`, but `</c>` was found",
    );
    await refused(
      fillOne(`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v>`, [[0, 0, "x"]]),
      "the sheet's XML ends inside a cell",
    );
    await refused(
      fillOne(sheetData(`<row r="1" a="1></row>`), [[0, 0, "x"]]),
      'the sheet\'s XML: syntax error: attribute value not closed: `"` not found before end of input',
    );
    const notUtf8 = new Uint8Array([...encode("<worksheet><sheetData/>"), 0xff, ...encode("</worksheet>")]);
    await refused(fillOne(notUtf8, [[0, 0, "x"]]), "the sheet's XML: cannot decode input using UTF-8");
  });

  test("unknown sheets are refused, as NoSuchSheet", async () => {
    const workbook = await openWorkbook(workbookOf([["One", sheetData("")], ["Two", sheetData("")]]));
    const message = "the workbook has no sheet named `Nope`; its sheets: One, Two";
    await refused(workbook.fill({ Nope: [[0, 0, "x"]] }), message);
    await refused(workbook.dropdown("Nope", 0), message);
    assert.throws(() => sheetPath(workbook, "Nope"), { message });
    assert.equal(sheetPath(workbook, "Two"), "xl/worksheets/sheet2.xml");
    // rows() reads through calamine, as the Rust does, so its message is calamine's.
    await refused(workbook.rows("Nope"), "cannot read sheet `Nope`: Worksheet 'Nope' not found");
  });

  test("every other part is copied byte for byte: descriptors, stored parts, the comment", async () => {
    const sheet = sheetData(`<row r="1"><c r="A1"><v>1</v></c></row>`);
    const original = zip(
      [
        { name: "[Content_Types].xml", data: "<Types/>", method: 0 },
        {
          name: "_rels/.rels",
          data: `<Relationships><Relationship Id="rId1" Type="x/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
          descriptor: true,
        },
        { name: "xl/worksheets/sheet1.xml", data: sheet, descriptor: true, time: 0x1234, date: 0x4321 },
        {
          name: "xl/workbook.xml",
          data: `<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`,
          method: 0,
        },
        {
          name: "xl/_rels/workbook.xml.rels",
          data: `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
        },
        { name: "xl/media/image1.png", data: new Uint8Array([137, 80, 78, 71, 0, 1, 2, 3]), method: 0 },
      ],
      { comment: "made by hand" },
    );
    const copy = Buffer.from(original);
    const workbook = await openWorkbook(original);
    const { bytes } = await workbook.fill({ S: [[0, 1, "new"]] });
    assert.deepEqual(original, copy, "the customer's bytes are not changed");
    const before = unzip(original);
    const after = unzip(bytes);
    assert.deepEqual([...after.entries.keys()], [...before.entries.keys()]);
    assert.equal(after.comment, "made by hand");
    for (const [name, entry] of before.entries) {
      if (name === "xl/worksheets/sheet1.xml") continue;
      assert.deepEqual(after.entries.get(name).span, entry.span, name);
    }
    const written = after.entries.get("xl/worksheets/sheet1.xml");
    assert.equal(written.method, 8);
    assert.equal(written.flags & 8, 0, "no data descriptor");
    assert.equal(written.flags & 0x0800, 0x0800, "other flags kept");
    assert.deepEqual([written.time, written.date], [0x1234, 0x4321]);
    assert.equal(written.crc, crc32(encode(written.text)));
    assert.ok(written.text.includes(`<c r="B1" t="inlineStr"><is><t xml:space="preserve">new</t></is></c>`));
    // The filled workbook opens again, and the new cell reads back.
    assert.deepEqual(await (await openWorkbook(bytes)).rows("S"), [["1", "new"]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Reading cells as calamine does.

describe("reading cells as calamine does", () => {
  test("numbers read as Rust's f64 Display shows them", async () => {
    const cases = [
      ["1", "1"],
      ["1.5", "1.5"],
      ["1E21", "1000000000000000000000"],
      ["1e-7", "0.0000001"],
      ["-0", "-0"],
      ["1.", "1"],
      [".5", "0.5"],
      ["+3", "3"],
      ["0.30000000000000004", "0.30000000000000004"],
      ["123456789012345680000", "123456789012345680000"],
      ["1e400", "inf"],
      ["-inf", "-inf"],
      ["NaN", "NaN"],
    ];
    const cells = cases.map(([value], i) => `<c r="A${i + 1}"><v>${value}</v></c>`).join("");
    const rows = await rowsOf(sheetData(`<row r="1">${cells}</row>`));
    assert.deepEqual(
      rows.map((row) => row[0]),
      cases.map(([, shown]) => shown),
    );
  });

  test("typed cells: booleans, errors, formulas' strings, dates as text, inline strings", async () => {
    const row = [
      `<c r="A1" t="b"><v>1</v></c>`,
      `<c r="B1" t="b"><v>false</v></c>`,
      `<c r="C1" t="e"><v>#N/A</v></c>`,
      `<c r="D1" t="str"><f>A1</f><v>a &amp; b_x000D_c</v></c>`,
      `<c r="E1" t="d"><v>2024-05-17T00:00:00</v></c>`,
      `<c r="F1" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>`,
      `<c r="G1"><f>1+1</f><v>2</v></c>`,
      `<c r="H1"><v>not a number</v></c>`,
      `<c r="I1" t="n"><v></v></c>`,
      `<c r="J1" s="3"/>`,
    ].join("");
    assert.deepEqual(await rowsOf(sheetData(`<row r="1">${row}</row>`)), [
      ["true", "false", "#N/A", "a & b\rc", "2024-05-17T00:00:00", " x ", "2", "not a number"],
    ]);
  });

  test("shared strings: rich text runs, phonetic runs skipped, Excel's escapes, trimming", async () => {
    const strings = `<?xml version="1.0"?><sst xmlns="urn:main" count="6" uniqueCount="6">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> and not</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>
<si><t>  trimmed
</t></si>
<si><t>line_x000D__x000A_two _x005F_x000D_ _xD83D__xDE00_ _xD83D_ &lt;&#x41;&#66;&gt;</t></si>
<si><t/></si>
<si><t><![CDATA[<cdata>]]></t></si>
</sst>`;
    const cells = [0, 1, 2, 3, 4, 5].map((i) => `<c t="s"><v>${i}</v></c>`).join("");
    const rows = await rowsOf(sheetData(`<row>${cells}</row>`), { "xl/sharedStrings.xml": strings });
    assert.deepEqual(rows, [
      ["plain", "bold and not", "trimmed", "line\r\ntwo _x000D_ 😀 \ufffd <AB>", "", "<cdata>"],
    ]);
  });

  test("cells and rows without `r` follow the previous ones; rows above the first are empty", async () => {
    const rows = await rowsOf(
      sheetData(`<row r="3"><c><v>1</v></c><c r="C3"><v>2</v></c><c><v>3</v></c></row><row><c r="B4"><v>4</v></c></row>`),
    );
    assert.deepEqual(rows, [[], [], ["1", "", "2", "3"], ["", "4", "", ""]]);
  });

  test("the used range starts at the first non-empty cell; an empty string is not empty", async () => {
    const rows = await rowsOf(
      sheetData(`<row r="2"><c r="C2" t="inlineStr"><is><t></t></is></c><c r="D2"/></row><row r="3"><c r="D3"><v>9</v></c></row>`),
    );
    assert.deepEqual(rows, [[], ["", "", "", ""], ["", "", "", "9"]]);
    assert.deepEqual(await rowsOf(sheetData(`<row r="1"><c r="A1" s="1"/></row>`)), []);
  });

  test("what calamine refuses is refused with its message", async () => {
    const cases = [
      [sheetData(`<row r="0"><c><v>1</v></c></row>`), "Range is missing the expected row component."],
      [sheetData(`<row r="1"><c r="A1" t="s"><v>3</v></c></row>`), "Cell string index not found in shared strings table"],
      [sheetData(`<row r="1"><c r="A1" t="e"><v>#SPILL!</v></c></row>`), "Unsupported cell error value '#SPILL!'"],
      [sheetData(`<row r="1"><c r="A1" t="n"><v>x</v></c></row>`), "Parse float error: invalid float literal"],
      [sheetData(`<row r="1"><c r="A1" t="b"><v>2</v></c></row>`), "Unrecognized boolean cell value: 2"],
      [sheetData(`<row r="1"><c r="A1" t="x"><v>1</v></c></row>`), `Unknown cell 't' attribute: "x"`],
      [sheetData(`<row r="1"><c r="A1"><x/></c></row>`), "Expecting 'v, f, or is' node"],
      [sheetData(`<row r="1"><c r="A1" t="str"><v>&nope;</v></c></row>`), "Xml error: at 0..0: unrecognized entity `&nope;`"],
      [`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c>`, "Unexpected end of xml, expecting '</sheetData>'"],
      [`<worksheet><dimension ref="A1:B2:C3"/><sheetData/></worksheet>`, "Range dimension must be lower than 2. Got 3"],
      [`<worksheet><dimension/><sheetData/></worksheet>`, "Expecting 'dimension' node"],
    ];
    for (const [xml, message] of cases) {
      await refused(rowsOf(xml), `cannot read sheet \`Sheet1\`: ${message}`);
    }
    // A sheet without sheetData (a chart sheet) reads as empty.
    assert.deepEqual(await rowsOf(`<chartsheet><drawing/></chartsheet>`), []);
    await refused(
      rowsOf(sheetData(""), { "xl/sharedStrings.xml": "<sst><si><t>x</t></si>" }),
      "cannot read the workbook: Unexpected end of xml, expecting '</sst>'",
    );
  });

  test("dropdowns: a defined name, quoted sheets, values trimmed and deduplicated", async () => {
    const validations = `<dataValidations count="3"><dataValidation type="list" sqref="A1:A9 C1:D9"><formula1>Choices</formula1></dataValidation><dataValidation type="list" sqref="B1:B9"><formula1>='My &amp; list'!$A$1:$B$2</formula1></dataValidation><dataValidation type="list" sqref="E1"><formula1>" a , b,,a "</formula1></dataValidation></dataValidations>`;
    const lists = sheetData(
      `<row r="1"><c r="A1" t="inlineStr"><is><t>Yes</t></is></c><c r="B1" t="inlineStr"><is><t>No</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> Yes </t></is></c><c r="B2"><v>3</v></c></row>`,
    );
    const workbook = await openWorkbook(
      workbookOf(
        [
          ["Sheet1", `<worksheet><sheetData/>${validations}</worksheet>`],
          ["It's", lists],
          ["My &amp; list", columnOf(["Maybe", "Yes"])],
        ],
        { definedNames: `<definedNames><definedName name="Choices">'It''s'!$A$1:$B$2</definedName></definedNames>` },
      ),
    );
    assert.deepEqual(await workbook.dropdown("Sheet1", 0), ["Yes", "No", "3"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 3), ["Yes", "No", "3"]);
    // `&amp;` is an event of its own for quick-xml, read with the formula's text around it.
    assert.deepEqual(await workbook.dropdown("Sheet1", 1), ["Maybe", "Yes"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 4), ["a", "b", "a"]);
    assert.deepEqual(await workbook.dropdown("Sheet1", 5), []);
  });
});

// ---------------------------------------------------------------------------------------------
// Files that are not questionnaires.

/// `size` bytes of zeros, deflated by streaming them through CompressionStream.
async function deflatedZeros(size) {
  const stream = new CompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const chunk = new Uint8Array(1 << 20);
  const writing = (async () => {
    for (let written = 0; written < size; written += chunk.length) await writer.write(chunk);
    await writer.close();
  })();
  const parts = [];
  for await (const part of stream.readable) parts.push(part);
  await writing;
  return Buffer.concat(parts);
}

describe("bad files are refused, never a hang", () => {
  const notAWorkbook = "the file is not an Excel workbook (.xlsx): ";

  test("empty, legacy or encrypted, not a zip", async () => {
    await refused(openWorkbook(new Uint8Array()), "the file is empty");
    await refused(
      openWorkbook(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x20])),
      "the workbook is password-protected (or a legacy .xls): remove the password, or save it as .xlsx, and try again",
    );
    for (const text of ["not a zip at all", "PK\x03\x04 not really a zip", "PK\x05\x06"]) {
      await refused(openWorkbook(encode(text)), `${notAWorkbook}invalid Zip archive: Could not find EOCD`);
    }
    await refused(
      openWorkbook(zip([{ name: "a.txt", data: "a" }])),
      `${notAWorkbook}it has no \`xl/workbook.xml\``,
    );
    await refused(
      openWorkbook(encode("x".repeat(100)).buffer),
      `${notAWorkbook}invalid Zip archive: Could not find EOCD`,
    );
  });

  test("zips this reader does not read", async () => {
    const base = [["Sheet1", sheetData("")]];
    await refused(
      openWorkbook(workbookOf(base, { entry: { "_rels/.rels": { flags: 1 } } })),
      `${notAWorkbook}its part \`_rels/.rels\` is encrypted: save it again from Excel, without a password, and try again`,
    );
    await refused(
      openWorkbook(
        workbookOf(base, { entry: { "_rels/.rels": { method: 12, compressed: new Uint8Array(4) } } }),
      ),
      `${notAWorkbook}its part \`_rels/.rels\` is compressed with method 12, which this reader does not support: save it again from Excel and try again`,
    );
    const zip64 = workbookOf(base);
    new DataView(zip64.buffer, zip64.byteOffset).setUint16(zip64.length - 12, 0xffff, true);
    await refused(
      openWorkbook(zip64),
      `${notAWorkbook}it is a ZIP64 archive, which this reader does not support: save it again from Excel and try again`,
    );
    await refused(
      openWorkbook(workbookOf(base, { entry: { "xl/workbook.xml": { crc: 1 } } })),
      "`xl/workbook.xml`: Invalid checksum",
    );
    const twice = zip([
      { name: "xl/workbook.xml", data: "<workbook/>" },
      { name: "xl/workbook.xml", data: "<workbook/>" },
    ]);
    await refused(openWorkbook(twice), `${notAWorkbook}it holds two parts named \`xl/workbook.xml\``);
  });

  test("a zip bomb: refused from its declared sizes, or as soon as it inflates past them", async () => {
    const size = 300 * 1024 * 1024;
    const zeros = await deflatedZeros(size);
    assert.ok(zeros.length < 1024 * 1024, `${zeros.length} bytes compressed`);
    const bomb = (declared) =>
      workbookOf([["Sheet1", sheetData("")]], {
        entry: { "xl/worksheets/sheet1.xml": { compressed: zeros, size: declared, crc: 0 } },
      });
    // Declared: refused before anything is inflated.
    const declared = bomb(size);
    const total = [...unzipSizes(declared)].reduce((a, b) => a + b, 0);
    assert.ok(total > size);
    const started = Date.now();
    await refused(
      openWorkbook(declared),
      `the workbook holds ${total} bytes uncompressed, more than a questionnaire can (256 MiB): refused`,
    );
    // Lying: it says 1,000 bytes and holds 300 MiB; inflating stops once it passes 1,000.
    const lying = await openWorkbook(bomb(1000));
    const message =
      "`xl/worksheets/sheet1.xml` inflates to more than the 1000 bytes the archive declares for it: the file is damaged or crafted, refused";
    await refused(lying.rows("Sheet1"), message);
    await refused(lying.fill({ Sheet1: [[0, 0, "x"]] }), message);
    await refused(lying.dropdown("Sheet1", 0), message);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  });
});

/// The uncompressed sizes a zip's central directory declares.
function* unzipSizes(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 22;
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < view.getUint16(end + 10, true); i++) {
    yield view.getUint32(at + 24, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
}

// ---------------------------------------------------------------------------------------------
// A questionnaire made by openpyxl, read by openpyxl after filling.

function python(...args) {
  const result = spawnSync("python3", [MAKE, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`make.py ${args.join(" ")}: ${result.stderr || result.error}`);
  return result.stdout;
}

function openpyxlMissing() {
  const result = spawnSync("python3", ["-c", "import openpyxl"], { encoding: "utf8" });
  if (result.status === 0) return false;
  assert.ok(!process.env.TRUSTPRESS_REQUIRE_TOOLS, "python3 with openpyxl is required for this test");
  console.error("\n*** SKIPPED the openpyxl tests: python3 with openpyxl is not installed ***\n");
  return true;
}

describe("a questionnaire made by openpyxl", { skip: openpyxlMissing() }, () => {
  let dir;
  let path;
  let workbook;
  const writes = {
    Questionnaire: [
      [3, 2, "Yes"], // C4: an empty, styled answer cell
      [4, 2, "Yes"], // C5: pre-filled "No", overwritten, its style kept
      [3, 4, `AES-256 & "keys" <rotated> 'yearly'\r\nsecond line`], // E4
      [3, 6, "Compliant"], // G4: a new cell between F4 and H4
      [0, 1, "x"], // B1: inside the merged title
      [8, 5, "x"], // F9: a formula
      [1, 0, "row two"], // A2: a row that did not exist
      [11, 0, "after all"], // A12: after every row
    ],
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "workbook-test-"));
    path = join(dir, "questionnaire.xlsx");
    python("make", path);
    workbook = await openWorkbook(new Uint8Array(readFileSync(path)));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test("its sheets, in workbook order", () => {
    assert.deepEqual(workbook.sheets, [
      { name: "Instructions", path: "xl/worksheets/sheet1.xml" },
      { name: "Questionnaire", path: "xl/worksheets/sheet2.xml" },
      { name: "Lists", path: "xl/worksheets/sheet3.xml" },
    ]);
  });

  test("rows() are what openpyxl reads, placed as Rust places them", async () => {
    const expected = JSON.parse(python("rows", path));
    for (const { name } of workbook.sheets) assert.deepEqual(await workbook.rows(name), expected[name], name);
    const questionnaire = await workbook.rows("Questionnaire");
    assert.deepEqual(questionnaire[3].slice(5), ["1", "", "1000000000000000000000"]);
    assert.equal(questionnaire[7][5], "45429", "a date reads as its serial number");
  });

  test("dropdowns: inline, through a defined name, and Excel 2010's cross-sheet form", async () => {
    assert.deepEqual(await workbook.dropdown("Questionnaire", 2), ["Yes", "No", "N/A"]);
    assert.deepEqual(await workbook.dropdown("Questionnaire", 3), ["Yes", "No", "Partly"]);
    assert.deepEqual(await workbook.dropdown("Questionnaire", 6), ["Compliant", "Not compliant"]);
    assert.deepEqual(await workbook.dropdown("Questionnaire", 0), []);
  });

  test("fill() writes the answers and keeps everything else", async () => {
    const { bytes, skipped } = await workbook.fill(writes);
    assert.deepEqual(skipped, {
      Questionnaire: [
        [0, 1, "inside a merged area"],
        [8, 5, "holds a formula"],
      ],
    });
    const filledPath = join(dir, "filled.xlsx");
    writeFileSync(filledPath, bytes);

    // (1) zipfile: every other part identical, byte for byte; the written one keeps its date.
    const report = JSON.parse(python("compare", path, filledPath, "xl/worksheets/sheet2.xml"));
    assert.deepEqual(report, {
      names_same_order: true,
      comment_same: true,
      test: null,
      different: ["xl/worksheets/sheet2.xml"],
      written_date_time_kept: [true],
    });

    // (2) openpyxl: the answers, and what was there before.
    const seen = JSON.parse(python("inspect", filledPath));
    assert.deepEqual(seen.sheetnames, ["Instructions", "Questionnaire", "Lists"]);
    const values = seen.values;
    assert.equal(values.C4, "Yes");
    assert.equal(values.C5, "Yes");
    assert.equal(values.E4, `AES-256 & "keys" <rotated> 'yearly'\r\nsecond line`);
    assert.equal(values.G4, "Compliant");
    assert.equal(values.A2, "row two");
    assert.equal(values.A12, "after all");
    assert.equal(values.B1, undefined);
    assert.equal(values.F9, "=SUM(F4:F5)");
    assert.equal(values.A1, "Acme Corp security questionnaire");
    assert.equal(values.B5, "Do you run penetration tests?");
    assert.equal(values.D5, "Partly");
    assert.equal(values.E5, "Yearly, by a third party & <b>");
    assert.equal(values.F7, true);
    assert.equal(values.H4, 1e21);
    assert.deepEqual(seen.merged, ["A1:G1", "D10:E10"]);
    assert.deepEqual(seen.validations, [
      ["C4:C40", "list", '"Yes,No,N/A"'],
      ["D4:D40", "list", "YesNo"],
    ]);
    assert.deepEqual(seen.defined, { YesNo: "Lists!$A$1:$A$3" });
    assert.match(seen.comment, /Ask the CISO/);
    assert.equal(seen.title_bold, true);
    assert.equal(seen.header_fill, "001F4E78");
    assert.deepEqual(seen.answer_fill, { C4: "00FFF2CC", C5: "00FFF2CC", E4: "00FFF2CC" });
    assert.equal(seen.width_b, 48);
    assert.equal(seen.freeze, "A4");
    assert.deepEqual(seen.lists, [
      ["Yes", "Compliant"],
      ["No", "Not compliant"],
      ["Partly", null],
    ]);

    // And the filled workbook reads back here as openpyxl reads it, dropdowns included.
    const filled = await openWorkbook(bytes);
    const expected = JSON.parse(python("rows", filledPath));
    for (const { name } of filled.sheets) assert.deepEqual(await filled.rows(name), expected[name], name);
    assert.deepEqual(await filled.dropdown("Questionnaire", 6), ["Compliant", "Not compliant"]);
  });

  test("fill() writes the very sheet bytes `trustpress answer` writes", { skip: NO_TRUSTPRESS }, async () => {
    const out = join(dir, "answered.xlsx");
    const [decisions] = answer(path, out);
    assert.equal(decisions.sheet, "Questionnaire");
    const sheet = "xl/worksheets/sheet2.xml";
    const rust = unzip(readFileSync(out)).entries.get(sheet).text;
    // The cells Rust wrote, and those it reports left alone, are the writes to replay.
    const replay = writtenCells(rust);
    assert.ok(replay.length >= 4, `${replay.length} cells written`);
    assert.ok(decisions.skipped.length >= 1, "a comment cell inside a merged area is left");
    replay.push(...decisions.skipped.map(([row, column]) => [row, column, "left anyway"]));
    const { bytes, skipped } = await workbook.fill({ Questionnaire: replay });
    assert.deepEqual(skipped.Questionnaire, decisions.skipped);
    assert.equal(unzip(bytes).entries.get(sheet).text, rust);
  });
});

// ---------------------------------------------------------------------------------------------
// `trustpress answer` and this module on one workbook made here.

describe("the command and the browser on one workbook", { skip: NO_TRUSTPRESS }, () => {
  let dir;
  before(() => (dir = mkdtempSync(join(tmpdir(), "workbook-test-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a dropdown through a defined name to a sheet named `Q&A's lists`: its words, in both", async () => {
    const questions = [
      ["Q-1", "Do employees receive security awareness training?"],
      ["Q-2", "Do you transfer personal data outside the EEA?"],
      ["Q-3", "Is multi-factor authentication available for our users? Can we enforce it?"],
      ["Q-4", "Do you use production data for development or testing?"],
    ];
    const text = (reference, value) => `<c r="${reference}" t="inlineStr"><is><t>${value}</t></is></c>`;
    const row = (n, id, question, answer = "") =>
      `<row r="${n}">${text(`A${n}`, id)}${text(`B${n}`, question)}${answer && text(`C${n}`, answer)}</row>`;
    const rows = [row(1, "ID", "Question", "Answer"), ...questions.map(([id, question], i) => row(i + 2, id, question))];
    const validation = `<dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="C2:C40"><formula1>Answers</formula1></dataValidation></dataValidations>`;
    const sheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join("")}</sheetData>${validation}</worksheet>`;
    const path = join(dir, "lists.xlsx");
    writeFileSync(
      path,
      workbookOf(
        [
          ["Questionnaire", sheet],
          ["Q&amp;A&apos;s lists", columnOf(["Y", "N", "Not applicable"])],
        ],
        {
          definedNames: `<definedNames><definedName name="Answers">'Q&amp;A&apos;&apos;s lists'!$A$1:$A$3</definedName></definedNames>`,
        },
      ),
    );
    const out = join(dir, "lists.filled.xlsx");
    const [decisions] = answer(path, out);
    assert.equal(decisions.sheet, "Questionnaire");
    const rust = unzip(readFileSync(out)).entries.get("xl/worksheets/sheet1.xml").text;
    const written = writtenCells(rust);
    // The command wrote the list's words (`Y`, `N`), not its own (`Yes`, `No`).
    const responses = written.filter(([, column]) => column === 2).map(([, , word]) => word);
    assert.ok(responses.includes("Y") && responses.includes("N"), rust);
    assert.ok(responses.every((word) => ["Y", "N", "Not applicable"].includes(word)), rust);
    // The browser reads the same list, so picks the same words, and writes the same bytes.
    const workbook = await openWorkbook(new Uint8Array(readFileSync(path)));
    const list = await workbook.dropdown("Questionnaire", 2);
    assert.deepEqual(list, ["Y", "N", "Not applicable"]);
    assert.deepEqual(vocabulary(list), { yes: "Y", no: "N", na: "Not applicable" });
    const { bytes, skipped } = await workbook.fill({ Questionnaire: written });
    assert.deepEqual(skipped.Questionnaire, decisions.skipped);
    assert.equal(unzip(bytes).entries.get("xl/worksheets/sheet1.xml").text, rust);
  });
});
