// Drives the verification page in headless Chromium. Prints, as JSON:
// - for each URL given, the answer's sentences (one per paragraph), and
// - for a form filled in by typing (BASE LANG BIN DATE PROFESSION after "--form"), the
//   address the answer can be shared at, and its sentences.
// Usage: node tests/browser/verify.mjs URL... [--form BASE LANG BIN DATE PROFESSION]
import { chromium } from "playwright-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const formAt = args.indexOf("--form");
const urls = formAt < 0 ? args : args.slice(0, formAt);
const form = formAt < 0 ? null : args.slice(formAt + 1);
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "tizilim-verify-")), {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const sentences = async (page) => {
  await page.waitForSelector("#verify-answer:not([hidden])", { timeout: 20000 });
  return page.$$eval("#verify-text p", (ps) => ps.map((p) => p.textContent));
};
const result = { answers: [], form: null };
try {
  const page = await context.newPage();
  for (const url of urls) {
    await page.goto(url, { waitUntil: "load" });
    result.answers.push(await sentences(page));
  }
  if (form) {
    const [base, lang, bin, date, profession] = form;
    await page.goto(`${base}/${lang === "kk" ? "" : lang + "/"}verify/`, { waitUntil: "load" });
    await page.fill("#verify-bin", bin);
    await page.fill("#verify-date", date);
    if (profession) {
      await page.selectOption("#verify-profession", profession);
    }
    await page.click("#verify-form button[type=submit]");
    const lines = await sentences(page);
    result.form = { search: new URL(page.url()).search, link: await page.getAttribute("#verify-link", "href"), lines };
    // Reload the shared address: the same answer.
    await page.goto(page.url(), { waitUntil: "load" });
    result.form.reloaded = await sentences(page);
  }
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result));
