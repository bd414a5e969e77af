/** Leader leases behave the same on SQLite and PostgreSQL: one holder, taken over when it dies or lapses. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { until } from "../../test/helpers/poll.ts";
import { Leadership } from "../fleet/leader.ts";
import { LeaseStore } from "./lease-store.ts";
import type { Store } from "./store.ts";

async function alive(store: Store, instance: string, leaseUntil: number): Promise<void> {
  await store.db.run(
    `INSERT INTO agents (name, instance, host, pid, version, started_at, renewed_at, lease_until, info)
     VALUES (?, ?, 'h', 1, 'v', 0, 0, ?, '{}') ON CONFLICT (name) DO UPDATE SET lease_until = excluded.lease_until`,
    [instance, instance, leaseUntil],
  );
}

export function leasesContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} leader leases`, () => {
    it("has one holder; a lapsed lease, a dead holder or a release frees it", async () => {
      const store = await makeStore();
      try {
        const l = new LeaseStore(store.db);
        await alive(store, "a", 1e13);
        await alive(store, "b", 1e13);
        expect(await l.acquire("tg", "a", 1_000, 11_000)).toBe(true);
        expect(await l.acquire("tg", "b", 2_000, 12_000)).toBe(false);
        // Renewed by its holder; another name is another lease.
        expect(await l.acquire("tg", "a", 5_000, 15_000)).toBe(true);
        expect(await l.acquire("other", "b", 5_000, 15_000)).toBe(true);
        expect(await l.acquire("tg", "b", 14_999, 24_999)).toBe(false);
        expect(await l.acquire("tg", "b", 15_000, 25_000)).toBe(true);
        expect(await l.holder("tg", 15_000)).toBe("b");
        // b's agent dies (its fleet lease lapsed): a takes the lease before b's own runs out.
        await alive(store, "b", 16_000);
        expect(await l.acquire("tg", "a", 16_000, 26_000)).toBe(true);
        await l.release("tg", "a");
        expect(await l.holder("tg", 16_001)).toBeUndefined();
        expect(await l.acquire("tg", "b", 16_001, 26_001)).toBe(true);
      } finally {
        await store.close();
      }
    });

    it("leads in one agent at a time, hands over at stop, and steps down when it cannot renew", async () => {
      const store = await makeStore();
      try {
        const clock = new FakeClock();
        await alive(store, "a", 1e13);
        await alive(store, "b", 1e13);
        const log: string[] = [];
        const make = (holder: string, leases = new LeaseStore(store.db)) =>
          new Leadership({
            leases,
            name: "tg",
            holder,
            leaseMs: 3_000,
            clock,
            lead: () => log.push(`${holder} leads`),
            follow: async () => void log.push(`${holder} follows`),
            onError: () => undefined,
          });
        const a = make("a");
        const b = make("b");
        await a.start();
        await b.start();
        expect(log).toEqual(["a leads"]);
        await a.stop();
        expect(log).toEqual(["a leads", "a follows"]);
        await clock.advance(1_000);
        await until("b leads", async () => (b.leading ? true : undefined));
        expect(log).toEqual(["a leads", "a follows", "b leads"]);
        await b.stop();

        // A leader whose store fails steps down once its lease runs out, not before.
        const failing = new LeaseStore(store.db);
        let down = false;
        const real = failing.acquire.bind(failing);
        failing.acquire = (...args) => (down ? Promise.reject(new Error("store down")) : real(...args));
        const c = make("a", failing);
        await c.start();
        expect(c.leading).toBe(true);
        down = true;
        await clock.advance(2_000);
        expect(c.leading).toBe(true);
        await clock.advance(1_000);
        await until("c steps down", async () => (c.leading ? undefined : true));
        expect(log.at(-1)).toBe("a follows");
        down = false;
        await c.stop();
      } finally {
        await store.close();
      }
    });
  });
}
