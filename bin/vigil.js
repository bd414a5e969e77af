#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=50 --no-maglev
// The `vigil` command. The flags cap V8's young generation, which otherwise grows to ~130 MB under
// a steady check load and keeps the pages it grew into resident after it shrinks (the start-up
// alone grows it to the cap), and collect the old generation before garbage doubles it. A 2 MB cap
// rather than 8: 50 services 104 → 93 MB, 10,000 checks 164 → 156 MB, for ~2 points of one core
// at 10,000 checks. No Maglev (V8's middle compiler tier): hot code still reaches TurboFan, and
// its compile zones and code cost 3 MB with 50 services, 8 MB at 10,000 checks, for no measurable
// CPU (BENCHMARKS.md). bench/ reads them here.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chooseEntry } from "./entry.js";

// glibc gives every thread that allocates its own malloc arena, and the daemon's idle arenas are
// ~25 MB of its RSS (BENCHMARKS.md). The limit is read when the process starts, so the agent
// replaces itself once with it set: same pid, same flags and arguments, nothing spawned.
if (
  process.argv[2] === "up" &&
  process.platform === "linux" &&
  process.env.MALLOC_ARENA_MAX === undefined &&
  typeof process.execve === "function"
) {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    MALLOC_ARENA_MAX: "2",
  });
}

await import(pathToFileURL(chooseEntry(path.resolve(import.meta.dirname, ".."))).href);
