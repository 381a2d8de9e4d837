// Every page of the built example, public and internal, opened in Chromium as a customer or
// an employee would: it loads without a console error or a failed request, every link on it
// leads to a file of the build, and at 375 px (a phone) nothing scrolls sideways.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildSite, launchBrowser, listFiles, listPages, serveStatic, watchProblems } from "./lib/harness.mjs";

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

/// Where a same-origin link leads in the build: `policies/pol-ac/` → `policies/pol-ac/index.html`.
function fileOf(pathname) {
  const path = decodeURIComponent(pathname).replace(/^\//, "");
  return path === "" || path.endsWith("/") ? `${path}index.html` : path;
}

for (const audience of ["public", "internal"]) {
  describe(`the ${audience} site`, () => {
    let site;
    let server;
    let browser;
    let pages;
    let files;

    before(async () => {
      site = buildSite(audience);
      server = await serveStatic(site.dir);
      browser = await launchBrowser();
      files = new Set(listFiles(site.dir));
      pages = listPages(site.dir);
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      site?.remove();
    });

    test("has the pages of the build to test", () => {
      // A broken page list would make every test below pass on nothing.
      assert.ok(pages.length > 100, `${pages.length} pages`);
      assert.ok(pages.includes("") && pages.includes("search/") && pages.includes("soa/"));
      assert.equal(pages.includes("risks/"), audience === "internal");
    });

    test("every page loads with no console error, no failed request and no broken link", async () => {
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      const watch = watchProblems(page);
      const failures = [];
      for (const path of pages) {
        watch.clear();
        const response = await page.goto(server.url + path, { waitUntil: "load" });
        if (response.status() !== 200) failures.push(`${path}: HTTP ${response.status()}`);
        await watch.settled();
        const links = await page.$$eval("a[href]", (anchors) => anchors.map((a) => a.href));
        for (const link of links) {
          const url = new URL(link);
          if (url.origin !== new URL(server.url).origin) continue;
          if (!files.has(fileOf(url.pathname))) failures.push(`${path}: broken link to ${url.pathname}`);
        }
        const title = await page.title();
        if (!title.trim()) failures.push(`${path}: no title`);
        for (const problem of watch.problems()) failures.push(`${path}: ${problem}`);
      }
      await context.close();
      assert.deepEqual(failures, []);
    });

    test("a missing address shows the 404 page, styled, with working links", async () => {
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      const watch = watchProblems(page);
      const response = await page.goto(server.url + "policies/no-such-policy/", { waitUntil: "load" });
      assert.equal(response.status(), 404);
      await watch.settled();
      // The document's own 404 is expected; its stylesheet, script and icon must load.
      const others = watch.problems().filter((p) => !p.includes("/policies/no-such-policy/"));
      assert.deepEqual(others, []);
      assert.match(await page.textContent("h1"), /does not exist/i);
      const headerDisplay = await page.$eval(".site-header", (el) => getComputedStyle(el).display);
      assert.notEqual(headerDisplay, "inline", "the stylesheet applies");
      await page.click(".brand");
      assert.equal(new URL(page.url()).pathname, "/");
      await context.close();
    });

    test("at 375 px wide, no page scrolls sideways", async () => {
      const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      const failures = [];
      for (const path of pages) {
        await page.goto(server.url + path, { waitUntil: "load" });
        const overflow = await page.evaluate(() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return null;
          // Name the widest element that sticks out (outside any scrolling box), to say
          // what to fix.
          const clipped = (element) => {
            for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
              if (getComputedStyle(box).overflowX !== "visible") return true;
            }
            return false;
          };
          let widest = null;
          for (const element of document.body.querySelectorAll("*")) {
            if (clipped(element)) continue;
            const right = element.getBoundingClientRect().right;
            if (right > root.clientWidth + 1 && (!widest || right > widest.right)) {
              widest = { right, name: element.tagName.toLowerCase() + (element.className ? "." + String(element.className).split(" ").join(".") : "") };
            }
          }
          return `page is ${root.scrollWidth}px wide for ${root.clientWidth}px${widest ? `; ${widest.name} reaches ${Math.round(widest.right)}px` : ""}`;
        });
        if (overflow) failures.push(`${path}: ${overflow}`);
      }
      await context.close();
      assert.deepEqual(failures, []);
    });
  });
}
