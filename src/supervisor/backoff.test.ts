import { describe, expect, it } from "vitest";
import { backoffDelay, decideRestart, type CrashHistory, type RestartPolicyConfig } from "./backoff.ts";

const cfg: RestartPolicyConfig = {
  policy: "always",
  initialMs: 100,
  maxMs: 1_000,
  factor: 2,
  jitter: 0.1,
  minUptimeMs: 10_000,
  maxRestarts: 5,
  windowMs: 300_000,
};

/** A crash loop: the process dies 50 ms after each start. Returns start times and when it gave up. */
function crashLoop(c = cfg, seed = "api") {
  let t = 0;
  let h: CrashHistory = { restarts: [], quickCrashes: 0 };
  const starts = [0];
  for (let i = 0; i < 100; i++) {
    t += 50;
    const d = decideRestart(c, h, { code: 1, uptimeMs: 50 }, t, seed);
    h = d.history;
    if (d.kind !== "restart") return { starts, end: t, kind: d.kind };
    t += d.delayMs;
    starts.push(t);
  }
  throw new Error("never gave up");
}

describe("restart decisions", () => {
  it("restarts at once after a stable run", () => {
    const d = decideRestart(
      cfg,
      { restarts: [], quickCrashes: 3 },
      { code: 1, uptimeMs: 60_000 },
      1_000,
      "api",
    );
    expect(d).toMatchObject({ kind: "restart", delayMs: 0, history: { quickCrashes: 0 } });
  });

  it("backs off exponentially on quick crashes, within the jitter, capped at max", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(cfg, n, "api"));
    [100, 200, 400, 800, 1_000, 1_000].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base * 0.9);
      expect(delays[i]).toBeLessThanOrEqual(base * 1.1);
    });
  });

  it("gives up after max_restarts within the window: max_restarts + 1 starts", () => {
    const r = crashLoop();
    expect(r.kind).toBe("give-up");
    expect(r.starts).toHaveLength(6);
  });

  it("a crash loop has the same timeline every run, and different services spread apart", () => {
    expect(crashLoop()).toEqual(crashLoop());
    expect(crashLoop(cfg, "api").starts).not.toEqual(crashLoop(cfg, "worker").starts);
  });

  it("restarts outside the window no longer count", () => {
    const h: CrashHistory = { restarts: [0, 1, 2, 3, 4], quickCrashes: 0 };
    expect(decideRestart(cfg, h, { code: 1, uptimeMs: 20_000 }, 100_000, "x").kind).toBe("give-up");
    expect(decideRestart(cfg, h, { code: 1, uptimeMs: 20_000 }, 400_000, "x").kind).toBe("restart");
  });

  it("honours policy never and on-failure", () => {
    const h = { restarts: [], quickCrashes: 0 };
    expect(decideRestart({ ...cfg, policy: "never" }, h, { code: 1, uptimeMs: 1 }, 0, "x").kind).toBe(
      "leave-down",
    );
    expect(decideRestart({ ...cfg, policy: "on-failure" }, h, { code: 0, uptimeMs: 1 }, 0, "x").kind).toBe(
      "leave-down",
    );
    expect(decideRestart({ ...cfg, policy: "on-failure" }, h, { code: 2, uptimeMs: 1 }, 0, "x").kind).toBe(
      "restart",
    );
    expect(decideRestart({ ...cfg, policy: "on-failure" }, h, { code: null, uptimeMs: 1 }, 0, "x").kind).toBe(
      "restart",
    );
  });
});
