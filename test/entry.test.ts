/** bin/entry.js: the built JavaScript runs only while it matches the sources, never a stale copy. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chooseEntry, fingerprint, stampFile } from "../bin/entry.js";
import { linuxEnv, missingRuntime, nodeFlags } from "../bin/runtime.js";
import { tempDir } from "./helpers/tmp.ts";

function project() {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "src/core"), { recursive: true });
  fs.writeFileSync(path.join(root, "package.json"), "{}");
  fs.writeFileSync(path.join(root, "src/main.ts"), "export {};\n");
  fs.writeFileSync(path.join(root, "src/core/a.ts"), "export const a = 1;\n");
  return root;
}

const build = (root: string) => {
  fs.mkdirSync(path.join(root, "dist"), { recursive: true });
  fs.writeFileSync(stampFile(root), fingerprint(root));
};

describe("the vigil entry", () => {
  it("runs dist/ when its stamp matches the sources, and the sources after any edit or without a build", () => {
    const root = project();
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));

    build(root);
    expect(chooseEntry(root)).toBe(path.join(root, "dist/src/main.js"));

    fs.writeFileSync(path.join(root, "src/core/a.ts"), "export const a = 2; // edited\n");
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
    build(root);
    fs.writeFileSync(path.join(root, "src/core/b.ts"), "export const b = 1;\n");
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
    build(root);
    fs.writeFileSync(path.join(root, "package.json"), '{"name":"x"}');
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
  });

  it("goes by content: a touch keeps the build, an edit of the same size and mtime does not", () => {
    const root = project();
    build(root);
    const file = path.join(root, "src/core/a.ts");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    fs.utimesSync(path.join(root, "package.json"), later, later);
    expect(chooseEntry(root)).toBe(path.join(root, "dist/src/main.js"));

    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, "export const a = 7;\n");
    fs.utimesSync(file, atime, mtime);
    expect(fs.statSync(file).mtimeMs).toBe(mtime.getTime());
    expect(chooseEntry(root)).toBe(path.join(root, "src/main.ts"));
  });

  it("counts a renamed file as a change", () => {
    const root = project();
    const before = fingerprint(root);
    fs.renameSync(path.join(root, "src/core/a.ts"), path.join(root, "src/core/c.ts"));
    expect(fingerprint(root)).not.toBe(before);
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
