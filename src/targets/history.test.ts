import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import type { Clock } from "../core/clock.ts";
import { openStore } from "../store/open.ts";
import type { MinuteRow, Store } from "../store/store.ts";
import { TargetHistory } from "./history.ts";
import type { TargetView } from "./targets.ts";

const hour = 3_600_000;
const day = 24 * hour;
const view = (name: string): TargetView => ({
  name,
  kind: "check",
  state: "up",
  since: 0,
  restarts: 0,
  last_result: null,
  incident_id: null,
  agent: "web-1",
});

async function setup(names: string[]) {
  const store = await openStore({ store: "sqlite", dataDir: tempDir() });
  let now = 100 * day + 30 * 60_000;
  const clock = { now: () => now, monotonic: () => now, setTimeout: () => ({ cancel() {} }) } as Clock;
  const views = names.map(view);
  const history = new TargetHistory({
    store,
    clock,
    targets: { list: () => views, get: (n) => views.find((v) => v.name === n) },
    summaryTtlMs: 0,
  });
  return { store, history, at: (t: number) => (now = t), now: () => now };
}

const minute = (target: string, at: number, total: number, ok: number, p50 = 10, p95 = 20): MinuteRow => ({
  target,
  minute: at,
  total,
  ok,
  p50_ms: p50,
  p95_ms: p95,
});

async function write(store: Store, rows: MinuteRow[]) {
  await store.writeResults([], rows);
}

describe("TargetHistory", () => {
  it("gives every target its uptime over 24 h and 7 d and its newest latencies, oldest first", async () => {
    const { store, history, now } = await setup(["a", "b", "c"]);
    const t = now();
    await write(store, [
      minute("a", t - 2 * 60_000, 10, 10), // this hour
      minute("a", t - 3 * hour, 10, 5), // earlier today
      minute("a", t - 3 * day, 20, 0), // this week, not today
      minute("a", t - 9 * day, 100, 0), // older than the week: not counted
      minute("b", t - 60_000, 4, 4),
    ]);
    await store.writeResults(
      [1, 2, 3].map((i) => ({ target: "a", ts: i, ok: true, duration_ms: i * 10, summary: "{}" })),
      [],
    );
    const o = await history.overview();
    expect(o.generated_at).toBe(t);
    const [a, b, c] = o.targets;
    expect(a).toMatchObject({
      name: "a",
      state: "up",
      uptime_24h: 75,
      uptime_7d: 37.5,
      latency: [10, 20, 30],
    });
    expect(b).toMatchObject({ uptime_24h: 100, uptime_7d: 100, latency: [] });
    expect(c).toMatchObject({ uptime_24h: null, uptime_7d: null, latency: [] });
    await store.close();
  });

  it("reads settled hours once and carries them forward as time moves on", async () => {
    const { store, history, now, at } = await setup(["a"]);
    const t = now();
    await write(store, [minute("a", t - 2 * hour, 10, 10)]);
    expect((await history.overview()).targets[0]!.uptime_24h).toBe(100);
    // A new failing minute an hour later: the old hour is remembered, the new one read.
    at(t + hour);
    await write(store, [minute("a", t + hour - 60_000, 10, 0)]);
    expect((await history.overview()).targets[0]!.uptime_24h).toBe(50);
    // A day later the first hour has left the 24 h window but not the week.
    at(t + day - 1.5 * hour);
    const later = (await history.overview()).targets[0]!;
    expect(later.uptime_24h).toBe(0);
    expect(later.uptime_7d).toBe(50);
    await store.close();
  });

  it("answers one target's window in columns: per minute for 24 h, per hour for 7 d", async () => {
    const { store, history, now } = await setup(["a"]);
    const t = now();
    const h0 = Math.floor((t - 2 * day) / hour) * hour;
    await write(store, [
      minute("a", h0, 6, 6, 10, 20),
      minute("a", h0 + 60_000, 6, 3, 30, 90),
      minute("a", h0 + 120_000, 6, 6, 20, 40),
      minute("a", t - 5 * 60_000, 6, 6, 5, 7),
    ]);
    await store.writeResults([{ target: "a", ts: 9, ok: false, duration_ms: 44, summary: "{}" }], []);
    const d = (await history.history("a", "24h"))!;
    expect(d).toMatchObject({ window: "24h", bucket_ms: 60_000, t: [t - 5 * 60_000], uptime: 100 });
    expect(d.recent).toEqual({ ts: [9], ok: [false], ms: [44] });
    const w = (await history.history("a", "7d"))!;
    expect(w.bucket_ms).toBe(hour);
    expect(w.t).toEqual([h0, Math.floor((t - 5 * 60_000) / hour) * hour]);
    expect(w.total).toEqual([18, 6]);
    expect(w.ok).toEqual([15, 6]);
    expect(w.p50_ms[0]).toBe(20);
    expect(w.p95_ms[0]).toBe(90);
    expect(w.uptime).toBe(87.5);
    expect(await history.history("nope", "24h")).toBeUndefined();
    await store.close();
  });

  it("hands out the same frozen entry for a target while its view and summary are unchanged", async () => {
    const { store } = await setup([]);
    const views = ["a", "b"].map(view);
    const history = new TargetHistory({
      store,
      clock: { now: () => 100 * day, monotonic: () => 0, setTimeout: () => ({ cancel() {} }) },
      targets: { list: () => views, get: (n) => views.find((v) => v.name === n) },
    });
    const first = await history.overview();
    const second = await history.overview();
    expect(second.targets[0]).toBe(first.targets[0]);
    expect(Object.isFrozen(first.targets[0])).toBe(true);
    expect(first.targets.map((t) => t.name)).toEqual(["a", "b"]);
  });
});
