/**
 * Healing inside guardrails. For each open incident the engine picks the next runbook step for its
 * failure class, acts through the gateway, and judges the step by whether the target recovers within
 * `verify_within`; the next step waits for `cooldown`. It stops and escalates (once per episode: see
 * `Incidents.rearmedAt`) when `max_attempts` is spent, when the hourly budget is, when no step
 * applies, or when a storm is behind a dependency; it holds a dependent's incident while its
 * dependency is down, and a flapping target's until it settles. Paused (the kill switch), silenced or
 * in observe mode it decides and records, and acts on nothing. Every attempt is written before it
 * acts, so after a `kill -9` nothing runs twice and the counters are intact.
 *
 * Owns: remediation decisions and attempts. Must not import: api, cli, app.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { Ticker } from "../core/ticker.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { flappingClass, type Incidents } from "../incidents/incidents.ts";
import type { AttemptRow, IncidentRow, IncidentStore } from "../store/incident-store.ts";
import { choose, tallies, type Step } from "./choose.ts";

export interface Guardrails {
  max_attempts: number;
  cooldown: number;
  verify_within: number;
  max_concurrent: number;
  max_actions_per_hour: number;
  order: "adaptive" | "as-written";
}

/** What acting on a step came to: it ran (and how), it waits for a person, or it could not start. */
export type Acted =
  | { kind: "ran"; ok: boolean; detail: string; runId?: string }
  | { kind: "queued"; approvalId: string; detail: string };

/** What became of a run or an approval the engine is waiting on. */
export type Followed =
  | { kind: "pending" }
  | { kind: "ran"; ok: boolean; detail: string; runId?: string; at: number }
  | { kind: "refused"; detail: string };

export interface RemediationDeps {
  store: IncidentStore;
  incidents: Incidents;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  guardrails: () => Guardrails;
  runbook: (target: string) => readonly Step[];
  riskOf: (action: string) => string;
  /** Why automatic action is off right now ("paused", "observe mode", "silenced until ..."), or undefined. */
  holdReason: (target: string) => string | undefined;
  /** True while something else is already acting on the target: the engine waits, records nothing. */
  busy?: (incident: IncidentRow) => boolean;
  act: (step: Step, incident: IncidentRow, reason: string) => Promise<Acted>;
  follow: (attempt: AttemptRow) => Promise<Followed>;
  random?: () => number;
  tickMs?: number;
}

export class Remediation {
  readonly #d: RemediationDeps;
  readonly #ticker: Ticker;
  /** Incidents whose hold (pause, observe, silence) is already recorded, by reason. */
  readonly #heldNoted = new Map<string, string>();
  readonly #running = new Set<string>();
  readonly #resolvedWaiting = new Map<string, IncidentRow>();

  constructor(deps: RemediationDeps) {
    this.#d = deps;
    this.#ticker = new Ticker(
      deps.clock,
      deps.tickMs ?? 1_000,
      () => this.#passOnce(),
      (err) => deps.log.error({ err }, "remediation pass failed"),
    );
    deps.incidents.onResolved((i) => void this.#track(this.#resolved(i)));
    deps.incidents.onOpened(() => this.poke());
  }

  /** At start: attempts a previous agent left running are interrupted, never re-run. */
  async recover(): Promise<void> {
    for (const a of await this.#d.store.interruptRunning(this.#d.clock.now())) {
      this.#d.log.warn(
        { incident: a.incident_id, action: a.action },
        "remediation attempt interrupted by a stop",
      );
    }
  }

  start(): void {
    this.#ticker.start();
  }

  async stop(): Promise<void> {
    await this.#ticker.stop();
    await Promise.all([...this.#tracked]);
  }

  /** Looks at every open incident soon (an incident opened, a hold lifted). */
  poke(): void {
    if (!this.#ticker.stopped) void this.pass();
  }

  /** One look at every open incident; concurrent calls share one pass. */
  pass(): Promise<void> {
    return this.#ticker.run();
  }

  async #passOnce(): Promise<void> {
    await this.#d.incidents.settled();
    for (const incident of this.#d.incidents.open()) {
      if (this.#ticker.stopped) return;
      await this.#consider(incident);
    }
    for (const incident of [...this.#resolvedWaiting.values()]) await this.#settleResolved(incident);
  }

  async #consider(incident: IncidentRow): Promise<void> {
    const { store, clock, incidents } = this.#d;
    if (incident.escalated || incident.status !== "open" || this.#running.has(incident.id)) return;
    if (incident.linked_to) return;
    // Nothing to choose for a flapping target, and nothing to escalate: it waits until it settles.
    if (incident.failure_class === flappingClass) return this.#noteHeldOnce(incident, "flapping");
    const g = this.#d.guardrails();
    const attempts = await store.attempts(incident.id);
    const last = attempts.at(-1);
    const now = clock.now();
    if (last?.status === "waiting") return this.#followUp(incident, last, g);
    if (last?.status === "running") return;
    if (this.#d.busy?.(incident)) return;
    // An interrupted attempt counts: it may have acted before the agent stopped. After a relapse that
    // re-armed an escalated incident, only this episode's attempts count (see Incidents.rearmedAt).
    const since = incidents.rearmedAt(incident.id);
    const counted = since === undefined ? attempts : attempts.filter((a) => a.started_at >= since);
    if (counted.length >= g.max_attempts) {
      return incidents.escalate(
        incident,
        `${counted.length} of max_attempts ${g.max_attempts} tried; the target has not recovered`,
      );
    }
    if (last?.finished_at && now - last.finished_at < g.cooldown) return;

    // A hold already recorded for this incident: nothing new to decide, no reads to repeat.
    const hold = this.#d.holdReason(incident.target);
    if (hold !== undefined && this.#heldNoted.get(incident.id) === hold) return;
    const choice = choose({
      steps: this.#d.runbook(incident.target),
      failureClass: incident.failure_class,
      order: g.order,
      tried: counted.map((a) => a.action),
      history: tallies(
        await store
          .finishedAttempts(500, incident.target)
          .then((rows) => rows.filter((r) => r.failure_class === incident.failure_class)),
      ),
      riskOf: this.#d.riskOf,
      random: this.#d.random ?? Math.random,
    });
    if (!choice) {
      return incidents.escalate(
        incident,
        `no runbook step applies to ${incident.failure_class}; a person must look`,
      );
    }
    const what = `${choice.step.action} ${incident.target}`;
    if (hold !== undefined) {
      this.#heldNoted.set(incident.id, hold);
      await incidents.note(incident, "held", `${hold}: would ${what}; ${choice.explanation}`);
      await this.#d.bus.emit("remediation.decided", incident.target, {
        incident_id: incident.id,
        action: choice.step.action,
        attempt: counted.length + 1,
        executed: false,
        explanation: `${hold}: would ${what}: ${choice.explanation}`,
      });
      return;
    }
    this.#heldNoted.delete(incident.id);
    if (this.#running.size >= g.max_concurrent) return;
    const hourly = await store.countAttemptsSince(now - 3_600_000);
    if (hourly >= g.max_actions_per_hour) {
      return incidents.escalate(
        incident,
        `the hourly budget of ${g.max_actions_per_hour} actions is spent; not acting`,
      );
    }
    this.#running.add(incident.id);
    try {
      await this.#attempt(incident, choice.step, choice.explanation, counted.length + 1);
    } finally {
      this.#running.delete(incident.id);
    }
  }

  /** Records once per incident and reason that it is held, without deciding anything. */
  async #noteHeldOnce(incident: IncidentRow, reason: string): Promise<void> {
    if (this.#heldNoted.get(incident.id) === reason) return;
    this.#heldNoted.set(incident.id, reason);
    await this.#d.incidents.note(incident, "held", `${reason}: remediation waits until it settles`);
  }

  async #attempt(incident: IncidentRow, step: Step, explanation: string, n: number): Promise<void> {
    const { store, clock, bus, incidents } = this.#d;
    const attempt: AttemptRow = {
      id: randomUUID(),
      incident_id: incident.id,
      target: incident.target,
      failure_class: incident.failure_class,
      action: step.action,
      status: "running",
      detail: explanation,
      run_id: null,
      approval_id: null,
      started_at: clock.now(),
      acted_at: null,
      finished_at: null,
      recovered_ms: null,
    };
    // Written before acting: a crash from here on leaves an interrupted attempt, never a second run.
    await store.insertAttempt(attempt);
    await incidents.note(incident, "attempt", `${n}: ${step.action} (${explanation})`);
    await bus.emit("remediation.decided", incident.target, {
      incident_id: incident.id,
      action: step.action,
      attempt: n,
      executed: true,
      explanation,
    });
    const reason = `incident ${incident.id}: ${incident.target} ${incident.failure_class}, attempt ${n}`;
    let acted: Acted;
    try {
      acted = await this.#d.act(step, incident, reason);
    } catch (e) {
      acted = { kind: "ran", ok: false, detail: (e as Error).message };
    }
    if (acted.kind === "queued") {
      await store.updateAttempt({
        ...attempt,
        status: "waiting",
        approval_id: acted.approvalId,
        detail: acted.detail,
      });
      await incidents.note(incident, "approval", acted.detail);
      return;
    }
    await this.#ran(
      incident,
      { ...attempt, run_id: acted.runId ?? null },
      acted.ok,
      acted.detail,
      clock.now(),
    );
  }

  /** A step ran: a failure counts at once; a success waits for the target to recover. */
  async #ran(
    incident: IncidentRow,
    attempt: AttemptRow,
    ok: boolean,
    detail: string,
    at: number,
  ): Promise<void> {
    if (!ok) return this.#finish(incident, attempt, "failed", `the action failed: ${detail}`);
    if (incident.status !== "open") {
      return this.#finish(incident, { ...attempt, acted_at: at }, "succeeded", detail);
    }
    await this.#d.store.updateAttempt({ ...attempt, status: "waiting", acted_at: at, detail });
  }

  async #followUp(incident: IncidentRow, attempt: AttemptRow, g: Guardrails): Promise<void> {
    const now = this.#d.clock.now();
    if (attempt.acted_at === null) {
      const f = await this.#d.follow(attempt);
      if (f.kind === "pending") return;
      if (f.kind === "refused") return this.#finish(incident, attempt, "failed", f.detail);
      return this.#ran(incident, { ...attempt, run_id: f.runId ?? attempt.run_id }, f.ok, f.detail, f.at);
    }
    if (now - attempt.acted_at >= g.verify_within) {
      await this.#finish(
        incident,
        attempt,
        "failed",
        `${incident.target} did not recover within verify_within (${g.verify_within} ms)`,
      );
    }
  }

  async #resolved(incident: IncidentRow): Promise<void> {
    this.#heldNoted.delete(incident.id);
    const attempts = await this.#d.store.attempts(incident.id);
    const last = attempts.at(-1);
    if (last?.status !== "waiting") return;
    if (last.acted_at !== null)
      return this.#finish(incident, last, "succeeded", `${incident.target} recovered`);
    // Still waiting on its approved run: followed up by the passes until that run has finished.
    this.#resolvedWaiting.set(incident.id, incident);
  }

  /** A resolved incident whose last attempt waited on an approved run: the run's outcome decides. */
  async #settleResolved(incident: IncidentRow): Promise<void> {
    const last = (await this.#d.store.attempts(incident.id)).at(-1);
    if (last?.status !== "waiting") return void this.#resolvedWaiting.delete(incident.id);
    const f = await this.#d.follow(last);
    if (f.kind === "pending") return;
    this.#resolvedWaiting.delete(incident.id);
    if (f.kind === "refused") return this.#finish(incident, last, "failed", f.detail);
    await this.#ran(incident, { ...last, run_id: f.runId ?? last.run_id }, f.ok, f.detail, f.at);
  }

  async #finish(
    incident: IncidentRow,
    attempt: AttemptRow,
    outcome: "succeeded" | "failed",
    detail: string,
  ): Promise<void> {
    const now = this.#d.clock.now();
    const recovered = outcome === "succeeded" && attempt.acted_at !== null ? now - attempt.acted_at : null;
    await this.#d.store.updateAttempt({
      ...attempt,
      status: outcome,
      detail,
      finished_at: now,
      recovered_ms: recovered,
    });
    await this.#d.incidents.note(incident, outcome, `${attempt.action}: ${detail}`);
    await this.#d.bus.emit("remediation.finished", incident.target, {
      incident_id: incident.id,
      action: attempt.action,
      outcome,
      detail,
      recovered_ms: recovered,
    });
  }

  readonly #tracked = new Set<Promise<void>>();
  #track(p: Promise<void>): Promise<void> {
    const q = p.catch((err: unknown) => this.#d.log.error({ err }, "remediation follow-up failed"));
    this.#tracked.add(q);
    void q.finally(() => this.#tracked.delete(q));
    return q;
  }
}
