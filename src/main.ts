#!/usr/bin/env node
// Thin entry: argv to the CLI, its code to the process. `vigil` (bin/vigil.js) runs this, or its
// built copy in dist/ when that is current.
import { run } from "./cli/index.ts";

process.exitCode = await run(process.argv.slice(2));
