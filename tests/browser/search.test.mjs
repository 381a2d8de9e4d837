// The questionnaire page as a customer uses it: search, filter, select answers and export them
// as CSV; and the filters of the SoA table and the FAQ. On the public example site.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, launchBrowser, serveStatic, watchProblems } from "./lib/harness.mjs";
import { parseCsv } from "./lib/csv.mjs";

let site;
let server;
let browser;

before(async () => {
  site = buildSite("public");
  server = await serveStatic(site.dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  site?.remove();
});

/// A fresh page on `path`, with problems recorded; the test asserts none happened.
async function open(path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const watch = watchProblems(page);
  await page.goto(server.url + path, { waitUntil: "load" });
  return { page, context, watch };
}

/// The results the page shows, as `kind:id` (`answer:FAQ-025`, `policy:POL-AC`).
function shownResults(page) {
  return page.$$eval("#results .result:not([hidden])", (items) =>
    items.map((item) => `${item.dataset.kind}:${item.dataset.id}`),
  );
}

const count = (page) => page.$eval("#search-form output[name=count]", (o) => o.value);

describe("the questionnaire page", () => {
  test("typing a query shows the answers that hold every word", async () => {
    const { page, context, watch } = await open("search/");
    const total = await page.$$eval("#results .result", (items) => items.length);
    assert.equal(await count(page), `${total} of ${total} shown`, "everything is shown before a search");

    await page.locator("input[name=q]").pressSequentially("penetration test", { delay: 10 });
    const shown = await shownResults(page);
    assert.ok(shown.includes("answer:FAQ-025"), `"Do you perform penetration tests?" is shown: ${shown}`);
    assert.ok(shown.includes("answer:FAQ-026"), `"May we run our own penetration test?" is shown: ${shown}`);
    assert.ok(!shown.includes("answer:FAQ-013"), "the SSO answer is not");
    assert.ok(shown.length < total);
    for (const text of await page.$$eval("#results .result:not([hidden])", (items) => items.map((i) => i.textContent.toLowerCase()))) {
      assert.ok(text.includes("penetration") && text.includes("test"), "each shown result holds both words");
    }
    assert.equal(await count(page), `${shown.length} of ${total} shown`);
    assert.equal(new URL(page.url()).searchParams.get("q"), "penetration test", "the search is in the address");
    assert.ok(await page.isHidden("#no-results"));

    // Case and accents do not matter; a word that is nowhere gives the "nothing matches" hint.
    await page.fill("input[name=q]", "SINGLE SIGN-ON");
    assert.ok((await shownResults(page)).includes("answer:FAQ-013"));
    await page.fill("input[name=q]", "quetzalcoatl");
    assert.deepEqual(await shownResults(page), []);
    assert.ok(await page.isVisible("#no-results"));
    assert.equal(await count(page), `0 of ${total} shown`);
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("a shared address opens with its search applied", async () => {
    const { page, context, watch } = await open("search/?q=penetration&kind=answer");
    assert.equal(await page.inputValue("input[name=q]"), "penetration");
    assert.equal(await page.inputValue("select[name=kind]"), "answer");
    const shown = await shownResults(page);
    assert.ok(shown.length > 0 && shown.every((r) => r.startsWith("answer:")), `${shown}`);
    assert.ok(shown.includes("answer:FAQ-025"));
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("filters by kind, category and framework", async () => {
    const { page, context, watch } = await open("search/");
    const all = await page.$$eval("#results .result", (items) =>
      items.map((i) => ({ kind: i.dataset.kind, category: i.dataset.category, frameworks: i.dataset.frameworks.split("|") })),
    );

    await page.selectOption("select[name=kind]", "policy");
    let shown = await shownResults(page);
    assert.equal(shown.length, all.filter((r) => r.kind === "policy").length);
    assert.ok(shown.length > 0 && shown.every((r) => r.startsWith("policy:")), `${shown}`);

    await page.selectOption("select[name=kind]", "");
    await page.selectOption("select[name=category]", "Compliance");
    shown = await shownResults(page);
    assert.equal(shown.length, all.filter((r) => r.kind === "answer" && r.category === "Compliance").length);
    assert.ok(shown.includes("answer:FAQ-023"), `${shown}`);
    assert.ok(!shown.includes("answer:FAQ-013"));

    await page.selectOption("select[name=category]", "");
    const frameworks = await page.$$eval("select[name=framework] option", (options) => options.map((o) => o.value).filter(Boolean));
    assert.ok(frameworks.length >= 3, `one option per enabled framework: ${frameworks}`);
    for (const framework of frameworks) {
      await page.selectOption("select[name=framework]", framework);
      shown = await shownResults(page);
      const expected = all.filter((r) => r.frameworks.includes(framework)).length;
      assert.ok(expected > 0, `some result belongs to ${framework}`);
      assert.equal(shown.length, expected, framework);
    }

    // Combined with a search: both must hold.
    await page.selectOption("select[name=framework]", "");
    await page.selectOption("select[name=kind]", "control");
    await page.fill("input[name=q]", "cryptography");
    shown = await shownResults(page);
    assert.ok(shown.length > 0 && shown.every((r) => r.startsWith("control:")), `${shown}`);
    assert.ok(shown.includes("control:A.8.24"), `"Use of cryptography" is found: ${shown}`);
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("selected answers export as a CSV with exactly those rows", async () => {
    const { page, context, watch } = await open("search/", { acceptDownloads: true });
    assert.ok(await page.isDisabled("#export-selected"), "nothing to export before a selection");

    await page.fill("input[name=q]", "penetration");
    await page.click("#select-shown");
    const penetration = (await shownResults(page)).filter((r) => r.startsWith("answer:")).map((r) => r.slice(7));
    assert.ok(penetration.length >= 2, `${penetration}`);
    // One more, ticked by hand after another search.
    await page.fill("input[name=q]", "single sign-on");
    await page.check("input[name=select][value=FAQ-013]");
    const selected = [...penetration, "FAQ-013"];
    assert.equal(await page.$eval("#selected-count", (o) => o.value), String(selected.length));

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-selected")]);
    assert.equal(download.suggestedFilename(), "security-answers.csv");
    const csv = readFileSync(await download.path(), "utf8");
    const rows = parseCsv(csv);
    assert.deepEqual(rows[0], ["ID", "Category", "Question", "Answer", "Controls", "Policies", "CAIQ"]);
    const exported = rows.slice(1);
    // In page order, which is the order of the full export.
    const all = parseCsv(readFileSync(join(site.dir, "faq/answers.csv"), "utf8"));
    const expected = all.slice(1).filter((row) => selected.includes(row[0]));
    assert.deepEqual(exported.map((r) => r[0]), expected.map((r) => r[0]));
    // The build's export writes list items as "- item"; the page's text has no marker.
    const words = (text) => text.split(/\s+/).filter((word) => word && !["-", "*", "•"].includes(word)).join(" ");
    for (const [index, row] of exported.entries()) {
      const full = expected[index];
      assert.equal(row.length, 7, `row ${row[0]} has every column`);
      // Category, question, controls, policies and CAIQ ids as in the build's own export;
      // the answer as the page shows it, which is the same text.
      for (const column of [1, 2, 4, 5, 6]) assert.equal(row[column], full[column], `${row[0]} column ${column}`);
      assert.equal(words(row[3]), words(full[3]), `${row[0]} answer`);
      assert.ok(row[3].length > 40, `${row[0]} has its answer`);
    }

    await page.click("#clear-selection");
    assert.ok(await page.isDisabled("#export-selected"));
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });
});

describe("the other filters", () => {
  test("the SoA table filters by text, theme and status", async () => {
    const { page, context, watch } = await open("soa/");
    const rows = () => page.$$eval("#soa-table tbody tr:not([hidden])", (trs) => trs.map((tr) => tr.querySelector("th").textContent.trim()));
    assert.equal((await rows()).length, 93);
    await page.fill("form[data-filter-table] input[name=q]", "cryptography");
    assert.deepEqual(await rows(), ["A.8.24"]);
    await page.fill("form[data-filter-table] input[name=q]", "");
    await page.selectOption("form[data-filter-table] select[name=theme]", { index: 4 });
    const theme = await page.inputValue("form[data-filter-table] select[name=theme]");
    const technological = await rows();
    assert.equal(technological.length, 34, `${theme}: A.8.1–A.8.34`);
    assert.ok(technological.every((id) => id.startsWith("A.8.")));
    await page.selectOption("form[data-filter-table] select[name=theme]", "");
    await page.selectOption("form[data-filter-table] select[name=state]", "not-applicable");
    const excluded = await page.$$eval("#soa-table tbody tr:not([hidden])", (trs) => trs.map((tr) => tr.dataset.state));
    assert.ok(excluded.length > 0 && excluded.every((s) => s === "not-applicable"), `${excluded}`);
    assert.match(await page.$eval("form[data-filter-table] output", (o) => o.value), new RegExp(`^${excluded.length} of 93 shown$`));
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("the FAQ filters by text and category, hiding empty categories", async () => {
    const { page, context, watch } = await open("faq/");
    const shown = () => page.$$eval(".faq-item:not([hidden])", (items) => items.map((i) => i.id));
    const sections = () => page.$$eval(".faq-category:not([hidden])", (s) => s.map((x) => x.dataset.category));
    const total = (await shown()).length;
    await page.fill("form[data-filter-list] input[name=q]", "penetration test");
    assert.ok((await shown()).includes("faq-025"));
    assert.ok((await shown()).length < total);
    assert.ok(!(await sections()).includes("Identity and access"), "a category with no match is hidden");
    await page.fill("form[data-filter-list] input[name=q]", "");
    await page.selectOption("form[data-filter-list] select[name=category]", "Identity and access");
    assert.deepEqual(await sections(), ["Identity and access"]);
    assert.ok((await shown()).includes("faq-013"));
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });
});
