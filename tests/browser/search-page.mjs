// Drives the search page as a person would, in headless Chromium, and prints what it saw.
// Usage: node tests/browser/search-page.mjs SEARCH-PAGE-URL STEPS.json
//   STEPS.json: [{"type": "text"} | {"press": "Enter"} | {"select": ["#region", "code"]} |
//                {"reload": true} | {"back": true} | {"goto": "url"}, ...]; after each step the
//   script waits for the page to settle and records the address, the summary, the results.
//   Prints {seen, dialogs, fetched}: `fetched`, the paths of the index files the page fetched.
//   With TIZILIM_NO_DECOMPRESSION set, the page runs as in a browser without
//   DecompressionStream.
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, stepsFile] = process.argv.slice(2);
const steps = JSON.parse(readFileSync(stepsFile, "utf8"));
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-page-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const seen = [];
const dialogs = [];
const fetched = [];
try {
  if (process.env.TIZILIM_NO_DECOMPRESSION) {
    await context.addInitScript(() => { delete window.DecompressionStream; });
  }
  const page = await context.newPage();
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (/\/search\/[^/]+\.json(\.gz)?$/.test(path)) { fetched.push(path); }
  });
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(url, { waitUntil: "load" });
  const settle = async () => {
    await page.waitForLoadState("load");
    await page.waitForFunction(() => !window.tizilimReady || true);
    await page.waitForTimeout(400);
    await page.evaluate(() => window.tizilimReady);
    await page.waitForTimeout(300);
  };
  for (const step of steps) {
    if (step.type !== undefined) { await page.fill("#q", ""); await page.type("#q", step.type); }
    if (step.press) { await page.press("#q", step.press); }
    if (step.select) { await page.selectOption(step.select[0], step.select[1]); }
    if (step.reload) { await page.reload({ waitUntil: "load" }); }
    if (step.back) { await page.goBack({ waitUntil: "load" }); }
    if (step.goto) { await page.goto(step.goto, { waitUntil: "load" }); }
    await settle();
    seen.push(await page.evaluate(() => {
      const list = document.querySelector("[data-results]");
      return {
        path: location.pathname, search: location.search,
        summary: (document.getElementById("search-summary") || {}).textContent || "",
        results: list ? Array.from(list.querySelectorAll("li > a")).map((a) => ({ text: a.textContent, href: a.getAttribute("href") })) : [],
        images: list ? list.querySelectorAll("img").length : 0,
        q: document.getElementById("q") ? document.getElementById("q").value : null,
        region: document.getElementById("region") ? document.getElementById("region").value : null,
        regionLabel: document.querySelector("#region option[value='almaty-city']") ? document.querySelector("#region option[value='almaty-city']").textContent : null,
        statusLabel: document.querySelector("#status option[value='valid']") ? document.querySelector("#status option[value='valid']").textContent : null,
        noScriptShown: !!document.getElementById("no-script") && !document.getElementById("no-script").hidden
      };
    }));
  }
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify({ seen, dialogs, fetched }));
