// A project site under a sub-path (`https://example.github.io/trust/`): built with that
// --base-url and served only under /trust/, every page of both editions loads its styles,
// scripts and icon from under /trust/ with no failed request, and every link stays under it
// and leads to a file of the build.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { REPO, TODAY, TRUSTPRESS, launchBrowser, listFiles, listPages, serveStatic, tempDir, watchProblems } from "./lib/harness.mjs";

const UNDER = "/trust/";

for (const audience of ["public", "internal"]) {
  describe(`the ${audience} site under ${UNDER}`, () => {
    let parent;
    let dir;
    let server;
    let browser;

    before(async () => {
      parent = tempDir(`subpath-${audience}`);
      dir = join(parent, "site");
      execFileSync(
        TRUSTPRESS,
        ["build", "--today", TODAY, "--audience", audience, "--content", join(REPO, "content"), "--out", dir,
          "--base-url", "https://example.github.io/trust"],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      server = await serveStatic(dir, { under: UNDER });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      if (parent) rmSync(parent, { recursive: true, force: true });
    });

    test("every page loads whole and every link stays inside the site", async () => {
      const files = new Set(listFiles(dir));
      const context = await browser.newContext();
      const page = await context.newPage();
      const watch = watchProblems(page);
      const failures = [];
      const origin = new URL(server.url).origin;
      const pages = listPages(dir);
      assert.ok(pages.length > 100, `${pages.length} pages`);
      for (const path of pages) {
        watch.clear();
        const response = await page.goto(server.url + path, { waitUntil: "load" });
        if (response.status() !== 200) failures.push(`${path}: HTTP ${response.status()}`);
        await watch.settled();
        for (const problem of watch.problems()) failures.push(`${path}: ${problem}`);
        const links = await page.$$eval("a[href], link[href], script[src], img[src]", (elements) =>
          elements.map((e) => e.href || e.src),
        );
        for (const link of links) {
          const url = new URL(link);
          if (url.origin !== origin) continue;
          if (!url.pathname.startsWith(UNDER)) {
            failures.push(`${path}: ${url.pathname} leaves ${UNDER}`);
            continue;
          }
          const inside = decodeURIComponent(url.pathname.slice(UNDER.length));
          const file = inside === "" || inside.endsWith("/") ? `${inside}index.html` : inside;
          if (!files.has(file)) failures.push(`${path}: broken link to ${url.pathname}`);
        }
      }
      await context.close();
      assert.deepEqual(failures, []);
    });
  });
}
