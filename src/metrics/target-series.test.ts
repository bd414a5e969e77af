import { describe, expect, it } from "vitest";
import { Counter, Gauge, Registry } from "./prom.ts";
import { TargetSeries } from "./target-series.ts";

const text = async (s: TargetSeries, targets: Parameters<TargetSeries["render"]>[0]) =>
  Buffer.concat(await s.render(targets)).toString();

describe("TargetSeries", () => {
  it("writes what prom-client wrote for the same series, byte for byte", async () => {
    const targets = [
      { name: "web", kind: "service", state: "up", last_result: { duration_ms: 12 } },
      { name: "disk", kind: "check", state: "degraded", last_result: null },
      { name: 'we"ird\\name', kind: "check", state: "down", last_result: { duration_ms: 2000 } },
    ];
    const s = new TargetSeries();
    s.declare(["disk", 'we"ird\\name']);
    s.count("disk", true);
    s.count("disk", false);
    s.count("web", true);

    const registry = new Registry();
    const registers = [registry];
    const up = new Gauge({
      name: "vigil_target_up",
      help: "1 while a target is up (or degraded: failing fewer than fail_after checks), else 0.",
      labelNames: ["target", "kind"],
      registers,
    });
    const last = new Gauge({
      name: "vigil_check_last_duration_seconds",
      help: "How long the target's most recent check took.",
      labelNames: ["target"],
      registers,
    });
    const results = new Counter({
      name: "vigil_check_results_total",
      help: "Check results by target and outcome (ok or failed), every result, not only changes.",
      labelNames: ["target", "outcome"],
      registers,
    });
    for (const t of targets) {
      up.set({ target: t.name, kind: t.kind }, t.state === "down" ? 0 : 1);
      if (t.last_result) last.set({ target: t.name }, t.last_result.duration_ms / 1000);
    }
    for (const name of ["disk", 'we"ird\\name']) {
      results.inc({ target: name, outcome: "ok" }, 0);
      results.inc({ target: name, outcome: "failed" }, 0);
    }
    results.inc({ target: "disk", outcome: "ok" });
    results.inc({ target: "disk", outcome: "failed" });
    results.inc({ target: "web", outcome: "ok" });

    expect(await text(s, targets)).toBe(await registry.metrics());
  });

  it("keeps the counts of targets a reload kept, starts new ones at zero and drops the removed", async () => {
    const s = new TargetSeries();
    s.declare(["a", "b"]);
    s.count("b", true);
    s.declare(["b", "c"]);
    const lines = (await text(s, [])).split("\n").filter((l) => l.startsWith("vigil_check_results_total{"));
    expect(lines).toEqual([
      'vigil_check_results_total{target="b",outcome="ok"} 1',
      'vigil_check_results_total{target="b",outcome="failed"} 0',
      'vigil_check_results_total{target="c",outcome="ok"} 0',
      'vigil_check_results_total{target="c",outcome="failed"} 0',
    ]);
  });

  it("yields to the event loop while it writes a large config", async () => {
    const targets = Array.from({ length: 50_000 }, (_, i) => ({
      name: `check-${i}`,
      kind: "check",
      state: "up",
      last_result: { duration_ms: 3 },
    }));
    const s = new TargetSeries();
    s.declare(targets.map((t) => t.name));
    let turns = 0;
    const tick = () => {
      turns++;
      if (!finished) setImmediate(tick);
    };
    let finished = false;
    setImmediate(tick);
    const chunks = await s.render(targets);
    finished = true;
    // Other work got turns while the render ran: it did not hold the event loop from start to end.
    expect(turns).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString().split("\n").length).toBeGreaterThan(150_000);
  });
});
