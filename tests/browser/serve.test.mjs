// `trustpress serve` in a real browser: every page it serves loads cleanly with the live-reload
// script in it; saving a policy updates the open page by itself; a broken file shows the error
// overlay, and fixing it takes the overlay away. Edits happen on a copy of the example.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, buildSite, copyExampleContent, launchBrowser, listPages, startServe, watchProblems } from "./lib/harness.mjs";

/// Opens `url` and waits until its live-reload script holds its event stream open. Returns
/// `{ status, connected }`.
async function openLive(page, url) {
  const [response, connected] = await Promise.all([
    page.goto(url, { waitUntil: "load" }),
    page.waitForResponse((r) => r.url().endsWith("/__trustpress/events") && r.status() === 200, { timeout: 10_000 }).then(
      () => true,
      () => false,
    ),
  ]);
  return { status: response.status(), connected };
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const audience of ["public", "internal"]) {
  test(`every page of the ${audience} site loads from serve with no console error or failed request`, async () => {
    // The page list comes from `build` of the same content: serve must have every page.
    const site = buildSite(audience);
    const pages = listPages(site.dir);
    site.remove();
    const server = await startServe(join(REPO, "content"), audience);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const watch = watchProblems(page);
      const failures = [];
      for (const path of pages) {
        watch.clear();
        // The live-reload script is in every page and connects to its event stream.
        const { status, connected } = await openLive(page, server.url + path);
        if (status !== 200) failures.push(`${path}: HTTP ${status}`);
        if (!connected) failures.push(`${path}: no live-reload connection`);
        await watch.settled();
        for (const problem of watch.problems()) failures.push(`${path}: ${problem}`);
      }
      assert.ok(pages.length > 100);
      assert.deepEqual(failures, []);
    } finally {
      await context.close();
      await server.stop();
    }
  });
}

describe("live reload", () => {
  let content;
  let server;
  let context;

  before(async () => {
    content = copyExampleContent();
    server = await startServe(content.dir);
    context = await browser.newContext();
  });

  after(async () => {
    await context?.close();
    await server?.stop();
    content?.remove();
  });

  const policy = () => join(content.dir, "policies/access-control.md");

  test("saving a policy updates the open page without a manual reload", async () => {
    const page = await context.newPage();
    const watch = watchProblems(page);
    assert.ok((await openLive(page, server.url + "policies/pol-ac/")).connected);
    // Another open page, whose file the edit does not change, keeps its state.
    const other = await context.newPage();
    assert.ok((await openLive(other, server.url + "certifications/")).connected);
    await other.evaluate(() => {
      window.stillHere = true;
    });

    const sentence = "Browser test sentence 8f3a: access is reviewed every quarter.";
    const source = readFileSync(policy(), "utf8");
    assert.ok(!(await page.textContent("main")).includes(sentence));
    writeFileSync(policy(), `${source.trimEnd()}\n\n${sentence}\n`);
    await page.waitForFunction((text) => document.querySelector("main").textContent.includes(text), sentence, { timeout: 15_000 });

    assert.equal(await other.evaluate(() => window.stillHere), true, "the certifications page was not reloaded");
    assert.deepEqual(watch.problems(), []);
    writeFileSync(policy(), source);
    await page.waitForFunction((text) => !document.querySelector("main").textContent.includes(text), sentence, { timeout: 15_000 });
    await page.close();
    await other.close();
  });

  test("a broken file shows the error overlay until it is fixed", async () => {
    const page = await context.newPage();
    const watch = watchProblems(page);
    assert.ok((await openLive(page, server.url + "policies/pol-ac/")).connected);
    const title = await page.textContent("h1");

    const source = readFileSync(policy(), "utf8");
    // A front-matter line that is not YAML: the rebuild fails.
    const broken = source.replace(/^version: .*$/m, 'version: "2.1');
    assert.notEqual(broken, source);
    writeFileSync(policy(), broken);
    const overlay = page.locator("#__trustpress-overlay");
    await overlay.waitFor({ state: "visible", timeout: 15_000 });
    const text = await overlay.textContent();
    assert.match(text, /Build failed/);
    assert.match(text, /policies\/access-control\.md:\d+:\d+/, `the overlay names file, line and column: ${text}`);
    // The last good build stays under the overlay.
    assert.equal(await page.textContent("h1"), title);
    // A page opened while the error lasts shows it too.
    const late = await context.newPage();
    await late.goto(server.url + "soa/", { waitUntil: "load" });
    await late.locator("#__trustpress-overlay").waitFor({ state: "visible", timeout: 15_000 });

    writeFileSync(policy(), source);
    await overlay.waitFor({ state: "detached", timeout: 15_000 });
    await late.locator("#__trustpress-overlay").waitFor({ state: "detached", timeout: 15_000 });
    assert.equal(await page.textContent("h1"), title);
    assert.deepEqual(watch.problems(), []);
    await page.close();
    await late.close();
  });
});
