#!/usr/bin/env node
// The `vigil` command. `vigil up` runs with the Node flags and environment of bin/runtime.js however
// it was started: when this process lacks them, it replaces itself once with them added.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chooseEntry } from "./entry.js";
import { applyRuntime } from "./runtime.js";

if (process.argv[2] === "up") applyRuntime();

await import(pathToFileURL(chooseEntry(path.resolve(import.meta.dirname, ".."))).href);
