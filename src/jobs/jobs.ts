/**
 * Scheduled jobs: each entry of `jobs:` runs its action when its cron says, through the gateway as
 * `job:<name>` (risk tiers, approvals and the audit log as for anyone else), within the job's
 * `timeout`. A job still in progress at its next time follows `overlap`: skip that time (audited
 * `job.skipped`) or queue one run behind it. While paused or in observe mode no job starts by itself
 * (skipped, audited); a person's "run now" still runs. A run that fails (or whose approval expires)
 * opens an incident of class `job_failed`, which people are told of; the next run that succeeds
 * resolves it. The last scheduled time each job dealt with is stored, so the start after a downtime
 * records what was missed (`job.missed`) and, with `catch_up: once`, runs it once.
 *
 * Timers come from the agent's clock (wake.ts slices long waits); croner only computes the times.
 *
 * Owns: job schedules, runs and their state. Must not import: api, cli, app.
 */
import type { Clock } from "../core/clock.ts";
import { cronSchedule, nextAfter } from "../core/cron-schedule.ts";
import { Ticker } from "../core/ticker.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus, EventMap } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { ActionRequest, RequestOutcome, Requester } from "../gateway/types.ts";
import type { JobStatus, JobStore } from "../store/job-store.ts";
import { jobView, newEntry, type Entry, type JobConfig, type JobView } from "./entry.ts";
import { missedBetween, missedCap } from "./missed.ts";
import { outcomeOf } from "./outcome.ts";
import { recoveryOf, type Lookups } from "./recover.ts";
import { listenForSettlements, type Settle } from "./settlements.ts";
import { wakeAt } from "./wake.ts";

export type { JobConfig, JobView } from "./entry.ts";

/** The incident class of a job whose run failed. */
export const jobFailedClass = "job_failed";

/** What a job is called where targets are named: incidents, events, the run's `requested_by`. */
export const jobSubject = (name: string): string => `job:${name}`;

/** `approval`, `run` (Lookups): at start, what became of an approval a job waited on when the agent stopped. */
export interface JobsDeps extends Lookups {
  store: JobStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** The jobs as the config says now (a reload applies at `reload()`). */
  jobs: () => Record<string, JobConfig>;
  /** The gateway's door. */
  request: (action: string, req: ActionRequest, by: Requester) => Promise<RequestOutcome>;
  /** Why jobs must not start by themselves now (paused, observe mode), or undefined. */
  held: () => string | undefined;
  incidents: {
    raise(subject: string, cls: string, detail: string): Promise<void>;
    clear(subject: string, detail: string): Promise<void>;
  };
  /** Longest single timer wait (wake.ts); tests shorten it. */
  sliceMs?: number;
  /**
   * How often the approvals jobs wait on are looked up (a fleet: another agent may decide or expire
   * one, and its event is on that agent's bus only); undefined: never, the events say it all.
   */
  watchMs?: number | undefined;
}

type Trigger = EventMap["job.started"]["trigger"];

const iso = (ms: number | null) => (ms === null ? "?" : new Date(ms).toISOString());

export class Jobs {
  readonly #d: JobsDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #tracked = new Set<Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];
  #watch: Ticker | undefined;
  #stopped = false;

  constructor(deps: JobsDeps) {
    this.#d = deps;
  }

  /**
   * Loads each job's stored state, finishes what a previous agent left (a run cut off by the stop,
   * an approval decided meanwhile), records what was missed, and arms the timers.
   */
  async start(): Promise<void> {
    const { store } = this.#d;
    const rows = new Map((await store.list()).map((r) => [r.name, r]));
    const configured = this.#d.jobs();
    for (const name of rows.keys()) if (!Object.hasOwn(configured, name)) await store.remove(name);
    for (const [name, config] of Object.entries(configured)) {
      const e = newEntry(name, config, rows.get(name), this.#d.clock.now());
      this.#entries.set(name, e);
      if (!rows.has(name)) await this.#save(e);
    }
    this.#listen();
    for (const e of this.#entries.values()) {
      await this.#recover(e);
      await this.#recordMissed(e);
      this.#arm(e);
    }
    const { watchMs, clock, log } = this.#d;
    if (watchMs === undefined || this.#stopped) return;
    this.#watch = new Ticker(
      clock,
      watchMs,
      () => this.checkWaiting(),
      (err) => log.error({ err }, "the approvals jobs wait on were not looked up; the next pass tries again"),
    );
    this.#watch.start();
  }

  /**
   * Settles the jobs whose approval was decided or expired where this agent did not hear it (another
   * agent of the fleet): as the local event would, from what the store says now.
   */
  async checkWaiting(): Promise<void> {
    for (const e of this.#entries.values()) {
      const id = e.row.approval_id;
      if (e.row.status !== "waiting" || id === null) continue;
      const r = await recoveryOf(e.row, this.#d);
      // The local event may have settled it while the store was asked.
      if (r === "busy" || !r || e.row.status !== "waiting" || e.row.approval_id !== id) continue;
      this.#track(this.#finish(e, r.status, r));
    }
  }

  /** Applies the config as it is now: new jobs are scheduled, changed ones rescheduled, removed ones stop. */
  async reload(): Promise<void> {
    if (this.#stopped) return;
    const configured = this.#d.jobs();
    for (const [name, e] of this.#entries) {
      if (Object.hasOwn(configured, name)) continue;
      // A run in progress finishes through the gateway; nothing more is recorded of the job.
      e.removed = true;
      e.timer?.cancel();
      this.#entries.delete(name);
      await this.#d.store.remove(name);
    }
    for (const [name, config] of Object.entries(configured)) {
      const e = this.#entries.get(name);
      if (!e) {
        const added = newEntry(name, config, undefined, this.#d.clock.now());
        this.#entries.set(name, added);
        await this.#save(added);
        this.#arm(added);
        continue;
      }
      e.config = config;
      e.schedule = cronSchedule(config.cron, config.timezone);
      this.#arm(e);
    }
  }

  /**
   * Timers and listeners stop; nothing new starts. A run in progress is not waited for: the gateway
   * stops it, and the next start records it as cut off (its row still says running).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const e of this.#entries.values()) e.timer?.cancel();
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#watch?.stop();
  }

  /** Every job, by name. */
  list(): JobView[] {
    return [...this.#entries.values()].sort((a, b) => a.name.localeCompare(b.name)).map(jobView);
  }

  /** Runs a job now, for a person (`by`): CONFLICT while one of its runs is in progress. */
  runNow(name: string, by: string): JobView {
    const e = this.#entries.get(name);
    if (!e) {
      const names = [...this.#entries.keys()];
      throw new VigilError(
        "NOT_FOUND",
        `no job named "${name.slice(0, 80)}" (jobs: ${names.length > 0 ? names.join(", ") : "none"})`,
      );
    }
    if (this.#stopped) throw new VigilError("CONFLICT", "the agent is stopping; no job starts now");
    if (e.busy) {
      throw new VigilError(
        "CONFLICT",
        `the job ${name} is ${e.row.status === "waiting" ? "waiting for approval" : "running"} since ${iso(e.row.started_at)}; run it again once that has finished`,
      );
    }
    this.#track(this.#run(e, "manual", null, by));
    return jobView(e);
  }

  /** The timer for the job's next time after the later of now and the last time it dealt with. */
  #arm(e: Entry): void {
    e.timer?.cancel();
    e.timer = undefined;
    if (this.#stopped || e.removed) return;
    e.next = nextAfter(e.schedule, Math.max(e.row.scheduled_at, this.#d.clock.now()));
    const at = e.next;
    if (at === undefined) return;
    e.timer = wakeAt(
      this.#d.clock,
      at,
      () => {
        e.timer = undefined;
        this.#track(this.#due(e, at, "schedule"));
        this.#arm(e);
      },
      this.#d.sliceMs,
    );
  }

  /** A time the schedule names (or the catch-up of missed ones) has come. */
  async #due(e: Entry, at: number, trigger: Trigger): Promise<void> {
    // Set before anything waits: the timer is re-armed from it at once.
    e.row = { ...e.row, scheduled_at: at };
    const held = this.#d.held();
    if (held !== undefined) return this.#skip(e, at, held);
    if (!e.busy) return this.#run(e, trigger, at, "vigil");
    if (e.config.overlap === "queue" && e.queued === undefined) {
      e.queued = at;
      await this.#save(e);
      await this.#d.bus.emit("job.queued", jobSubject(e.name), { scheduled_at: at });
      return;
    }
    const what = e.row.status === "waiting" ? "waiting for approval" : "running";
    await this.#skip(
      e,
      at,
      e.queued !== undefined
        ? `a run is already queued behind the one ${what} since ${iso(e.row.started_at)} (overlap: queue holds one)`
        : `the run started at ${iso(e.row.started_at)} is still ${what} (overlap: skip)`,
    );
  }

  async #skip(e: Entry, at: number, reason: string): Promise<void> {
    await this.#save(e);
    await this.#d.bus.emit("job.skipped", jobSubject(e.name), { scheduled_at: at, reason });
  }

  /** One run through the gateway; its outcome is recorded now, or when its approval is decided. */
  async #run(e: Entry, trigger: Trigger, at: number | null, by: string): Promise<void> {
    if (this.#stopped || e.removed) return;
    const { bus, clock } = this.#d;
    const subject = jobSubject(e.name);
    e.busy = true;
    e.row = {
      ...e.row,
      started_at: clock.now(),
      finished_at: null,
      status: "running",
      run_id: null,
      approval_id: null,
      detail: null,
    };
    const c = e.config;
    try {
      await this.#save(e);
      await bus.emit("job.started", subject, { action: c.action, trigger, scheduled_at: at }, by);
    } catch (err) {
      // The store or the audit log failed: the job must not stay busy for ever.
      this.#d.log.error({ err, job: e.name }, "a job run could not be recorded; it did not start");
      e.busy = false;
      return;
    }
    const reason = `scheduled job ${e.name}${trigger === "manual" ? `, run now by ${by}` : ""}`;
    // The run may take its whole timeout: what it comes to is recorded when it ends, not waited for here.
    this.#d
      .request(c.action, { params: c.params, reason, target: c.target }, { name: subject, role: "operator" })
      .then(
        (outcome) => this.#track(this.#started(e, outcome)),
        (err: unknown) =>
          this.#track(
            this.#finish(e, "failed", { detail: `${c.action} was refused: ${(err as Error).message}` }),
          ),
      );
  }

  /** The gateway ran it (and it is over), or queued it for approval. */
  async #started(e: Entry, outcome: RequestOutcome): Promise<void> {
    if (outcome.kind === "ran") {
      const ok = outcome.run.status === "succeeded";
      return this.#finish(e, ok ? "succeeded" : "failed", {
        runId: outcome.run.id,
        detail: outcomeOf(outcome.run),
      });
    }
    if (this.#stopped || e.removed) return;
    const approval = outcome.approval.id;
    e.row = {
      ...e.row,
      status: "waiting",
      approval_id: approval,
      detail: `waiting for approval ${approval}`,
    };
    await this.#save(e);
  }

  /** A run's outcome: recorded, audited, an incident opened or resolved, and a queued run started. */
  async #finish(
    e: Entry,
    status: JobStatus,
    r: { detail: string; runId?: string | null; approvalId?: string | null },
  ): Promise<void> {
    // After the stop the row keeps saying running: the next start records the run as cut off.
    if (this.#stopped || e.removed) return;
    const { bus, clock, incidents } = this.#d;
    const subject = jobSubject(e.name);
    e.busy = false;
    e.row = {
      ...e.row,
      status,
      finished_at: clock.now(),
      run_id: r.runId ?? e.row.run_id,
      approval_id: r.approvalId ?? e.row.approval_id,
      detail: r.detail,
    };
    await this.#save(e);
    await bus.emit("job.finished", subject, {
      action: e.config.action,
      status,
      run_id: e.row.run_id,
      approval_id: e.row.approval_id,
      detail: r.detail,
    });
    if (status === "failed" || status === "expired")
      await incidents.raise(subject, jobFailedClass, `the job ${e.name} ${status}: ${r.detail}`);
    if (status === "succeeded") await incidents.clear(subject, `the job ${e.name} succeeded: ${r.detail}`);
    const queued = e.queued;
    if (queued === undefined) return;
    e.queued = undefined;
    const held = this.#d.held();
    if (held !== undefined) return this.#skip(e, queued, held);
    this.#track(this.#run(e, "queued", queued, "vigil"));
  }

  /** At start: a run the previous agent was in the middle of, or an approval it waited on. */
  async #recover(e: Entry): Promise<void> {
    const r = await recoveryOf(e.row, this.#d);
    if (r === "busy") e.busy = true;
    else if (r) await this.#finish(e, r.status, r);
  }

  /** At start: the times named while the agent was down, audited; run once with `catch_up: once`. */
  async #recordMissed(e: Entry): Promise<void> {
    const missed = missedBetween(e.schedule, e.row.scheduled_at, this.#d.clock.now());
    if (!missed) return;
    const catchUp = e.config.catch_up;
    await this.#d.bus.emit("job.missed", jobSubject(e.name), {
      count: missed.count,
      cap: missedCap,
      first: missed.first,
      last: missed.last,
      catch_up: catchUp,
    });
    if (catchUp === "once") {
      this.#track(this.#due(e, missed.last, "catch_up"));
      return;
    }
    e.row = { ...e.row, scheduled_at: missed.last };
    await this.#save(e);
  }

  /** Approved runs, rejections and expiries of the approvals jobs wait on (settlements.ts). */
  #listen(): void {
    const settle = (e: Entry | undefined): Settle | undefined =>
      e?.row.status === "waiting" ? (status, r) => this.#track(this.#finish(e, status, r)) : undefined;
    const byApproval = (id: string) =>
      [...this.#entries.values()].find((x) => x.row.status === "waiting" && x.row.approval_id === id);
    this.#unsubscribe.push(
      ...listenForSettlements(this.#d.bus, {
        job: (name) => settle(this.#entries.get(name)),
        approval: (id) => settle(byApproval(id)),
      }),
    );
  }

  async #save(e: Entry): Promise<void> {
    if (!e.removed) await this.#d.store.save(e.row);
  }

  #track(p: Promise<void>): void {
    const done = p.catch((err: unknown) => this.#d.log.error({ err }, "a scheduled job failed to record"));
    this.#tracked.add(done);
    void done.finally(() => this.#tracked.delete(done));
  }

  /** Waits for what is being recorded now (tests). */
  async settled(): Promise<void> {
    for (let i = 0; i < 100 && this.#tracked.size > 0; i++) await Promise.allSettled([...this.#tracked]);
  }
}
