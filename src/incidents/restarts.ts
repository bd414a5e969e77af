/**
 * The supervisor's automatic restarts on their incident's timeline: the restart (and why), the
 * process it started, or that it could not start one, and when the next one is due. A crash's
 * restart is often recorded before the incident it belongs to has opened (the state change waits
 * for its own write), so a note with no incident to go on is held for that target a short while and
 * written when its incident opens.
 *
 * Owns: restart notes. Must not import: api, cli, app, remediation.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus, EventMap, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { IncidentStore, TimelineRow } from "../store/incident-store.ts";
import { unhealthyRestartReason } from "../supervisor/types.ts";
import type { Incidents } from "./incidents.ts";

/** How long a note waits for its incident to open: longer than a state change takes to be written. */
const holdMs = 30_000;
/** Notes held per target at most (a crash loop before anything opened). */
const heldMax = 10;

/** The timeline kinds written here, which an incident's context reads back as what was tried. */
export const restartKinds = { restart: "restart", started: "restarted", failed: "restart_failed" } as const;

export interface RestartNotesDeps {
  bus: EventBus;
  clock: Clock;
  log: Logger;
  store: Pick<IncidentStore, "addTimeline">;
  incidents: Pick<Incidents, "openFor" | "onOpened">;
}

type Note = Omit<TimelineRow, "incident_id">;

export class RestartNotes {
  readonly #d: RestartNotesDeps;
  readonly #held = new Map<string, Note[]>();
  /** When the supervisor starts each target again, while a restart waits out its backoff. */
  readonly #due = new Map<string, number>();
  readonly #off: (() => void)[] = [];

  constructor(deps: RestartNotesDeps) {
    this.#d = deps;
    const on = <K extends keyof EventMap>(
      type: K,
      note: (e: StoredEvent, p: EventMap[K]) => Note | undefined,
    ) =>
      this.#off.push(
        deps.bus.on(type, async (e) => {
          const n = note(e, JSON.parse(e.payload) as EventMap[K]);
          if (n) await this.#write(e.subject, n);
        }),
      );
    on("service.restart_scheduled", (e, p) => {
      // The remediation engine's own restart step is on the timeline as its attempt already.
      if (p.reason.startsWith(unhealthyRestartReason)) return undefined;
      this.#due.set(e.subject, e.ts + p.delay_ms);
      return { ts: e.ts, kind: restartKinds.restart, detail: p.reason };
    });
    on("service.started", (e, p) => {
      // Only a start that answers a restart: the first start of a service tried nothing.
      if (!this.#due.delete(e.subject)) return undefined;
      return { ts: e.ts, kind: restartKinds.started, detail: `running again (pid ${p.pid})` };
    });
    on("service.spawn_failed", (e, p) => {
      if (!this.#due.delete(e.subject)) return undefined;
      return { ts: e.ts, kind: restartKinds.failed, detail: `could not start: ${p.error}` };
    });
    on("service.gave_up", (e, p) => {
      this.#due.delete(e.subject);
      return {
        ts: e.ts,
        kind: restartKinds.failed,
        detail: `gave up: ${p.restarts} restarts within ${Math.round(p.window_ms / 1000)} s`,
      };
    });
    deps.incidents.onOpened((i) => void this.#flush(i.target, i.id));
  }

  /** When the supervisor restarts `target`, if a restart is waiting out its backoff. */
  restartDue(target: string): number | undefined {
    return this.#due.get(target);
  }

  stop(): void {
    for (const off of this.#off.splice(0)) off();
  }

  async #write(target: string, note: Note): Promise<void> {
    const open = this.#d.incidents.openFor(target);
    if (open) return this.#d.store.addTimeline({ incident_id: open.id, ...note });
    const held = [...(this.#held.get(target) ?? []), note].slice(-heldMax);
    this.#held.set(target, held);
  }

  async #flush(target: string, incidentId: string): Promise<void> {
    const held = this.#held.get(target);
    this.#held.delete(target);
    const since = this.#d.clock.now() - holdMs;
    try {
      for (const n of held ?? [])
        if (n.ts >= since) await this.#d.store.addTimeline({ incident_id: incidentId, ...n });
    } catch (err) {
      this.#d.log.error({ err, target }, "restart notes not written");
    }
  }
}
