// Which entry `vigil` runs: the JavaScript that `npm install` built into dist/ (no TypeScript
// stripping at run time: ~35 MB less RSS for the daemon, see BENCHMARKS.md), but only while it
// matches the sources exactly; otherwise the TypeScript sources themselves, so an edit is never
// shadowed by a stale build.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * A SHA-256 over every source file's relative path and bytes, and package.json's: what the build
 * was made from. By content, not timestamps: a `touch` or a checkout of the same text keeps the
 * build, and an edit that keeps the size and the mtime cannot run a stale one.
 */
export function fingerprint(root) {
  const hash = crypto.createHash("sha256");
  const add = (rel, bytes) => {
    hash.update(`${rel}\0${bytes.length}\0`);
    hash.update(bytes);
  };
  const walk = (dir, depth) => {
    if (depth > 12) return;
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      // Code-unit order, not localeCompare: collation would load ICU's data into the daemon for good.
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file, depth + 1);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
        add(path.relative(root, file), fs.readFileSync(file));
    }
  };
  walk(path.join(root, "src"), 0);
  add("package.json", fs.readFileSync(path.join(root, "package.json")));
  return hash.digest("hex");
}

export const stampFile = (root) => path.join(root, "dist", ".stamp");

/** The module to import: dist/src/main.js when its stamp matches the sources, else src/main.ts. */
export function chooseEntry(root) {
  try {
    if (fs.readFileSync(stampFile(root), "utf8") === fingerprint(root))
      return path.join(root, "dist/src/main.js");
  } catch {
    // no build, or an unreadable one: run the sources
  }
  return path.join(root, "src/main.ts");
}
