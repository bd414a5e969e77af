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
    await value("process_cpu_user_seconds_total");
    const until = Date.now() + 50;
    while (Date.now() < until); // burn a little CPU
    const [user, system, total] = [
      await value("process_cpu_user_seconds_total"),
      await value("process_cpu_system_seconds_total"),
      await value("process_cpu_seconds_total"),
    ];
    expect(user).toBeGreaterThan(0.02);
    expect(total).toBeCloseTo(user + system, 6);
  });
});
