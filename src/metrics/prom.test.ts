import * as promClient from "prom-client";
import { expect, it } from "vitest";
import { collectDefaultMetrics, Registry } from "./prom.ts";

it("registers prom-client's default metrics in the given registry, not the global one", async () => {
  const registry = new Registry();
  collectDefaultMetrics(registry);
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  expect(names).toEqual(
    expect.arrayContaining([
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
    ]),
  );
  expect(await promClient.register.getMetricsAsJSON()).toEqual([]);
});
