import { describe, expect, it } from "vitest";
import {
  force,
  initialHealth,
  observe,
  type Health,
  type HealthPolicy,
  type TargetState,
} from "./target-state.ts";

const policy: HealthPolicy = { failAfter: 3, recoverAfter: 2, flapWindowMs: 60_000, flapMaxChanges: 4 };

/** Feeds results one second apart; returns the state after each. */
function run(results: string, h: Health = initialHealth(0), p = policy): TargetState[] {
  const states: TargetState[] = [];
  let t = h.since;
  for (const c of results) {
    t += 1_000;
    h = observe(h, c === "o", t, p).health;
    states.push(h.state);
  }
  return states;
}

describe("target state", () => {
  it("goes up after recover_after successes and down after fail_after failures in a row", () => {
    expect(run("ooxxxoo")).toEqual(["unknown", "up", "degraded", "degraded", "down", "down", "up"]);
  });

  it("a single failure between successes only degrades", () => {
    expect(run("ooxoxo")).toEqual(["unknown", "up", "degraded", "up", "degraded", "up"]);
  });

  it("starts down when the first results fail", () => {
    expect(run("xxx")).toEqual(["unknown", "unknown", "down"]);
  });

  it("detects flapping, reports one change, and leaves once the window calms", () => {
    const p = { ...policy, failAfter: 1, recoverAfter: 1, flapMaxChanges: 3 };
    let h = initialHealth(0);
    const changes: string[] = [];
    let t = 0;
    for (const c of "oxoxoxoxo" + "o".repeat(70)) {
      t += 1_000;
      const o = observe(h, c === "o", t, p);
      if (o.changed) changes.push(`${o.changed.from}>${o.changed.to}@${t / 1000}`);
      h = o.health;
    }
    expect(changes).toEqual([
      "unknown>up@1",
      "up>down@2",
      "down>up@3",
      "up>down@4",
      "down>flapping@5",
      "flapping>up@68",
    ]);
  });

  it("results do not lift a failed target; force() sets supervisor states", () => {
    let h = force(initialHealth(0), "failed", 10).health;
    expect(h.state).toBe("failed");
    h = observe(h, true, 11, policy).health;
    h = observe(h, true, 12, policy).health;
    expect(h.state).toBe("failed");
    const o = force(h, "starting", 13);
    expect(o.changed).toEqual({ from: "failed", to: "starting" });
    expect(run("oo", o.health)).toEqual(["starting", "up"]);
  });

  it("keeps `since` across results that do not change the state", () => {
    let h = initialHealth(0);
    h = observe(h, true, 1_000, policy).health;
    h = observe(h, true, 2_000, policy).health;
    expect(h).toMatchObject({ state: "up", since: 2_000 });
    h = observe(h, true, 3_000, policy).health;
    expect(h.since).toBe(2_000);
  });
});
