// The questionnaire page at scale (issue 22), in Chromium: how many bytes its first load
// fetches, and how long after typing a query its first results are drawn. Run by
// bench/search_page.sh, which builds SITE; the site is served from 127.0.0.1 (no network
// delay: the figures are the page's own work and the files it fetches).
//
//   node bench/search_page.mjs SITE
import { launchBrowser, serveStatic } from "../tests/browser/lib/harness.mjs";

const site = process.argv[2];
const server = await serveStatic(site);
const browser = await launchBrowser();
const QUERIES = ["access", "encryption", "backup", "a.8", "incident response", "vendor", "zzzz"];
const RUNS = 5;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// First load: every response of a fresh context until the network is idle.
const loads = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pending = [];
  page.on("response", (response) => pending.push(response.body().then((b) => [response.url(), b.length], () => [response.url(), 0])));
  await page.goto(server.url + "search/", { waitUntil: "networkidle" });
  const sizes = new Map(await Promise.all(pending));
  loads.push([...sizes.values()].reduce((a, b) => a + b, 0));
  if (run === 0) {
    for (const [url, size] of [...sizes].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${(size / 1024).toFixed(1).padStart(8)} KB  ${url.replace(server.url, "/")}`);
    }
  }
  await context.close();
}
console.log(`first load: ${(median(loads) / 1024).toFixed(1)} KB (median of ${RUNS})`);

// First results: a fresh context per query (nothing cached), the time from the input event
// to the first result drawn and to the first 20 drawn (the list no longer aria-busy), and
// the bytes fetched for them.
console.log("query | first result drawn, ms (median of 5) | slowest | all drawn, ms (median) | results drawn | fetched KB");
for (const query of QUERIES) {
  const times = [];
  let results = 0;
  let fetched = 0;
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url + "search/", { waitUntil: "networkidle" });
    const bodies = [];
    page.on("response", (response) => bodies.push(response.body().then((b) => b.length, () => 0)));
    const [first, all, count] = await page.evaluate(
      (query) =>
        new Promise((resolve) => {
          const list = document.getElementById("results");
          const input = document.querySelector("input[name=q]");
          const started = performance.now();
          let firstAt = null;
          const observer = new MutationObserver((records) => {
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (firstAt === null && node.classList?.contains("result")) firstAt = performance.now() - started;
              }
            }
            if (list.hasAttribute("aria-busy")) return;
            observer.disconnect();
            const now = performance.now() - started;
            resolve([firstAt ?? now, now, list.querySelectorAll(".result:not([hidden])").length]);
          });
          observer.observe(list, { attributes: true, attributeFilter: ["aria-busy"], childList: true });
          input.value = query;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }),
      query,
    );
    await page.waitForLoadState("networkidle");
    times.push([first, all]);
    results = count;
    fetched = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
    await context.close();
  }
  const firsts = times.map((t) => t[0]);
  const alls = times.map((t) => t[1]);
  console.log(`${query} | ${median(firsts).toFixed(1)} | ${Math.max(...firsts).toFixed(1)} | ${median(alls).toFixed(1)} | ${results} | ${(fetched / 1024).toFixed(1)}`);
}
await browser.close();
await server.close();
