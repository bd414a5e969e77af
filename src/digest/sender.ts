/**
 * Queues the daily digest into the durable outbox once a day, when the wall clock in
 * `notify.digest.timezone` reaches `at`: one row per channel keyed `digest:<date>`, and the outbox's
 * uniqueness of (channel, key) makes that once in all: across restarts (an agent that was down at
 * `at` sends it when it is back the same day) and across agents sharing a store (the first to queue
 * it wins, the others' inserts are no-ops).
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { Ticker } from "../core/ticker.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { OutboxStore } from "../store/outbox-store.ts";
import { collectDigest, type Digest, type DigestSources } from "./collect.ts";
import { dueDay, type DateText } from "./day.ts";
import { renderDigest } from "./render.ts";

/** Often enough that the digest goes out within seconds of `at`; a pass before then only reads the clock. */
const tickMs = 5_000;

export const digestKey = (date: DateText) => `digest:${date}`;

export interface DigestSenderDeps {
  sources: DigestSources;
  outbox: OutboxStore;
  clock: Clock;
  log: Logger;
  config: () => VigilConfig["notify"];
}

/** The outbox row's body: the message as providers render it, with the facts for JSON receivers. */
export function digestMessage(id: string, d: Digest) {
  const m = renderDigest(d);
  return {
    id,
    kind: "digest",
    target: null,
    title: m.title,
    text: m.text,
    sections: m.sections,
    digest: d,
    at: d.generated_at,
  };
}

/**
 * The sender: a Ticker (start, stop, `run()` for a pass now) whose pass queues the digest when it
 * is due and not yet queued.
 */
export function digestSender(deps: DigestSenderDeps): Ticker {
  /** The day and channels already queued by this start: later passes that day touch nothing. */
  let done = "";
  return new Ticker(
    deps.clock,
    tickMs,
    async () => {
      done = await queueDue(deps, done);
    },
    (err) => deps.log.error({ err }, "daily digest pass failed"),
  );
}

/** Queues the digest if it is due and `done` does not say it is queued; returns what is queued now. */
async function queueDue(deps: DigestSenderDeps, done: string): Promise<string> {
  const cfg = deps.config().digest;
  if (!cfg) return done;
  const now = deps.clock.now();
  const date = dueDay(now, cfg.at, cfg.timezone);
  if (date === undefined) return done;
  const key = digestKey(date);
  const queuedNow = `${key} ${[...cfg.to].sort().join(",")}`;
  if (done === queuedNow) return done;
  const queued = new Set(await deps.outbox.channelsWithKey(key));
  const missing = cfg.to.filter((c) => !queued.has(c));
  if (missing.length === 0) {
    deps.log.info({ date }, "daily digest already queued (by an earlier start or another agent)");
    return queuedNow;
  }
  const digest = await collectDigest(deps.sources, date, cfg.timezone);
  for (const channel of missing) {
    const id = randomUUID();
    const fresh = await deps.outbox.enqueue({
      id,
      channel,
      dedup_key: key,
      kind: "digest",
      target: null,
      body: JSON.stringify(digestMessage(id, digest)),
      status: "pending",
      attempts: 0,
      next_at: now,
      created_at: now,
      sent_at: null,
      last_error: null,
    });
    if (fresh) deps.log.info({ channel, date }, "daily digest queued");
  }
  return queuedNow;
}
