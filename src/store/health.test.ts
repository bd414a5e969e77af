/** The store's up/down state as a timeline on a fake clock, with a probe that fails until told not to. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import { StoreHealth, watchDb, type StoreOutage } from "./health.ts";

const unavailable = () =>
  new VigilError("STORE_UNAVAILABLE", "the store cannot be used: database or disk is full (SQLITE_FULL)", {
    details: { cause: "SQLITE_FULL", reason: "database or disk is full", fix: "free space" },
  });

/** A Db whose every write fails while `full` is set. */
function fakeDb(state: { full: boolean }): Db {
  const write = async () => {
    if (state.full) throw unavailable();
    return { changes: 1 };
  };
  return {
    dialect: "sqlite",
    all: async () => [],
    allArrays: async () => [],
    get: async () => undefined,
    run: write,
    exec: async () => void (await write()),
    transaction: async (_lock, fn) => {
      await write();
      return fn(fakeDb(state));
    },
    close: async () => undefined,
  };
}

describe("store health", () => {
  it("fails on the first unavailable call, stays failing whatever else succeeds, recovers by its probe", async () => {
    const clock = new FakeClock();
    const state = { full: true };
    const health = new StoreHealth({ clock, retryMs: 5_000 });
    const db = watchDb(fakeDb(state), health);
    health.probe = async () => void (await db.run("UPDATE meta SET value = 'probe'"));
    const failing: StoreOutage[] = [];
    const recovered: StoreOutage[] = [];
    health.onFailing((o) => failing.push(o));
    health.onRecovered((o) => recovered.push(o));

    await expect(db.run("INSERT 1")).rejects.toThrow(/SQLITE_FULL/);
    await expect(db.run("INSERT 2")).rejects.toThrow(/SQLITE_FULL/);
    expect(health.outage).toMatchObject({ cause: "database or disk is full (SQLITE_FULL)", failures: 2 });
    expect(failing).toHaveLength(1);
    // A read that works says nothing about writing.
    await db.get("SELECT 1");
    expect(health.outage).toBeDefined();

    await clock.advance(5_000); // the probe fails: still failing, tried again later
    expect(health.outage?.failures).toBe(3);
    state.full = false;
    await clock.advance(4_999);
    expect(health.outage).toBeDefined();
    await clock.advance(1);
    expect(health.outage).toBeUndefined();
    expect(recovered).toEqual([{ since: failing[0]!.since, cause: failing[0]!.cause, failures: 3 }]);
    // Nothing more is tried once it works.
    await clock.advance(60_000);
    expect(recovered).toHaveLength(1);
  });

  it("stops trying when the agent stops", async () => {
    const clock = new FakeClock();
    const health = new StoreHealth({ clock });
    let probes = 0;
    health.probe = async () => {
      probes++;
      throw unavailable();
    };
    health.failed("x");
    await clock.advance(12_000);
    expect(probes).toBe(2);
    health.stop();
    await clock.advance(60_000);
    expect(probes).toBe(2);
  });
});
