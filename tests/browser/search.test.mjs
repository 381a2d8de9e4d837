// The questionnaire page as a customer uses it: search, filter, select answers and export them
// as CSV, with the index fetched in chunks and results taken from every page; the pages
// without JavaScript; and the filters of the SoA table and the FAQ. On the public example site.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, buildSite, launchBrowser, serveStatic, watchProblems } from "./lib/harness.mjs";
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

/// Waits until the search has drawn its results (the list is `aria-busy` until then).
const settled = (page) => page.waitForFunction(() => !document.getElementById("results").hasAttribute("aria-busy"));

async function search(page, query) {
  await page.fill("input[name=q]", query);
  await settled(page);
}

async function choose(page, name, value) {
  await page.selectOption(`select[name=${name}]`, value);
  await settled(page);
}

/// Draws every result of the current search ("Show more" until there is none).
async function showAll(page) {
  while (await page.isVisible("#more-results")) {
    await page.click("#more-results");
    await settled(page);
  }
}

/// Every entry of the search pages, as a reader without JavaScript finds them by following
/// the pager: kind, id, category, frameworks, and the terms of its text (read by the page's
/// own `terms`, which the shared vectors hold to the index's).
function everyEntry(page) {
  return page.evaluate(async () => {
    const entries = [];
    let url = new URL(location.pathname, location.href);
    let doc = document;
    for (;;) {
      const html = await (await fetch(url)).text();
      doc = new DOMParser().parseFromString(html, "text/html");
      for (const item of doc.querySelectorAll("#results > .result")) {
        entries.push({
          key: `${item.dataset.kind}:${item.dataset.id}`,
          kind: item.dataset.kind,
          category: item.dataset.category,
          frameworks: item.dataset.frameworks.split("|"),
          terms: window.trustpressSearch.terms(item.textContent + " " + item.dataset.id),
        });
      }
      const next = doc.querySelector("#search-pager a[rel=next]");
      if (!next) return entries;
      url = new URL(next.getAttribute("href"), url);
    }
  });
}

/// The entries holding a term that starts with each of the query's words.
function expected(entries, words) {
  return entries.filter((e) => words.every((w) => e.terms.some((t) => t.startsWith(w)))).map((e) => e.key);
}

describe("the questionnaire page", () => {
  test("typing a query shows the results that hold every word, from every page", async () => {
    const { page, context, watch } = await open("search/");
    const entries = await everyEntry(page);
    const meta = JSON.parse(readFileSync(join(site.dir, "search/index/meta.json"), "utf8"));
    assert.equal(entries.length, meta.entries, "the pages hold every entry of the index");
    assert.ok(entries.length > 100, "the example's search has more than one page");
    assert.equal((await shownResults(page)).length, 100, "the first page shows its 100 entries");
    assert.ok(await page.isVisible("#search-pager"));

    await page.locator("input[name=q]").pressSequentially("penetration test", { delay: 10 });
    await settled(page);
    let shown = await shownResults(page);
    assert.ok(shown.includes("answer:FAQ-025"), `"Do you perform penetration tests?" is shown: ${shown}`);
    assert.ok(shown.includes("answer:FAQ-026"), `"May we run our own penetration test?" is shown: ${shown}`);
    assert.ok(!shown.includes("answer:FAQ-013"), "the SSO answer is not");
    assert.deepEqual(shown, expected(entries, ["penetration", "test"]), "exactly the entries holding both words");
    assert.equal(await count(page), `${shown.length} of ${entries.length} shown`);
    assert.equal(new URL(page.url()).searchParams.get("q"), "penetration test", "the search is in the address");
    assert.ok(await page.isHidden("#no-results"));
    assert.ok(await page.isHidden("#search-pager"), "a search's results are not paged");

    // The index and the pages agree on other queries, and on results from the second page.
    for (const query of ["encryption", "a.8", "sso", "cryptography", "implemented"]) {
      await search(page, query);
      await showAll(page);
      const words = await page.evaluate((q) => window.trustpressSearch.queryWords(q), query);
      assert.deepEqual(await shownResults(page), expected(entries, words), query);
    }
    // A result from another page keeps working links: the control's page opens.
    await search(page, "cryptography");
    assert.ok((await shownResults(page)).includes("control:A.8.24"));
    await Promise.all([page.waitForURL(/\/soa\/a-8-24\/$/), page.click("#control-a-8-24 .result-title a")]);
    assert.match(await page.textContent("h1"), /Use of cryptography/);
    await page.goBack();
    await settled(page);

    // Case and accents do not matter; a word that is nowhere gives the "nothing matches" hint.
    await search(page, "SINGLE SIGN-ON");
    assert.ok((await shownResults(page)).includes("answer:FAQ-013"));
    await search(page, "quetzalcoatl");
    assert.deepEqual(await shownResults(page), []);
    assert.ok(await page.isVisible("#no-results"));
    assert.equal(await count(page), `0 of ${entries.length} shown`);
    // An empty search is the first page again.
    await search(page, "");
    assert.equal((await shownResults(page)).length, 100);
    assert.ok(await page.isVisible("#search-pager"));
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("a shared address opens with its search applied", async () => {
    const { page, context, watch } = await open("search/?q=penetration&kind=answer");
    await settled(page);
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
    const all = await everyEntry(page);

    await choose(page, "kind", "policy");
    await showAll(page);
    let shown = await shownResults(page);
    assert.equal(shown.length, all.filter((r) => r.kind === "policy").length);
    assert.ok(shown.length > 0 && shown.every((r) => r.startsWith("policy:")), `${shown}`);

    await choose(page, "kind", "");
    await choose(page, "category", "Compliance");
    shown = await shownResults(page);
    assert.equal(shown.length, all.filter((r) => r.kind === "answer" && r.category === "Compliance").length);
    assert.ok(shown.includes("answer:FAQ-023"), `${shown}`);
    assert.ok(!shown.includes("answer:FAQ-013"));

    await choose(page, "category", "");
    const frameworks = await page.$$eval("select[name=framework] option", (options) => options.map((o) => o.value).filter(Boolean));
    assert.ok(frameworks.length >= 3, `one option per enabled framework: ${frameworks}`);
    for (const framework of frameworks) {
      await choose(page, "framework", framework);
      await showAll(page);
      shown = await shownResults(page);
      const expected = all.filter((r) => r.frameworks.includes(framework)).map((r) => r.key);
      assert.ok(expected.length > 0, `some result belongs to ${framework}`);
      assert.deepEqual(shown, expected, framework);
    }

    // Combined with a search: both must hold.
    await choose(page, "framework", "");
    await choose(page, "kind", "control");
    await search(page, "cryptography");
    shown = await shownResults(page);
    assert.ok(shown.length > 0 && shown.every((r) => r.startsWith("control:")), `${shown}`);
    assert.ok(shown.includes("control:A.8.24"), `"Use of cryptography" is found: ${shown}`);
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("without JavaScript the entries are in pages of 100, linked by a pager", async () => {
    const { page, context } = await open("search/", { javaScriptEnabled: false });
    const meta = JSON.parse(readFileSync(join(site.dir, "search/index/meta.json"), "utf8"));
    const seen = [];
    for (let number = 1; ; number++) {
      const items = await page.$$eval("#results .result", (all) => all.map((i) => `${i.dataset.kind}:${i.dataset.id}`));
      assert.ok(items.length > 0 && items.length <= 100, `page ${number}: ${items.length}`);
      assert.ok(await page.isHidden("#search-form"), "the search needs JavaScript and is hidden without it");
      seen.push(...items);
      const next = await page.$("#search-pager a[rel=next]");
      if (!next) break;
      await Promise.all([page.waitForURL(new RegExp(`/search/page/${number + 1}/$`)), next.click()]);
    }
    assert.equal(seen.length, meta.entries, "every entry is on a page");
    assert.equal(new Set(seen).size, seen.length, "and on one only");
    await context.close();
  });

  test("the page's words are the index's (the shared vectors)", async () => {
    const { page, context } = await open("search/");
    const vectors = JSON.parse(readFileSync(join(REPO, "tests/search/vectors.json"), "utf8"));
    const wrong = await page.evaluate((vectors) => {
      const S = window.trustpressSearch;
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      return vectors
        .filter((v) => !same(S.terms(v.text), v.terms) || !same(S.queryWords(v.text), v.query_words))
        .map((v) => v.text);
    }, vectors);
    assert.ok(vectors.length > 50);
    assert.deepEqual(wrong, []);
    await context.close();
  });

  test("when the index cannot be read, the page searches its own results and says so", async () => {
    const { page, context } = await open("search/");
    await page.route("**/search/index/**", (route) => route.abort());
    await search(page, "penetration");
    const shown = await shownResults(page);
    assert.ok(shown.includes("answer:FAQ-025"), `${shown}`);
    assert.ok(shown.length < 100);
    assert.match(await page.textContent("#search-form + p"), /index could not be loaded/);
    await context.close();
  });

  test("a page left open across a deploy does not map the new index onto its old results", async () => {
    const { page, context } = await open("search/");
    const meta = JSON.parse(readFileSync(join(site.dir, "search/index/meta.json"), "utf8"));
    // The next build's index: the same files but another build id.
    await page.route("**/search/index/meta.json", (route) => route.fulfill({ json: { ...meta, build: "0000000000000000" } }));
    await search(page, "penetration");
    assert.match(await page.textContent("#search-form + p"), /has changed since this page was opened/);
    const shown = await shownResults(page);
    assert.ok(shown.includes("answer:FAQ-025") && shown.length < 100, `${shown}`);
    await context.close();

    // A page of another build is not used either.
    const second = await open("search/");
    await second.page.route("**/search/page/2/", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(/data-build="[0-9a-f]+"/, 'data-build="0000000000000000"');
      await route.fulfill({ response, body: html });
    });
    await search(second.page, "cryptography");
    assert.match(await second.page.textContent("#search-form + p"), /has changed since this page was opened/);
    assert.ok(!(await shownResults(second.page)).includes("control:A.8.24"), "nothing is taken from the other build's page");
    await second.context.close();
  });

  test("headings in an answer's text do not take the place of the page's controls", async () => {
    const { page, context, watch } = await open("search/");
    // What `## More results`, `## No results` and `## Search pager` in an answer become.
    await page.route("**/search/", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        '<div class="prose result-body">',
        '<div class="prose result-body"><h2 id="more-results">More results</h2><h2 id="no-results">No results</h2><h2 id="search-pager">Search pager</h2>',
      );
      await route.fulfill({ response, body: html });
    });
    await page.reload({ waitUntil: "load" });
    await search(page, "quetzalcoatl");
    assert.ok(await page.isVisible("p[data-search-none]"), "the real 'nothing matches' line shows");
    await choose(page, "kind", "control");
    await search(page, "");
    assert.ok(await page.isVisible("button[data-search-more]"));
    await showAll(page);
    assert.equal((await shownResults(page)).length, 93, "every control is drawn through the real button");
    await choose(page, "kind", "");
    assert.equal(await page.textContent("h2#more-results"), "More results", "the heading keeps its text");
    assert.deepEqual(watch.problems(), []);
    await context.close();
  });

  test("an index with no words finds nothing and reports no failure", async () => {
    const { page, context } = await open("search/");
    const meta = JSON.parse(readFileSync(join(site.dir, "search/index/meta.json"), "utf8"));
    await page.route("**/search/index/meta.json", (route) => route.fulfill({ json: { ...meta, chunks: [] } }));
    await search(page, "penetration");
    assert.deepEqual(await shownResults(page), []);
    assert.ok(await page.isVisible("#no-results"));
    assert.equal(await page.$("#search-form + p"), null, "no failure note");
    await context.close();
  });

  test("selected answers export as a CSV with exactly those rows", async () => {
    const { page, context, watch } = await open("search/", { acceptDownloads: true });
    assert.ok(await page.isDisabled("#export-selected"), "nothing to export before a selection");

    await search(page, "penetration");
    await page.click("#select-shown");
    const penetration = (await shownResults(page)).filter((r) => r.startsWith("answer:")).map((r) => r.slice(7));
    assert.ok(penetration.length >= 2, `${penetration}`);
    // One more, ticked by hand after another search.
    await search(page, "single sign-on");
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
