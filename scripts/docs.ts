/**
 * Regenerates what is generated from the code: the README's error-code table and config reference,
 * and examples/vigil.schema.json. `--check` changes nothing and exits 1 when anything is stale.
 */
import fs from "node:fs";
import path from "node:path";
import { configJsonSchema } from "../src/config/json-schema.ts";
import { pluginBlocks } from "../src/config/plugin-reference.ts";
import { tableOfContents } from "./toc.ts";
import { configReference } from "../src/config/reference.ts";
import { errorReference } from "../src/core/error-reference.ts";

const root = path.resolve(import.meta.dirname, "..");
const check = process.argv.includes("--check");

export function replaceBlock(text: string, name: string, body: string): string {
  const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README.md has no ${name} markers`);
  return text.replace(re, (_, a: string, b: string) => a + body + b);
}

const readme = path.join(root, "README.md");
const before = fs.readFileSync(readme, "utf8");
let after = replaceBlock(before, "error-codes", errorReference());
after = replaceBlock(after, "config-reference", configReference());
for (const [name, render] of Object.entries(pluginBlocks)) after = replaceBlock(after, name, render());
after = replaceBlock(after, "toc", tableOfContents(after));
const files: [string, string][] = [
  [readme, after],
  [path.join(root, "examples/vigil.schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`],
];

let stale = 0;
for (const [file, text] of files) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (current === text) continue;
  stale++;
  if (check) console.error(`${path.relative(root, file)} is stale: run node scripts/docs.ts`);
  else fs.writeFileSync(file, text);
}
process.exit(check && stale > 0 ? 1 : 0);
