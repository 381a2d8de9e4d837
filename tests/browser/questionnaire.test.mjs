// "Fill in your questionnaire" on the public questionnaire page, as a customer's reviewer uses
// it: choose a real workbook or CSV, read the preview, untick what they do not want, download
// the filled file and open it with a real reader (openpyxl). The page must give exactly what
// `trustpress answer` gives for the same file (the same cells, byte for byte in every part),
// make no request once the file is given, never show a withheld answer, and refuse bad files
// with a message rather than a frozen tab.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, launchBrowser, REPO, serveStatic, tempDir, TRUSTPRESS, watchProblems } from "./lib/harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const FIXTURES = join(REPO, "tests/browser/lib/questionnaires.py");

let site;
let server;
let browser;
let files;

function python(args, options = {}) {
  return execFileSync("python3", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
}

/// Every part of a zip archive, by name, as base64 (Python's zipfile reads it, as a user's tools would).
function parts(path) {
  const script =
    "import base64,json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))";
  return JSON.parse(python(["-c", script, path]));
}

/// What openpyxl reads from a workbook: values, dropdowns, merged cells, fills, defined names.
function openpyxl(path) {
  return JSON.parse(python([FIXTURES, "read", path]));
}

/// `trustpress answer` on the same file, from the same example content.
function answerWithTheCommand(input, out) {
  execFileSync(TRUSTPRESS, ["answer", input, "--content", join(REPO, "content"), "--out", out, "--force"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

before(async () => {
  site = buildSite("public");
  // Served as a host would serve it, with the build's _headers (its Content-Security-Policy).
  server = await serveStatic(site.dir, { withHostHeaders: true });
  browser = await launchBrowser();
  files = tempDir("questionnaires");
  python([FIXTURES, "make", files]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

async function open(path = "search/", options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const watch = watchProblems(page);
  await page.goto(server.url + path, { waitUntil: "load" });
  return { page, context, watch };
}

/// Points at the drop zone (which loads the filler), waits until it is ready, then gives it
/// `file` through the "Choose a file" button's file chooser. Returns every request made
/// from the moment the file was given (the page's and its worker's).
async function give(page, context, file) {
  await page.hover("#fill-zone");
  await page.waitForSelector("#fill-zone[data-ready=true]");
  const requests = [];
  context.on("request", (request) => requests.push(request.url()));
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#fill-choose")]);
  await chooser.setFiles(file);
  await page.waitForSelector("#fill-result:not([hidden]), .fill-status.fill-error");
  return requests;
}

async function downloadFilled(page, out) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#fill-download")]);
  await download.saveAs(out);
  return download.suggestedFilename();
}

/// The preview's rows: [state class, row number, answer ids].
function previewRows(page) {
  return page.$$eval("#fill-rows tr", (rows) =>
    rows.map((row) => ({
      state: row.className.replace("fill-", ""),
      row: row.cells[1].textContent.trim(),
      answers: Array.from(row.cells[3].querySelectorAll("a")).map((a) => a.textContent),
      links: Array.from(row.cells[3].querySelectorAll("a")).map((a) => a.getAttribute("href")),
      checkbox: !!row.cells[0].querySelector("input[type=checkbox]"),
    })),
  );
}

describe("filling in a questionnaire in the browser", () => {
  test("the page's engine gives every shared vector's decision (the same as trustpress answer)", async () => {
    const { page, context, watch } = await open();
    const vectors = JSON.parse(readFileSync(join(REPO, "tests/answer/vectors.json"), "utf8"));
    const mismatches = await page.evaluate(async (vectors) => {
      const E = await import(new URL("../assets/questionnaire/engine.js", location.href).href);
      const rules = await (await fetch(new URL("../faq/answer-rules.json", location.href))).json();
      const reader = new E.Reader(rules);
      const matcher = new E.Matcher(reader, vectors.library);
      const wrong = [];
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      for (const t of vectors.tokens) {
        if (!same(reader.tokens(t.text), t.tokens)) wrong.push(`tokens of ${JSON.stringify(t.text)}`);
      }
      for (const d of vectors.decisions) {
        const got = matcher.decide(d.question, d.reference ?? null);
        const mine = [got.method, got.answers, got.confidence, got.best ? got.best[0] : null, got.reason];
        if (!same(mine, [d.method, d.answers, d.confidence, d.best, d.reason])) wrong.push(`decision of ${JSON.stringify(d.question)}: ${JSON.stringify(mine)}`);
      }
      for (const s of vectors.sheets) {
        const layout = E.detect(s.rows, rules.columns, rules.header_within_rows);
        if (!same(layout, s.layout)) {
          wrong.push(`layout of ${s.name}`);
          continue;
        }
        if (!layout) continue;
        const byRef = E.byReference(s.rows, layout, vectors.caiq);
        if (byRef !== s.by_reference) wrong.push(`by_reference of ${s.name}`);
        const plan = E.plan(s.rows, layout, matcher, E.sheetVocabulary(s.rows, layout, s.dropdown), byRef).map((row) => ({
          row: row.row,
          state: row.state,
          answers: row.decision.answers,
          writes: row.writes,
        }));
        if (!same(plan, s.plan)) wrong.push(`plan of ${s.name}`);
      }
      return { wrong, checked: vectors.tokens.length + vectors.decisions.length + vectors.sheets.length };
    }, vectors);
    assert.deepEqual(mismatches.wrong, [], "the browser and the command decide alike");
    assert.ok(mismatches.checked > 500, `${mismatches.checked} vectors checked`);
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  // caiq-v4.1.csv: a CAIQ of the other version than the example's ids, whose IAM-14.1 is not the
  // answers' IAM-14.1: the page, like the command, matches its rows by their words.
  // awkward.xlsx: a formula never computed in an answer cell (the row is the customer's), and a
  // response cell inside a merged area (the row cannot be written whole: a person fills it).
  for (const name of ["caiq.xlsx", "sig.xlsx", "customer.xlsx", "awkward.xlsx", "customer-semicolon.csv", "caiq-v4.1.csv"]) {
    test(`${name}: previewed, downloaded, and the same file trustpress answer writes`, async () => {
      const input = name.endsWith(".csv") ? join(REPO, "tests/fixtures/questionnaires", name) : join(files, name);
      const { page, context, watch } = await open();
      const requests = await give(page, context, input);
      assert.equal(await page.locator(".fill-status.fill-error").count(), 0, await page.textContent("#fill-status"));
      const rows = await previewRows(page);
      assert.ok(rows.some((r) => r.state === "answered"), "some rows are answered");
      if (name === "awkward.xlsx") {
        assert.deepEqual(
          rows.map((r) => [r.row, r.state]),
          [
            ["2", "already-filled"],
            ["3", "answered"],
            ["4", "needs-person"],
          ],
        );
      }
      for (const row of rows.filter((r) => r.state === "answered")) {
        assert.ok(row.checkbox, "an answered row can be unticked");
        assert.ok(row.links.every((href) => /\/faq\/#faq-\d+$/.test(href)), `links to the answers: ${row.links}`);
      }
      const out = join(files, `page-${name}`);
      const suggested = await downloadFilled(page, out);
      assert.equal(suggested, name.replace(/\.(\w+)$/, ".filled.$1"));
      assert.deepEqual(requests.filter((url) => !url.startsWith("blob:")), [], "no request once the file is given");

      const cli = join(files, `cli-${name}`);
      answerWithTheCommand(input, cli);
      if (name.endsWith(".csv")) {
        assert.deepEqual(readFileSync(out), readFileSync(cli), "the page writes the bytes the command writes");
        return;
      }
      // Every part of the workbook as the command writes it; the parts not filled in are the
      // customer's own bytes.
      const page_parts = parts(out);
      const cli_parts = parts(cli);
      const original = parts(input);
      assert.deepEqual(Object.keys(page_parts), Object.keys(original), "no part added, dropped or reordered");
      for (const part of Object.keys(original)) {
        assert.equal(page_parts[part], cli_parts[part], `${part} is what trustpress answer writes`);
      }
      const before = openpyxl(input);
      const filled = openpyxl(out);
      assert.deepEqual(filled.names, before.names, "defined names kept");
      for (const [sheet, was] of Object.entries(before.sheets)) {
        const now = filled.sheets[sheet];
        assert.deepEqual(now.dropdowns, was.dropdowns, `${sheet}: the dropdowns are still there`);
        assert.deepEqual(now.merged, was.merged, `${sheet}: merged cells kept`);
        assert.deepEqual(now.fills, was.fills, `${sheet}: cell fills kept`);
        // No cell the customer had filled is changed.
        was.values.forEach((row, r) =>
          row.forEach((value, c) => {
            if (value !== "") assert.equal(now.values[r][c], value, `${sheet}!R${r + 1}C${c + 1} untouched`);
          }),
        );
      }
      assert.deepEqual(watch.problems(), []);
      await context.close();
    });
  }

  test("the cells a customer would check: response words from the dropdown, answer text, citation", async () => {
    const { page, context } = await open();
    await give(page, context, join(files, "caiq.xlsx"));
    const out = join(files, "check-caiq.xlsx");
    await downloadFilled(page, out);
    const sheet = openpyxl(out).sheets.Assessment.values;
    // Row 4: CEK-03.1 is FAQ-001's reference; its response is yes, in the dropdown's word.
    assert.equal(sheet[3][2], "Yes");
    assert.match(sheet[3][4], /AES-256/);
    assert.match(sheet[3][4], /Source: FAQ-001 https:\/\/trust\.halcyon-ledger\.example\/faq\/#faq-001/);
    // Row 8: the cafeteria has no answer: left empty for a person.
    assert.equal(sheet[7][2], "");
    assert.equal(sheet[7][4], "");
    // Row 11: already answered by the customer: kept.
    assert.equal(sheet[10][2], "Yes");
    assert.equal(sheet[10][4], "Our own wording, kept.");
    // The formula is still a formula.
    assert.equal(sheet[19][3], "=COUNTA(C4:C11)");
    const sig = join(files, "check-sig.xlsx");
    await page.click("#fill-again");
    await give(page, context, join(files, "sig.xlsx"));
    await downloadFilled(page, sig);
    const access = openpyxl(sig).sheets["Access Control"].values;
    // Row 4 asks about access reviews (FAQ-017, whose response is yes): the Lists sheet's word.
    assert.equal(access[3][2], "Y", "the dropdown's own word for yes, not Yes");
    await context.close();
  });

  test("an unticked answer is left out of the file", async () => {
    const { page, context } = await open();
    await give(page, context, join(files, "customer.xlsx"));
    const boxes = page.locator("#fill-rows input[type=checkbox]");
    const count = await boxes.count();
    assert.ok(count >= 2);
    const unticked = await boxes.first().getAttribute("value");
    await boxes.first().uncheck();
    const out = join(files, "unticked.xlsx");
    await downloadFilled(page, out);
    const row = Number(unticked.split(":")[1]);
    const values = openpyxl(out).sheets["Vendor review"].values;
    assert.deepEqual(values[row].slice(2), ["", "", ""], "the unticked row is empty");
    // Every written row has its answer in Comments (column D); the customer's own row has none.
    const written = values.slice(2).filter((r) => r[3] !== "").length;
    assert.equal(written, count - 1, "every other ticked row is written");
    await context.close();
  });

  test("a file given while another is still being read replaces it: the preview and the download are the last file's", async () => {
    const { page, context, watch } = await open();
    await page.hover("#fill-zone");
    await page.waitForSelector("#fill-zone[data-ready=true]");
    // 300 sheets, still being read when the next file comes; a CSV is read at once, so without
    // care the workbook's late result would replace the CSV's.
    const csv = join(REPO, "tests/fixtures/questionnaires/customer-semicolon.csv");
    // Every status the page shows, in order.
    await page.evaluate(() => {
      window.statuses = [];
      const status = document.getElementById("fill-status");
      new MutationObserver(() => window.statuses.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await page.setInputFiles("#fill-file", join(files, "many.xlsx"));
    await page.setInputFiles("#fill-file", csv);
    await page.waitForSelector("#fill-result:not([hidden])");
    // Long enough for the workbook's reading to have finished too (about 2 s alone).
    await page.waitForTimeout(8000);
    assert.ok((await page.locator("#fill-rows tr").count()) < 20, "the CSV's questions, not the workbook's 2,000");
    assert.match(await page.textContent("#fill-status"), /customer-semicolon\.csv/);
    // Once the page has the CSV, the workbook's result is never shown, not even for a moment.
    // (On a busy machine the workbook may be read before the CSV is given: its result is then
    // the page's result until the CSV comes.)
    const statuses = await page.evaluate(() => window.statuses);
    const taken = statuses.findIndex((text) => /^Reading .customer-semicolon\.csv/.test(text));
    assert.ok(taken >= 0, `the page took the CSV: ${JSON.stringify(statuses)}`);
    const claims = statuses.slice(taken).filter((text) => /is read: \d{3,} questions/.test(text));
    assert.deepEqual(claims, [], "the workbook's result is never shown once the CSV is taken");
    const out = join(files, "raced.csv");
    assert.equal(await downloadFilled(page, out), "customer-semicolon.filled.csv");
    const cli = join(files, "raced-cli.csv");
    answerWithTheCommand(csv, cli);
    assert.deepEqual(readFileSync(out), readFileSync(cli), "the download is the CSV, filled");
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("a long questionnaire: the preview shows 5,000 rows, and every answered row is written", async () => {
    const long = join(files, "long.csv");
    writeFileSync(long, "Ref,Question,Answer,Comments\n" + Array.from({ length: 6000 }, (_, i) => `Q${i + 1},Is customer data encrypted at rest?,,\n`).join(""));
    const { page, context } = await open();
    await give(page, context, long);
    assert.equal(await page.locator("#fill-rows input[type=checkbox]").count(), 5000);
    assert.match(await page.textContent("#fill-rows"), /first 5000 of 6000 questions/);
    assert.match(await page.textContent("#fill-summary"), /6000 questions: 6000 answered/);
    const out = join(files, "long.filled.csv");
    await downloadFilled(page, out);
    const cli = join(files, "long-cli.csv");
    answerWithTheCommand(long, cli);
    assert.deepEqual(readFileSync(out), readFileSync(cli), "rows past the preview are written too");
    await context.close();
  });

  test("keyboard: the choose button opens the file chooser, and the page passes axe with a preview", async () => {
    // axe is injected as an inline script, which the site's Content-Security-Policy forbids.
    const { page, context } = await open("search/", { bypassCSP: true });
    await page.bringToFront();
    await page.focus("#fill-choose");
    await page.waitForSelector("#fill-zone[data-ready=true]");
    assert.equal(await page.evaluate(() => document.activeElement.id), "fill-choose");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.locator("#fill-choose").press("Enter")]);
    await chooser.setFiles(join(files, "customer.xlsx"));
    await page.waitForSelector("#fill-result:not([hidden])");
    assert.match(await page.textContent("#fill-status"), /is read: \d+ questions/);
    await page.addScriptTag({ path: AXE });
    const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), []);
    await context.close();
  });

  test("with scripts off the page says the filler needs JavaScript", async () => {
    const { page, context } = await open("search/", { javaScriptEnabled: false });
    assert.equal(await page.isVisible("#fill-zone"), false);
    assert.match(await page.textContent(".fill"), /needs JavaScript/);
    await context.close();
  });

  test("bad files get a clear message on the page, never a frozen tab", async (t) => {
    const bad = tempDir("bad-questionnaires");
    // Its 51 MB file must not be left behind by every run.
    t.after(() => rmSync(bad, { recursive: true, force: true }));
    writeFileSync(join(bad, "notes.txt"), "just some notes");
    writeFileSync(join(bad, "fake.xlsx"), "PK\x03\x04 not really a zip");
    writeFileSync(join(bad, "locked.xlsx"), Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x20]));
    writeFileSync(join(bad, "headerless.csv"), "a,b\nc,d\n");
    writeFileSync(join(bad, "latin1.csv"), Buffer.from("Question,Answer\nÉté?,\n", "latin1"));
    writeFileSync(join(bad, "huge.csv"), Buffer.alloc(51 * 1024 * 1024, 0x61));
    writeFileSync(join(bad, "rows.csv"), "Question,Answer\n" + "Is data encrypted?,\n".repeat(100001));
    // One header row of 200,000 cells: no question column, found out in moments.
    writeFileSync(join(bad, "wide.csv"), Array(200000).fill("x").join(",") + "\n");
    // 300 MiB of zeros as one sheet part: refused before anything is inflated.
    python(["-c", "import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nz.writestr('[Content_Types].xml','<Types/>')\nz.writestr('xl/worksheets/sheet1.xml', bytes(300*1024*1024))\nz.close()", join(bad, "bomb.xlsx")]);
    const cases = [
      ["notes.txt", /not a questionnaire the page reads/],
      ["fake.xlsx", /not an Excel workbook/],
      ["locked.xlsx", /password-protected/],
      ["headerless.csv", /No header row with a question column/],
      ["latin1.csv", /not UTF-8 text/],
      ["huge.csv", /more than a questionnaire \(50 MB\)/],
      ["rows.csv", /more than 100000 rows/],
      ["wide.csv", /No header row with a question column/],
      ["bomb.xlsx", /more than a questionnaire can/],
    ];
    const { page, context, watch } = await open();
    for (const [name, message] of cases) {
      await give(page, context, join(bad, name));
      const status = await page.textContent("#fill-status");
      assert.match(status, message, `${name}: ${status}`);
      assert.equal(await page.isVisible("#fill-result"), false, `${name}: no preview`);
      // The tab still answers.
      assert.equal(await page.evaluate(() => 1 + 1), 2);
    }
    writeFileSync(join(bad, "empty.csv"), "");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#fill-choose")]);
    await chooser.setFiles(join(bad, "empty.csv"));
    await page.waitForSelector(".fill-status.fill-error");
    assert.match(await page.textContent("#fill-status"), /is empty/);
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("2,000 questions: how long the page takes (measured, reported, not asserted)", async () => {
    const { page, context } = await open();
    await page.hover("#fill-zone");
    await page.waitForSelector("#fill-zone[data-ready=true]");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#fill-choose")]);
    const started = Date.now();
    await chooser.setFiles(join(files, "big.xlsx"));
    await page.waitForSelector("#fill-result:not([hidden])");
    const previewed = Date.now() - started;
    const out = join(files, "big-filled.xlsx");
    const downloadStarted = Date.now();
    await downloadFilled(page, out);
    const written = Date.now() - downloadStarted;
    const rows = await page.locator("#fill-rows tr").count();
    assert.equal(rows, 2000);
    console.log(`# 2,000-question workbook: read, matched and previewed in ${previewed} ms; filled file written in ${written} ms`);
    await context.close();
  });
});

describe("the questionnaire filler and withheld answers", () => {
  test("questions asked word for word as withheld answers bring no withheld text", async () => {
    const leakSite = buildSite("public", join(REPO, "tests/fixtures/leak"));
    const leakServer = await serveStatic(leakSite.dir);
    try {
      const questions = join(files, "leak-questions.txt");
      const asked = [
          "INTMARK internal question?",
          "INTMARK internal answer.",
          "TEASERMARK teaser question?",
          "INTMARK teaser answer.",
          "AUDMARK auditor question?",
          "AUDMARK auditor answer.",
          "INTMARK fenced block in a public answer.",
          "PUBMARK public question?",
      ];
      writeFileSync(questions, asked.join("\n"));
      python([FIXTURES, "questions", files, questions]);
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(leakServer.url + "search/", { waitUntil: "load" });
      await give(page, context, join(files, "leak.csv"));
      // The preview shows the questions asked, and nothing else of the withheld answers.
      let preview = await page.textContent("#fill-result");
      for (const question of asked) preview = preview.replaceAll(question, "");
      assert.ok(!/INTMARK|AUDMARK|TEASERMARK/.test(preview), `the preview shows no withheld text: ${preview}`);
      const out = join(files, "leak.filled.csv");
      await downloadFilled(page, out);
      // Each row: Ref, Question, Answer, Comments; the answers hold no withheld text.
      const filled = readFileSync(out, "utf8");
      let answers = filled;
      for (const question of asked) answers = answers.replaceAll(question, "");
      assert.ok(!/INTMARK|AUDMARK|TEASERMARK/.test(answers), `the filled file holds no withheld text: ${filled}`);
      assert.match(filled, /L-8,PUBMARK public question\?,Yes,"PUBMARK public answer/, "the public question is answered");
      const library = readFileSync(join(leakSite.dir, "faq/answers.json"), "utf8");
      assert.ok(!/INTMARK|AUDMARK/.test(library), "the published library holds no withheld text");
      // A teaser comes with its question only, as the public FAQ page shows it: it answers
      // nothing, but a question closest to it is left for a person.
      const teasers = JSON.parse(library).entries.filter((entry) => /TEASERMARK/.test(JSON.stringify(entry)));
      assert.deepEqual(
        teasers.map((entry) => [entry.question, entry.text, entry.on_request]),
        [["TEASERMARK teaser question?", "", true]],
        "the teaser's question alone, marked as shared on request",
      );
      await context.close();
    } finally {
      await leakServer.close();
      leakSite.remove();
    }
  });
});
