/**
 * Silences: for a while, no remediation and no notification for a target. One-off ones are set by a
 * person (`vigil silence api 30m`) and audited with who set them; recurring maintenance windows come
 * from `maintenance:` in the config.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { IncidentStore, SilenceRow } from "../store/incident-store.ts";
import { cronSchedule, type CronSchedule } from "../core/cron-schedule.ts";

export interface MaintenanceWindow {
  targets: readonly string[];
  cron: string;
  duration: number;
  reason?: string | undefined;
}

export class Silences {
  readonly #store: IncidentStore;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #isTarget: (name: string) => boolean;
  #active: SilenceRow[] = [];
  #windows: { w: MaintenanceWindow; cron: CronSchedule }[] = [];

  constructor(deps: {
    store: IncidentStore;
    bus: EventBus;
    clock: Clock;
    isTarget: (name: string) => boolean;
  }) {
    this.#store = deps.store;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#isTarget = deps.isTarget;
  }

  async load(windows: readonly MaintenanceWindow[]): Promise<void> {
    this.#active = await this.#store.activeSilences(this.#clock.now());
    this.#windows = windows.map((w) => ({ w, cron: cronSchedule(w.cron) }));
  }

  /** Why the target is silenced right now, or undefined. */
  reason(target: string): string | undefined {
    const now = this.#clock.now();
    const s = this.#active.find((x) => x.target === target && x.starts_at <= now && x.ends_at > now);
    if (s)
      return `silenced until ${new Date(s.ends_at).toISOString()} by ${s.created_by}${s.reason ? ` (${s.reason})` : ""}`;
    for (const { w, cron } of this.#windows) {
      if (!w.targets.includes(target)) continue;
      const start = windowStart(cron, w.duration, now);
      if (start !== undefined) {
        return `in a maintenance window since ${new Date(start).toISOString()}${w.reason ? ` (${w.reason})` : ""}`;
      }
    }
    return undefined;
  }

  list(): SilenceRow[] {
    const now = this.#clock.now();
    this.#active = this.#active.filter((s) => s.ends_at > now);
    return [...this.#active];
  }

  async create(target: string, durationMs: number, reason: string, by: string): Promise<SilenceRow> {
    if (!this.#isTarget(target)) {
      throw new VigilError("NOT_FOUND", `no target named "${target.slice(0, 100)}" to silence`);
    }
    const now = this.#clock.now();
    const row: SilenceRow = {
      id: randomUUID(),
      target,
      starts_at: now,
      ends_at: now + durationMs,
      reason,
      created_by: by,
      deleted_at: null,
    };
    await this.#store.insertSilence(row);
    this.#active.push(row);
    await this.#bus.emit("silence.created", target, { silence_id: row.id, until: row.ends_at, reason }, by);
    return row;
  }

  async delete(id: string, by: string): Promise<void> {
    const row = await this.#store.getSilence(id);
    if (!row || row.deleted_at !== null)
      throw new VigilError("NOT_FOUND", `no active silence with id "${id.slice(0, 80)}"`);
    await this.#store.deleteSilence(id, this.#clock.now());
    this.#active = this.#active.filter((s) => s.id !== id);
    await this.#bus.emit("silence.deleted", row.target, { silence_id: id }, by);
  }
}

/** The start of the window that covers `now`, if one does: a time the cron names within the last `duration`. */
function windowStart(cron: CronSchedule, duration: number, now: number): number | undefined {
  // The reference is exclusive: a window starting this very millisecond covers `now` too.
  const last = cron.previousRuns(1, new Date(now + 1))[0]?.getTime();
  return last !== undefined && now - last < duration ? last : undefined;
}
