import { describe, expect, it } from "vitest";
import { longerPeriod, StartPeriods } from "./start-period.ts";
import type { UnhealthyRestart } from "./types.ts";

describe("start periods", () => {
  it("a service's results are skipped while it is not running, young inside its period, then run", () => {
    const p = new StartPeriods();
    p.reset([["api", 5_000]]);
    expect(p.gate("api", undefined, 1_000)).toBe("skip");
    expect(p.gate("api", { phase: "backoff", startedAt: 0 }, 1_000)).toBe("skip");
    expect(p.gate("api", { phase: "running", startedAt: 1_000 }, 5_999)).toBe("young");
    expect(p.gate("api", { phase: "running", startedAt: 1_000 }, 6_000)).toBe("run");
  });

  it("a check, which has no start period, always runs", () => {
    const p = new StartPeriods();
    p.reset([["api", 5_000]]);
    expect(p.gate("disk", undefined, 0)).toBe("run");
  });

  it("a longer start is twice the period, at least 10 s and at most 10 min", () => {
    expect(longerPeriod(0)).toBe(10_000);
    expect(longerPeriod(4_000)).toBe(10_000);
    expect(longerPeriod(30_000)).toBe(60_000);
    expect(longerPeriod(8 * 60_000)).toBe(10 * 60_000);
  });

  it("longer-start lengthens the period, restarts the service, and says both", async () => {
    const p = new StartPeriods();
    p.reset([["api", 6_000]]);
    const asked: [string, string][] = [];
    const restart = async (name: string, reason: string): Promise<UnhealthyRestart> => {
      asked.push([name, reason]);
      return "restarted";
    };
    expect(await p.longerStart("api", "alice", restart)).toEqual({
      ok: true,
      detail: "start period 6000 ms → 12000 ms; restarted",
    });
    expect(asked).toEqual([["api", "start period 6000 ms → 12000 ms by alice"]]);
    expect(p.of("api")).toBe(12_000);
    expect(p.gate("api", { phase: "running", startedAt: 0 }, 11_999)).toBe("young");
  });

  it("longer-start fails with the restart's outcome when the service could not be restarted", async () => {
    const p = new StartPeriods();
    p.reset([["api", 6_000]]);
    const r = await p.longerStart("api", "vigil", async () => "gave-up");
    expect(r).toEqual({ ok: false, detail: "start period 6000 ms → 12000 ms; gave-up" });
  });

  it("longer-start refuses what is not a service, restarting nothing", async () => {
    const p = new StartPeriods();
    p.reset([["api", 6_000]]);
    let restarted = false;
    const r = await p.longerStart("disk", "vigil", async () => {
      restarted = true;
      return "restarted";
    });
    expect(r).toEqual({ ok: false, detail: "disk is not a service" });
    expect(restarted).toBe(false);
  });

  it("a reload sets the configured periods afresh", async () => {
    const p = new StartPeriods();
    p.reset([["api", 6_000]]);
    await p.longerStart("api", "vigil", async () => "restarted");
    p.reset([["api", 6_000]]);
    expect(p.of("api")).toBe(6_000);
  });
});
