// axe-core on one page of every type (every template), public and internal, in the light and
// the dark colour scheme and on a phone: no serious or critical violation. Colour contrast is
// among axe's rules, so this is also what checks that both schemes stay readable.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { axeViolations as violations, buildSite, copyExampleContent, launchBrowser, listPages, onePagePerType, serveStatic } from "./lib/harness.mjs";

const SETTINGS = [
  { name: "light", options: { colorScheme: "light", viewport: { width: 1280, height: 900 } } },
  { name: "dark", options: { colorScheme: "dark", viewport: { width: 1280, height: 900 } } },
  { name: "phone", options: { colorScheme: "light", viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

for (const audience of ["public", "internal"]) {
  describe(`the ${audience} site`, () => {
    let site;
    let server;
    let browser;
    let pages;

    before(async () => {
      site = buildSite(audience);
      server = await serveStatic(site.dir);
      browser = await launchBrowser();
      pages = onePagePerType(listPages(site.dir));
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      site?.remove();
    });

    for (const setting of SETTINGS) {
      test(`every page type has no serious or critical axe violation (${setting.name})`, async () => {
        assert.ok(pages.length >= (audience === "public" ? 15 : 21), `one page of each template: ${pages}`);
        const context = await browser.newContext(setting.options);
        const page = await context.newPage();
        const failures = [];
        for (const path of pages) {
          await page.goto(server.url + path, { waitUntil: "load" });
          for (const violation of await violations(page)) failures.push(`${path || "/"}: ${violation}`);
        }
        await context.close();
        assert.deepEqual(failures, []);
      });
    }

    test("the questionnaire page with answers selected has no serious or critical violation", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url + "search/?q=encryption", { waitUntil: "load" });
      await page.click("#select-shown");
      assert.deepEqual(await violations(page), []);
      await context.close();
    });
  });
}

test("a markdown table too wide for a phone scrolls from the keyboard", async () => {
  // The example's tables fit a phone; a policy may hold one that does not.
  const content = copyExampleContent();
  appendFileSync(
    join(content.dir, "policies/access-control.md"),
    "\n## Access matrix\n\n| Role | Production | Staging | Billing | Support console | Source code | Identity provider | Logs |\n" +
      "|---|---|---|---|---|---|---|---|\n| Engineer | Just-in-time | Standing | None | None | Read/write | None | Read |\n",
  );
  const site = buildSite("public", content.dir);
  const server = await serveStatic(site.dir);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(server.url + "policies/pol-ac/", { waitUntil: "load" });
    const wrap = page.locator(".prose .table-wrap", { hasText: "Support console" });
    assert.ok(await wrap.evaluate((w) => w.scrollWidth > w.clientWidth), "the table is wider than the screen");
    assert.equal(await wrap.getAttribute("tabindex"), "0");
    assert.equal(await wrap.getAttribute("role"), "region");
    assert.equal(await wrap.getAttribute("aria-label"), "Access matrix");
    await wrap.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.activeElement.scrollLeft > 0);
    assert.deepEqual(await violations(page), []);
    // A table that fits is no tab stop.
    const fitting = page.locator(".prose .table-wrap", { hasText: "Reviewer" });
    assert.ok(await fitting.evaluate((w) => w.scrollWidth <= w.clientWidth));
    assert.equal(await fitting.getAttribute("tabindex"), null);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    site.remove();
    content.remove();
  }
});

test("the colour schemes follow the system setting: light is dark on light, dark is light on dark", async () => {
  const site = buildSite("public");
  const server = await serveStatic(site.dir);
  const browser = await launchBrowser();
  try {
    // Relative luminance (WCAG) of a computed `rgb(…)` colour.
    const luminance = (rgb) => {
      const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const path of ["", "policies/pol-ac/", "soa/", "search/"]) {
      for (const colorScheme of ["light", "dark"]) {
        const context = await browser.newContext({ colorScheme });
        const page = await context.newPage();
        await page.goto(server.url + path, { waitUntil: "load" });
        const colours = await page.evaluate(() => {
          const body = getComputedStyle(document.body);
          const main = getComputedStyle(document.querySelector("main h1") || document.querySelector("main"));
          return { background: body.backgroundColor, text: main.color };
        });
        const background = luminance(colours.background);
        const text = luminance(colours.text);
        if (colorScheme === "light") {
          assert.ok(background > 0.8 && text < 0.2, `${path} light: ${JSON.stringify(colours)}`);
        } else {
          assert.ok(background < 0.05 && text > 0.6, `${path} dark: ${JSON.stringify(colours)}`);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
    site.remove();
  }
});
