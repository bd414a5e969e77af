/**
 * prom-client without its index. `import "prom-client"` also loads its Pushgateway, cluster
 * aggregator, summaries and, for exemplars Vigil does not use, OpenTelemetry's API: 66 more modules and
 * ~1 MB of the daemon's RSS. The classes and the default collectors are prom-client's own files
 * (package.json pins the version they are read from); only the CPU counters, the one collector that
 * requires OpenTelemetry, are written here, with prom-client's names and help.
 */
import { createRequire } from "node:module";
import type * as Prom from "prom-client";

const load = createRequire(import.meta.url);

export const Registry = load("prom-client/lib/registry") as typeof Prom.Registry;
export const Counter = load("prom-client/lib/counter") as typeof Prom.Counter;
export const Gauge = load("prom-client/lib/gauge") as typeof Prom.Gauge;
export const Histogram = load("prom-client/lib/histogram") as typeof Prom.Histogram;

/** Every collector `collectDefaultMetrics` registers, but the CPU one. */
const collectors = [
  "processStartTime",
  "osMemoryHeap",
  "processOpenFileDescriptors",
  "processMaxFileDescriptors",
  "eventLoopLag",
  "processResources",
  "processHandles",
  "processRequests",
  "heapSizeAndUsed",
  "heapSpacesSizeAndUsed",
  "version",
  "gc",
];

/** prom-client's default metrics, the same names and values, in `registry`. */
export function collectDefaultMetrics(registry: Prom.Registry): void {
  for (const name of collectors) {
    (load(`prom-client/lib/metrics/${name}`) as (r: Prom.Registry, c: object) => void)(registry, {});
  }
  let last = process.cpuUsage();
  const registers = [registry];
  const system = new Counter({
    name: "process_cpu_system_seconds_total",
    help: "Total system CPU time spent in seconds.",
    registers,
  });
  const total = new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers,
  });
  new Counter({
    name: "process_cpu_user_seconds_total",
    help: "Total user CPU time spent in seconds.",
    registers,
    // One collect for all three, as prom-client's does: they are read from one cpuUsage() call.
    collect() {
      const now = process.cpuUsage();
      const user = (now.user - last.user) / 1e6;
      const sys = (now.system - last.system) / 1e6;
      last = now;
      this.inc(user);
      system.inc(sys);
      total.inc(user + sys);
    },
  });
}
