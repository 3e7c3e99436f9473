// Prints, as JSON, whether an element is shown and its text, for a page loaded in headless
// Chromium with JavaScript on. Usage: node tests/browser/element.mjs URL CSS-SELECTOR [NOW]
//   NOW: the reader's clock (an ISO date and time), fixed before the page loads.
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, selector, now] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-page-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await context.newPage();
  if (now) { await page.clock.setFixedTime(new Date(now)); }
  await page.goto(url, { waitUntil: "load" });
  const element = page.locator(selector);
  const result = { visible: await element.isVisible(), text: (await element.textContent()) || "" };
  process.stdout.write(JSON.stringify(result));
} finally {
  await context.close();
}
