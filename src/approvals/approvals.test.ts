import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { finished, gatewayHarness, type Harness } from "../../test/helpers/gateway.ts";
import { isVigilError, type VigilError } from "../core/errors.ts";
import { ActionStore } from "../store/action-store.ts";

const actions = `
  reindex: { run: [printf, "%s", "{table}"], params: { table: { enum: [users, jobs] } }, risk: approve }
  two:     { run: [printf, ok], risk: approve, approvals: 2 }
`;
const claude = { name: "claude", role: "agent" } as const;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function ask(hh: Harness, action = "reindex", params: Record<string, string> = { table: "users" }) {
  const q = await hh.gateway.request(action, { params, reason: "queries are slow" }, claude);
  if (q.kind !== "queued") throw new Error("expected a queue");
  return q.approval.id;
}

async function refused(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (e) {
    if (isVigilError(e)) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("approvals", () => {
  it("records what was asked, by whom, until when, with a risk assessment of independent signals", async () => {
    h = await gatewayHarness(actions, { hour: 3 });
    const id = await ask(h);
    const a = (await h.approvals.get(id))!;
    expect(a).toMatchObject({
      action: "reindex",
      params: { table: "users" },
      reason: "queries are slow",
      requested_by: "claude",
      status: "pending",
      required: 1,
      expires_at: a.requested_at + 30 * 60_000,
    });
    expect(a.assessment.level).toBe("high");
    expect(a.assessment.signals.map((s) => [s.signal, s.level])).toEqual([
      ["declared_risk", "high"],
      ["blast_radius", "medium"],
      ["success_rate", "medium"],
      ["last_run", "medium"],
      ["time_of_day", "medium"],
    ]);
    for (const s of a.assessment.signals) expect(s.reason.length).toBeGreaterThan(5);
    const [event] = await h.events("approval.requested");
    expect(event).toMatchObject({ actor: "claude", payload: { approval_id: id, action: "reindex" } });
  });

  it("learns from history: a run that succeeded lowers the success-rate signal", async () => {
    h = await gatewayHarness(actions);
    const first = await h.approvals.decide(await ask(h), { name: "bob" }, "approve", "");
    await finished(h, first.run_id!);
    const second = (await h.approvals.get(await ask(h)))!;
    const rate = second.assessment.signals.find((s) => s.signal === "success_rate")!;
    expect(rate).toEqual({
      signal: "success_rate",
      level: "low",
      reason: "1 of its last 1 runs succeeded (100 %)",
    });
  });

  it("a requester cannot decide its own request", async () => {
    h = await gatewayHarness(actions);
    const id = await ask(h);
    const e = await refused(h.approvals.decide(id, { name: "claude" }, "approve", ""));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toBe("claude asked for this run and cannot decide it; another person must");
    expect((await h.approvals.get(id))!.status).toBe("pending");
  });

  it("approvals: 2 needs two different people; the same person twice is a conflict", async () => {
    h = await gatewayHarness(actions);
    const id = await ask(h, "two", {});
    const one = await h.approvals.decide(id, { name: "bob" }, "approve", "looks fine");
    expect(one.status).toBe("pending");
    const again = await refused(h.approvals.decide(id, { name: "bob" }, "approve", ""));
    expect(again.code).toBe("CONFLICT");
    const two = await h.approvals.decide(id, { name: "carol" }, "approve", "");
    expect(two.status).toBe("approved");
    expect(two.decisions.map((d) => d.by)).toEqual(["bob", "carol"]);
    expect((await finished(h, two.run_id!)).result?.stdout).toBe("ok");
  });

  it("a second decision on a decided request is a conflict carrying the current state", async () => {
    h = await gatewayHarness(actions);
    const id = await ask(h);
    const r = await h.approvals.decide(id, { name: "bob" }, "reject", "not now");
    expect(r.status).toBe("rejected");
    const e = await refused(h.approvals.decide(id, { name: "carol" }, "approve", ""));
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toBe("the request is already rejected");
    expect((e.details as { approval: { status: string } }).approval.status).toBe("rejected");
    expect(await h.events("action.requested")).toHaveLength(0);
    expect((await h.events("approval.decided")).map((x) => x.payload)).toEqual([
      {
        approval_id: id,
        decision: "reject",
        note: "not now",
        status: "rejected",
        agent: "web-0",
        runs_on: "web-0",
      },
    ]);
  });

  it("concurrent decisions: exactly one wins, the other gets a conflict", async () => {
    h = await gatewayHarness(actions);
    const id = await ask(h);
    const results = await Promise.allSettled([
      h.approvals.decide(id, { name: "bob" }, "approve", ""),
      h.approvals.decide(id, { name: "carol" }, "reject", ""),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((loser.reason as VigilError).code).toBe("CONFLICT");
  });

  it("a request nobody decides in time expires, audited, and can no longer be approved", async () => {
    const clock = new FakeClock(Date.now());
    h = await gatewayHarness(actions, { clock });
    const id = await ask(h);
    await clock.advance(30 * 60_000 + 1);
    expect(await h.approvals.expireDue()).toBe(1);
    expect((await h.approvals.get(id))!.status).toBe("expired");
    const e = await refused(h.approvals.decide(id, { name: "bob" }, "approve", ""));
    expect(e.message).toBe("the request is already expired");
    expect(await h.events("approval.expired")).toEqual([
      { actor: "vigil", payload: { approval_id: id, action: "reindex", reason: "nobody decided in time" } },
    ]);
  });

  it("an approval recorded but not run before a stop runs at the next start, or expires if it is stale", async () => {
    const clock = new FakeClock(Date.now());
    h = await gatewayHarness(actions, { clock });
    const fresh = await ask(h);
    const stale = await ask(h, "reindex", { table: "jobs" });
    // What a crash between the decision's commit and the run's start leaves behind.
    await h.store.setApprovalStatus(stale, "approved", clock.now() - 120_000);
    await h.store.setApprovalStatus(fresh, "approved", clock.now() - 1_000);
    expect(await h.approvals.runQueued()).toBe(1);
    const ran = (await h.approvals.get(fresh))!;
    expect((await finished(h, ran.run_id!)).result?.stdout).toBe("users");
    expect((await h.approvals.get(stale))!.status).toBe("expired");
    expect((await h.events("approval.expired")).map((e) => e.payload.reason)).toEqual([
      "approved, but the agent stopped before running it; ask again",
    ]);
  });

  it("a request another agent asked for is recorded here and queued for it, never run here", async () => {
    const clock = new FakeClock(Date.now());
    h = await gatewayHarness(actions, { clock });
    const web1 = new ActionStore(h.store.db, "web-1");
    const asked = { ...(await web1.getApproval(await ask(h)))!, id: "from-web-1", agent: "web-1" };
    await web1.insertApproval(asked);
    const decided = await h.approvals.decide("from-web-1", { name: "bob" }, "approve", "");
    expect(decided).toMatchObject({ status: "approved", run_id: null, agent: "web-1", run_state: "queued" });
    expect(await h.approvals.runQueued()).toBe(0);
    expect(await h.events("action.requested")).toHaveLength(0);
    expect((await h.events("approval.decided")).map((e) => e.payload)).toEqual([
      {
        approval_id: "from-web-1",
        decision: "approve",
        note: "",
        status: "approved",
        agent: "web-0",
        runs_on: "web-1",
      },
    ]);
    // web-1 never came back: once the request's time is up, any agent's sweep expires it.
    await clock.advance(30 * 60_000 + 1);
    await h.approvals.expireDue();
    expect((await h.approvals.get("from-web-1"))!).toMatchObject({ status: "expired", run_state: null });
    expect((await h.events("approval.expired")).map((e) => e.payload.reason)).toContain(
      "approved, but web-1 did not run it before the request expired; ask again",
    );
  });

  it("a run that cannot start gives its request up as expired instead of retrying it every poll", async () => {
    h = await gatewayHarness(actions);
    const id = await ask(h);
    // What a reload that removed the action between the decision and the run leaves behind.
    await h.store.settleApproval(id, "approved", Date.now());
    await h.store.db.run("UPDATE approvals SET action = 'gone' WHERE id = ?", [id]);
    expect(await h.approvals.runQueued()).toBe(0);
    const a = (await h.approvals.get(id))!;
    expect(a).toMatchObject({ status: "expired", run_id: null });
    expect((await h.events("approval.expired")).map((e) => e.payload.reason)).toEqual([
      expect.stringMatching(
        /^approved, but web-0 could not start it: no action named "gone" \(declared: reindex, two;/,
      ),
    ]);
  });

  it("the sweep expires requests on its own timer", async () => {
    const clock = new FakeClock(Date.now());
    h = await gatewayHarness(actions, { clock });
    const id = await ask(h);
    h.approvals.start();
    await clock.advance(31 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.store.getApproval(id))!.status).toBe("expired");
  });
});
