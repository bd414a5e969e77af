import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { Ticker } from "./ticker.ts";

describe("ticker", () => {
  it("schedules no pass once stopped, even when stopped while a pass is running", async () => {
    const clock = new FakeClock(0);
    let passes = 0;
    let release = () => undefined as void;
    const ticker = new Ticker(
      clock,
      1_000,
      async () => {
        if (++passes === 1) await new Promise<void>((r) => (release = r));
      },
      () => undefined,
    );
    ticker.start();
    await clock.advance(1_000);
    expect(passes).toBe(1);
    // The stop comes while the first pass waits (a slow database): it waits for that pass, then no more.
    const stopped = ticker.stop();
    release();
    await stopped;
    await clock.advance(60_000);
    expect(passes).toBe(1);
  });

  it("keeps ticking after a failed pass, and joins a pass in flight", async () => {
    const clock = new FakeClock(0);
    const errors: unknown[] = [];
    let passes = 0;
    const ticker = new Ticker(
      clock,
      1_000,
      async () => {
        if (++passes === 1) throw new Error("store down");
      },
      (e) => errors.push(e),
    );
    ticker.start();
    await clock.advance(3_000);
    expect(passes).toBe(3);
    expect(errors).toHaveLength(1);
    await Promise.all([ticker.run(), ticker.run()]);
    expect(passes).toBe(4);
    await ticker.stop();
  });
});
