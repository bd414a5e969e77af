import { describe, expect, it } from "vitest";
import type { ActionRequest, Requester, RequestOutcome, RunView } from "../gateway/types.ts";
import type { ApprovalRow } from "../store/action-store.ts";
import type { UnhealthyRestart } from "../supervisor/types.ts";
import { actOn, riskOf, type ActDeps } from "./act.ts";

function harness(
  over: {
    declared?: Record<string, unknown>;
    services?: string[];
    restart?: UnhealthyRestart;
    outcome?: RequestOutcome;
  } = {},
) {
  const restarts: [string, string][] = [];
  const requests: { action: string; req: ActionRequest; by: Requester }[] = [];
  const ran = { kind: "ran", run: run("r1", "succeeded") } as const;
  const d: ActDeps = {
    declared: () => over.declared ?? {},
    isService: (t) => (over.services ?? ["api"]).includes(t),
    restartUnhealthy: async (t, reason) => {
      restarts.push([t, reason]);
      return over.restart ?? "restarted";
    },
    request: async (action, req, by) => {
      requests.push({ action, req, by });
      return over.outcome ?? ran;
    },
  };
  return { d, restarts, requests };
}

function run(id: string, status: RunView["status"], error?: string): RunView {
  return {
    id,
    action: "clean-logs",
    params: {},
    target: "disk",
    requested_by: "vigil",
    reason: "",
    approval_id: null,
    status,
    started_at: 0,
    finished_at: 1,
    result: error ? { ok: false, duration_ms: 1, error } : { ok: true, duration_ms: 1 },
  };
}

const restart = { action: "restart", params: {} };

describe("acting on a runbook step", () => {
  it("a service's restart goes to the supervisor, not the gateway", async () => {
    const { d, restarts, requests } = harness();
    expect(await actOn(restart, "api", "incident 1: api timeout, attempt 1", d)).toEqual({
      kind: "ran",
      ok: true,
      detail: "restarted",
    });
    expect(restarts).toEqual([["api", "incident 1: api timeout, attempt 1"]]);
    expect(requests).toEqual([]);
  });

  it("says what the supervisor's restart came to", async () => {
    const cases: [UnhealthyRestart, boolean, string][] = [
      ["exited", true, "it was no longer running; its restart policy handles the exit"],
      ["gave-up", false, "the restart budget is spent: the service is failed"],
      ["not-running", false, "not running here"],
    ];
    for (const [r, ok, detail] of cases) {
      const { d } = harness({ restart: r });
      expect(await actOn(restart, "api", "why", d)).toEqual({ kind: "ran", ok, detail });
    }
  });

  it("a declared restart, or a restart of what is not a service, goes through the gateway", async () => {
    const declared = harness({ declared: { restart: {} } });
    await actOn(restart, "api", "why", declared.d);
    expect(declared.restarts).toEqual([]);
    expect(declared.requests.map((r) => r.action)).toEqual(["restart"]);

    const check = harness();
    await actOn(restart, "worker", "why", check.d);
    expect(check.restarts).toEqual([]);
    expect(check.requests.map((r) => r.req.target)).toEqual(["worker"]);
  });

  it("asks the gateway as vigil, an operator, with the params as strings", async () => {
    const { d, requests } = harness();
    const acted = await actOn({ action: "reindex", params: { table: "jobs", limit: 5 } }, "db", "why", d);
    expect(requests).toEqual([
      {
        action: "reindex",
        req: { params: { table: "jobs", limit: "5" }, reason: "why", target: "db" },
        by: { name: "vigil", role: "operator" },
      },
    ]);
    expect(acted).toEqual({ kind: "ran", ok: true, runId: "r1", detail: "run r1 succeeded" });
  });

  it("a failed run says why", async () => {
    const { d } = harness({ outcome: { kind: "ran", run: run("r2", "failed", "exit code 1") } });
    expect(await actOn({ action: "clean-logs", params: {} }, "disk", "why", d)).toEqual({
      kind: "ran",
      ok: false,
      runId: "r2",
      detail: "run r2 failed: exit code 1",
    });
  });

  it("a step that needs a person waits for its approval", async () => {
    const approval = { id: "a1" } as ApprovalRow;
    const { d } = harness({ outcome: { kind: "queued", approval } });
    expect(await actOn({ action: "free-port", params: {} }, "api", "why", d)).toEqual({
      kind: "queued",
      approvalId: "a1",
      detail: "waits for approval a1",
    });
  });
});

describe("a step's risk", () => {
  it("is its declaration's, and approve for an action the gateway does not know", () => {
    const declaration = (a: string) => {
      if (a === "clean-logs") return { risk: "auto" };
      throw new Error(`no action named "${a}"`);
    };
    expect(riskOf("clean-logs", declaration)).toBe("auto");
    expect(riskOf("nonsense", declaration)).toBe("approve");
  });
});
