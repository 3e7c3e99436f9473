// Checks that search.js folds exactly as tizilim's Rust code: runs it outside a page and
// compares every vector of tests/fixtures/search-vectors.json. Prints the mismatches as JSON.
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sandbox = { TextEncoder, globalThis: {} };
sandbox.globalThis = sandbox;
runInNewContext(readFileSync(join(root, "themes/default/static/search.js"), "utf8"), sandbox);
const fold = sandbox.tizilimFold;
const vectors = JSON.parse(readFileSync(join(root, "tests/fixtures/search-vectors.json"), "utf8"));
const mismatches = [];
let checked = 0;
for (const [text, expected] of vectors.fold) {
  const got = fold.tokens(text);
  checked++;
  if (JSON.stringify(got) !== JSON.stringify(expected)) { mismatches.push({ fold: text, expected, got }); }
}
for (const [text, keys, hashes] of vectors.number_keys) {
  const got = fold.numberKeys(text);
  const gotHashes = got.map((k) => fold.bucketHash(k));
  checked++;
  if (JSON.stringify(got) !== JSON.stringify(keys) || JSON.stringify(gotHashes) !== JSON.stringify(hashes)) {
    mismatches.push({ number_keys: text, expected: [keys, hashes], got: [got, gotHashes] });
  }
}
for (const [text, slug] of vectors.slug) {
  checked++;
  if (fold.slug(text) !== slug) { mismatches.push({ slug: text, expected: slug, got: fold.slug(text) }); }
}
for (const [a, b, expected] of vectors.one_edit) {
  checked++;
  if (fold.withinOneEdit(a, b) !== expected) { mismatches.push({ one_edit: [a, b], expected }); }
}
process.stdout.write(JSON.stringify({ checked, mismatches }));
