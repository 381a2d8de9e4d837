// What every browser test needs: the trustpress binary, the example built for an audience,
// the list of its pages, a static file server, `trustpress serve`, and Debian's Chromium.
// Everything binds to 127.0.0.1 on a free port and is stopped by the test that started it.

import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/// The pinned build date of every test: nothing depends on the clock.
export const TODAY = "2026-11-21";

/// `scripts/test` passes the debug binary cargo has just built; run alone, the same default.
export const TRUSTPRESS = process.env.TRUSTPRESS_BIN || join(REPO, "target/debug/trustpress");

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/// axe-core's serious and critical violations on `page`, one line each. axe is injected as an
/// inline script: the page must be served without the site's Content-Security-Policy.
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => `${v.impact} ${v.id}: ${node.target.join(" ")} — ${node.failureSummary.replace(/\s+/g, " ")}`));
}

// Without the background-networking flags Chromium tries to reach Google's services, and on
// a closed network those attempts are refused and logged.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function requireBinary() {
  if (!existsSync(TRUSTPRESS)) {
    throw new Error(`no trustpress binary at ${TRUSTPRESS}: run \`cargo build\` first, or set TRUSTPRESS_BIN`);
  }
}

export function tempDir(label) {
  return mkdtempSync(join(tmpdir(), `trustpress-${label}-`));
}

/// Builds `content` (default: the example) for `audience` into a fresh temporary folder.
/// Returns `{ dir, remove }`.
export function buildSite(audience, content = join(REPO, "content")) {
  requireBinary();
  const parent = tempDir(`browser-${audience}`);
  const dir = join(parent, audience);
  execFileSync(
    TRUSTPRESS,
    ["build", "--today", TODAY, "--audience", audience, "--content", content, "--out", dir],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/// Copies the example content into a temporary folder, for tests that edit it.
export function copyExampleContent() {
  const parent = tempDir("content");
  const dir = join(parent, "content");
  cpSync(join(REPO, "content"), dir, { recursive: true });
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/// Every file below `dir`, as paths relative to it with `/`, sorted.
export function listFiles(dir) {
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return files.sort();
}

/// Every HTML page of a build, as the URL path that serves it (`policies/pol-ac/`, `404.html`).
export function listPages(dir) {
  return listFiles(dir)
    .filter((file) => file.endsWith(".html"))
    .map((file) => (file === "index.html" ? "" : file.replace(/(^|\/)index\.html$/, "$1")));
}

/// The page's template, read from the path: `policies/*/` for every policy page. One page of
/// each is enough where a check is about the template rather than the content.
export function pageType(path) {
  const parts = path.split("/").filter(Boolean);
  if (parts.length <= 1) return path;
  return `${parts[0]}/*/${parts.slice(2).join("/")}`;
}

/// The first page of each type, in order.
export function onePagePerType(pages) {
  const seen = new Map();
  for (const page of pages) if (!seen.has(pageType(page))) seen.set(pageType(page), page);
  return [...seen.values()];
}

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/// The headers of a site's `_headers` file (the format Netlify and Cloudflare Pages read), for
/// its one `/*` rule: `{ name: value }`.
export function hostHeaders(dir) {
  const headers = {};
  const file = join(dir, "_headers");
  if (!existsSync(file)) return headers;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\s+([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (match) headers[match[1]] = match[2];
  }
  return headers;
}

/// A static file server for a built site, as any static host would serve it: folders by their
/// `index.html`, a missing file by `404.html` with status 404. With `{ withHostHeaders: true }`
/// every response carries the headers of the site's `_headers`, as Netlify would send them.
/// With `{ under: "/trust/" }` the site is served under that path only, as a project site is
/// (`https://example.github.io/trust/`); anything outside it is a 404.
/// Returns `{ url, close }`, `url` ending in the path served under.
export async function serveStatic(dir, { withHostHeaders = false, under = "/" } = {}) {
  const root = resolve(dir);
  const extra = withHostHeaders ? hostHeaders(root) : {};
  const server = createServer((request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (path + "/" === under) {
      response.writeHead(301, { Location: under }).end();
      return;
    }
    if (!path.startsWith(under)) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("outside the site's path");
      return;
    }
    path = "/" + path.slice(under.length);
    let file = resolve(root, "." + path);
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith("/")) {
        response.writeHead(301, { Location: under + path.slice(1) + "/" }).end();
        return;
      }
      file = join(file, "index.html");
    }
    let status = 200;
    if (!existsSync(file)) {
      status = 404;
      file = join(root, "404.html");
    }
    const type = CONTENT_TYPES[extname(file)] || "application/octet-stream";
    response.writeHead(status, { ...extra, "Content-Type": type, "Cache-Control": "no-store" });
    response.end(request.method === "HEAD" ? undefined : readFileSync(file));
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${under}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

// Servers still running when this process ends, however it ends (but SIGKILL): killed, so
// no `serve` outlives an interrupted or crashed test run.
const servers = new Set();
process.on("exit", () => servers.forEach((child) => child.kill("SIGKILL")));
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]]) {
  process.once(signal, () => process.exit(128 + number));
}

/// `trustpress serve` on a free port; resolves once it prints its URL. Returns
/// `{ url, output, stop }`; `stop` kills it and waits for it to exit. A test must call `stop`
/// in every outcome (use `try … finally`); the process is also killed if the test exits.
export async function startServe(content, audience = "public") {
  requireBinary();
  const child = spawn(
    TRUSTPRESS,
    ["serve", "--content", content, "--audience", audience, "--port", "0", "--today", TODAY],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  servers.add(child);
  child.once("exit", () => servers.delete(child));
  let output = "";
  const exited = new Promise((done) => child.once("exit", done));
  const url = await new Promise((found, failed) => {
    const timer = setTimeout(() => failed(new Error(`serve printed no URL in 30 s:\n${output}`)), 30_000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/serving the \w+ site at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        found(match[1].endsWith("/") ? match[1] : match[1] + "/");
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      failed(new Error(`serve exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/// Debian's Chromium, headless. Returns the Playwright browser; close it in `after`.
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's \`chromium\` (scripts/test does) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/// Records what a user would see go wrong on a page: console errors and warnings, uncaught
/// exceptions, requests that failed or answered with an error status. `problems()` lists
/// them; `clear()` starts over, before the next navigation; `settled()` waits until the page
/// has finished loading, its icon included.
export function watchProblems(page) {
  let problems = [];
  // A request cancelled (net::ERR_ABORTED) because its document is being left (a late
  // favicon, the live-reload stream) is leaving, not failing; any other failure counts.
  // Which document made a request is told by commits, not by navigations started: the old
  // document can still ask for its favicon after the next navigation's request has gone
  // out, and that request is cancelled when the new document commits.
  let documents = 0; // main-frame documents committed so far; the current one is `documents`
  let navigation = null; // the main-frame navigation started and not committed yet
  const documentOf = new WeakMap();
  const left = (request) =>
    documentOf.get(request) < documents || (documentOf.get(request) === documents && navigation !== null);
  // Requests still running, but for the live-reload stream, which never ends; and the URLs
  // of the current document's requests that have ended.
  const running = new Set();
  let ended = new Set();
  page.on("request", (request) => {
    documentOf.set(request, documents);
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigation = request;
    if (!request.url().endsWith("/__trustpress/events")) running.add(request);
  });
  page.on("framenavigated", (frame) => {
    // Only a navigation that sent a request makes a new document (not `history.pushState`).
    if (frame !== page.mainFrame() || navigation === null) return;
    documents++;
    navigation = null;
    ended = new Set();
  });
  const end = (request) => {
    running.delete(request);
    if (documentOf.get(request) === documents) ended.add(request.url());
  };
  page.on("requestfinished", end);
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => problems.push(`uncaught exception: ${error.message}`));
  page.on("requestfailed", (request) => {
    end(request);
    const failure = request.failure()?.errorText || "failed";
    const leaving = failure === "net::ERR_ABORTED" && left(request);
    if (request === navigation) navigation = null; // it will not commit
    if (leaving) return;
    problems.push(`request failed: ${request.url()} (${failure})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return {
    /// Resolves once the page's icon has been fetched and no request has been running for a
    /// moment. Chromium asks for the icon after `load`, at times 100 ms or more after it
    /// on a busy machine: no quiet time is sure to cover that, so the icon is waited for.
    settled: async (timeout = 10_000) => {
      const icon = await page.evaluate(() => document.querySelector("link[rel~='icon']")?.href ?? null);
      const quiet = 40;
      const start = Date.now();
      let quietSince = Date.now();
      while (Date.now() - start < timeout) {
        if (running.size || (icon && !ended.has(icon))) quietSince = Date.now();
        else if (Date.now() - quietSince >= quiet) return;
        await new Promise((wake) => setTimeout(wake, 5));
      }
      const waiting = [...running].map((r) => r.url());
      if (icon && !ended.has(icon) && !waiting.includes(icon)) waiting.push(`${icon} (never asked for)`);
      problems.push(`still loading after ${timeout} ms: ${waiting.join(", ")}`);
    },
    problems: () => problems.slice(),
    clear: () => {
      problems = [];
    },
  };
}
