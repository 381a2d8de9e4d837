// The brand and the navigation, as a reader on a phone and on a laptop sees them: a
// 40-character organisation name and the internal edition's many sections still give a header
// that fits, with a menu button when the links would wrap; the dark-mode logo in dark mode;
// the brand colour's shades readable on the page.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, copyExampleContent, launchBrowser, serveStatic } from "./lib/harness.mjs";

const LONG_NAME = "Northbridge Meridian Clearing Systems AG";
assert.equal(LONG_NAME.length, 40);

function measureHeader() {
  const header = document.querySelector(".site-header");
  const toggle = header.querySelector(".nav-toggle");
  const items = [...header.querySelectorAll(".site-nav li")];
  const shown = (element) => element.getClientRects().length > 0;
  return {
    height: header.getBoundingClientRect().height,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    toggleShown: shown(toggle),
    expanded: toggle.getAttribute("aria-expanded"),
    linksShown: items.filter((item) => shown(item)).length,
    links: items.length,
    rows: new Set(items.filter(shown).map((item) => Math.round(item.getBoundingClientRect().top))).size,
    brandRight: header.querySelector(".brand").getBoundingClientRect().right,
    toggleLeft: shown(toggle) ? toggle.getBoundingClientRect().left : Infinity,
  };
}

describe("a long organisation name and many sections", () => {
  let browser;
  const sites = {};
  let content;
  before(async () => {
    content = copyExampleContent();
    const site = join(content.dir, "site.yaml");
    writeFileSync(site, readFileSync(site, "utf8").replace("name: Halcyon Ledger\n", `name: ${LONG_NAME}\n`)
      .replace(/\n {2}logo: brand\/logo\.svg\n {2}logo_dark: brand\/logo-dark\.svg\n/, "\n"));
    for (const audience of ["public", "internal"]) {
      const built = buildSite(audience, content.dir);
      sites[audience] = { built, server: await serveStatic(built.dir) };
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const { built, server } of Object.values(sites)) {
      await server.close();
      built.remove();
    }
    content?.remove();
  });

  for (const audience of ["public", "internal"]) {
    test(`${audience}: at 375 px the links are behind a menu button that opens and closes`, async () => {
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
      await page.goto(sites[audience].server.url);
      const closed = await page.evaluate(measureHeader);
      assert.equal(closed.overflow, 0, "nothing sticks out sideways");
      assert.ok(closed.toggleShown, "the menu button is shown");
      assert.equal(closed.linksShown, 0, "the links wait behind it");
      assert.equal(closed.expanded, "false");
      assert.ok(closed.height <= 110, `the header is ${closed.height}px high`);
      assert.ok(closed.brandRight <= closed.toggleLeft, "the name does not run under the button");
      assert.ok(await page.getByText(LONG_NAME, { exact: true }).first().isVisible(), "the whole name is shown");

      await page.getByRole("button", { name: "Menu" }).click();
      const open = await page.evaluate(measureHeader);
      assert.equal(open.expanded, "true");
      assert.equal(open.linksShown, open.links, "every section is listed");
      const policies = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies" });
      assert.ok(await policies.isVisible());
      await page.keyboard.press("Escape");
      assert.equal((await page.evaluate(measureHeader)).linksShown, 0, "Escape closes it");
      assert.ok(await page.evaluate(() => document.activeElement.classList.contains("nav-toggle")), "focus returns to the button");

      // The keyboard alone opens it.
      await page.keyboard.press("Enter");
      assert.equal((await page.evaluate(measureHeader)).expanded, "true");
      await policies.click();
      await page.waitForURL(/policies\/$/);
      await page.close();
    });

    test(`${audience}: at 1,280 px every link is on one row, or behind the button`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(sites[audience].server.url);
      const header = await page.evaluate(measureHeader);
      assert.equal(header.overflow, 0);
      assert.ok(header.height <= 140, `the header is ${header.height}px high`);
      if (header.toggleShown) {
        assert.equal(header.linksShown, 0);
      } else {
        assert.equal(header.linksShown, header.links);
        assert.equal(header.rows, 1, "the links do not wrap");
      }
      await page.close();
    });
  }

  test("without scripts the links are all there, wrapped, and no dead button shows", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(sites.public.server.url);
    const header = await page.evaluate(measureHeader);
    assert.equal(header.toggleShown, false);
    assert.equal(header.linksShown, header.links);
    assert.equal(header.overflow, 0);
    await context.close();
  });
});

describe("the example's brand", () => {
  let browser;
  let built;
  let server;
  before(async () => {
    built = buildSite("public");
    server = await serveStatic(built.dir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    built?.remove();
  });

  for (const scheme of ["light", "dark"]) {
    test(`${scheme}: the ${scheme} logo, and the brand colour readable on the page`, async () => {
      const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      await page.goto(server.url);
      const logo = page.locator("img.brand-logo");
      await logo.evaluate((img) => img.decode());
      const source = await logo.evaluate((img) => img.currentSrc);
      assert.match(source, scheme === "dark" ? /brand-logo-dark\.svg$/ : /brand-logo\.svg$/);
      assert.ok(await logo.evaluate((img) => img.naturalWidth > 0), "the logo loads");
      assert.equal(await logo.getAttribute("alt"), "Halcyon Ledger");
      // The palette reached the page: links use the brand shade of this mode.
      const brand = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--brand").trim());
      assert.equal(brand, scheme === "dark" ? await page.evaluate(() => {
        const css = [...document.styleSheets].find((s) => (s.href || "").endsWith("palette.css"));
        return [...css.cssRules].find((r) => r.conditionText && r.conditionText.includes("dark")).cssRules[0].style.getPropertyValue("--brand").trim();
      }) : "#0b6b5d");
      const icon = await page.evaluate(() => document.querySelector("link[rel=icon]").href);
      assert.match(icon, /brand-favicon\.svg$/);
      await page.close();
    });
  }

  test("the certification badges and the cards link where they say", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const badges = page.getByRole("list", { name: "Certifications and attestations" }).getByRole("link");
    assert.deepEqual(await badges.allTextContents(), ["ISO/IEC 27001:2022", "SOC 2 Type II"]);
    await badges.first().click();
    await page.waitForURL(/certifications\/#/);
    assert.ok(await page.locator(":target").isVisible(), "the badge lands on its certification");
    await page.goBack();
    await page.getByRole("link", { name: /EU only, in Germany/ }).click();
    await page.waitForURL(/faq\/#faq-004$/);
    assert.match(await page.locator(":target").innerText(), /Where is our data stored/);
    await page.close();
  });
});
