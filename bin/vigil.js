#!/usr/bin/env -S node --max-semi-space-size=8
// The `vigil` command. The flag caps V8's young generation, which otherwise grows to ~130 MB under
// a steady check load and stays in the daemon's RSS (BENCHMARKS.md); bench/ reads it from this line.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chooseEntry } from "./entry.js";

await import(pathToFileURL(chooseEntry(path.resolve(import.meta.dirname, ".."))).href);
