// The Nu HTML Checker (vnu.jar, the validator behind validator.w3.org/nu) on every page of the
// public and the internal build, and on their stylesheets and SVG images (badges, icon): zero
// errors, and every one of those files checked.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildSite, listFiles } from "./lib/harness.mjs";

const VNU = String(createRequire(import.meta.url)("vnu-jar"));
const JAVA = process.env.JAVA || "java";
const CHECKED = /\.(html|css|svg)$/;

let sites;
before(() => {
  sites = ["public", "internal"].map((audience) => buildSite(audience));
});
after(() => sites?.forEach((site) => site.remove()));

/// Runs vnu on `paths` (folders are searched). Returns `{ messages, checked }`: its report,
/// and the files it says it checked (`--verbose` lists them on stdout).
function vnu(paths) {
  const args = ["-jar", VNU, "--format", "json", "--verbose", "--skip-non-html", "--also-check-css", "--also-check-svg"];
  return new Promise((resolve, reject) => {
    execFile(JAVA, [...args, ...paths], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // vnu exits 1 when it reports errors, and writes its JSON report to stderr.
      try {
        const checked = stdout.split("\n").filter((line) => line.startsWith("/"));
        resolve({ messages: JSON.parse(stderr).messages, checked });
      } catch {
        reject(error || new Error(`vnu gave no JSON report:\n${stderr}\n${stdout}`));
      }
    });
  });
}

/// `public/policies/index.html:12:5: message — extract`
function describe(message) {
  const path = message.url ? decodeURIComponent(new URL(message.url).pathname) : "?";
  const site = sites.find((s) => path.startsWith(s.dir + "/"));
  const file = site ? join(relative(join(site.dir, ".."), site.dir), relative(site.dir, path)) : path;
  const where = `${file}:${message.lastLine ?? "?"}:${message.firstColumn ?? message.lastColumn ?? "?"}`;
  return `${where}: ${message.message}${message.extract ? ` — ${message.extract.trim()}` : ""}`;
}

test("every generated page, stylesheet and SVG passes the Nu HTML Checker with no error", async () => {
  const { messages, checked } = await vnu(sites.map((site) => site.dir));
  const errors = messages.filter((m) => m.type === "error" || m.type === "non-document-error").map(describe);
  assert.deepEqual(errors, []);
  // "No error" means something only if every file was read.
  const expected = sites.flatMap((site) => listFiles(site.dir).filter((f) => CHECKED.test(f)).map((f) => join(site.dir, f)));
  assert.ok(expected.filter((f) => f.endsWith(".html")).length > 200, `${expected.length} files`);
  assert.deepEqual([...checked].sort(), expected.sort());
});

test("the checker reports a broken page", async () => {
  // The same run on a page with a stray end tag must fail, or the test above proves nothing.
  const file = join(sites[0].dir, "..", "broken.html");
  writeFileSync(file, "<!doctype html><html lang=en><title>x</title><p>text</span></p>");
  const { messages } = await vnu([file]);
  assert.ok(messages.some((m) => m.type === "error" && /span/.test(m.message)), JSON.stringify(messages));
});
