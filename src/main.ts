#!/usr/bin/env -S node --max-semi-space-size=8
// Thin entry: argv to the CLI, its code to the process. The flag caps V8's young generation, which
// otherwise grows to ~130 MB under a steady check load and stays in the daemon's RSS
// (BENCHMARKS.md: 10,000 checks, RSS 400 MB -> under 200 MB). bench/ reads the flags from this line.
import { run } from "./cli/index.ts";

process.exitCode = await run(process.argv.slice(2));
