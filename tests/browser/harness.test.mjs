// The harness's own judgement of failed requests (lib/harness.mjs, `watchProblems`): a
// request the browser cancels because the test left the page is not a failure, even when the
// old page asked for it after the next navigation had started; a request cancelled while the
// page stays, or dropped by the server, is one; `settled` waits for the page's icon.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchBrowser, watchProblems } from "./lib/harness.mjs";

const page = (icon) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>` +
  `<link rel="icon" href="${icon}" type="image/svg+xml"></head><body><p>t</p></body></html>`;
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`;

let browser;
let server;
let url;
before(async () => {
  browser = await launchBrowser();
  server = createServer((request, response) => {
    const html = (body) => response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(body);
    switch (request.url) {
      case "/":
        return html(page("/icon.svg"));
      case "/slow/": // the next page, answered late: the old one is still there meanwhile
        return setTimeout(() => html(page("/icon.svg")), 800);
      case "/dropped/":
        return html(page("/dropped.svg"));
      case "/icon.svg":
        return response.writeHead(200, { "Content-Type": "image/svg+xml" }).end(ICON);
      case "/dropped.svg": // the connection closed with no answer
        return request.socket.destroy();
      default: // `/held`: never answered
        return undefined;
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  url = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((done) => server?.close(done));
});

test("a request the old page makes after the next navigation started is cancelled, not failed", async () => {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const watch = watchProblems(tab);
    await tab.goto(url + "/", { waitUntil: "load" });
    await watch.settled();
    // As Chromium does with a late favicon: the old document asks for something once the
    // request for the next page has gone out; the new page's commit cancels it.
    const late = tab.waitForEvent("request", (r) => r.url().endsWith("/held"));
    await tab.evaluate(() => {
      setTimeout(() => fetch("/held").catch(() => {}), 300);
    });
    watch.clear();
    const [response] = await Promise.all([tab.goto(url + "/slow/", { waitUntil: "load" }), late]);
    assert.equal(response.status(), 200);
    await watch.settled();
    assert.deepEqual(watch.problems(), []);
  } finally {
    await context.close();
  }
});

test("a request cancelled while its page stays, and an icon the server drops, are failures", async () => {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const watch = watchProblems(tab);
    await tab.goto(url + "/", { waitUntil: "load" });
    await watch.settled();
    await tab.evaluate(async () => {
      const controller = new AbortController();
      const request = fetch("/held", { signal: controller.signal }).catch(() => {});
      await new Promise((wait) => setTimeout(wait, 100));
      controller.abort();
      await request;
    });
    await tab.waitForTimeout(100);
    assert.deepEqual(watch.problems(), [`request failed: ${url}/held (net::ERR_ABORTED)`]);

    watch.clear();
    await tab.goto(url + "/dropped/", { waitUntil: "load" });
    await watch.settled();
    // (Chromium also logs it to the console.)
    const dropped = `request failed: ${url}/dropped.svg (net::ERR_EMPTY_RESPONSE)`;
    assert.ok(watch.problems().includes(dropped), watch.problems().join("\n"));
  } finally {
    await context.close();
  }
});
