/**
 * The job scheduler on a real SQLite store and real incidents, with a clock the test moves. The
 * gateway is a stand-in whose runs the test finishes by hand: what is under test is when runs start,
 * what overlaps, what was missed, and what is recorded (the real gateway: test/e2e/jobs.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { silentLogger } from "../core/log.ts";
import type { ActionRequest, RequestOutcome, Requester, RunView } from "../gateway/types.ts";
import type { ApprovalRow } from "../store/action-store.ts";
import { JobStore } from "../store/job-store.ts";
import { FakeClock } from "../../test/helpers/clock.ts";
import { incidentsOnSqlite } from "../../test/helpers/incidents.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { Jobs, type JobConfig } from "./jobs.ts";
import { maxSliceMs } from "./wake.ts";

const running: Jobs[] = [];
// Registered after the helper's, so it runs before the store is closed.
afterEach(async () => {
  for (const j of running.splice(0)) await j.stop();
});

/** 2026-01-01T00:00:00.000Z */
const t0 = Date.UTC(2026, 0, 1);

/** The fake clock, counting the timers that are set and not yet fired or cancelled, and each wait asked. */
class CountingClock implements Clock {
  readonly fake: FakeClock;
  readonly waits: number[] = [];
  active = 0;
  constructor(start: number) {
    this.fake = new FakeClock(start);
  }
  now = () => this.fake.now();
  monotonic = () => this.fake.monotonic();
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.waits.push(ms);
    this.active++;
    let live = true;
    const end = () => {
      if (live) this.active--;
      live = false;
    };
    const h = this.fake.setTimeout(() => {
      end();
      fn();
    }, ms);
    return {
      cancel: () => {
        end();
        h.cancel();
      },
    };
  }
  advance = (ms: number) => this.fake.advance(ms);
}

const job = (over: Partial<JobConfig> = {}): JobConfig => ({
  cron: "*/10 * * * * *",
  action: "backup-db",
  params: {},
  overlap: "skip",
  catch_up: "none",
  ...over,
});

interface Call {
  action: string;
  req: ActionRequest;
  by: Requester;
  finish: (status: "succeeded" | "failed", more?: Partial<RunView["result"]>) => void;
  queue: (approvalId: string) => void;
  refuse: (err: Error) => void;
}

async function world(opts: { dir?: string; start?: number; jobs?: Record<string, JobConfig> } = {}) {
  const clock = new CountingClock(opts.start ?? t0);
  const { store, events, bus, incidentStore, make } = await incidentsOnSqlite(
    clock,
    opts.dir ?? tempDir("vigil-jobs-"),
  );
  const incidents = make();
  await incidents.load();
  const calls: Call[] = [];
  const approvals = new Map<
    string,
    { status: string; run_id: string | null; decisions?: { by: string; decision: string; note: string }[] }
  >();
  const config = { jobs: opts.jobs ?? { backup: job() } };
  let held: string | undefined;
  const jobStore = new JobStore(store.db, "test-agent");
  const jobs = new Jobs({
    store: jobStore,
    bus,
    clock,
    log: silentLogger(),
    jobs: () => config.jobs,
    request: (action, req, by) =>
      new Promise<RequestOutcome>((resolve, reject) => {
        const n = calls.length;
        calls.push({
          action,
          req,
          by,
          finish: (status, more = {}) => {
            const run: RunView = {
              id: `run-${n}`,
              action,
              params: {},
              target: null,
              requested_by: by.name,
              reason: req.reason,
              approval_id: null,
              status,
              started_at: clock.now(),
              finished_at: clock.now(),
              result: { ok: status === "succeeded", duration_ms: 5, ...more },
            };
            resolve({ kind: "ran", run });
          },
          refuse: reject,
          queue: (id) => {
            approvals.set(id, { status: "pending", run_id: null });
            resolve({ kind: "queued", approval: { id } as ApprovalRow });
          },
        });
      }),
    approval: async (id) => approvals.get(id),
    run: async () => undefined,
    held: () => held,
    incidents,
  });
  running.push(jobs);
  const of = (type: string): Record<string, unknown>[] =>
    events
      .filter((e) => e.type === type)
      .map((e) => ({
        subject: e.subject,
        actor: e.actor,
        ...(JSON.parse(e.payload) as Record<string, unknown>),
      }));
  const settle = async () => {
    await clock.advance(0);
    await jobs.settled();
    await incidents.settled();
  };
  return {
    clock,
    jobs,
    calls,
    config,
    of,
    settle,
    bus,
    incidentStore,
    jobStore,
    approvals,
    hold: (why: string | undefined) => (held = why),
  };
}

describe("scheduled jobs", () => {
  it("run at each time of a cron with seconds, through the gateway as job:<name>, and say when next", async () => {
    const w = await world();
    await w.jobs.start();
    expect(w.jobs.list()[0]).toMatchObject({ name: "backup", next_run: t0 + 10_000, last_run: null });
    await w.clock.advance(9_999);
    expect(w.calls).toHaveLength(0);
    await w.clock.advance(1);
    expect(w.calls.map((c) => [c.action, c.by])).toEqual([
      ["backup-db", { name: "job:backup", role: "operator" }],
    ]);
    expect(w.calls[0]!.req.reason).toBe("scheduled job backup");
    w.calls[0]!.finish("succeeded");
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({
      next_run: t0 + 20_000,
      last_run: t0 + 10_000,
      last_result: "succeeded",
      last_detail: "backup-db succeeded in 5 ms",
      run_id: "run-0",
      running: false,
    });
    expect(w.of("job.started")).toEqual([
      {
        subject: "job:backup",
        actor: "vigil",
        action: "backup-db",
        trigger: "schedule",
        scheduled_at: t0 + 10_000,
      },
    ]);
    await w.clock.advance(10_000);
    expect(w.calls).toHaveLength(2);
  });

  it("read the cron in the job's time zone", async () => {
    const w = await world({ jobs: { nightly: job({ cron: "30 2 * * *", timezone: "Europe/Amsterdam" }) } });
    await w.jobs.start();
    // 02:30 in Amsterdam is 01:30 UTC in January.
    expect(w.jobs.list()[0]!.next_run).toBe(Date.UTC(2026, 0, 1, 1, 30));
  });

  it("overlap skip: a time that comes while the run goes on is skipped and audited; the next one runs", async () => {
    const w = await world();
    await w.jobs.start();
    await w.clock.advance(10_000);
    await w.clock.advance(20_000);
    await w.settle();
    expect(w.calls).toHaveLength(1);
    expect(w.of("job.skipped")).toEqual([
      {
        subject: "job:backup",
        actor: "vigil",
        scheduled_at: t0 + 20_000,
        reason: "the run started at 2026-01-01T00:00:10.000Z is still running (overlap: skip)",
      },
      expect.objectContaining({ scheduled_at: t0 + 30_000 }),
    ]);
    w.calls[0]!.finish("succeeded");
    await w.settle();
    expect(w.calls).toHaveLength(1);
    await w.clock.advance(10_000);
    expect(w.calls).toHaveLength(2);
  });

  it("overlap queue: one run waits behind the running one, more are skipped; it starts when that ends", async () => {
    const w = await world({ jobs: { backup: job({ overlap: "queue" }) } });
    await w.jobs.start();
    await w.clock.advance(30_000);
    await w.settle();
    expect(w.calls).toHaveLength(1);
    expect(w.of("job.queued")).toEqual([
      { subject: "job:backup", actor: "vigil", scheduled_at: t0 + 20_000 },
    ]);
    expect(w.of("job.skipped").map((s) => s.reason)).toEqual([
      "a run is already queued behind the one running since 2026-01-01T00:00:10.000Z (overlap: queue holds one)",
    ]);
    expect(w.jobs.list()[0]).toMatchObject({ running: true, queued: true });
    w.calls[0]!.finish("succeeded");
    await w.settle();
    expect(w.calls).toHaveLength(2);
    expect(w.of("job.started").at(-1)).toMatchObject({ trigger: "queued", scheduled_at: t0 + 20_000 });
    expect(w.jobs.list()[0]).toMatchObject({ running: true, queued: false });
  });

  it("a failed run opens one job_failed incident; failing again goes on its timeline; a success resolves it", async () => {
    const w = await world();
    await w.jobs.start();
    await w.clock.advance(10_000);
    w.calls[0]!.finish("failed", { exit_code: 3, stderr: "pg_dump: connection refused\n" });
    await w.settle();
    const [opened] = await w.incidentStore.openIncidents();
    expect(opened).toMatchObject({ target: "job:backup", failure_class: "job_failed", status: "open" });
    expect(w.of("incident.opened")).toEqual([
      expect.objectContaining({
        subject: "job:backup",
        failure_class: "job_failed",
        detail: "the job backup failed: backup-db failed: exit code 3 (pg_dump: connection refused)",
      }),
    ]);
    expect(w.jobs.list()[0]).toMatchObject({ last_result: "failed" });
    await w.clock.advance(10_000);
    w.calls[1]!.finish("failed", { error: "the program was not found" });
    await w.settle();
    expect(w.of("incident.opened")).toHaveLength(1);
    expect((await w.incidentStore.timeline(opened!.id)).at(-1)).toMatchObject({
      kind: "failed",
      detail: "the job backup failed: backup-db failed: the program was not found",
    });
    await w.clock.advance(10_000);
    w.calls[2]!.finish("succeeded");
    await w.settle();
    expect(await w.incidentStore.openIncidents()).toEqual([]);
    expect(w.of("incident.resolved")).toEqual([expect.objectContaining({ incident_id: opened!.id })]);
    expect(w.of("job.finished").map((f) => f.status)).toEqual(["failed", "failed", "succeeded"]);
  });

  it("a run the gateway refuses (risk deny, a bad parameter) is a failure too", async () => {
    const w = await world();
    await w.jobs.start();
    await w.clock.advance(10_000);
    w.calls[0]!.refuse(new Error('the action "backup-db" has risk: deny; nothing may run it'));
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({
      last_result: "failed",
      last_detail: 'backup-db was refused: the action "backup-db" has risk: deny; nothing may run it',
      running: false,
    });
    expect(await w.incidentStore.openIncidents()).toHaveLength(1);
  });

  it("an approval rejected or expired where no event reached this agent settles the job at the next look", async () => {
    const w = await world();
    await w.jobs.start();
    await w.clock.advance(10_000);
    w.calls[0]!.queue("ap-1");
    await w.settle();
    await w.jobs.checkWaiting();
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({ last_result: "waiting", running: true });
    // Rejected on another agent of the fleet: only the shared store says so.
    w.approvals.set("ap-1", {
      status: "rejected",
      run_id: null,
      decisions: [{ by: "olga", decision: "reject", note: "not tonight" }],
    });
    await w.jobs.checkWaiting();
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({
      last_result: "rejected",
      last_detail: "rejected by olga: not tonight",
      running: false,
    });
    // Heard both ways (the event here, then the look): recorded once.
    await w.bus.emit(
      "approval.decided",
      "backup-db",
      {
        approval_id: "ap-1",
        decision: "reject",
        note: "not tonight",
        status: "rejected",
        agent: "b",
        runs_on: "a",
      },
      "olga",
    );
    await w.jobs.checkWaiting();
    await w.settle();
    expect(w.of("job.finished")).toHaveLength(1);

    await w.clock.advance(10_000);
    w.calls[1]!.queue("ap-2");
    await w.settle();
    w.approvals.set("ap-2", { status: "expired", run_id: null });
    await w.jobs.checkWaiting();
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({ last_result: "expired", approval_id: "ap-2", running: false });
    expect(w.of("job.finished")).toHaveLength(2);
  });

  it("a run that waits for approval is in progress until it is decided; an expiry is a failure", async () => {
    const w = await world();
    await w.jobs.start();
    await w.clock.advance(10_000);
    w.calls[0]!.queue("ap-1");
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({ last_result: "waiting", approval_id: "ap-1", running: true });
    await w.clock.advance(10_000);
    expect(w.calls).toHaveLength(1);
    expect(w.of("job.skipped").at(-1)!.reason).toContain("is still waiting for approval (overlap: skip)");
    await w.bus.emit("approval.expired", "backup-db", {
      approval_id: "ap-1",
      action: "backup-db",
      reason: "nobody decided in time",
    });
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({
      last_result: "expired",
      last_detail: "the approval expired: nobody decided in time",
      running: false,
    });
    expect(await w.incidentStore.openIncidents()).toEqual([
      expect.objectContaining({ failure_class: "job_failed" }),
    ]);

    // The next one is approved: its run, by job:backup, settles the job and resolves the incident.
    await w.clock.advance(10_000);
    w.calls[1]!.queue("ap-2");
    await w.settle();
    await w.bus.emit(
      "action.finished",
      "backup-db",
      {
        action: "backup-db",
        run_id: "r-2",
        status: "succeeded",
        risk: "approve",
        exit_code: 0,
        duration_ms: 40,
        output: "",
      },
      "job:backup",
    );
    await w.settle();
    expect(w.jobs.list()[0]).toMatchObject({ last_result: "succeeded", run_id: "r-2", approval_id: "ap-2" });
    expect(await w.incidentStore.openIncidents()).toEqual([]);
  });

  it("while paused (or observing) no time starts a run, each is skipped with why; run now still runs", async () => {
    const w = await world();
    await w.jobs.start();
    w.hold("paused (the kill switch)");
    await w.clock.advance(10_000);
    await w.settle();
    expect(w.calls).toHaveLength(0);
    expect(w.of("job.skipped")).toEqual([
      {
        subject: "job:backup",
        actor: "vigil",
        scheduled_at: t0 + 10_000,
        reason: "paused (the kill switch)",
      },
    ]);
    w.jobs.runNow("backup", "alice");
    await w.settle();
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]!.req.reason).toBe("scheduled job backup, run now by alice");
    expect(w.of("job.started")).toEqual([
      { subject: "job:backup", actor: "alice", action: "backup-db", trigger: "manual", scheduled_at: null },
    ]);
    expect(() => w.jobs.runNow("backup", "alice")).toThrow(
      /the job backup is running since 2026-01-01T00:00:10.000Z/,
    );
    expect(() => w.jobs.runNow("nope", "alice")).toThrow('no job named "nope" (jobs: backup)');
  });

  it("at start, what was missed while down is audited; catch_up: once runs it once, none does not", async () => {
    const dir = tempDir("vigil-jobs-");
    const jobs = {
      hourly: job({ cron: "0 * * * *", catch_up: "once" }),
      daily: job({ cron: "30 2 * * *" }),
    };
    const first = await world({ dir, jobs });
    await first.jobs.start();
    await first.jobs.stop();
    // Down from 00:00 to 05:10: five hours and one 02:30 went by.
    const later = await world({ dir, jobs, start: t0 + 5 * 3_600_000 + 600_000 });
    await later.jobs.start();
    await later.settle();
    const missed = later.of("job.missed");
    expect(missed).toEqual([
      {
        subject: "job:hourly",
        actor: "vigil",
        count: 5,
        cap: 1000,
        first: t0 + 3_600_000,
        last: t0 + 5 * 3_600_000,
        catch_up: "once",
      },
      expect.objectContaining({ subject: "job:daily", count: 1, first: t0 + 9_000_000, catch_up: "none" }),
    ]);
    expect(later.calls.map((c) => c.action)).toEqual(["backup-db"]);
    expect(later.of("job.started")).toEqual([
      expect.objectContaining({
        subject: "job:hourly",
        trigger: "catch_up",
        scheduled_at: t0 + 5 * 3_600_000,
      }),
    ]);
    later.calls[0]!.finish("succeeded");
    await later.settle();
    await later.jobs.stop();
    // What was dealt with is not missed again at the next start.
    const again = await world({ dir, jobs, start: t0 + 5 * 3_600_000 + 700_000 });
    await again.jobs.start();
    await again.settle();
    expect(again.of("job.missed")).toEqual([]);
    expect(again.jobs.list().find((j) => j.name === "hourly")).toMatchObject({ last_result: "succeeded" });
  });

  it("a run cut off by the agent's stop is a failure at the next start", async () => {
    const dir = tempDir("vigil-jobs-");
    const first = await world({ dir });
    await first.jobs.start();
    await first.clock.advance(10_000);
    expect(first.calls).toHaveLength(1);
    await first.jobs.stop();
    // The gateway stops the run at the agent's stop; the job records nothing after its own stop.
    first.calls[0]!.finish("failed", { signal: "SIGTERM" });
    await first.settle();
    const next = await world({ dir, start: t0 + 15_000 });
    await next.jobs.start();
    await next.settle();
    expect(next.jobs.list()[0]).toMatchObject({
      last_result: "failed",
      last_detail: "the agent stopped before the run finished (see action.interrupted in the audit log)",
    });
    expect(await next.incidentStore.openIncidents()).toEqual([
      expect.objectContaining({ target: "job:backup", failure_class: "job_failed" }),
    ]);
  });

  it("a yearly time is waited for in slices under setTimeout's limit, and comes", async () => {
    const w = await world({ jobs: { yearly: job({ cron: "0 0 1 1 *" }) } });
    await w.jobs.start();
    const newYear = Date.UTC(2027, 0, 1) + new Date(Date.UTC(2027, 0, 1)).getTimezoneOffset() * 60_000;
    expect(w.jobs.list()[0]!.next_run).toBe(newYear);
    await w.clock.advance(newYear - t0 - 1);
    expect(w.calls).toHaveLength(0);
    await w.clock.advance(1);
    expect(w.calls).toHaveLength(1);
    expect(Math.max(...w.clock.waits)).toBeLessThanOrEqual(maxSliceMs);
    expect(maxSliceMs).toBeLessThan(2 ** 31 - 1);
  });

  it("a reload reschedules a changed job, schedules a new one and stops a removed one; stop leaves no timer", async () => {
    const w = await world({ jobs: { backup: job(), gone: job({ cron: "*/5 * * * * *" }) } });
    await w.jobs.start();
    expect(w.clock.active).toBe(2);
    w.config.jobs = { backup: job({ cron: "*/30 * * * * *" }), added: job({ cron: "0 * * * *" }) };
    await w.jobs.reload();
    expect(w.jobs.list().map((j) => [j.name, j.next_run])).toEqual([
      ["added", t0 + 3_600_000],
      ["backup", t0 + 30_000],
    ]);
    expect(w.clock.active).toBe(2);
    expect((await w.jobStore.list()).map((j) => j.name)).toEqual(["added", "backup"]);
    await w.clock.advance(29_000);
    expect(w.calls).toHaveLength(0);
    await w.clock.advance(1_000);
    expect(w.calls.map((c) => c.by.name)).toEqual(["job:backup"]);
    await w.jobs.stop();
    expect(w.clock.active).toBe(0);
    await w.clock.advance(3_600_000);
    expect(w.calls).toHaveLength(1);
  });
});
