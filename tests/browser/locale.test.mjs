// The example built in German and in French (site.yaml `language:`): one page of every type
// passes axe (no serious or critical violation) and the Nu HTML Checker (no error), carries
// the right `lang`, and shows the language's words, including those the scripts write under
// the site's Content-Security-Policy (their strings come from assets/strings.js).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  axeViolations as violations,
  buildSite,
  copyExampleContent,
  launchBrowser,
  listFiles,
  listPages,
  onePagePerType,
  serveStatic,
  tempDir,
  watchProblems,
} from "./lib/harness.mjs";

const require = createRequire(import.meta.url);
const VNU = String(require("vnu-jar"));
const JAVA = process.env.JAVA || "java";

/// What each language's pages must say, and must not.
const LANGUAGES = {
  de: {
    soaHeading: "Erklärung zur Anwendbarkeit",
    nav: ["Übersicht", "Richtlinien", "Maßnahmen", "Unterauftragsverarbeiter"],
    shown: /^\d+ angezeigt$/,
    narrowed: /^\d+ von \d+ angezeigt$/,
    legacyExcel: /Excel-Datei im alten Format/,
    footer: /Stand: 21\. November 2026/,
  },
  fr: {
    soaHeading: "Déclaration d’applicabilité",
    nav: ["Accueil", "Politiques", "Mesures", "Sous-traitants"],
    shown: /^Affichés\u00a0: \d+$/,
    narrowed: /^Affichés\u00a0: \d+ sur \d+$/,
    legacyExcel: /fichier Excel ancien format/,
    footer: /Informations au 21 novembre 2026/,
  },
};
const ENGLISH = ["Skip to content", "Statement of Applicability", "Report a vulnerability", "Information as of", " shown"];

/// The Nu HTML Checker's errors on `paths` (folders are searched), one line each.
function vnuErrors(paths) {
  const args = ["-jar", VNU, "--format", "json", "--skip-non-html", "--also-check-css", "--also-check-svg"];
  return new Promise((resolve, reject) => {
    execFile(JAVA, [...args, ...paths], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        const messages = JSON.parse(stderr).messages;
        resolve(
          messages
            .filter((m) => m.type === "error" || m.type === "non-document-error")
            .map((m) => `${m.url ? decodeURIComponent(new URL(m.url).pathname) : "?"}:${m.lastLine ?? "?"}: ${m.message}`),
        );
      } catch {
        reject(error || new Error(`vnu gave no JSON report:\n${stderr}\n${stdout}`));
      }
    });
  });
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const [language, expected] of Object.entries(LANGUAGES)) {
  describe(`the example in ${language}`, () => {
    let content;
    const sites = {};
    // axe is injected as an inline script, which the Content-Security-Policy forbids: it runs
    // on plainly served copies; what the scripts do is checked as a host serves the site.
    const servers = {};
    let hosted;

    before(async () => {
      // The example content is copied, never edited in place.
      content = copyExampleContent();
      appendFileSync(join(content.dir, "site.yaml"), `\nlanguage: ${language}\n`);
      for (const audience of ["public", "internal"]) {
        sites[audience] = buildSite(audience, content.dir);
        servers[audience] = await serveStatic(sites[audience].dir);
      }
      // Served as a host would serve it, with the build's _headers (its Content-Security-Policy).
      hosted = await serveStatic(sites.public.dir, { withHostHeaders: true });
    });

    after(async () => {
      for (const server of [...Object.values(servers), hosted]) await server?.close();
      for (const site of Object.values(sites)) site?.remove();
      content?.remove();
    });

    for (const audience of ["public", "internal"]) {
      test(`every page type of the ${audience} site has no serious or critical axe violation, and lang="${language}"`, async () => {
        const pages = onePagePerType(listPages(sites[audience].dir));
        assert.ok(pages.length >= (audience === "public" ? 15 : 21), `one page of each template: ${pages}`);
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const watch = watchProblems(page);
        const failures = [];
        for (const path of pages) {
          watch.clear();
          await page.goto(servers[audience].url + path, { waitUntil: "load" });
          const lang = await page.evaluate(() => document.documentElement.lang);
          if (lang !== language) failures.push(`${path || "/"}: lang="${lang}"`);
          for (const violation of await violations(page)) failures.push(`${path || "/"}: ${violation}`);
          await watch.settled();
          for (const problem of watch.problems()) failures.push(`${path || "/"}: ${problem}`);
        }
        await context.close();
        assert.deepEqual(failures, []);
      });
    }

    test("every page, stylesheet and SVG passes the Nu HTML Checker with no error", async () => {
      const errors = await vnuErrors([sites.public.dir, sites.internal.dir]);
      assert.deepEqual(errors, []);
      const pages = listFiles(sites.internal.dir).filter((file) => file.endsWith(".html"));
      assert.ok(pages.length > 100, `${pages.length} pages`);
    });

    test("pages and scripts speak the language; content stays as written", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const watch = watchProblems(page);
      await page.goto(hosted.url + "soa/", { waitUntil: "load" });
      assert.equal(await page.textContent("main h1"), expected.soaHeading);
      const nav = await page.$$eval(".site-nav a", (links) => links.map((a) => a.textContent));
      for (const label of expected.nav) assert.ok(nav.includes(label), `${label} in ${nav}`);
      assert.match(await page.textContent(".site-footer"), expected.footer);
      // The SoA filter (site.js) counts in the language.
      const count = page.locator("form[data-filter-table] output[name=count]");
      assert.match(await count.textContent(), expected.shown);
      await page.fill("form[data-filter-table] input[name=q]", "A.5.1");
      assert.match(await count.textContent(), expected.narrowed);
      const text = await page.textContent("body");
      for (const english of ENGLISH) assert.ok(!text.includes(english), `"${english}" on the ${language} SoA page`);
      // Control titles come from the catalog, and the team's text is not translated.
      assert.ok(text.includes("Policies for information security"));
      assert.deepEqual(watch.problems(), []);
      await context.close();
    });

    test("the questionnaire filler words its errors in the language", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const watch = watchProblems(page);
      await page.goto(hosted.url + "search/", { waitUntil: "load" });
      await page.hover("#fill-zone");
      await page.waitForSelector("#fill-zone[data-ready=true]");
      const file = join(tempDir("locale"), "old.xls");
      writeFileSync(file, "not really a workbook");
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#fill-choose")]);
      await chooser.setFiles(file);
      await page.waitForSelector(".fill-status.fill-error");
      assert.match(await page.textContent("#fill-status"), expected.legacyExcel);
      assert.deepEqual(watch.problems(), []);
      await context.close();
    });
  });
}
