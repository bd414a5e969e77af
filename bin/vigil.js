#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
// The `vigil` command. The flags cap V8's young generation, which otherwise grows to ~130 MB under
// a steady check load, and collect the old generation before garbage doubles it: at 10,000 checks
// peak RSS 260-290 MB → 170-180 MB for no measurable CPU (BENCHMARKS.md). bench/ reads them here.
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
