/** README.md's table of contents lists every section, as scripts/docs.ts generates it. */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { tableOfContents } from "../scripts/toc.ts";

it("the README's contents are the generated ones (run node scripts/docs.ts)", () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, "../README.md"), "utf8");
  const block = /<!-- toc:start -->\n([\s\S]*?)<!-- toc:end -->/.exec(readme)?.[1];
  expect(block).toBe(tableOfContents(readme));
  expect(block).toContain("- [How the code is laid out](#how-the-code-is-laid-out)");
  expect(block).toContain("  - [Add a check type](#add-a-check-type)");
});
