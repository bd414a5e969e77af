/**
 * Builds the dashboard (web/) with Vite into web/dist/, which the agent serves (src/web/dashboard.ts).
 * `npm install` runs this through the `prepare` script, after scripts/build.ts. Each text file also
 * gets a gzipped twin the agent sends to browsers that take gzip, and the build is stamped with the
 * sources' fingerprint so a test can tell a stale build (`--if-stale` rebuilds only then).
 *
 * An install without devDependencies has no Vite: the agent then shows a page saying how to build.
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(import.meta.dirname, "..");
const webDir = path.join(root, "web");
const outDir = path.join(webDir, "dist");
const stamp = path.join(outDir, ".stamp");

/** Path, size and mtime of every source of the dashboard: cheap, and changes with any edit. */
export function webFingerprint(): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (file !== outDir && e.name !== "node_modules") walk(file);
      } else {
        const s = fs.statSync(file);
        parts.push(`${path.relative(root, file)}:${s.size}:${Math.trunc(s.mtimeMs)}`);
      }
    }
  };
  walk(webDir);
  for (const f of [import.meta.filename, path.join(root, "package-lock.json")]) {
    const s = fs.statSync(f, { throwIfNoEntry: false });
    if (s) parts.push(`${path.relative(root, f)}:${s.size}:${Math.trunc(s.mtimeMs)}`);
  }
  return parts.join("\n");
}

export function webBuildIsCurrent(): boolean {
  try {
    return fs.readFileSync(stamp, "utf8") === webFingerprint();
  } catch {
    return false;
  }
}

/** Builds, compresses and stamps; returns the gzipped size of what a first visit downloads. */
export async function buildWeb(): Promise<{ files: number; bytes: number; gzipped: number }> {
  const vite = await import("vite");
  await vite.build({
    root: webDir,
    configFile: false,
    logLevel: "warn",
    // JSX compiles to Preact's runtime; no Babel, no plugin.
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: "assets",
      target: "es2022",
      // The preload polyfill is for browsers older than the target.
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  });
  let bytes = 0;
  let gzipped = 0;
  let files = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (/\.(js|css|html|svg|json)$/.test(e.name)) {
        const raw = fs.readFileSync(file);
        const zipped = gzipSync(raw, { level: 9 });
        fs.writeFileSync(`${file}.gz`, zipped);
        files++;
        bytes += raw.length;
        gzipped += zipped.length;
      }
    }
  };
  walk(outDir);
  fs.writeFileSync(stamp, webFingerprint());
  return { files, bytes, gzipped };
}

if (import.meta.main) {
  if (process.argv.includes("--if-stale") && webBuildIsCurrent()) {
    console.error("build-web: web/dist is current");
    process.exit(0);
  }
  const hasVite = await import("vite").then(
    () => true,
    () => false,
  );
  if (!hasVite) {
    console.error("build-web: vite is not installed (no devDependencies); the agent serves no dashboard");
    process.exit(0);
  }
  const r = await buildWeb();
  console.error(
    `build-web: ${r.files} files → web/dist (${(r.bytes / 1024).toFixed(1)} KB, ${(r.gzipped / 1024).toFixed(1)} KB gzipped)`,
  );
}
