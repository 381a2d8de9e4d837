// Writes the README's screenshots: docs/screenshots/{overview,policy,soa,search}-{light,dark,mobile,de}.png
// (`de`: the example with `language: de`, light)
// and questionnaire-fill.png (a customer's workbook filled in on the questionnaire page),
// from the public example built with the debug binary (run `cargo build` first) and pinned to
// the tests' date, so a rerun changes a picture only when the theme or the example changed.
//
//   node tests/browser/screenshots.mjs
//
// Not part of the test run: it rewrites committed files.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, buildSite, copyExampleContent, launchBrowser, serveStatic, tempDir } from "./lib/harness.mjs";

const PAGES = [
  { name: "overview", path: "" },
  { name: "policy", path: "policies/pol-ac/" },
  { name: "soa", path: "soa/" },
  // A search as a customer would run it, with two answers ticked for export.
  { name: "search", path: "search/?q=encryption&kind=answer", select: 2, top: "#search-form" },
];

const SETTINGS = [
  { name: "light", options: { colorScheme: "light", viewport: { width: 1280, height: 900 } } },
  { name: "dark", options: { colorScheme: "dark", viewport: { width: 1280, height: 900 } } },
  {
    name: "mobile",
    options: { colorScheme: "light", viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  },
];

const out = join(REPO, "docs/screenshots");
mkdirSync(out, { recursive: true });
const site = buildSite("public");
const server = await serveStatic(site.dir);
// The same example in German.
const german = copyExampleContent();
const siteYaml = join(german.dir, "site.yaml");
writeFileSync(siteYaml, readFileSync(siteYaml, "utf8") + "language: de\n");
const germanSite = buildSite("public", german.dir);
const germanServer = await serveStatic(germanSite.dir);
const browser = await launchBrowser();
try {
  for (const setting of [...SETTINGS, { ...SETTINGS[0], name: "de", url: germanServer.url }]) {
    const context = await browser.newContext({ ...setting.options, reducedMotion: "reduce" });
    const page = await context.newPage();
    for (const { name, path, select, top } of PAGES) {
      await page.goto((setting.url || server.url) + path, { waitUntil: "load" });
      for (let i = 0; i < (select || 0); i++) {
        await page.locator("#results .result:not([hidden]) input[name=select]").nth(i).check();
      }
      await page.evaluate((top) => {
        const element = top && document.querySelector(top);
        window.scrollTo(0, element ? element.getBoundingClientRect().top + window.scrollY - 16 : 0);
      }, top);
      const file = join(out, `${name}-${setting.name}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${file}`);
    }
    await context.close();
  }
  // The questionnaire filler, after a customer's workbook was given to it.
  const questionnaires = tempDir("screenshot-questionnaires");
  execFileSync("python3", [join(REPO, "tests/browser/lib/questionnaires.py"), "make", questionnaires]);
  const context = await browser.newContext({ ...SETTINGS[0].options, reducedMotion: "reduce" });
  const page = await context.newPage();
  await page.goto(server.url + "search/", { waitUntil: "load" });
  await page.hover("#fill-zone");
  await page.waitForSelector("#fill-zone[data-ready=true]");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#fill-choose")]);
  await chooser.setFiles(join(questionnaires, "customer.xlsx"));
  await page.waitForSelector("#fill-result:not([hidden])");
  await page.mouse.move(0, 0);
  const file = join(out, "questionnaire-fill.png");
  await page.locator(".fill").screenshot({ path: file });
  console.log(`wrote ${file}`);
  await context.close();
  rmSync(questionnaires, { recursive: true, force: true });
} finally {
  await browser.close();
  await server.close();
  await germanServer.close();
  site.remove();
  germanSite.remove();
  german.remove();
}
