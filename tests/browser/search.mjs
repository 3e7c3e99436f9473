// Runs queries through the search page's own code (window.tizilimSearch) in headless
// Chromium and prints, as JSON, each query's total and first results.
// Usage: node tests/browser/search.mjs SEARCH-PAGE-URL QUERIES.json
//   QUERIES.json: [{"q": "...", "region": "", "status": "", "profession": ""}, ...]
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, queriesFile] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(queriesFile, "utf8"));
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-search-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => window.tizilimSearch !== undefined);
  const results = [];
  for (const q of queries) {
    results.push(await page.evaluate((params) => window.tizilimSearch.query(params), q));
  }
  const external = requests.filter((r) => !r.startsWith(new URL(url).origin));
  process.stdout.write(JSON.stringify({ results, external }));
} finally {
  await context.close();
}
