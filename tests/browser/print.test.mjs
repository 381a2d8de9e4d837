// Printing a policy and the SoA, as an auditor or a customer's procurement team would: black on
// white even when the screen is in dark mode, no navigation or filters, nothing cut off at the
// page edge, type large enough to read, every SoA row present; and Chromium makes an A4 PDF of a
// sensible length.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildSite, launchBrowser, serveStatic } from "./lib/harness.mjs";

// A4 (210 mm) minus the theme's 15 mm side margins, in CSS pixels (96 per inch).
const PRINTABLE_WIDTH = Math.floor(((210 - 2 * 15) / 25.4) * 96);

/// What a printed page would show, measured in the print layout.
function measurePrint() {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const shown = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== "hidden";
  const pageWidth = document.documentElement.clientWidth;
  const problems = [];
  let smallest = Infinity;
  let textElements = 0;
  for (const element of document.body.querySelectorAll("*")) {
    if (!shown(element) || element.closest("svg")) continue;
    const rect = element.getBoundingClientRect();
    if (rect.right > pageWidth + 1) {
      problems.push(`${element.tagName.toLowerCase()}.${element.className} is cut off at the page edge (${Math.round(rect.right)}px of ${pageWidth}px)`);
    }
    const ownText = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText) continue;
    textElements++;
    const style = getComputedStyle(element);
    smallest = Math.min(smallest, parseFloat(style.fontSize));
    // On white paper, WCAG AA for normal text: contrast 4.5:1, i.e. luminance at most 0.18.
    if (luminance(style.color) > 0.18) {
      problems.push(`"${element.textContent.trim().slice(0, 40)}" is printed in ${style.color}, too light on white`);
    }
  }
  const hidden = [".site-header", ".skip-link", "form.filters", ".toc"].filter((selector) => {
    const element = document.querySelector(selector);
    return element && shown(element);
  });
  return {
    problems,
    smallest,
    textElements,
    printedChrome: hidden,
    background: getComputedStyle(document.body).backgroundColor,
    rows: document.querySelectorAll("#soa-table tbody tr").length,
    shownRows: [...document.querySelectorAll("#soa-table tbody tr")].filter(shown).length,
    mainText: document.querySelector("main").innerText,
  };
}

/// Pages in a PDF made by Chromium (its page objects are written uncompressed).
function pdfPages(pdf) {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
}

for (const audience of ["public", "internal"]) {
  describe(`printing from the ${audience} site`, () => {
    let site;
    let server;
    let browser;
    let context;

    before(async () => {
      site = buildSite(audience);
      server = await serveStatic(site.dir);
      browser = await launchBrowser();
      // The reader's screen is in dark mode; paper is still white.
      context = await browser.newContext({ colorScheme: "dark", viewport: { width: PRINTABLE_WIDTH, height: 1100 } });
    });

    after(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
      site?.remove();
    });

    async function printed(path) {
      const page = await context.newPage();
      await page.goto(server.url + path, { waitUntil: "load" });
      await page.emulateMedia({ media: "print", colorScheme: "dark" });
      const measured = await page.evaluate(measurePrint);
      const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
      await page.close();
      return { ...measured, pages: pdfPages(pdf), bytes: pdf.length };
    }

    test("a policy prints black on white, whole, without the site's navigation", async () => {
      const policy = await printed("policies/pol-ac/");
      assert.deepEqual(policy.problems, []);
      assert.deepEqual(policy.printedChrome, [], "navigation, filters and table of contents are not printed");
      assert.equal(policy.background, "rgb(255, 255, 255)");
      assert.ok(policy.smallest >= 10, `smallest type ${policy.smallest}px (7.5 pt)`);
      assert.ok(policy.textElements > 20);
      for (const words of ["Access Control Policy", "Version", "Owner", "Next review"]) {
        assert.ok(policy.mainText.toLowerCase().includes(words.toLowerCase()), `the printout shows "${words}"`);
      }
      assert.ok(policy.pages >= 1 && policy.pages <= 8, `${policy.pages} A4 pages`);
    });

    test("the SoA prints every control in a table that fits the page", async () => {
      const soa = await printed("soa/");
      assert.deepEqual(soa.problems, []);
      assert.deepEqual(soa.printedChrome, []);
      assert.equal(soa.rows, 93);
      assert.equal(soa.shownRows, 93, "every control is printed");
      assert.ok(soa.smallest >= 10, `smallest type ${soa.smallest}px`);
      assert.ok(soa.mainText.includes("A.8.34"));
      // 93 rows: a few pages, not one row per page and not one squeezed page.
      assert.ok(soa.pages >= 2 && soa.pages <= (audience === "public" ? 8 : 20), `${soa.pages} A4 pages`);
    });
  });
}
