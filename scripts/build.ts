/**
 * `npm install` runs this (the `prepare` script): emits the sources as JavaScript into dist/ and
 * stamps the build with the sources' fingerprint, so `vigil` runs it only while it is current
 * (bin/entry.js). Nothing needs it: without dist/, `vigil` runs the TypeScript sources directly.
 */
import fs from "node:fs";
import path from "node:path";
import { fingerprint, stampFile } from "../bin/entry.js";

const root = path.resolve(import.meta.dirname, "..");
// An install without devDependencies has no compiler: vigil then runs the sources, which is fine.
const ts = await import("typescript").then(
  (m) => m.default,
  () => undefined,
);
if (!ts) {
  console.error("build: typescript is not installed; vigil will run the TypeScript sources");
  process.exit(0);
}
const configFile = path.join(root, "tsconfig.build.json");
const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
const config = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
const program = ts.createProgram(config.fileNames, config.options);
const result = program.emit();
if (result.emitSkipped) {
  console.error("build: tsc emitted nothing; vigil will run the TypeScript sources");
  process.exit(0);
}
fs.writeFileSync(stampFile(root), fingerprint(root));
console.error(`build: ${config.fileNames.length} files → dist/`);
