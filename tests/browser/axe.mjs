// Runs axe-core in headless Chromium on pages of a served site and prints, as JSON, the
// violations found on each page at phone and desktop widths.
// Usage: node tests/browser/axe.mjs BASE_URL PATH...
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [base, ...paths] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const axePath = join(root, "node_modules", "axe-core", "axe.min.js");

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-axe-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    for (const path of paths) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      await page.addScriptTag({ path: axePath });
      const found = await page.evaluate(async () => {
        const r = await window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
      });
      results.push({ path, width: viewport.width, status: response ? response.status() : 0, violations: found });
    }
    await page.close();
  }
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(results));
