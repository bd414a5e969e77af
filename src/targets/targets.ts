/**
 * The live view of every target (service or check): its state, since when, restarts, last result.
 * Results and supervisor phases come in; state changes go out as events and are persisted, so a
 * restarted agent carries on where it was.
 *
 * A state change is written before its caller goes on, but not in a commit of its own: every change
 * of one turn of the event loop shares one transaction. node:sqlite commits on the event loop, one
 * fsync each (5–8 ms on a busy virtio disk), and 2,000 checks coming up at start were 2,000 commits:
 * 10 s of a blocked loop, long enough for checks to time out and change state again.
 *
 * Owns: target state and its persistence. Must not import: api, cli, app, supervisor internals.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import {
  force,
  observe,
  type HealthPolicy,
  type Observation,
  type TargetState,
} from "../incidents/target-state.ts";
import type { Store, TargetRow } from "../store/store.ts";
import {
  entryOf,
  rowOf,
  toView,
  type Entry,
  type LastResult,
  type TargetSpec,
  type TargetView,
} from "./entry.ts";

export type { LastResult, TargetKind, TargetView } from "./entry.ts";

export interface TargetsOptions {
  /** This agent's name: the targets it restores, saves and forgets are its own (a fleet shares a store). */
  agent: string;
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}

export class Targets {
  readonly #o: TargetsOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(name: string, change: { from: TargetState; to: TargetState }) => void>();
  readonly #removed = new Set<(name: string, why: string) => void>();
  /** Shared checks given up whose rows are not yet handed over (the write failed, or was not tried). */
  readonly #handingOver = new Set<string>();
  /** The targets waiting for the next group write, and that write. */
  #batch: { names: Set<string>; written: Promise<void> } | undefined;

  constructor(opts: TargetsOptions) {
    this.#o = opts;
  }

  /**
   * Declares the configured targets, restoring what the store remembers of each and forgetting
   * targets that are no longer configured.
   */
  async load(
    specs: readonly TargetSpec[],
    /** Targets declared at run time (`push`) that are kept across a restart: their policy, by name. */
    pushed: (name: string) => HealthPolicy | undefined = () => undefined,
    /**
     * Configured shared checks that another agent of the fleet runs now: no entry here, and their
     * rows are not this agent's to forget.
     */
    elsewhere: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const rows = new Map((await this.#o.store.loadTargets(this.#o.agent)).map((r) => [r.name, r]));
    const now = this.#o.clock.now();
    const configured = new Set(specs.map((s) => s.name));
    const groups = new Map(specs.filter((s) => s.group).map((s) => [s.name, s]));
    // A group's members are kept as the store remembers them, until its next reading says which remain.
    const member = (name: string) => groups.get(groupOf(name) ?? "");
    for (const row of rows.values()) {
      if (configured.has(row.name) || elsewhere.has(row.name)) continue;
      const group = member(row.name);
      const policy = group?.policy ?? pushed(row.name);
      if (policy) this.#restore(row.name, policy, row, now);
      else await this.#o.store.deleteTarget(this.#o.agent, row.name);
    }
    for (const s of specs) {
      const existing = this.#entries.get(s.name);
      if (existing && existing.kind === s.kind) {
        existing.policy = s.policy;
        if (existing.description !== s.description) {
          existing.description = s.description;
          existing.view = undefined;
        }
        continue;
      }
      const row = rows.get(s.name);
      this.#entries.set(s.name, {
        ...entryOf(s.name, s.kind, s.policy, row, now),
        description: s.description,
      });
    }
    for (const [name, e] of [...this.#entries]) {
      if (elsewhere.has(name) && !configured.has(name)) {
        this.#entries.delete(name);
        continue;
      }
      const group = member(name);
      const policy = group?.policy ?? (configured.has(name) ? undefined : pushed(name));
      if (policy) e.policy = policy;
      else if (!configured.has(name)) {
        this.#entries.delete(name);
        this.#tellRemoved(name, `${name} is no longer in the config`);
      }
    }
    await this.persist();
  }

  /**
   * Takes over shared checks that no live agent holds (`live`: the agents alive now): their stored
   * rows become this agent's, and each carries on from its row (state, since, counts, last result).
   * Returns the names it took; one a live agent still holds is left for a later pass.
   */
  async adopt(specs: readonly TargetSpec[], live: readonly string[]): Promise<string[]> {
    const now = this.#o.clock.now();
    const fresh = specs
      .filter((s) => !this.#entries.has(s.name))
      .map((s) => ({ ...entryOf(s.name, s.kind, s.policy, undefined, now), description: s.description }));
    if (fresh.length === 0) return [];
    const rows = fresh.map((e) => rowOf(e, now));
    const taken = await this.#o.store.takeTargets(this.#o.agent, rows, live);
    for (const r of taken) this.#handingOver.delete(r.name);
    const bySpec = new Map(specs.map((s) => [s.name, s]));
    for (const row of taken) {
      const s = bySpec.get(row.name)!;
      const entry = entryOf(s.name, s.kind, s.policy, row, now);
      this.#entries.set(s.name, { ...entry, description: s.description, dirty: false });
    }
    return taken.map((r) => r.name);
  }

  /**
   * Shared checks another agent runs from now on: their entries go. `handOver`: this agent is live
   * and says so in the store, for the next owner to take them (one cut off from the store does not
   * wait on it: the others take its checks once its lease has lapsed). `wanted`: what it runs now.
   */
  async release(names: readonly string[], handOver: boolean, wanted: ReadonlySet<string>): Promise<void> {
    for (const n of names) {
      this.#entries.delete(n);
      this.#handingOver.add(n);
    }
    // Given up while cut off and wanted again now: still this agent's row, not to hand over and take back.
    for (const n of wanted) this.#handingOver.delete(n);
    if (!handOver || this.#handingOver.size === 0) return;
    const pending = [...this.#handingOver];
    await this.#o.store.handOverTargets(this.#o.agent, pending);
    for (const n of pending) this.#handingOver.delete(n);
  }

  /** The members a group check has now (`prd/api`, `prd/db` of the check `prd`). */
  members(group: string): string[] {
    const prefix = `${group}/`;
    return [...this.#entries.keys()].filter((n) => n.startsWith(prefix));
  }

  /** Declares a group's member as a check target with the group's policy; nothing when it exists. */
  addMember(group: string, name: string): void {
    const g = this.#entries.get(group);
    if (!g || this.#entries.has(name) || groupOf(name) !== group) return;
    this.#entries.set(name, entryOf(name, "check", g.policy, undefined, this.#o.clock.now()));
  }

  /**
   * Declares (or updates the labels of) a target that something pushes rather than a probe reads:
   * an Alertmanager alert. Kept across a restart when `load`'s `pushed` names it.
   */
  push(name: string, policy: HealthPolicy, labels: Record<string, string>): void {
    let e = this.#entries.get(name);
    if (!e) this.#entries.set(name, (e = entryOf(name, "check", policy, undefined, this.#o.clock.now())));
    e.labels = labels;
    e.dirty = true;
    e.view = undefined;
  }

  /** What keeps a pushed target failing (fingerprints of firing alerts); [] when nothing does. */
  sources(name: string): string[] {
    return this.#entries.get(name)?.sources ?? [];
  }

  setSources(name: string, sources: readonly string[]): void {
    const e = this.#entries.get(name);
    if (!e) return;
    e.sources = [...sources];
    e.dirty = true;
  }

  labels(name: string): Record<string, string> | undefined {
    return this.#entries.get(name)?.labels;
  }

  /** Forgets a group's member that is gone (its container was removed), and its stored row. */
  async removeMember(name: string): Promise<void> {
    if (groupOf(name) === undefined || !this.#entries.delete(name)) return;
    await this.#o.store.deleteTarget(this.#o.agent, name);
    this.#tellRemoved(name, `${name} is gone: its container left the group`);
  }

  #tellRemoved(name: string, why: string): void {
    for (const fn of this.#removed) {
      try {
        fn(name, why);
      } catch (err) {
        this.#o.log.error({ err, target: name }, "removal listener failed");
      }
    }
  }

  /**
   * Called when a target is forgotten (a group's member whose container left, a target a reload
   * removed): what was open about it has no target left.
   */
  onRemove(fn: (name: string, why: string) => void): () => void {
    this.#removed.add(fn);
    return () => this.#removed.delete(fn);
  }

  #restore(name: string, policy: HealthPolicy, row: TargetRow, now: number): void {
    if (!this.#entries.has(name)) this.#entries.set(name, entryOf(name, "check", policy, row, now));
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  view(name: string): TargetView | undefined {
    const e = this.#entries.get(name);
    return e && toView(e, this.#o.agent);
  }

  list(): TargetView[] {
    return [...this.#entries.values()].map((e) => toView(e, this.#o.agent));
  }

  /** The up/down changes counted toward flapping (inside the flap window at the last result), and that window. */
  flapChanges(name: string): { changes: number; windowMs: number } | undefined {
    const e = this.#entries.get(name);
    return e && { changes: e.health.changes.length, windowMs: e.policy.flapWindowMs };
  }

  /** Whether the target's last result failed: it is then checked at `every_failing`, whatever its state. */
  lastFailed(name: string): boolean {
    return this.#entries.get(name)?.last?.ok === false;
  }

  state(name: string): TargetState | undefined {
    return this.#entries.get(name)?.health.state;
  }

  /** Called on every state change (after the event is recorded). */
  onChange(fn: (name: string, change: { from: TargetState; to: TargetState }) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Applies one check result; returns the observation so the caller can act on a change. */
  async result(name: string, r: LastResult, ignoreFailure = false): Promise<Observation | undefined> {
    const e = this.#entries.get(name);
    if (!e) return undefined;
    const flipped = !e.last || e.last.ok !== r.ok || (!r.ok && e.last.failure_class !== r.failure_class);
    e.last = r;
    e.dirty = true;
    e.view = undefined;
    if (flipped) {
      await this.#o.bus.emit("check.result", name, {
        ok: r.ok,
        failure_class: r.failure_class,
        explanation: r.explanation,
        duration_ms: r.duration_ms,
      });
    }
    if (!r.ok && ignoreFailure) return { health: e.health };
    const o = observe(e.health, r.ok, r.ts, e.policy);
    await this.#apply(e, o, r.ok ? "check passed" : r.explanation);
    return o;
  }

  /** Sets a state from outside the results (the supervisor's phases, the kill switch). */
  async force(name: string, state: TargetState, reason: string): Promise<void> {
    const e = this.#entries.get(name);
    if (!e) return;
    await this.#apply(e, force(e.health, state, this.#o.clock.now()), reason);
  }

  setService(name: string, record: string, info: { restarts: number; pid: number | undefined }): void {
    const e = this.#entries.get(name);
    if (!e) return;
    e.service = record;
    e.restarts = info.restarts;
    e.pid = info.pid;
    e.dirty = true;
    e.view = undefined;
  }

  serviceRecord(name: string): string | null {
    return this.#entries.get(name)?.service ?? null;
  }

  heartbeat(name: string, at: number): void {
    const e = this.#entries.get(name);
    if (!e) return;
    e.heartbeatAt = at;
    e.dirty = true;
  }

  setIncident(name: string, id: string | null): void {
    const e = this.#entries.get(name);
    if (!e) return;
    e.incident = id;
    e.view = undefined;
  }

  lastHeartbeat(name: string): number | undefined {
    return this.#entries.get(name)?.heartbeatAt;
  }

  /**
   * Writes changed targets in one transaction: every one of them, or only `name` (a state change, a
   * heartbeat, a service record), so one fact at 10,000 checks does not rewrite 10,000 rows. A
   * `name` waits for the end of this turn of the event loop and is written with every other `name`
   * of that turn; the promise resolves once its row is committed.
   */
  persist(name?: string): Promise<void> {
    if (name === undefined) return this.#write([...this.#entries.values()].filter((e) => e.dirty));
    if (this.#batch) {
      this.#batch.names.add(name);
      return this.#batch.written;
    }
    const names = new Set([name]);
    const written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#batch = undefined;
      // Written even when no longer dirty: a full persist may have taken the row, and its caller
      // must still resume only after a commit that holds it (transactions commit in order).
      const entries = [...names].flatMap((n) => this.#entries.get(n) ?? []);
      return this.#write(entries);
    });
    this.#batch = { names, written };
    return written;
  }

  async #write(entries: readonly Entry[]): Promise<void> {
    const now = this.#o.clock.now();
    const rows = entries.map((e) => {
      e.dirty = false;
      return rowOf(e, now);
    });
    try {
      await this.#o.store.saveTargets(this.#o.agent, rows);
    } catch (err) {
      for (const e of entries) e.dirty = true;
      throw err;
    }
  }

  async #apply(e: Entry, o: Observation, reason: string): Promise<void> {
    e.health = o.health;
    e.dirty = true;
    e.view = undefined;
    if (!o.changed) return;
    await this.#o.bus.emit("target.state", e.name, { from: o.changed.from, to: o.changed.to, reason });
    // A state change is persisted at once: the next start must not resurrect the old state.
    await this.persist(e.name);
    for (const fn of this.#listeners) {
      try {
        fn(e.name, o.changed);
      } catch (err) {
        this.#o.log.error({ err, target: e.name }, "state listener failed");
      }
    }
  }
}

/**
 * The group check a member target belongs to: `prd` for `prd/api`. Configured names cannot hold a
 * slash, so a name with one is always a member.
 */
export function groupOf(name: string): string | undefined {
  const slash = name.indexOf("/");
  return slash > 0 ? name.slice(0, slash) : undefined;
}
