// Indexes records (JSON: [{url, content, language, meta, filters}]) with Pagefind's Node API
// and prints the milliseconds it took. Usage: node bench/pagefind.mjs RECORDS.json OUT-DIR
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const tools = join(dirname(fileURLToPath(import.meta.url)), "..", "target", "bench-tools", "node_modules", "pagefind");
const pagefind = await import(pathToFileURL(join(tools, "lib", "index.js")).href);
const [recordsFile, out] = process.argv.slice(2);
const records = JSON.parse(readFileSync(recordsFile, "utf8"));
const started = performance.now();
const { index } = await pagefind.createIndex({});
for (const record of records) {
  await index.addCustomRecord(record);
}
await index.writeFiles({ outputPath: out });
const ms = performance.now() - started;
await pagefind.close();
process.stdout.write(String(Math.round(ms)));
