import { describe, expect, it } from "vitest";
import type { TargetView } from "../../../targets/targets.ts";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";

const view = (name: string, over: Partial<TargetView>): TargetView => ({
  name,
  kind: "service",
  state: "up",
  since: 0,
  restarts: 0,
  last_result: null,
  incident_id: null,
  agent: "web-1",
  ...over,
});

const targets = [
  view("api", { pid: 4242, last_result: { ts: 0, ok: true, duration_ms: 3, explanation: "ok" } }),
  view("worker", { state: "down", pid: 4343 }),
  view("cron", { state: "stopped" }),
  view("disk", { kind: "check", state: "degraded" }),
  view("quiet", {
    kind: "check",
    state: "silenced",
    last_result: { ts: 0, ok: false, duration_ms: 1, explanation: "[STATUS] (500) == 200" },
  }),
  view("fresh", { kind: "check", state: "unknown" }),
  view("settling", {
    kind: "check",
    state: "unknown",
    last_result: { ts: 0, ok: false, duration_ms: 1, explanation: "connection refused" },
  }),
  view("web", { kind: "check", state: "up" }),
];
const sources = claimSources({ targets: () => targets, readsContainer: (n) => n === "web" });
const verdict = async (claim: string) => (await checkClaim(claim, sources, { timeoutMs: 2_000 })).verdict;

describe("target claims, against the supervision's view", () => {
  it("up, healthy and running as the target's state says", async () => {
    const cases: [string, string][] = [
      ["Service api is healthy", "TRUE"],
      ["api is up", "TRUE"],
      ["the api service is running", "TRUE"],
      ["I restarted api", "TRUE"],
      ["api is down", "FALSE"],
      ["api is not healthy", "FALSE"],
      ["worker is healthy", "FALSE"],
      ["worker is down", "TRUE"],
      ["worker is running", "TRUE"],
      ["cron is stopped", "TRUE"],
      ["cron is running", "FALSE"],
      ["check disk is failing", "TRUE"],
      ["disk is healthy", "FALSE"],
      ["quiet is healthy", "FALSE"],
      ["fresh is healthy", "UNVERIFIABLE"],
      ["container web is running", "TRUE"],
      ["Service billing is healthy", "UNVERIFIABLE"],
      ["check billing is up", "UNVERIFIABLE"],
      ["Service api: healthy", "TRUE"],
      ["Service api: down", "FALSE"],
      ["worker: down", "TRUE"],
      ["Health check disk is failing", "TRUE"],
      ["the health check web is failing", "FALSE"],
      ["Health check disk passes now", "FALSE"],
      ["disk isn't failing", "FALSE"],
      ["web isn't failing", "TRUE"],
      ["health check billing is failing", "UNVERIFIABLE"],
    ];
    for (const [claim, want] of cases) expect(await verdict(claim), claim).toBe(want);
  });

  it("shows the state and the last result as what it saw", async () => {
    const v = await checkClaim("worker is healthy", sources, { timeoutMs: 2_000 });
    expect(v.checks).toEqual([
      { what: "service worker", expected: "up", observed: "down, pid 4343", ok: false },
    ]);
  });

  it("a check whose first failures have not decided its state says so, not that it has no result", async () => {
    const said = async (claim: string) =>
      (await checkClaim(claim, sources, { timeoutMs: 2_000 })).checks.map((c) => c.observed);
    expect(await said("check settling is failing")).toEqual(["unknown: connection refused: not decided yet"]);
    expect(await said("check fresh is failing")).toEqual(["unknown: no result yet"]);
  });
});
