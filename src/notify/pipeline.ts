/**
 * The notification pipeline: event → notice → route → mute → dedup → group → throttle → outbox,
 * one stage per file in `stages/` (see `stage.ts`), then delivery by the outbox. Reminders (the
 * repeat of an escalation, an approval about to expire) come from a periodic pass and take the same
 * stages.
 *
 * A cursor in the store marks the last event handled; a restarted agent first catches up from it,
 * so an event recorded just before a `kill -9` is still told (the notice keys make it once only).
 *
 * Owns: deciding who hears of what. Must not import: api, cli, app.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import { Ticker } from "../core/ticker.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { OutboxStore } from "../store/outbox-store.ts";
import type { IncidentContext } from "./context.ts";
import { noticeFrom, noticeTypes, type Notice } from "./notice.ts";
import {
  approvalReminders,
  escalationReminders,
  type Escalation,
  type WaitingApproval,
} from "./reminders.ts";
import { multiStage, startFlow } from "./stage.ts";
import { dedup } from "./stages/dedup.ts";
import { group } from "./stages/group.ts";
import { mute } from "./stages/mute.ts";
import { outbox } from "./stages/outbox.ts";
import { route } from "./stages/route.ts";
import { throttle } from "./stages/throttle.ts";

export interface PipelineDeps {
  bus: EventBus;
  clock: Clock;
  log: Logger;
  store: OutboxStore;
  config: () => VigilConfig;
  /** Why notifications for the target are muted right now, or undefined. */
  muted: (target: string) => string | undefined;
  /** The last event handled, kept across restarts. */
  cursor: { get(): Promise<number | undefined>; set(seq: number): Promise<void> };
  /** Stored events after `after` oldest first, or the newest `limit`. */
  events: (q: { after?: number; limit: number; newest?: boolean }) => Promise<StoredEvent[]>;
  escalations: () => Promise<Escalation[]>;
  waitingApprovals: () => Promise<WaitingApproval[]>;
  /** The incident's context a notice about one carries (context-builder.ts). */
  context?: (n: Notice) => Promise<IncidentContext | undefined>;
}

const stages = multiStage(route, mute, dedup, group, throttle, outbox);

/** How far a restarted agent catches up; past it the rest is skipped and logged. */
const catchUpLimit = 10_000;

export class NotifyPipeline {
  readonly #d: PipelineDeps;
  readonly #off: (() => void)[] = [];
  readonly #reminders: Ticker;
  #chain: Promise<void> = Promise.resolve();
  #cursor = 0;

  constructor(deps: PipelineDeps) {
    this.#d = deps;
    const every = Math.min(30_000, Math.max(250, deps.config().notify.repeat_interval / 4));
    this.#reminders = new Ticker(
      deps.clock,
      every,
      () => this.#remind(),
      (err) => deps.log.error({ err }, "reminder pass failed"),
    );
  }

  /** Listens, then catches up on what happened since the last event handled. */
  async start(): Promise<void> {
    // Live events wait while the stored ones are read, so everything is handled in seq order.
    let held: StoredEvent[] | undefined = [];
    for (const type of noticeTypes) {
      this.#off.push(this.#d.bus.on(type, (e) => (held ? void held.push(e) : this.#handle(e))));
    }
    const saved = await this.#d.cursor.get();
    if (saved === undefined) {
      // First start (or first with notifications): begin at the present, not with the whole history.
      const [newest] = await this.#d.events({ limit: 1, newest: true });
      this.#cursor = newest?.seq ?? 0;
      await this.#d.cursor.set(this.#cursor);
    } else {
      this.#cursor = saved;
      const missed = (await this.#d.events({ after: saved, limit: catchUpLimit })).filter((e) =>
        (noticeTypes as readonly string[]).includes(e.type),
      );
      if (missed.length > 0) this.#d.log.info({ events: missed.length }, "catching up on notifications");
      for (const e of missed) void this.#handle(e);
    }
    for (const e of held) void this.#handle(e);
    held = undefined;
    await this.#chain;
    this.#reminders.start();
  }

  /** Stops listening and waits for what was handed in. */
  async stop(): Promise<void> {
    for (const off of this.#off.splice(0)) off();
    await this.#reminders.stop();
    await this.#chain;
  }

  #handle(e: StoredEvent): Promise<void> {
    // In order, one at a time: a resolution must find its opening already queued.
    this.#chain = this.#chain
      .then(async () => {
        if (e.seq <= this.#cursor) return;
        const notice = noticeFrom(e);
        if (notice) await this.#tell(notice);
        this.#cursor = e.seq;
        await this.#d.cursor.set(e.seq);
      })
      .catch((err: unknown) => this.#d.log.error({ err, event: e.type }, "notification not queued"));
    return this.#chain;
  }

  async #remind(): Promise<void> {
    const now = this.#d.clock.now();
    const notices = [
      ...escalationReminders(await this.#d.escalations(), now, this.#d.config().notify.repeat_interval),
      ...approvalReminders(await this.#d.waitingApprovals(), now),
    ];
    for (const n of notices) {
      this.#chain = this.#chain
        .then(() => this.#tell(n))
        .catch((err: unknown) => this.#d.log.error({ err, kind: n.kind }, "reminder not queued"));
      await this.#chain;
    }
  }

  async #tell(notice: Notice): Promise<void> {
    const { clock, config, store, log, muted, context } = this.#d;
    await stages(startFlow(notice), { now: clock.now(), config: config(), store, log, muted, context });
  }
}
