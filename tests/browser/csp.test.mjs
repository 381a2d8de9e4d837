// The site under its own security headers: every page type of the public and internal builds,
// served with the Content-Security-Policy of the build's `_headers`, loads and runs its
// scripts (the search page searches) with no violation. A page that breaks the policy is
// caught: the check is shown to fail on one.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, launchBrowser, listPages, onePagePerType, serveStatic, tempDir } from "./lib/harness.mjs";

/// Loads `url` and returns the policy violations the page reported, one line each.
async function violationsOf(browser, url, after = async () => {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.__violations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`),
    );
  });
  const response = await page.goto(url, { waitUntil: "load" });
  assert.ok(response.headers()["content-security-policy"], `${url} was served without the policy`);
  await after(page);
  await page.waitForTimeout(50);
  const found = await page.evaluate(() => window.__violations);
  await context.close();
  return found;
}

describe("the Content-Security-Policy of _headers", () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const audience of ["public", "internal"]) {
    test(`every page type of the ${audience} site keeps to it`, async () => {
      const site = buildSite(audience);
      const server = await serveStatic(site.dir, { withHostHeaders: true });
      try {
        const problems = [];
        for (const path of onePagePerType(listPages(site.dir))) {
          const url = server.url + path.replace(/index\.html$/, "");
          const search = async (page) => {
            if (path.startsWith("search/")) {
              await page.fill("input[type=search]", "encryption");
              await page.waitForTimeout(200);
            }
          };
          for (const violation of await violationsOf(browser, url, search)) problems.push(`${path}: ${violation}`);
        }
        assert.deepEqual(problems, []);
      } finally {
        await server.close();
        site.remove();
      }
    });
  }

  test("a page with an inline style breaks it, and the check sees it", async () => {
    const dir = join(tempDir("csp-control"), "site");
    mkdirSync(dir, { recursive: true });
    const site = buildSite("public");
    try {
      writeFileSync(join(dir, "_headers"), readFileSync(join(site.dir, "_headers")));
      writeFileSync(join(dir, "index.html"), '<!doctype html><title>x</title><p style="color: red">red</p><script>1</script>');
      writeFileSync(join(dir, "404.html"), "<!doctype html><title>missing</title>");
      const server = await serveStatic(dir, { withHostHeaders: true });
      try {
        const found = await violationsOf(browser, server.url);
        assert.ok(found.some((v) => v.startsWith("style-src")), JSON.stringify(found));
        assert.ok(found.some((v) => v.startsWith("script-src")), JSON.stringify(found));
      } finally {
        await server.close();
      }
    } finally {
      site.remove();
    }
  });
});
