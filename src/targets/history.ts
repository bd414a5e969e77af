/**
 * Uptime and latency history for people to look at (the dashboard): every target in one compact
 * answer (state, uptime over 24 h and 7 d, recent latencies), and one target's buckets over a window.
 *
 * Built for 1,000 targets. A grouped SUM over 7 days of minute rows reads 10 million rows at that
 * size (3 s on SQLite, blocking), so uptime is kept per target as hourly totals: an hour is read once
 * when it has settled, and only the unsettled hours are re-read, at most once a minute (minute rows
 * are written when their minute ends; nothing newer exists). The reads go a slice of targets at a
 * time, yielding once a few milliseconds of slices have run, so a big fleet never holds the event
 * loop for long. (A yield after every slice of ten made 200 yields at 2,000 targets; under a flood
 * of requests each yield waits a whole turn of the event loop, and the overview never finished in
 * the 10 s its clients waited.) Measured at 1,000 targets with 7 days of minutes on SQLite: the
 * first overview ~4.5 s, later ones 35–75 ms.
 *
 * Owns: history reads and their caches. Must not import: api, app.
 */
import type { Clock } from "../core/clock.ts";
import type { MinuteRow, Store } from "../store/store.ts";
import type { TargetView } from "./targets.ts";

export const historyWindows = ["24h", "7d"] as const;
export type HistoryWindow = (typeof historyWindows)[number];

/** What the overview adds to a target's view. Uptime is a percentage, null before any minute was written. */
export interface TargetSummary {
  uptime_24h: number | null;
  uptime_7d: number | null;
  /** The newest check durations in ms, oldest first (the sparkline). */
  latency: number[];
}

export interface Overview {
  generated_at: number;
  targets: (TargetView & TargetSummary)[];
}

/** One target over a window, column by column (compact, and what a chart library takes). */
export interface TargetHistoryView {
  target: string;
  window: HistoryWindow;
  bucket_ms: number;
  from: number;
  to: number;
  uptime: number | null;
  /** Bucket starts, ms epoch; the arrays below line up with it. */
  t: number[];
  total: number[];
  ok: number[];
  /** Per minute as measured; per hour (7d) the median of its minutes' p50 and the p95 of their p95. */
  p50_ms: number[];
  p95_ms: number[];
  /** The newest results, oldest first. */
  recent: { ts: number[]; ok: boolean[]; ms: number[] };
}

export interface HistoryOptions {
  store: Store;
  clock: Clock;
  targets: { list(): TargetView[]; get(name: string): TargetView | undefined };
  /** Latencies per target in the overview. */
  sparkPoints?: number;
  /** Summaries are reused this long: many open dashboards cost one read. */
  summaryTtlMs?: number;
}

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const weekMs = 7 * dayMs;
/** An hour counts as settled this long after it ended: its last minute rows are written by then. */
const settleMs = 5 * minuteMs;
/**
 * Targets read together. A first read takes ~5 ms a target at 7 days of minutes (10,080 rows), so
 * ten keep a cold start's longest block near 50 ms; warm reads are cheap.
 */
const slice = 10;
/** Slices run between two yields to the event loop while they take less than this. */
const yieldEveryMs = 8;

interface Totals {
  total: number;
  ok: number;
}

interface UptimeEntry {
  /** Settled hours (hour start → totals) inside the week. */
  hours: Map<number, Totals>;
  /** Hours before this are loaded into `hours`. */
  through: number;
  /** The unsettled hours since `through`, and the minute they were read in. */
  recent: Totals;
  recentMinute: number;
}

/** A target without a summary yet; one object, so the entries built from it can be reused. */
const noSummary: TargetSummary = Object.freeze({ uptime_24h: null, uptime_7d: null, latency: [] });

const percent = (t: Totals) => (t.total === 0 ? null : Math.round((t.ok / t.total) * 100_000) / 1_000);
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TargetHistory {
  readonly #o: Required<HistoryOptions>;
  readonly #uptime = new Map<string, UptimeEntry>();
  #summaries: { at: number; byName: Map<string, TargetSummary> } | undefined;
  #reading: Promise<Map<string, TargetSummary>> | undefined;
  /**
   * Each target's overview entry, frozen, for as long as its view and its summary are the same
   * objects: the API reuses the JSON of frozen objects (api/compressed.ts).
   */
  readonly #entries = new WeakMap<
    TargetView,
    { summary: TargetSummary; entry: TargetView & TargetSummary }
  >();

  constructor(opts: HistoryOptions) {
    this.#o = { sparkPoints: 30, summaryTtlMs: 5_000, ...opts };
  }

  /**
   * Every target with its summary; concurrent callers share one read.
   * @example const { targets } = await history.overview(); // targets[0].uptime_24h === 99.93
   */
  async overview(): Promise<Overview> {
    const now = this.#o.clock.now();
    const cached = this.#summaries;
    const byName =
      cached && now - cached.at < this.#o.summaryTtlMs ? cached.byName : await this.#readSummaries(now);
    return {
      generated_at: now,
      targets: this.#o.targets.list().map((t) => this.#entry(t, byName.get(t.name) ?? noSummary)),
    };
  }

  #entry(view: TargetView, summary: TargetSummary): TargetView & TargetSummary {
    const known = this.#entries.get(view);
    if (known?.summary === summary) return known.entry;
    // Frozen: neither it nor what it holds changes (a new view or summary makes a new entry).
    const entry = Object.freeze({ ...view, ...summary });
    this.#entries.set(view, { summary, entry });
    return entry;
  }

  /** One target's buckets over the window, or undefined when there is no such target. */
  async history(name: string, window: HistoryWindow): Promise<TargetHistoryView | undefined> {
    if (!this.#o.targets.get(name)) return undefined;
    const to = this.#o.clock.now();
    const from = to - (window === "24h" ? dayMs : weekMs);
    const [minutes, recent] = await Promise.all([
      this.#o.store.minutes(name, from),
      this.#o.store.recentLatencies(name, 60),
    ]);
    const bucketMs = window === "24h" ? minuteMs : hourMs;
    const view: TargetHistoryView = {
      target: name,
      window,
      bucket_ms: bucketMs,
      from,
      to,
      uptime: null,
      t: [],
      total: [],
      ok: [],
      p50_ms: [],
      p95_ms: [],
      recent: { ts: [], ok: [], ms: [] },
    };
    let sum: Totals = { total: 0, ok: 0 };
    for (const b of window === "24h" ? minutes : byHour(minutes)) {
      view.t.push(b.minute);
      view.total.push(b.total);
      view.ok.push(b.ok);
      view.p50_ms.push(b.p50_ms);
      view.p95_ms.push(b.p95_ms);
      sum = { total: sum.total + b.total, ok: sum.ok + b.ok };
    }
    view.uptime = percent(sum);
    for (const r of recent.reverse()) {
      view.recent.ts.push(r.ts);
      view.recent.ok.push(r.ok);
      view.recent.ms.push(r.duration_ms);
    }
    return view;
  }

  #readSummaries(now: number): Promise<Map<string, TargetSummary>> {
    this.#reading ??= this.#read(now).finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #read(now: number): Promise<Map<string, TargetSummary>> {
    const names = this.#o.targets.list().map((t) => t.name);
    const byName = new Map<string, TargetSummary>();
    let since = performance.now();
    for (let i = 0; i < names.length; i += slice) {
      if (performance.now() - since >= yieldEveryMs) {
        await yieldToLoop();
        since = performance.now();
      }
      await Promise.all(
        names.slice(i, i + slice).map(async (name) => {
          const [uptime, recent] = await Promise.all([
            this.#uptimeOf(name, now),
            this.#o.store.recentLatencies(name, this.#o.sparkPoints),
          ]);
          byName.set(name, {
            uptime_24h: uptime[0],
            uptime_7d: uptime[1],
            latency: recent.reverse().map((r) => r.duration_ms),
          });
        }),
      );
    }
    // Targets removed by a reload are forgotten with their cached hours.
    for (const name of this.#uptime.keys()) if (!byName.has(name)) this.#uptime.delete(name);
    this.#summaries = { at: now, byName };
    return byName;
  }

  /** [24 h, 7 d] uptime, from the settled hours kept in memory plus the unsettled ones read now. */
  async #uptimeOf(name: string, now: number): Promise<[number | null, number | null]> {
    const settled = Math.floor((now - settleMs) / hourMs) * hourMs;
    const weekStart = Math.floor(now / hourMs) * hourMs - weekMs;
    let e = this.#uptime.get(name);
    if (!e) {
      e = { hours: new Map(), through: weekStart + hourMs, recent: { total: 0, ok: 0 }, recentMinute: -1 };
      this.#uptime.set(name, e);
    }
    if (e.through < settled) {
      for (const h of await this.#o.store.hourTotals(name, e.through, settled)) e.hours.set(h.hour, h);
      e.through = settled;
      e.recentMinute = -1;
      for (const hour of e.hours.keys()) if (hour <= weekStart) e.hours.delete(hour);
    }
    const minute = Math.floor(now / minuteMs);
    if (e.recentMinute !== minute) {
      const rows = await this.#o.store.hourTotals(name, settled, Number.MAX_SAFE_INTEGER);
      e.recent = rows.reduce((a, h) => ({ total: a.total + h.total, ok: a.ok + h.ok }), { total: 0, ok: 0 });
      e.recentMinute = minute;
    }
    const day: Totals = { ...e.recent };
    const week: Totals = { ...e.recent };
    const dayStart = Math.floor(now / hourMs) * hourMs - dayMs;
    for (const [hour, t] of e.hours) {
      week.total += t.total;
      week.ok += t.ok;
      if (hour > dayStart) {
        day.total += t.total;
        day.ok += t.ok;
      }
    }
    return [percent(day), percent(week)];
  }
}

/** Minute rows folded into hours; latency percentiles cannot be merged exactly, so these approximate. */
function byHour(minutes: readonly MinuteRow[]): MinuteRow[] {
  const hours = new Map<number, MinuteRow[]>();
  for (const m of minutes) {
    const hour = Math.floor(m.minute / hourMs) * hourMs;
    const list = hours.get(hour);
    if (list) list.push(m);
    else hours.set(hour, [m]);
  }
  return [...hours].map(([hour, list]) => ({
    target: list[0]!.target,
    minute: hour,
    total: list.reduce((a, m) => a + m.total, 0),
    ok: list.reduce((a, m) => a + m.ok, 0),
    p50_ms: quantile(
      list.map((m) => m.p50_ms),
      0.5,
    ),
    p95_ms: quantile(
      list.map((m) => m.p95_ms),
      0.95,
    ),
  }));
}

function quantile(values: number[], q: number): number {
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
