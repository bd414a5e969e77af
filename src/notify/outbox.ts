/**
 * The durable outbox's delivery (the pipeline's `outbox` stage writes to it). Delivery is at least
 * once, with the notification's id as a stable idempotency key; agents sharing a store claim what
 * they deliver, so each notification goes out once unless its agent dies mid-send (then at most
 * twice, with the same key). Transient failures retry with exponential backoff and jitter until
 * `max_age`; permanent ones (4xx but 408 and 429) are not retried. After `fallback_after` failures
 * the `fallback` channel gets a copy. A restarted agent resumes from the store: nothing acknowledged
 * is lost.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { Ticker } from "../core/ticker.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox-store.ts";
import type { Delivery, Outgoing } from "./provider.ts";
import { providerOf } from "./providers/index.ts";

const tickMs = 250;
const batch = 50;
const deliveryTimeoutMs = 10_000;
const maxBackoffMs = 30_000;
/**
 * Finished notifications are kept a month: long enough for a resolution to find the channels its
 * opening went to, short enough that the outbox does not grow without end.
 */
const keepMs = 30 * 24 * 3_600_000;
const pruneEveryMs = 3_600_000;
/**
 * How long a claim holds while its agent is alive: a pass of one slow channel (50 notifications at
 * the 10 s delivery timeout each) fits. A dead agent's claims are free as soon as its lease lapses.
 */
const claimMs = 10 * 60_000;

export interface OutboxDeps {
  store: OutboxStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  config: () => VigilConfig["notify"];
  random?: () => number;
  /** The audit chain's head as `seq N #hash8`, added to each message as it goes out. */
  auditAnchor?: () => string | undefined;
  /** This start's fleet instance: agents sharing a store each deliver only what they claimed. */
  claimer: string;
}

export class Outbox {
  readonly #d: OutboxDeps;
  readonly #ticker: Ticker;
  #prunedAt = 0;

  constructor(deps: OutboxDeps) {
    this.#d = deps;
    this.#ticker = new Ticker(
      deps.clock,
      tickMs,
      () => this.#deliverDue(),
      (err) => deps.log.error({ err }, "outbox pass failed"),
    );
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** Delivers what is due; concurrent calls share one pass. */
  pass(): Promise<void> {
    return this.#ticker.run();
  }

  async #deliverDue(): Promise<void> {
    const now = this.#d.clock.now();
    if (now - this.#prunedAt >= pruneEveryMs) {
      this.#prunedAt = now;
      await this.#d.store.prune(now - keepMs);
    }
    const due = await this.#d.store.claimDue(this.#d.claimer, now, now + claimMs, batch);
    // Different channels in parallel, each channel's notifications in order.
    const byChannel = new Map<string, OutboxRow[]>();
    for (const r of due) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r]);
    await Promise.all(
      [...byChannel.values()].map(async (rows) => {
        for (const r of rows) {
          if (this.#ticker.stopped) return;
          await this.#deliver(r);
        }
      }),
    );
  }

  /** This agent stalled past its lease mid-send and another took the row over (it may send it too). */
  #lostClaim(r: OutboxRow): void {
    this.#d.log.warn(
      { notification_id: r.id, channel: r.channel },
      "notification taken over by another agent",
    );
  }

  async #deliver(r: OutboxRow): Promise<void> {
    const { clock, bus } = this.#d;
    const cfg = this.#d.config();
    const now = clock.now();
    const channel = cfg.channels[r.channel];
    let result: Delivery;
    if (now - r.created_at > cfg.max_age) {
      result = {
        ok: false,
        error: `undelivered for longer than max_age (${cfg.max_age} ms)`,
        permanent: true,
      };
    } else if (!channel) {
      result = { ok: false, error: `the channel ${r.channel} is no longer configured`, permanent: true };
    } else {
      const { provider, settings } = providerOf(channel);
      // Filled at delivery, not when queued: the freshest anchor, whichever agent of a fleet sends it.
      const message = JSON.parse(r.body) as Outgoing["message"];
      const anchor = this.#d.auditAnchor?.();
      result = await provider.deliver(
        settings,
        { id: r.id, message: anchor ? { ...message, audit_anchor: anchor } : message },
        { timeoutMs: deliveryTimeoutMs, now },
      );
    }
    const attempts = r.attempts + 1;
    if (result.ok) {
      const recorded = await this.#d.store.update(
        { ...r, status: "sent", attempts, sent_at: clock.now(), last_error: null },
        this.#d.claimer,
      );
      if (!recorded) this.#lostClaim(r);
      const message = JSON.parse(r.body) as Outgoing["message"];
      await bus.emit("notification.sent", r.target ?? r.channel, {
        notification_id: r.id,
        channel: r.channel,
        kind: message.kind,
        attempts,
        incident_id: message.incident_id ?? null,
        told: (message.items ?? [message]).map((i) => ({ kind: i.kind, incident_id: i.incident_id ?? null })),
      });
      return;
    }
    const gaveUp = result.permanent;
    const backoff = Math.min(maxBackoffMs, 1_000 * 2 ** Math.min(attempts - 1, 10));
    const jitter = 0.5 + (this.#d.random ?? Math.random)();
    const next = Math.max(result.retryAfterMs ?? 0, Math.round(backoff * jitter));
    const recorded = await this.#d.store.update(
      { ...r, status: gaveUp ? "dead" : "pending", attempts, next_at: now + next, last_error: result.error },
      this.#d.claimer,
    );
    // Another agent holds it now: its outcome stands, and the retry or the fallback are its to make.
    if (!recorded) return this.#lostClaim(r);
    await bus.emit("notification.failed", r.target ?? r.channel, {
      notification_id: r.id,
      channel: r.channel,
      error: result.error,
      attempts,
      gave_up: gaveUp,
    });
    if (cfg.fallback && cfg.fallback !== r.channel && (gaveUp || attempts === cfg.fallback_after)) {
      await this.#d.store.enqueue({
        ...r,
        id: randomUUID(),
        channel: cfg.fallback,
        status: "pending",
        attempts: 0,
        next_at: now,
        created_at: now,
        last_error: null,
        sent_at: null,
      });
    }
  }
}
