/**
 * The gateway's tables behave the same on every store: runs, approvals with decisions, spent
 * capability ids (a replay is refused), and decisions serialised by the approvals lock.
 */
import { describe, expect, it } from "vitest";
import { ActionStore, type ApprovalRow, type RunRow } from "./action-store.ts";
import type { Store } from "./store.ts";

export const run = (id: string, over: Partial<RunRow> = {}): RunRow => ({
  id,
  action: "reindex",
  params: '{"table":"users"}',
  target: null,
  requested_by: "alice",
  reason: "",
  approval_id: null,
  status: "running",
  result: null,
  started_at: 1_700_000_000_000,
  finished_at: null,
  ...over,
});

export const approval = (id: string, over: Partial<ApprovalRow> = {}): ApprovalRow => ({
  id,
  action: "reindex",
  params: "{}",
  target: "api",
  reason: "slow",
  requested_by: "claude",
  requested_at: 1_700_000_000_000,
  expires_at: 1_700_000_060_000,
  required: 1,
  status: "pending",
  assessment: "{}",
  run_id: null,
  decided_at: null,
  ...over,
});

export function actionsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} action store`, () => {
    it("records runs, finishes them, lists the newest finished first, and fails what a crash left running", async () => {
      const store = await makeStore();
      try {
        const s = new ActionStore(store.db);
        await s.insertRun(run("r1", { started_at: 1 }));
        await s.insertRun(run("r2", { started_at: 2 }));
        await s.insertRun(run("r3", { started_at: 3 }));
        await s.finishRun("r1", "succeeded", '{"ok":true}', 10);
        await s.finishRun("r2", "failed", '{"ok":false}', 11);
        expect((await s.recentRuns("reindex", 10)).map((r) => [r.id, r.status])).toEqual([
          ["r2", "failed"],
          ["r1", "succeeded"],
        ]);
        expect(await s.getRun("r1")).toMatchObject({
          status: "succeeded",
          finished_at: 10,
          result: '{"ok":true}',
        });
        expect((await s.runningRuns(10)).map((r) => r.id)).toEqual(["r3"]);
        expect(await s.getRun("nope")).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it("recovers only its own unfinished runs: another agent's running run is not its to fail", async () => {
      const store = await makeStore();
      try {
        const web1 = new ActionStore(store.db, "web-1");
        const web2 = new ActionStore(store.db, "web-2");
        await web1.insertRun(run("mine", { started_at: 1 }));
        await web2.insertRun(run("theirs", { started_at: 2 }));
        expect((await web1.runningRuns(10)).map((r) => r.id)).toEqual(["mine"]);
        expect((await web2.runningRuns(10)).map((r) => r.id)).toEqual(["theirs"]);
        // Both show in the history, whichever agent asks.
        expect((await web1.listRuns(10)).map((r) => r.id)).toEqual(["theirs", "mine"]);
      } finally {
        await store.close();
      }
    });

    it("keeps a request's announcement until it is announced, for its own agent only", async () => {
      const store = await makeStore();
      try {
        const web1 = new ActionStore(store.db, "web-1");
        const web2 = new ActionStore(store.db, "web-2");
        const told = { type: "approval.requested", payload: { approval_id: "a1" }, at: 5, actor: "claude" };
        await web1.insertApproval(approval("a1", { target: null }), told);
        await web2.insertApproval(approval("a2"));
        expect(await web2.unannouncedApprovals()).toEqual([]);
        expect(await web1.unannouncedApprovals()).toEqual([
          { id: "a1", subject: approval("a1").action, announce: told },
        ]);
        expect(await web1.getApproval("a1")).not.toHaveProperty("announce");
        await web1.approvalAnnounced("a1");
        expect(await web1.unannouncedApprovals()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it("keeps approvals with their decisions; one decision per person; due requests by expiry", async () => {
      const store = await makeStore();
      try {
        const s = new ActionStore(store.db);
        await s.insertApproval(approval("a1"));
        await s.insertApproval(
          approval("a2", { expires_at: 1_700_000_000_500, requested_at: 1_700_000_000_001 }),
        );
        expect((await s.listApprovals("pending", 10)).map((a) => a.id)).toEqual(["a2", "a1"]);
        expect((await s.duePending(1_700_000_001_000, 10)).map((a) => a.id)).toEqual(["a2"]);
        expect(await s.pendingQueue(1_700_000_000_400)).toEqual({
          pending: 2,
          oldestRequestedAt: approval("a1").requested_at,
        });
        // a2 is past its expiry at 500, so it waits no more even before the sweep marks it
        expect(await s.pendingQueue(1_700_000_000_600)).toEqual({
          pending: 1,
          oldestRequestedAt: approval("a1").requested_at,
        });
        await s.insertDecision({
          approval_id: "a1",
          decided_by: "bob",
          decision: "approve",
          note: "",
          at: 5,
        });
        await expect(
          s.insertDecision({ approval_id: "a1", decided_by: "bob", decision: "reject", note: "", at: 6 }),
        ).rejects.toThrow();
        await s.settleApproval("a1", "approved", 7);
        expect(await s.claimApprovalRun("a1", "run-9")).toBe(true);
        expect(await s.pendingQueue(1_700_000_000_400)).toEqual({
          pending: 1,
          oldestRequestedAt: 1_700_000_000_001,
        });
        expect(await s.getApproval("a1")).toMatchObject({
          status: "approved",
          decided_at: 7,
          run_id: "run-9",
        });
        expect((await s.decisions("a1")).map((d) => d.decided_by)).toEqual(["bob"]);
      } finally {
        await store.close();
      }
    });

    it("queues an approved request for the agent that asked; its run is claimed once; a stale one expires", async () => {
      const store = await makeStore();
      try {
        const web1 = new ActionStore(store.db, "web-1");
        const web2 = new ActionStore(store.db, "web-2");
        await web1.insertApproval(approval("a1"));
        await web1.insertApproval(approval("a2"));
        await web2.settleApproval("a1", "approved", 10);
        await web2.settleApproval("a2", "approved", 20);
        expect(await web1.getApproval("a1")).toMatchObject({ agent: "web-1", decided_on: "web-2" });
        expect((await web1.queuedApprovals(10)).map((a) => a.id)).toEqual(["a1", "a2"]);
        expect(await web2.queuedApprovals(10)).toEqual([]);
        // The deciding call and the owner's poll race for one run: one wins.
        expect(await web1.claimApprovalRun("a1", "run-1")).toBe(true);
        expect(await web1.claimApprovalRun("a1", "run-2")).toBe(false);
        expect((await web1.queuedApprovals(10)).map((a) => a.id)).toEqual(["a2"]);
        // A claimed run that could not start gives the request up; a started one is not expired.
        expect(await web1.expireApproved("a1", 30)).toBe(false);
        expect(await web1.expireApproved("a1", 30, "run-1")).toBe(true);
        expect(await web1.getApproval("a1")).toMatchObject({ status: "expired", run_id: null });
        // Past its expiry and the grace after the decision, anyone sees it stale.
        const expiry = approval("a2").expires_at;
        expect(await web2.staleApproved(expiry - 1, 20, 10)).toEqual([]);
        expect(await web2.staleApproved(expiry, 19, 10)).toEqual([]);
        expect((await web2.staleApproved(expiry, 20, 10)).map((a) => a.id)).toEqual(["a2"]);
        expect(await web2.expireApproved("a2", expiry)).toBe(true);
        expect(await web1.claimApprovalRun("a2", "run-3")).toBe(false);
      } finally {
        await store.close();
      }
    });

    it("spends a capability id once", async () => {
      const store = await makeStore();
      try {
        const s = new ActionStore(store.db);
        expect(await s.spendCapability("jti-1", "a1", 1)).toBe(true);
        expect(await s.spendCapability("jti-1", "a1", 2)).toBe(false);
        expect(await s.spendCapability("jti-2", "a1", 3)).toBe(true);
      } finally {
        await store.close();
      }
    });

    it("serialises deciders: of two racing transactions, the second sees the first's decision", async () => {
      const a = await makeStore();
      try {
        const s = new ActionStore(a.db);
        await s.insertApproval(approval("race"));
        const decide = (who: string) =>
          s.transaction(async (tx) => {
            const cur = await tx.getApproval("race");
            if (cur?.status !== "pending") return `${who}: already ${cur?.status}`;
            await new Promise((r) => setTimeout(r, 30));
            await tx.setApprovalStatus("race", who === "bob" ? "approved" : "rejected", 1);
            return `${who}: decided`;
          });
        const results = await Promise.all([decide("bob"), decide("carol")]);
        expect(results.filter((r) => r.endsWith("decided"))).toHaveLength(1);
        expect(results.filter((r) => r.includes("already"))).toHaveLength(1);
      } finally {
        await a.close();
      }
    });
  });
}
