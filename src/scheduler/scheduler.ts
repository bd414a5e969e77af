/**
 * Runs jobs on their intervals from one timer: a min-heap of due times and a single pending timeout
 * for the earliest. A job never overlaps itself; at most `concurrency` jobs run at once and the rest
 * wait in due order. Every run gets a timeout through its abort signal. Scheduling lag (start − due)
 * is measured, because a late check is a wrong check.
 *
 * Owns: when things run. Must not import: probes, supervisor, api, app.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { MinHeap } from "./heap.ts";

export interface Job {
  readonly id: string;
  /** The interval to wait after this run; asked after every run, so it can shorten while failing. */
  interval(): number;
  /** +/- this much random spread on each interval, so checks added together do not fire together. */
  readonly jitterMs: number;
  readonly timeoutMs: number;
  run(signal: AbortSignal): Promise<void>;
}

export interface SchedulerOptions {
  clock: Clock;
  concurrency: number;
  random?: () => number;
  /** Keep every lag for takeLags() (benchmarks); the agent needs only the recent ring. */
  collectLags?: boolean;
  /** Called when a job's run rejects; jobs should not reject, but the scheduler must survive one that does. */
  onError(jobId: string, error: unknown): void;
}

/** How stale the p99 of `recentLagP99` may be. */
const p99EveryMs = 100;

interface Entry {
  job: Job;
  /** Bumped on remove/reschedule so stale heap entries are skipped. */
  generation: number;
  running: AbortController | undefined;
  removed: boolean;
}

export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #random: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new MinHeap<{ id: string; generation: number }>();
  readonly #ready: { id: string; due: number; generation: number }[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #running = 0;
  #stopped = true;
  #lags: number[] = [];
  /** The most recent lags, a ring of fixed size, for /health without consuming them. */
  readonly #recent = new Float64Array(4096);
  #recentCount = 0;
  /** The last p99 of the ring, and the ring's count and the time it was taken at. */
  #p99 = { value: 0, count: 0, at: -Infinity };

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#random = opts.random ?? Math.random;
  }

  start(): void {
    this.#stopped = false;
    this.#arm();
  }

  /** Adds a job, first run after `firstDelayMs` (default: a random point within its interval). */
  add(job: Job, firstDelayMs?: number): void {
    if (this.#entries.has(job.id)) throw new Error(`job ${job.id} is scheduled twice`);
    const entry: Entry = { job, generation: 0, running: undefined, removed: false };
    this.#entries.set(job.id, entry);
    const delay = firstDelayMs ?? Math.floor(this.#random() * Math.min(job.interval(), 10_000));
    this.#schedule(entry, this.#opts.clock.monotonic() + delay);
  }

  /** Removes a job; a run in progress is aborted. */
  remove(id: string): void {
    const e = this.#entries.get(id);
    if (!e) return;
    e.removed = true;
    e.generation++;
    e.running?.abort(new Error("removed"));
    this.#entries.delete(id);
  }

  /** Runs a job as soon as a slot is free (after a state change, say), keeping its later schedule. */
  runSoon(id: string): void {
    const e = this.#entries.get(id);
    if (!e || e.running) return;
    this.#schedule(e, this.#opts.clock.monotonic());
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The p99 of the most recent scheduling lags (ms). Sorted at most every `p99EveryMs`, and only when
   * a lag came since: `/health` asks on every request, and 1,000 concurrent ones each sorting 4,096
   * boxed numbers were a second of the event loop.
   */
  recentLagP99(): number {
    const now = this.#opts.clock.monotonic();
    const last = this.#p99;
    if (last.count === this.#recentCount || now - last.at < p99EveryMs) return last.value;
    const n = Math.min(this.#recentCount, this.#recent.length);
    const sorted = this.#recent.slice(0, n).sort();
    this.#p99 = {
      value: sorted[Math.min(n - 1, Math.floor(n * 0.99))] ?? 0,
      count: this.#recentCount,
      at: now,
    };
    return this.#p99.value;
  }

  /** Lags (ms) measured since the last call, then forgotten (benchmarks read these). */
  takeLags(): number[] {
    const l = this.#lags;
    this.#lags = [];
    return l;
  }

  /** Stops timers, aborts runs in progress and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const e of this.#entries.values()) e.running?.abort(new Error("agent stopping"));
    await Promise.allSettled([...this.#inflight]);
  }

  #schedule(entry: Entry, due: number): void {
    entry.generation++;
    this.#heap.push(due, { id: entry.job.id, generation: entry.generation });
    this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = this.#heap.peekKey();
    if (next === undefined || next >= this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = next;
    this.#timer = this.#opts.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#fire();
      },
      Math.max(0, next - this.#opts.clock.monotonic()),
    );
  }

  #fire(): void {
    const now = this.#opts.clock.monotonic();
    for (let k = this.#heap.peekKey(); k !== undefined && k <= now; k = this.#heap.peekKey()) {
      const { key, value } = this.#heap.pop()!;
      const e = this.#entries.get(value.id);
      if (!e || e.generation !== value.generation) continue;
      this.#ready.push({ id: value.id, due: key, generation: value.generation });
    }
    this.#drain();
    this.#arm();
  }

  #drain(): void {
    while (this.#running < this.#opts.concurrency && this.#ready.length > 0 && !this.#stopped) {
      const { id, due, generation } = this.#ready.shift()!;
      const e = this.#entries.get(id);
      if (!e || e.running || e.generation !== generation) continue;
      this.#launch(e, due);
    }
  }

  #launch(e: Entry, due: number): void {
    const started = this.#opts.clock.monotonic();
    const lag = started - due;
    if (this.#opts.collectLags && this.#lags.length < 1_000_000) this.#lags.push(lag);
    this.#recent[this.#recentCount++ % this.#recent.length] = lag;
    const ac = new AbortController();
    e.running = ac;
    this.#running++;
    const timer = this.#opts.clock.setTimeout(
      () => ac.abort(new Error(`timed out after ${e.job.timeoutMs}ms`)),
      e.job.timeoutMs,
    );
    const p = e.job
      .run(ac.signal)
      .catch((err: unknown) => this.#opts.onError(e.job.id, err))
      .finally(() => {
        timer.cancel();
        e.running = undefined;
        this.#running--;
        this.#inflight.delete(p);
        if (!e.removed && !this.#stopped) {
          const interval = e.job.interval();
          const spread = e.job.jitterMs > 0 ? (this.#random() * 2 - 1) * e.job.jitterMs : 0;
          // Fixed rate, as a ticker: the interval counts from this run's start, so a check that takes
          // its whole timeout is not pushed back by it; a run longer than the interval goes again at once.
          this.#schedule(e, Math.max(this.#opts.clock.monotonic() + 1, started + interval + spread));
        }
        this.#drain();
      });
    this.#inflight.add(p);
  }
}
