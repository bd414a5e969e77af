/** Dashboard sessions behave the same on SQLite and PostgreSQL: found until expiry, capped per owner. */
import { describe, expect, it } from "vitest";
import { SessionRows, type SessionRow } from "./session-store.ts";
import type { Store } from "./store.ts";

const row = (id: string, owner: string, expiresAt: number): SessionRow => ({
  id,
  owner,
  csrf: `csrf-${id}`,
  expiresAt,
});

export function sessionsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} dashboard sessions`, () => {
    it("finds a session until it expires and not after it is closed", async () => {
      const store = await makeStore();
      try {
        const s = new SessionRows(store.db);
        await s.open(row("a", "vera", 61_000), 1_000, 10);
        expect(await s.find("a", 60_999)).toEqual(row("a", "vera", 61_000));
        expect(await s.find("a", 61_000)).toBeUndefined();
        expect(await s.find("b", 1_000)).toBeUndefined();
        await s.open(row("b", "vera", 61_000), 1_000, 10);
        await s.close("b");
        expect(await s.find("b", 1_000)).toBeUndefined();
        expect(await s.find("a", 1_000)).toBeDefined();
      } finally {
        await store.close();
      }
    });

    it("caps each owner, dropping its expired sessions first, then its oldest, never another's", async () => {
      const store = await makeStore();
      try {
        const s = new SessionRows(store.db);
        await s.open(row("olga", "olga", 1e9), 0, 2);
        await s.open(row("v1", "vera", 1_000), 0, 2);
        await s.open(row("v2", "vera", 1e9), 900, 2);
        // v1 has expired: it makes room, and v2, though older than v3, stays.
        await s.open(row("v3", "vera", 1e9), 1_500, 2);
        expect(await s.find("v2", 1_500)).toBeDefined();
        expect(await s.find("v3", 1_500)).toBeDefined();
        expect(await s.count("vera")).toBe(2);
        // Now the oldest live one goes, in the same millisecond as its successor.
        await s.open(row("v4", "vera", 1e9), 1_500, 2);
        await s.open(row("v5", "vera", 1e9), 1_500, 2);
        expect(await s.find("v2", 1_500)).toBeUndefined();
        expect(await s.find("v3", 1_500)).toBeUndefined();
        expect(await s.find("v4", 1_500)).toBeDefined();
        expect(await s.find("v5", 1_500)).toBeDefined();
        expect(await s.find("olga", 1_500)).toBeDefined();
        expect(await s.count()).toBe(3);
      } finally {
        await store.close();
      }
    });

    it("sweeps every owner's expired sessions at a login", async () => {
      const store = await makeStore();
      try {
        const s = new SessionRows(store.db);
        await s.open(row("gone-1", "removed-token", 100), 0, 5);
        await s.open(row("gone-2", "another", 100), 0, 5);
        await s.open(row("live", "vera", 1e9), 100, 5);
        expect(await s.count()).toBe(1);
      } finally {
        await store.close();
      }
    });

    it("holds the cap when one owner's logins race", async () => {
      const store = await makeStore();
      try {
        const s = new SessionRows(store.db);
        await Promise.all(Array.from({ length: 20 }, (_, i) => s.open(row(`r${i}`, "vera", 1e9), 0, 3)));
        expect(await s.count("vera")).toBe(3);
      } finally {
        await store.close();
      }
    });
  });
}
