/**
 * Check results are written in batches: one transaction a second for every result of that second.
 * Per-minute aggregates (uptime, p50/p95 latency) are written once, when their minute has ended (and
 * at stop), not re-upserted every second while it runs. Old results are pruned a slice of targets at
 * a time, each an index range delete, instead of one pass over the whole table. At 10,000 checks
 * every 10 s that is one commit a second with a thousand inserts.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import type { MinuteRow, ResultRow, Store } from "../store/store.ts";

interface MinuteAcc {
  total: number;
  ok: number;
  durations: number[];
}

export interface ResultsWriterOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  flushEveryMs?: number;
  /** Results kept per target. */
  keepPerTarget?: number;
  /** How long minute aggregates are kept. */
  minuteRetentionMs?: number;
}

/** Targets pruned per flush: 10,000 targets take under a minute to go round. */
const pruneSlice = 250;

/** Most results held in memory before a flush is forced; beyond it the oldest are dropped and counted. */
const maxPending = 200_000;

export class ResultsWriter {
  readonly #o: Required<ResultsWriterOptions>;
  #pending: ResultRow[] = [];
  readonly #minutes = new Map<string, MinuteAcc>();
  #dirtyMinutes = new Set<string>();
  #timer: TimerHandle | undefined;
  #stopped = false;
  #flushing: Promise<void> | undefined;
  /** Targets whose results are pruned next, a slice per flush, round-robin. */
  #pruneQueue: string[] = [];
  /** Every target that has written a result: the prune rounds go over all of them. */
  readonly #seen = new Set<string>();
  #lastMinutePrune = 0;
  dropped = 0;

  constructor(opts: ResultsWriterOptions) {
    this.#o = { flushEveryMs: 1_000, keepPerTarget: 100, minuteRetentionMs: 30 * 86_400_000, ...opts };
  }

  start(): void {
    const tick = () => {
      // A stop while a flush is in flight finds no timer to cancel: the flush must not arm another.
      if (this.#stopped) return;
      this.#timer = this.#o.clock.setTimeout(() => {
        this.flush()
          .catch((err: unknown) => this.#o.log.error({ err }, "writing results failed"))
          .finally(tick);
      }, this.#o.flushEveryMs);
    };
    tick();
  }

  add(r: ResultRow): void {
    if (this.#pending.length >= maxPending) {
      this.#pending.shift();
      this.dropped++;
    }
    this.#pending.push(r);
    const minute = Math.floor(r.ts / 60_000) * 60_000;
    const key = `${minute}\u0000${r.target}`;
    let acc = this.#minutes.get(key);
    if (!acc) this.#minutes.set(key, (acc = { total: 0, ok: 0, durations: [] }));
    acc.total++;
    if (r.ok) acc.ok++;
    if (acc.durations.length < 10_000) acc.durations.push(r.duration_ms);
    this.#dirtyMinutes.add(key);
  }

  /** Writes what is pending; concurrent calls share one write. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#flushing;
    await this.#flush(true);
  }

  /** `final`: write the running minutes too (at stop). */
  async #flush(final = false): Promise<void> {
    const results = this.#pending;
    this.#pending = [];
    const minutes: MinuteRow[] = [];
    const current = Math.floor(this.#o.clock.now() / 60_000) * 60_000;
    const stillOpen = new Set<string>();
    for (const key of this.#dirtyMinutes) {
      const acc = this.#minutes.get(key)!;
      const [minute, target] = key.split("\u0000") as [string, string];
      if (!final && Number(minute) >= current) {
        stillOpen.add(key);
        continue;
      }
      const sorted = [...acc.durations].sort((a, b) => a - b);
      minutes.push({
        target,
        minute: Number(minute),
        total: acc.total,
        ok: acc.ok,
        p50_ms: percentile(sorted, 0.5),
        p95_ms: percentile(sorted, 0.95),
      });
    }
    this.#dirtyMinutes = stillOpen;
    // Minutes that ended are final once written; forget them (a late result of one reopens it).
    for (const m of minutes) if (m.minute < current) this.#minutes.delete(`${m.minute}\u0000${m.target}`);
    try {
      await this.#o.store.writeResults(results, minutes);
    } catch (e) {
      // Put them back in front so nothing acknowledged to the scheduler is lost to a transient error.
      this.#pending = [...results, ...this.#pending].slice(-maxPending);
      for (const m of minutes) this.#dirtyMinutes.add(`${m.minute}\u0000${m.target}`);
      throw e;
    }
    await this.#prune(results);
  }

  async #prune(written: readonly ResultRow[]): Promise<void> {
    for (const r of written) this.#seen.add(r.target);
    if (this.#pruneQueue.length === 0) this.#pruneQueue = [...this.#seen];
    const slice = this.#pruneQueue.splice(0, pruneSlice);
    const now = this.#o.clock.now();
    const minutesBefore =
      now - this.#lastMinutePrune > 3_600_000 ? now - this.#o.minuteRetentionMs : undefined;
    if (minutesBefore !== undefined) this.#lastMinutePrune = now;
    if (slice.length > 0 || minutesBefore !== undefined)
      await this.#o.store.pruneResults(this.#o.keepPerTarget, slice, minutesBefore);
  }
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
