/**
 * Incidents: a target that goes down (or that the supervisor gave up on, or that starts flapping)
 * opens one, keyed by target and failure class, with a timeline of everything that happens to it. It
 * resolves when the target is up again (the state machine has already applied `recover_after`); a
 * relapse of the same key within `relapseWindowMs` reopens the same incident, so attempt counters
 * carry on instead of starting over. An escalation belongs to the episode it was made in: a relapse
 * after an escalated episode is a new fact that people are told of, and automatic action is re-armed
 * for it (`rearmedAt`) rather than left off by a call that the recovery has since answered.
 * A target whose dependency (`depends_on`) has an open incident is linked to it: a storm behind one
 * failed dependency is one problem, escalated once.
 *
 * Owns: incident state and timelines. Must not import: api, cli, app, remediation.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { EventBus, EventMap, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { IncidentRow, IncidentStatus, IncidentStore, TimelineRow } from "../store/incident-store.ts";
import { announce, announcement, announceLeftovers, type Announcement } from "../core/announce.ts";
import { linkDependencies } from "./links.ts";
import type { TargetState } from "./target-state.ts";
import { view, type IncidentView } from "./view.ts";

export type { IncidentView } from "./view.ts";

export interface IncidentsDeps {
  store: IncidentStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** The target's current failure class (from its last result). */
  failureClass: (target: string) => string;
  /** The services a target depends on. */
  dependsOn: (target: string) => readonly string[];
  /** Tells the targets view which incident a target has open. */
  show: (target: string, id: string | null) => void;
  /** More to say when an incident opens (who holds the port ...). */
  context?: (target: string, failureClass: string) => string | undefined;
  relapseWindowMs?: number;
  /** Dependents down behind one dependency that make a storm. */
  stormSize?: number;
  /** The newest `limit` events, oldest first: where a restart looks for what it announced (core/announce.ts). */
  recentEvents: (limit: number) => Promise<StoredEvent[]>;
}

const downStates: ReadonlySet<TargetState> = new Set(["down", "failed"]);

/**
 * The class of an incident whose target is flapping. Not a probe's failure class (no reading says
 * it, and no runbook step may name it): remediation waits until the target settles, then the
 * incident takes the class of the failure it settled into.
 */
export const flappingClass = "flapping";

const gaveUp = "the supervisor gave up restarting it (restart budget spent)";

export class Incidents {
  readonly #d: IncidentsDeps;
  /** Open incidents by target: at most one open per target at a time. */
  readonly #open = new Map<string, IncidentRow>();
  readonly #resolvedListeners = new Set<(i: IncidentRow) => void>();
  readonly #openedListeners = new Set<(i: IncidentRow) => void>();
  /** When automatic action was re-armed on a reopened incident that had been escalated, by incident. */
  readonly #rearmed = new Map<string, number>();
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: IncidentsDeps) {
    this.#d = deps;
    // A target's result flips (passing ↔ failing, or a new failure) belong on its incident's timeline.
    deps.bus.on("check.result", async (e) => {
      const open = this.#open.get(e.subject);
      if (!open) return;
      const r = JSON.parse(e.payload) as { ok: boolean; explanation: string };
      await this.note(open, "result", r.ok ? "check passed" : r.explanation);
    });
    // Who was told, and when, belongs there too (the incident may be resolved by then).
    deps.bus.on("notification.sent", async (e) => {
      const n = JSON.parse(e.payload) as EventMap["notification.sent"];
      for (const t of n.told) {
        if (!t.incident_id) continue;
        await deps.store.addTimeline({
          incident_id: t.incident_id,
          ts: e.ts,
          kind: "notified",
          detail: `${t.kind} sent to ${n.channel}`,
        });
      }
    });
  }

  /**
   * Restores this agent's open incidents after a restart, and announces the changes a stop left
   * untold. Not those of `shared` (a fleet's shared checks): which agent goes on with each is not
   * known yet, and the one that takes the check takes its incident with it (`adopt`).
   */
  async load(shared: ReadonlySet<string> = new Set()): Promise<void> {
    await announceLeftovers(this.#d, this.#d.store);
    for (const i of await this.#d.store.openIncidents()) {
      if (shared.has(i.target)) continue;
      this.#open.set(i.target, i);
      this.#d.show(i.target, i.id);
      if (i.reopened === 0) continue;
      const rearmed = (await this.#d.store.timeline(i.id)).filter((t) => t.kind === "rearmed").at(-1);
      if (rearmed) this.#rearmed.set(i.id, rearmed.ts);
    }
  }

  /**
   * Shared checks this agent took over: the incident open on each in the store (opened by the agent
   * that ran it before) goes on here, the same row, rather than a second one opening beside it.
   */
  adopt(targets: readonly string[]): Promise<void> {
    return this.#enqueue("shared checks", async () => {
      const wanted = new Set(targets);
      // Whoever's they were: the agent that ran the check before may be gone.
      const open = (await this.#d.store.openIncidents(true)).filter((i) => wanted.has(i.target));
      for (const t of targets) this.#open.delete(t);
      for (const i of open) this.#open.set(i.target, i);
      for (const t of targets) this.#d.show(t, this.#open.get(t)?.id ?? null);
    });
  }

  /**
   * A step another agent was running on an incident now held here (a shared check taken over), and
   * that agent is not among `live`: it died mid-step, so the step is interrupted rather than waited
   * on. Called at each look at the fleet, as the agent may die after the check moved here.
   */
  interruptOrphaned(live: readonly string[]): Promise<void> {
    return this.#enqueue("orphaned steps", async () => {
      const { store, clock, log } = this.#d;
      const held = new Set([...this.#open.values()].map((i) => i.id));
      for (const a of await store.interruptOrphaned(held, live, clock.now()))
        log.warn(
          { incident: a.incident_id, action: a.action },
          "remediation step interrupted: its agent died",
        );
    });
  }

  /** Shared checks another agent runs now: what is open on them is that agent's to go on with. */
  release(targets: readonly string[]): void {
    for (const t of targets) this.#open.delete(t);
  }

  /**
   * When the incident's current episode began for the guardrails: automatic action was re-armed at a
   * relapse after an escalation. Undefined when every attempt on it counts.
   */
  rearmedAt(incidentId: string): number | undefined {
    return this.#rearmed.get(incidentId);
  }

  open(): IncidentRow[] {
    return [...this.#open.values()];
  }

  openFor(target: string): IncidentRow | undefined {
    return this.#open.get(target);
  }

  onResolved(fn: (i: IncidentRow) => void): void {
    this.#resolvedListeners.add(fn);
  }

  onOpened(fn: (i: IncidentRow) => void): void {
    this.#openedListeners.add(fn);
  }

  /**
   * A target changed state. Calls are applied one at a time in order; returns when this one has
   * been applied (the caller may ignore it: errors are logged, never thrown).
   */
  stateChanged(target: string, change: { from: TargetState; to: TargetState }): Promise<void> {
    return this.#enqueue(target, () => this.#apply(target, change));
  }

  /**
   * Something that is not a target failed (a scheduled job, subject `job:<name>`): an incident of
   * class `cls` opens for it, or, when one is open, the failure goes on its timeline. Applied in
   * order with the state changes.
   */
  raise(subject: string, cls: string, detail: string): Promise<void> {
    return this.#enqueue(subject, async () => {
      const open = this.#open.get(subject);
      if (open) return this.note(open, "failed", detail);
      await this.#apply(subject, { from: "up", to: "down" }, { cls, detail });
    });
  }

  /** What `raise` opened is fine again: its open incident resolves, saying why. */
  clear(subject: string, detail: string): Promise<void> {
    return this.#enqueue(subject, async () => {
      if (this.#open.has(subject))
        await this.#apply(subject, { from: "down", to: "up" }, { cls: "", detail });
    });
  }

  /**
   * At start: the open incidents of targets taken out of the config while the agent was stopped
   * close, as a reload's removal closes them, rather than stay open (and escalated, and reminded of
   * every repeat_interval) for a target nothing checks any more.
   */
  async closeGone(configured: (target: string) => boolean): Promise<void> {
    for (const i of this.open())
      if (!configured(i.target)) await this.clear(i.target, `${i.target} is no longer in the config`);
  }

  #enqueue(target: string, fn: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain
      .then(fn)
      .catch((err: unknown) => this.#d.log.error({ err, target }, "incident update failed"));
    return this.#chain;
  }

  /** Waits for every state change handed in so far. */
  settled(): Promise<void> {
    return this.#chain;
  }

  async note(incident: IncidentRow, kind: string, detail: string): Promise<void> {
    await this.#d.store.addTimeline({ incident_id: incident.id, ts: this.#d.clock.now(), kind, detail });
  }

  /**
   * Stops automatic action on the incident and calls a person: once per incident. `gaveUp`: the
   * supervisor stopped restarting the service, which stays down (its event says so: told at once).
   */
  async escalate(incident: IncidentRow, reason: string, gaveUp = false): Promise<void> {
    if (incident.escalated) return;
    incident.escalated = 1;
    incident.escalation = reason;
    const escalated = { incident_id: incident.id, reason, ...(gaveUp ? { gave_up: true as const } : {}) };
    const { store, clock } = this.#d;
    const told = announcement("incident.escalated", escalated, clock.now());
    await store.updateIncident(incident, told);
    await this.note(incident, "escalated", reason);
    await this.#announce(incident, told);
  }

  /** Emits the event the change was written with, then has the store forget it (core/announce.ts). */
  #announce(incident: IncidentRow, told: Announcement): Promise<void> {
    return announce(this.#d.bus, incident.target, told, () => this.#d.store.announced(incident.id));
  }

  async list(status: IncidentStatus | undefined, limit: number): Promise<IncidentView[]> {
    return (await this.#d.store.listIncidents(status, limit)).map((i) => view(i));
  }

  async get(id: string): Promise<IncidentView | undefined> {
    const i = await this.#d.store.getIncident(id);
    if (!i) return undefined;
    const timeline: TimelineRow[] = await this.#d.store.timeline(id);
    return view(i, await this.#d.store.attempts(id), timeline);
  }

  /** `given`: the class and what happened, for what is not a target (`raise`, `clear`). */
  async #apply(
    target: string,
    change: { from: TargetState; to: TargetState },
    given?: { cls: string; detail: string },
  ): Promise<void> {
    const { store, clock, bus } = this.#d;
    const now = clock.now();
    const current = this.#open.get(target);
    if (change.to === "up" && current) {
      current.status = "resolved";
      current.resolved_at = now;
      const resolved = {
        incident_id: current.id,
        duration_ms: now - current.opened_at,
        // Closed for another reason than a recovery (the target is gone): said, not "up again".
        ...(given?.detail ? { detail: given.detail } : {}),
      };
      const told = announcement("incident.resolved", resolved, now);
      await store.updateIncident(current, told);
      await this.note(current, "resolved", given?.detail ?? `${target} is up again`);
      this.#open.delete(target);
      this.#d.show(target, null);
      await this.#announce(current, told);
      for (const fn of this.#resolvedListeners) fn(current);
      return;
    }
    const flapping = change.to === "flapping";
    if (!downStates.has(change.to) && !flapping) {
      if (current) await this.note(current, "state", `${change.from} → ${change.to}`);
      return;
    }
    const known = given?.cls ?? this.#d.failureClass(target);
    const cls = flapping
      ? flappingClass
      : change.to === "failed" && known !== "port_in_use"
        ? "process_exited"
        : known;
    // A port held by someone else is for a person to free (free-port, approve-tier), not an escalation.
    const givenUp = change.to === "failed" && cls !== "port_in_use";
    if (current) {
      if (current.failure_class !== cls) {
        await this.note(current, "failure_class", `now ${cls} (was ${current.failure_class})`);
        // Flapping is a class of its own while it lasts, and gives way to the failure it settles into:
        // the runbook then answers that failure, not a flapping that is over.
        if (flapping || current.failure_class === flappingClass) {
          current.failure_class = cls;
          await store.updateIncident(current);
        }
      }
      await this.note(current, "state", `${change.from} → ${change.to}`);
      if (givenUp) await this.escalate(current, gaveUp, true);
      return;
    }
    const more = given ? given.detail : this.#d.context?.(target, cls);
    const relapse = await store.latestIncident(target, cls);
    const window = this.#d.relapseWindowMs ?? 10 * 60_000;
    const opened = (i: IncidentRow): EventMap["incident.opened"] => ({
      incident_id: i.id,
      failure_class: cls,
      reopened: i.reopened > 0,
      detail: more ?? null,
    });
    let incident: IncidentRow;
    let told: Announcement;
    if (
      relapse?.status === "resolved" &&
      relapse.resolved_at !== null &&
      now - relapse.resolved_at <= window
    ) {
      incident = {
        ...relapse,
        status: "open",
        resolved_at: null,
        reopened: relapse.reopened + 1,
        escalated: 0,
        escalation: null,
      };
      told = announcement("incident.opened", opened(incident), now);
      await store.updateIncident(incident, told);
      await this.note(
        incident,
        "reopened",
        `${target} went ${change.to} again ${Math.round((now - relapse.resolved_at) / 1000)} s after it recovered`,
      );
      if (relapse.escalated) {
        // The call was answered by the recovery; left set, it would stop all automatic action on this
        // relapse without a word to anyone. The guardrails count this episode's attempts afresh.
        const at = clock.now();
        this.#rearmed.set(incident.id, at);
        await store.addTimeline({
          incident_id: incident.id,
          ts: at,
          kind: "rearmed",
          detail: `the escalation before it recovered (${relapse.escalation ?? "automatic action stopped"}) does not hold for this relapse: automatic action resumes, with max_attempts counted afresh`,
        });
      }
    } else {
      incident = {
        id: randomUUID(),
        target,
        failure_class: cls,
        status: "open",
        escalated: 0,
        escalation: null,
        linked_to: null,
        opened_at: now,
        resolved_at: null,
        reopened: 0,
      };
      told = announcement("incident.opened", opened(incident), now);
      await store.insertIncident(incident, told);
      await this.note(
        incident,
        "opened",
        flapping
          ? `${target} is flapping${more ? `: ${more}` : ""}`
          : `${target} went ${change.to}: ${cls}${more ? `; ${more}` : ""}`,
      );
    }
    this.#open.set(target, incident);
    this.#d.show(target, incident.id);
    await this.#announce(incident, told);
    await linkDependencies(incident, this.#open, {
      ...{ store, bus, dependsOn: this.#d.dependsOn, stormSize: this.#d.stormSize },
      note: (i, kind, detail) => this.note(i, kind, detail),
    });
    if (givenUp) await this.escalate(incident, gaveUp, true);
    for (const fn of this.#openedListeners) fn(incident);
  }
}
