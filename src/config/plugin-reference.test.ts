/** The README's plug-in tables are the generated ones: a new plug-in is documented by existing. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pluginBlocks } from "./plugin-reference.ts";

const readme = fs.readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");

describe("the README's plug-in tables", () => {
  it.each(Object.keys(pluginBlocks))("%s is the generated one (run node scripts/docs.ts)", (name) => {
    const block = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme)?.[1];
    expect(block, `README.md has no ${name} markers`).toBeDefined();
    expect(block).toBe(pluginBlocks[name]!());
  });
});
