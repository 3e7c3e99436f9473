// Loads pages of a served site in headless Chromium at phone, tablet and desktop widths and
// prints, as JSON, for each page and width what does not fit: whether the page scrolls
// sideways (and the elements that stick out), a status badge whose text is cut, and a count
// card whose badge and number overlap.
// Usage: node tests/browser/layout.mjs BASE_URL WIDTHS(comma-separated) PATH...
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, widths, ...paths] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-layout-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const problems = [];
let checked = 0;
try {
  const page = await context.newPage();
  for (const width of widths.split(",").map(Number)) {
    await page.setViewportSize({ width, height: 800 });
    for (const path of paths) {
      await page.goto(base + path, { waitUntil: "load" });
      const found = await page.evaluate(() => {
        const root = document.documentElement;
        const limit = root.clientWidth + 0.5;
        const describe = (e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " «" + (e.textContent || "").trim().slice(0, 40) + "»";
        const sideways = root.scrollWidth > root.clientWidth;
        const sticking = sideways
          ? Array.from(document.body.querySelectorAll("*")).filter((e) => e.getBoundingClientRect().right > limit).slice(-5).map(describe)
          : [];
        const cut = Array.from(document.querySelectorAll(".status")).filter((s) => s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().right > limit).map(describe);
        const overlapping = Array.from(document.querySelectorAll(".counts a")).filter((a) => {
          const b = a.querySelector(".status").getBoundingClientRect();
          const c = a.querySelector(".count").getBoundingClientRect();
          return !(b.right <= c.left || c.right <= b.left || b.bottom <= c.top || c.bottom <= b.top);
        }).map(describe);
        return { sideways, sticking, cut, overlapping };
      });
      checked++;
      if (found.sideways || found.cut.length || found.overlapping.length) {
        problems.push({ path, width, ...found });
      }
    }
  }
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify({ checked, problems }));
