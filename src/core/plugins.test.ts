/** Discovery refuses, by file name, what would otherwise be a plug-in silently missing or half there. */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { discoverPlugins, missingFields } from "./plugins.ts";

/** A folder of plain JavaScript plug-ins, as dist/ holds them. */
function folder(files: Record<string, string>) {
  const dir = tempDir("vigil-plugins-");
  fs.writeFileSync(path.join(dir, "index.js"), "");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return {
    kind: "widget",
    from: pathToFileURL(path.join(dir, "index.js")).href,
    infrastructure: ["index", "helpers"],
    incomplete: (p: Record<string, unknown>) => missingFields(p, { run: "function", provides: "array" }),
  };
}

describe("discoverPlugins", () => {
  it("finds every plug-in file but tests, contracts and named infrastructure, sorted", async () => {
    const f = folder({
      "b.js": 'export default { type: "b", run() {}, provides: [] };',
      "a.js": 'export default { type: "a", run() {}, provides: ["X"] };',
      "helpers.js": "export const x = 1;",
      "a.test.js": "throw new Error('never imported');",
      "a.contract.js": "throw new Error('never imported');",
      "notes.md": "not code",
    });
    const found = await discoverPlugins<{ type: string }>(f);
    expect(found.names()).toEqual(["a", "b"]);
  });

  it("refuses a file without a default export, naming it", async () => {
    const f = folder({ "c.js": "export const c = {};" });
    await expect(discoverPlugins(f)).rejects.toThrow("widget file c.js has no default export");
  });

  it("refuses a plug-in whose type is not its file name", async () => {
    const f = folder({ "d.js": 'export default { type: "e", run() {}, provides: [] };' });
    await expect(discoverPlugins(f)).rejects.toThrow('widget file d.js: its type is "e"; it must be "d"');
  });

  it("refuses an incomplete plug-in, naming what it lacks", async () => {
    const f = folder({ "g.js": 'export default { type: "g", provides: "X" };' });
    await expect(discoverPlugins(f)).rejects.toThrow(
      "widget file g.js is incomplete: it lacks run (function), provides (array)",
    );
  });
});
