#!/usr/bin/env node
// Thin entry: argv to the CLI, its code to the process. `vigil` (bin/vigil.js) runs this, or its
// built copy in dist/ when that is current. A plain `vigil up` skips the CLI parser and the other
// verbs: the long-running process carries only what it runs.
import { processIo } from "./cli/output.ts";
import { plainUp } from "./cli/up-args.ts";

const argv = process.argv.slice(2);
const up = plainUp(argv);
process.exitCode = up
  ? await (await import("./cli/agent.ts")).runUp(up.config, processIo, process.env)
  : await (await import("./cli/index.ts")).run(argv);
