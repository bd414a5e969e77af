import { describe, expect, it } from "vitest";
import { follow, type FollowDeps } from "./follow.ts";

type Approval = Awaited<ReturnType<FollowDeps["approval"]>>;
type Run = Awaited<ReturnType<FollowDeps["run"]>>;

function deps(approval: Approval, run?: Run): FollowDeps {
  return { approval: async () => approval, run: async () => run, now: () => 5_000 };
}

const approved = { status: "approved", decisions: [{ by: "alice", decision: "approve" }], run_id: "r1" };

describe("following a step that waited for a person", () => {
  it("nothing to follow, or an approval that is gone, is refused", async () => {
    expect(await follow(null, deps(undefined))).toEqual({ kind: "refused", detail: "nothing to follow" });
    expect(await follow("a1", deps(undefined))).toEqual({ kind: "refused", detail: "approval a1 is gone" });
  });

  it("waits while the approval is pending", async () => {
    const pending = { status: "pending", decisions: [], run_id: null };
    expect(await follow("a1", deps(pending))).toEqual({ kind: "pending" });
  });

  it("a rejection is refused, naming who rejected it; an expiry names nobody", async () => {
    const rejected = { status: "rejected", decisions: [{ by: "bob", decision: "reject" }], run_id: null };
    expect(await follow("a1", deps(rejected))).toEqual({
      kind: "refused",
      detail: "approval rejected by bob",
    });
    const expired = { status: "expired", decisions: [], run_id: null };
    expect(await follow("a1", deps(expired))).toEqual({ kind: "refused", detail: "approval expired" });
  });

  it("an approved step waits for its run to start and to finish", async () => {
    expect(await follow("a1", deps({ ...approved, run_id: null }))).toEqual({ kind: "pending" });
    expect(await follow("a1", deps(approved, undefined))).toEqual({ kind: "pending" });
    const running = { id: "r1", status: "running", finished_at: null };
    expect(await follow("a1", deps(approved, running))).toEqual({ kind: "pending" });
  });

  it("the finished run's outcome is the step's, at the time it finished", async () => {
    const ok = { id: "r1", status: "succeeded", finished_at: 4_000 };
    expect(await follow("a1", deps(approved, ok))).toEqual({
      kind: "ran",
      ok: true,
      runId: "r1",
      detail: "run r1 succeeded",
      at: 4_000,
    });
    const failed = { id: "r1", status: "failed", finished_at: null };
    expect(await follow("a1", deps(approved, failed))).toEqual({
      kind: "ran",
      ok: false,
      runId: "r1",
      detail: "run r1 failed",
      at: 5_000,
    });
  });
});
