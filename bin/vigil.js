#!/usr/bin/env node
// The `vigil` command. `vigil up` runs with the Node flags and environment of bin/runtime.js however
// it was started: when this process lacks them, it replaces itself once with them added.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chooseEntry } from "./entry.js";
import { applyRuntime, nodeSupported } from "./runtime.js";

// Said here rather than in package.json's `engines`: npm checks `engines` against the Node that runs
// npm, so every `npx vigil` on a machine with an older system Node printed warnings although `npx`
// runs vigil on the Node 24 this project installs. What matters is the Node that runs vigil.
if (!nodeSupported(process.versions.node)) {
  process.stderr.write(
    `vigil needs Node.js 22.18 or newer; this is ${process.version}. ` +
      "`npx vigil` and `npm start` run it on the Node 24 that `npm install` put in node_modules.\n",
  );
  process.exit(1);
}

if (process.argv[2] === "up") applyRuntime();

await import(pathToFileURL(chooseEntry(path.resolve(import.meta.dirname, ".."))).href);
