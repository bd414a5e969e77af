import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { Scheduler, type Job } from "./scheduler.ts";

function job(
  id: string,
  over: Partial<Job> & { runs?: number[]; clock: FakeClock; takes?: number },
): Job & { runs: number[] } {
  const runs = over.runs ?? [];
  const { clock, takes = 0 } = over;
  return {
    id,
    interval: over.interval ?? (() => 1_000),
    jitterMs: over.jitterMs ?? 0,
    timeoutMs: over.timeoutMs ?? 500,
    runs,
    run:
      over.run ??
      ((signal) => {
        runs.push(clock.now());
        if (takes === 0) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const t = clock.setTimeout(resolve, takes);
          signal.addEventListener("abort", () => {
            t.cancel();
            resolve();
          });
        });
      }),
  };
}

const make = (clock: FakeClock, concurrency = 10) => {
  const errors: string[] = [];
  const s = new Scheduler({
    clock,
    concurrency,
    random: () => 0.5,
    collectLags: true,
    onError: (id) => errors.push(id),
  });
  return { s, errors };
};

describe("scheduler", () => {
  it("runs each job at a fixed rate: the interval counts from the start of the last run", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock);
    const a = job("a", { clock, takes: 100 });
    s.add(a, 0);
    s.start();
    await clock.advance(3_500);
    expect(a.runs).toEqual([0, 1_000, 2_000, 3_000]);
    await s.stop();
  });

  it("shortens the interval while the job says it is failing", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock);
    let failing = false;
    const a = job("a", { clock, interval: () => (failing ? 250 : 1_000) });
    s.add(a, 0);
    s.start();
    await clock.advance(1_000);
    failing = true; // the run at 1000 already chose 2000; the next interval is the short one
    await clock.advance(2_000);
    expect(a.runs).toEqual([0, 1_000, 2_000, 2_250, 2_500, 2_750, 3_000]);
    await s.stop();
  });

  it("never overlaps a job with itself, and aborts a run at its timeout", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock);
    let aborted = 0;
    const runs: number[] = [];
    s.add(
      job("slow", {
        clock,
        interval: () => 100,
        timeoutMs: 300,
        run: (signal) =>
          new Promise<void>((resolve) => {
            runs.push(clock.now());
            signal.addEventListener("abort", () => {
              aborted++;
              resolve();
            });
          }),
      }),
      0,
    );
    s.start();
    await clock.advance(1_000);
    // Each run takes its whole 300 ms timeout, longer than the interval: the next starts right after.
    expect(runs).toEqual([0, 301, 602, 903]);
    expect(aborted).toBe(3);
    await s.stop();
  });

  it("caps concurrency and starts waiting jobs in due order, recording their lag", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock, 2);
    const jobs = ["a", "b", "c", "d"].map((id) => job(id, { clock, takes: 100, interval: () => 10_000 }));
    jobs.forEach((j, i) => s.add(j, i));
    s.start();
    await clock.advance(500);
    expect(jobs.map((j) => j.runs[0])).toEqual([0, 1, 100, 101]);
    expect(s.takeLags()).toEqual([0, 0, 98, 98]);
    expect(s.recentLagP99()).toBe(98);
    await s.stop();
  });

  it("removes a job, aborting its run, and survives a job that rejects", async () => {
    const clock = new FakeClock(0);
    const { s, errors } = make(clock);
    const a = job("a", { clock, takes: 5_000 });
    s.add(a, 0);
    s.add(job("bad", { clock, run: () => Promise.reject(new Error("boom")) }), 0);
    s.start();
    await clock.advance(10);
    s.remove("a");
    await clock.advance(3_000);
    expect(a.runs).toEqual([0]);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(s.has("a")).toBe(false);
    await s.stop();
  });

  it("runSoon runs a job now without waiting for its interval", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock);
    const a = job("a", { clock, interval: () => 60_000 });
    s.add(a, 0);
    s.start();
    await clock.advance(100);
    s.runSoon("a");
    await clock.advance(1);
    expect(a.runs).toEqual([0, 100]);
    await s.stop();
  });

  it("spreads intervals by the jitter", async () => {
    const clock = new FakeClock(0);
    const s = new Scheduler({ clock, concurrency: 1, random: () => 1, onError: () => undefined });
    const a = job("a", { clock, jitterMs: 100 });
    s.add(a, 0);
    s.start();
    await clock.advance(2_300);
    expect(a.runs).toEqual([0, 1_100, 2_200]);
    await s.stop();
  });

  it("stop() cancels the timer and waits for runs to end", async () => {
    const clock = new FakeClock(0);
    const { s } = make(clock);
    const a = job("a", { clock, takes: 10_000 });
    s.add(a, 0);
    s.start();
    await clock.advance(1);
    await s.stop();
    await clock.advance(5_000);
    expect(a.runs).toEqual([0]);
  });
});
