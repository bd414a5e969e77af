import * as promClient from "prom-client";
import { describe, expect, it } from "vitest";
import { collectDefaultMetrics, Registry } from "./prom.ts";

/** Name, type and help of every metric in a registry, scraped. */
async function described(registry: promClient.Registry) {
  const metrics = await registry.getMetricsAsJSON();
  return metrics
    .map((m) => ({ name: m.name, type: m.type, help: m.help }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe("prom-client without its index", () => {
  it("registers exactly prom-client's default metrics, names, types and help", async () => {
    const ours = new Registry();
    collectDefaultMetrics(ours);
    const theirs = new promClient.Registry();
    promClient.collectDefaultMetrics({ register: theirs });
    expect(await described(ours)).toEqual(await described(theirs));
  });

  it("counts CPU time, with user + system = total", async () => {
    const registry = new Registry();
    collectDefaultMetrics(registry);
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? Number.NaN;
    const before = await value("process_cpu_user_seconds_total");
    // Burn 30 ms of user CPU, by the process's own count (wall time would depend on the machine's load).
    const start = process.cpuUsage().user;
    while (process.cpuUsage().user - start < 30_000);
    const [user, system, total] = [
      await value("process_cpu_user_seconds_total"),
      await value("process_cpu_system_seconds_total"),
      await value("process_cpu_seconds_total"),
    ];
    expect(user - before).toBeGreaterThanOrEqual(0.03 - 1e-9); // sums of microseconds in floating point
    expect(total).toBeCloseTo(user + system, 6);
  });
});
