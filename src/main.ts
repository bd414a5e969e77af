#!/usr/bin/env node
// Thin entry: argv to the CLI, its code to the process.
import { run } from "./cli/index.ts";

process.exitCode = await run(process.argv.slice(2));
