/**
 * prom-client, through its public entry point: its internal files are not an API, and loading it by
 * its parts saved ~1 MB of RSS (BENCHMARKS.md), not worth an exact pin and a hand-written collector.
 */
import * as prom from "prom-client";

export { Counter, Gauge, Histogram, Registry } from "prom-client";

/** prom-client's default metrics (process, heap, event loop, GC), in `registry` only. */
export function collectDefaultMetrics(registry: prom.Registry): void {
  prom.collectDefaultMetrics({ register: registry });
}
