/**
 * `node:http`, loaded with `require`. An ES import of node:http builds the module's namespace,
 * which reads http's lazy `WebSocket`, `MessageEvent` and `CloseEvent` exports and so loads undici,
 * the web streams and assert: 62 more internal modules, ~12 MB of RSS in a daemon that uses none
 * of them (BENCHMARKS.md). `require` leaves those exports lazy. Lint refuses the ES import in src/.
 */
import { createRequire } from "node:module";
import type * as Http from "node:http";

export const http = createRequire(import.meta.url)("node:http") as typeof Http;
