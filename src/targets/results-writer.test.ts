import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { silentLogger } from "../core/log.ts";
import { openStore } from "../store/open.ts";
import { ResultsWriter } from "./results-writer.ts";

const minute = 60_000;

describe("results writer", () => {
  it("writes results every flush, a minute's aggregate once the minute has ended, and the running minute at stop", async () => {
    const clock = new FakeClock(100 * minute);
    const store = await openStore({ store: "sqlite", dataDir: tempDir() });
    const w = new ResultsWriter({ store, clock, log: silentLogger(), keepPerTarget: 1_000 });
    try {
      w.start();
      for (let i = 0; i < 6; i++) {
        w.add({ target: "web", ts: clock.now(), ok: i !== 2, duration_ms: 10 * (i + 1), summary: "{}" });
        await clock.advance(9_000);
      }
      await w.flush();
      expect(await store.recentResults("web", 100)).toHaveLength(6);
      expect(await store.minutes("web", 0)).toEqual([]); // minute 100 closes at 101:00
      await clock.advance(7_000);
      w.add({ target: "web", ts: clock.now(), ok: true, duration_ms: 5, summary: "{}" });
      await w.flush();
      expect(await store.minutes("web", 0)).toEqual([
        { target: "web", minute: 100 * minute, total: 6, ok: 5, p50_ms: 30, p95_ms: 60 },
      ]);
      await w.stop();
      expect((await store.minutes("web", 0)).map((m) => [m.minute, m.total])).toEqual([
        [100 * minute, 6],
        [101 * minute, 1],
      ]);
    } finally {
      await store.close();
    }
  });

  it("arms no next flush once stopped while a flush was in flight", async () => {
    const clock = new FakeClock(0);
    let armed = 0;
    const counting = {
      now: () => clock.now(),
      monotonic: () => clock.monotonic(),
      setTimeout: (fn: () => void, ms: number) => (armed++, clock.setTimeout(fn, ms)),
    };
    const store = await openStore({ store: "sqlite", dataDir: tempDir() });
    let release = () => undefined as void;
    const slow = new Promise<void>((r) => (release = r));
    const write = store.writeResults.bind(store);
    store.writeResults = async (...args) => (await slow, write(...args));
    const w = new ResultsWriter({ store, clock: counting, log: silentLogger() });
    try {
      w.start();
      w.add({ target: "web", ts: 0, ok: true, duration_ms: 1, summary: "{}" });
      await clock.advance(1_000); // the flush starts, and waits on the store
      const before = armed;
      const stopped = w.stop();
      release();
      await stopped;
      await clock.advance(5_000);
      expect(armed).toBe(before);
    } finally {
      await store.close();
    }
  });

  it("keeps the newest results per target by pruning a slice of targets per flush", async () => {
    const clock = new FakeClock(0);
    const store = await openStore({ store: "sqlite", dataDir: tempDir() });
    const w = new ResultsWriter({ store, clock, log: silentLogger(), keepPerTarget: 3 });
    try {
      for (let round = 0; round < 5; round++) {
        for (let t = 0; t < 600; t++)
          w.add({ target: `t${t}`, ts: round, ok: true, duration_ms: 1, summary: "{}" });
        await w.flush();
      }
      for (let i = 0; i < 4; i++) await w.flush();
      for (const t of ["t0", "t299", "t599"]) {
        expect((await store.recentResults(t, 100)).map((r) => r.ts)).toEqual([4, 3, 2]);
      }
    } finally {
      await store.close();
    }
  });
});
