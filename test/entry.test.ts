/** bin/entry.js: the built JavaScript runs only while it matches the sources, never a stale copy. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chooseEntry, fingerprint, stampFile } from "../bin/entry.js";
import { linuxEnv, missingRuntime, nodeFlags } from "../bin/runtime.js";
import { tempDir } from "./helpers/tmp.ts";

describe("the vigil entry", () => {
  it("runs dist/ when its stamp matches the sources, and the sources after any edit or without a build", () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "src/core"), { recursive: true });
    fs.writeFileSync(path.join(root, "package.json"), "{}");
    fs.writeFileSync(path.join(root, "src/main.ts"), "export {};\n");
    fs.writeFileSync(path.join(root, "src/core/a.ts"), "export const a = 1;\n");
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));

    fs.mkdirSync(path.join(root, "dist"));
    fs.writeFileSync(stampFile(root), fingerprint(root));
    expect(chooseEntry(root)).toBe(path.join(root, "dist/src/main.js"));

    fs.writeFileSync(path.join(root, "src/core/a.ts"), "export const a = 2; // edited\n");
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
    fs.writeFileSync(stampFile(root), fingerprint(root));
    fs.writeFileSync(path.join(root, "src/core/b.ts"), "export const b = 1;\n");
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
  });
});

describe("the runtime of vigil up", () => {
  it("adds the flags and environment a process lacks, once they are all there nothing", () => {
    expect(missingRuntime([], {}, "linux")).toEqual({ flags: nodeFlags, env: linuxEnv });
    expect(missingRuntime([...nodeFlags], { MALLOC_ARENA_MAX: "2" }, "linux")).toEqual({
      flags: [],
      env: {},
    });
    // glibc's arenas: the variable only matters on Linux.
    expect(missingRuntime([...nodeFlags], {}, "darwin")).toEqual({ flags: [], env: {} });
  });

  it("keeps an operator's own value of a flag, and of the environment", () => {
    const { flags, env } = missingRuntime(
      ["--max_semi_space_size=4", "--maglev", "--inspect"],
      { MALLOC_ARENA_MAX: "4" },
      "linux",
    );
    expect(flags).toEqual(nodeFlags.filter((f) => !/semi-space|maglev/.test(f)));
    expect(env).toEqual({});
  });
});
