/**
 * The notification pipeline: event → notice → route → mute → (group_wait) → outbox. Routing picks
 * channels by severity, target and labels; silences, maintenance windows, the kill switch and
 * `agent.features.notifications` mute. A resolution always follows its opening to every channel that
 * opening went to, muted or not, so nobody is left with an alert that never clears.
 *
 * Owns: deciding who hears of what. Must not import: api, cli, app.
 */
import type { EventBus, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { Clock } from "../core/clock.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { OutboxStore } from "../store/outbox-store.ts";
import { noticeFrom, noticeTypes, type Notice } from "./notice.ts";
import type { Outbox } from "./outbox.ts";
import { routeNotice } from "./route.ts";

export interface PipelineDeps {
  bus: EventBus;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  store: OutboxStore;
  config: () => VigilConfig;
  /** Why notifications for the target are muted right now, or undefined. */
  muted: (target: string) => string | undefined;
}

const urgent = new Set(["incident.escalated", "incident.storm", "approval.requested"]);

export class NotifyPipeline {
  readonly #d: PipelineDeps;
  readonly #off: (() => void)[] = [];
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: PipelineDeps) {
    this.#d = deps;
  }

  start(): void {
    for (const type of noticeTypes) {
      this.#off.push(this.#d.bus.on(type, (e) => this.#handle(e)));
    }
  }

  /** Stops listening and waits for what was handed in. */
  async stop(): Promise<void> {
    for (const off of this.#off.splice(0)) off();
    await this.#chain;
  }

  #handle(e: StoredEvent): Promise<void> {
    // In order, one at a time: a resolution must find its opening already queued.
    this.#chain = this.#chain
      .then(() => this.#apply(e))
      .catch((err: unknown) => this.#d.log.error({ err, event: e.type }, "notification not queued"));
    return this.#chain;
  }

  async #apply(e: StoredEvent): Promise<void> {
    const notice = noticeFrom(e);
    if (!notice) return;
    const config = this.#d.config();
    const notBefore = this.#d.clock.now() + config.notify.group_wait;
    if (notice.follows) {
      const channels = await this.#d.store.channelsFor(`incident:${notice.follows}:opened:`);
      if (channels.length > 0) await this.#d.outbox.enqueue(notice, channels, notBefore);
      return;
    }
    const why = config.agent.features.notifications ? this.#d.muted(notice.target) : "notifications are off";
    if (why) {
      this.#d.log.info({ target: notice.target, kind: notice.kind, why }, "notification muted");
      return;
    }
    const channels = routeNotice(config.notify, facts(config, notice));
    if (channels.length > 0) await this.#d.outbox.enqueue(notice, channels, notBefore);
  }
}

function facts(config: VigilConfig, n: Notice) {
  const t = config.services[n.target] ?? config.checks[n.target];
  return {
    target: n.target,
    severity: urgent.has(n.kind) ? "critical" : (t?.severity ?? "warning"),
    labels: t?.labels ?? {},
  };
}
