// Bytes a search downloads, in headless Chromium, for tizilim's search page and for Pagefind
// over the same records (a benchmark, not a test). Each site is served from its folder by a
// small static server on 127.0.0.1; each query runs in a fresh browser profile, so nothing is
// cached. What a query downloads is split into page assets (HTML, CSS, the search script,
// Pagefind's script and WebAssembly: cached after the first visit) and index data (tizilim:
// search/*.json; Pagefind: its entry, meta, index chunks and the fragments of the first ten
// results).
// Usage: node bench/query-bytes.mjs TIZILIM-OUTPUT PAGEFIND-SITE WORD [WORD...]
// (PAGEFIND-SITE "-": tizilim alone.)
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";

const [tizilimDir, pagefindDir, ...words] = process.argv.slice(2);
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

function serve(root) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.includes("..")) { res.writeHead(404).end(); return; }
    let file = join(root, path);
    try { if (statSync(file).isDirectory()) file = join(file, "index.html"); } catch {}
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" }).end(body);
    } catch { res.writeHead(404).end(); }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function measure(run) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-bytes-")), {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const fetched = [];
  try {
    const page = await context.newPage();
    page.on("response", async (response) => {
      try { fetched.push([new URL(response.url()).pathname, (await response.body()).length]); } catch {}
    });
    const results = await run(page);
    await page.waitForTimeout(300);
    return { fetched, results };
  } finally {
    await context.close();
  }
}

const sum = (list) => list.reduce((n, [, bytes]) => n + bytes, 0);
const kb = (n) => (n / 1024).toFixed(1);
const tz = await serve(tizilimDir);
const pf = pagefindDir === "-" ? null : await serve(pagefindDir);
const tzBase = `http://127.0.0.1:${tz.address().port}`;
const pfBase = pf ? `http://127.0.0.1:${pf.address().port}` : null;
console.log("query            | tizilim:   shown  data KB  assets KB | Pagefind:   found  data KB  assets KB");
try {
  for (const word of words) {
    const t = await measure(async (page) => {
      await page.goto(`${tzBase}/search/?q=${encodeURIComponent(word)}`, { waitUntil: "load" });
      await page.evaluate(() => window.tizilimReady);
      return page.evaluate(() => document.querySelectorAll("[data-results] a").length);
    });
    const p = !pf ? { fetched: [], results: "-" } : await measure(async (page) => {
      await page.goto(`${pfBase}/`, { waitUntil: "load" });
      return page.evaluate(async (query) => {
        const pagefind = await import("/pagefind/pagefind.js");
        const search = await pagefind.search(query);
        await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
        return search.results.length;
      }, word);
    });
    const tzData = t.fetched.filter(([path]) => path.startsWith("/search/") && /\.json(\.gz)?$/.test(path));
    const tzAssets = t.fetched.filter((f) => !tzData.includes(f));
    const pfData = p.fetched.filter(([path]) => path.startsWith("/pagefind/") && !path.endsWith(".js") && !path.includes("wasm"));
    const pfAssets = p.fetched.filter((f) => !pfData.includes(f));
    console.log(
      `${word.padEnd(16)} | ${String(t.results).padStart(16)} ${kb(sum(tzData)).padStart(8)} ${kb(sum(tzAssets)).padStart(10)} | ${String(p.results).padStart(17)} ${kb(sum(pfData)).padStart(8)} ${kb(sum(pfAssets)).padStart(10)}`,
    );
  }
} finally {
  tz.close();
  if (pf) { pf.close(); }
}
