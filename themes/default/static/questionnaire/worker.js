// The questionnaire page's worker: reads the customer's file, decides every question with the
// same engine and rules as `trustpress answer`, and writes the filled copy — all in the
// customer's browser. It fetches the rules and the public answer library once, when the page
// starts it (before any file is chosen); after that it makes no request. Running off the
// page's thread keeps the tab responsive with a large or hostile file.

import { Reader, Matcher, detect, answerable, sheetVocabulary, plan, byReference } from "./engine.js";
import { CsvFile } from "./csv.js";
import { openWorkbook } from "./workbook.js";

/** More rows than this, in all the sheets together, is not a questionnaire. */
const MAX_ROWS = 100000;

/** An error the page shows in its own language: `key` names its string among the locale's
 * `js.` strings, `english` is the text when the site is in English, `values` fill both. */
class PageError extends Error {
  constructor(key, english, values) {
    super(english.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match)));
    Object.assign(this, { key, english, values });
  }
}
const fail = (key, english, values = {}) => new PageError(key, english, values);
/** What the page needs to word an error: the English, and the key and values when it has them. */
const wording = (error) =>
  error instanceof PageError
    ? { message: error.message, key: error.key, english: error.english, values: error.values }
    : { message: error.message || String(error) };

const library = (async () => {
  const get = async (path) => {
    const response = await fetch(new URL(path, import.meta.url));
    if (!response.ok) throw new Error(`cannot load ${path} (${response.status})`);
    return response.json();
  };
  const [rules, published] = await Promise.all([
    get("../../faq/answer-rules.json"),
    get("../../faq/answers.json"),
  ]);
  const reader = new Reader(rules);
  return { rules, matcher: new Matcher(reader, published.entries), caiq: published.caiq };
})();

library.then(
  ({ matcher }) => postMessage({ type: "ready", answers: matcher.entries.filter((e) => !e.on_request).length }),
  (error) =>
    postMessage({
      type: "failed",
      ...wording(fail("fill.error.load", "The answers could not be loaded: {reason}", { reason: error.message })),
    }),
);

/** The file being answered: its bytes, its form and every sheet's plan. */
let current = null;
/** The id of the latest file given: a file given while another is still being read wins. */
let latest = 0;

onmessage = async (event) => {
  const message = event.data;
  const id = message.id;
  try {
    if (message.type === "read") {
      latest = id;
      current = null;
      const done = await read(message.name, message.bytes);
      if (id !== latest) return; // another file was given meanwhile: this one is dropped
      current = { ...done, id };
      postMessage({ type: "plan", id, sheets: current.sheets.map(summary), kind: current.kind });
    } else if (message.type === "fill" && current && current.id === id) {
      const bytes = await fill(current, new Set(message.unticked));
      if (id !== latest) return;
      postMessage({ type: "filled", id, bytes }, [bytes.buffer]);
    }
  } catch (error) {
    if (id === latest) postMessage({ type: "error", id, ...wording(error) });
  }
};

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? "" : name.slice(dot + 1).toLowerCase();
}

async function read(name, bytes) {
  const { rules, matcher, caiq } = await library;
  const extension = extensionOf(name);
  let kind;
  let form;
  const found = [];
  const within = rules.header_within_rows;
  let total = 0;
  const guard = (rows) => {
    total += rows.length;
    if (total > MAX_ROWS) {
      throw fail("fill.error.too_many_rows", "The file has more than {max} rows, more than a questionnaire: refused.", { max: MAX_ROWS });
    }
  };
  if (extension === "csv") {
    kind = "csv";
    form = CsvFile.parse(bytes);
    const rows = form.rows();
    guard(rows);
    const layout = detect(rows, rules.columns, within);
    if (layout) found.push({ sheet: null, rows, layout });
  } else if (extension === "xlsx" || extension === "xlsm") {
    kind = "xlsx";
    form = await openWorkbook(bytes);
    for (const { name: sheet } of form.sheets) {
      const rows = await form.rows(sheet);
      guard(rows);
      const layout = detect(rows, rules.columns, within);
      if (layout) found.push({ sheet, rows, layout });
    }
  } else if (extension === "xls") {
    throw fail(
      "fill.error.xls",
      "This is a legacy Excel file (.xls): open it in Excel or LibreOffice, save it as .xlsx or CSV UTF-8, and drop that.",
    );
  } else {
    throw fail("fill.error.not_questionnaire", "This is not a questionnaire the page reads: choose an .xlsx, .xlsm or .csv file.");
  }
  if (found.length === 0) {
    throw fail(
      "fill.error.no_header",
      "No header row with a question column in the first {rows} rows. The page looks for a header such as “Question” or “Requirement”; add one, or use `trustpress answer` with its column flags.",
      { rows: within },
    );
  }
  if (!found.some(({ layout }) => answerable(layout))) {
    throw fail(
      "fill.error.no_answer_column",
      "The header row (row {row}) has a question column but no column to answer in, such as “Answer”, “Response” or “Comments”.",
      { row: found[0].layout.header_row + 1 },
    );
  }
  const sheets = [];
  for (const { sheet, rows, layout } of found.filter(({ layout }) => answerable(layout))) {
    let dropdown = [];
    if (kind === "xlsx" && layout.response !== null) dropdown = await form.dropdown(sheet, layout.response);
    const byRef = byReference(rows, layout, caiq);
    const unwritable = kind === "xlsx" ? await form.unwritable(sheet) : undefined;
    const vocab = sheetVocabulary(rows, layout, dropdown);
    sheets.push({ sheet, layout, rows: plan(rows, layout, matcher, vocab, byRef, unwritable) });
  }
  return { name, bytes, kind, sheets, matcher };
}

/** What the page shows of a sheet: each row's decision with its answers' questions. */
function summary({ sheet, layout, rows }, index) {
  const entries = current.matcher.entries;
  const about = (id) => {
    const entry = entries.find((e) => e.id === id);
    return { id, question: entry ? entry.question : "" };
  };
  return {
    sheet,
    layout,
    rows: rows.map((row) => ({
      key: `${index}:${row.row}`,
      row: row.row,
      reference: row.reference,
      question: row.question,
      state: row.state,
      method: row.decision.method,
      confidence: row.decision.confidence,
      answers: row.decision.answers.map(about),
      best: row.decision.best ? about(row.decision.best[0]) : null,
      reason: row.decision.reason,
      response: row.writes.length && layout.response !== null && row.writes[0][0] === layout.response ? row.writes[0][1] : "",
    })),
  };
}

/** The filled file: every answered row written but those the reader unticked. */
async function fill({ kind, bytes, sheets }, unticked) {
  const chosen = (index) =>
    sheets[index].rows.filter((row) => row.state === "answered" && !unticked.has(`${index}:${row.row}`));
  if (kind === "csv") {
    const file = CsvFile.parse(bytes);
    sheets.forEach((_, index) => {
      for (const row of chosen(index)) for (const [column, value] of row.writes) file.set(row.row, column, value);
    });
    return file.toBytes();
  }
  const workbook = await openWorkbook(bytes);
  const writes = {};
  sheets.forEach(({ sheet }, index) => {
    writes[sheet] = chosen(index).flatMap((row) => row.writes.map(([column, value]) => [row.row, column, value]));
  });
  const filled = await workbook.fill(writes);
  return filled.bytes;
}
