/**
 * The behaviour every Store must have. Each implementation's test calls `storeContract` with a
 * factory for a fresh, empty, migrated store.
 */
import { describe, expect, it } from "vitest";
import type { NewEvent, StoredEvent } from "../core/events.ts";
import type { ChainTip, Store } from "./store.ts";
import { latestVersion } from "./migrations/index.ts";

const ev = (n: number): NewEvent => ({
  type: "agent.stopped",
  subject: `s${n}`,
  actor: "test",
  payload: { reason: `r${n}` },
  ts: 1_700_000_000_000 + n,
});

/** A sealer with simple, checkable links: hash = "h<seq>", prev_hash = previous hash. */
const seal = (tip: ChainTip | undefined, events: readonly NewEvent[]): StoredEvent[] => {
  let seq = tip?.seq ?? 0;
  let prev = tip?.hash ?? "genesis";
  return events.map((e) => {
    seq += 1;
    const row = { ...e, seq, payload: JSON.stringify(e.payload), prev_hash: prev, hash: `h${seq}` };
    prev = row.hash;
    return row;
  });
};

export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it("is migrated to the latest schema version", async () => {
      const store = await makeStore();
      expect(await store.schemaVersion()).toBe(latestVersion);
      await store.close();
    });

    it("appends events in order, chained after the tip, and reads them back", async () => {
      const store = await makeStore();
      await store.appendEvents([ev(1), ev(2)], seal);
      const rows = await store.appendEvents([ev(3)], seal);
      expect(rows[0]).toMatchObject({ seq: 3, prev_hash: "h2", hash: "h3" });
      const all = await store.readEvents({ limit: 10 });
      expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(all[1]).toEqual({
        seq: 2,
        ts: 1_700_000_000_002,
        actor: "test",
        type: "agent.stopped",
        subject: "s2",
        payload: '{"reason":"r2"}',
        prev_hash: "h1",
        hash: "h2",
      });
      expect(await store.countEvents()).toBe(3);
      await store.close();
    });

    it("serialises concurrent appends into one unbroken chain", async () => {
      const store = await makeStore();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendEvents([ev(i), ev(i + 100)], seal)));
      const all = await store.readEvents({ limit: 1000 });
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      for (let i = 1; i < all.length; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash);
      await store.close();
    });

    it("pages with after/limit, tails with newest, and scans everything", async () => {
      const store = await makeStore();
      await store.appendEvents(
        Array.from({ length: 25 }, (_, i) => ev(i)),
        seal,
      );
      expect((await store.readEvents({ after: 20, limit: 3 })).map((r) => r.seq)).toEqual([21, 22, 23]);
      expect((await store.readEvents({ limit: 3, newest: true })).map((r) => r.seq)).toEqual([23, 24, 25]);
      const pages: number[] = [];
      for await (const page of store.scanEvents(10)) pages.push(page.length);
      expect(pages).toEqual([10, 10, 5]);
      await store.close();
    });

    it("rolls back a failed append: nothing half-written", async () => {
      const store = await makeStore();
      await store.appendEvents([ev(1)], seal);
      const broken = (tip: ChainTip | undefined, events: readonly NewEvent[]) => {
        const rows = seal(tip, events);
        rows[1]!.seq = rows[0]!.seq; // duplicate key on the second row
        return rows;
      };
      await expect(store.appendEvents([ev(2), ev(3)], broken)).rejects.toThrow();
      expect(await store.countEvents()).toBe(1);
      await store.appendEvents([ev(4)], seal);
      expect(await store.countEvents()).toBe(2);
      await store.close();
    });

    it("keeps each row's MAC for verification, out of what readers and appenders get", async () => {
      const store = await makeStore();
      await store.appendEvents([ev(1)], seal);
      const [row] = await store.appendEvents([ev(2)], seal, (r) => `k:${r.hash}`);
      expect(row).not.toHaveProperty("mac");
      expect((await store.readEvents({ limit: 10 }))[1]).not.toHaveProperty("mac");
      const scanned = [];
      for await (const page of store.scanEvents()) scanned.push(...page);
      expect(scanned.map((r) => r.mac)).toEqual([null, "k:h2"]);
      await store.close();
    });

    it("chains each agent's rows after its own tip, one seq over the table, the first after the unchained tip", async () => {
      const store = await makeStore();
      await store.appendEvents([ev(1)], seal);
      await store.appendEvents([ev(2)], seal, undefined, "web-1");
      await store.appendEvents([ev(3)], seal, undefined, "web-2");
      await store.appendEvents([ev(4), ev(5)], seal, undefined, "web-1");
      const rows = await store.readEvents({ limit: 10 });
      expect(rows.map((r) => [r.seq, r.chain, r.prev_hash])).toEqual([
        [1, undefined, "genesis"],
        [2, "web-1", "h1"],
        [3, "web-2", "h1"],
        [4, "web-1", "h2"],
        [5, "web-1", "h4"],
      ]);
      expect((await store.readEvents({ limit: 2, newest: true })).map((r) => r.chain)).toEqual([
        "web-1",
        "web-1",
      ]);
      const scanned = [];
      for await (const page of store.scanEvents()) scanned.push(...page);
      expect(scanned.map((r) => r.chain)).toEqual([undefined, "web-1", "web-2", "web-1", "web-1"]);
      await store.close();
    });

    it("refuses to update or delete audit rows", async () => {
      const store = await makeStore();
      await store.appendEvents([ev(1)], seal);
      await expect(store.db.run("UPDATE audit_events SET payload = ? WHERE seq = 1", ["{}"])).rejects.toThrow(
        /append-only/,
      );
      await expect(store.db.run("DELETE FROM audit_events WHERE seq = 1")).rejects.toThrow(/append-only/);
      await store.close();
    });

    it("keeps meta values, overwriting on set", async () => {
      const store = await makeStore();
      expect(await store.getMeta("paused")).toBeUndefined();
      await store.setMeta("paused", "1");
      await store.setMeta("paused", "0");
      expect(await store.getMeta("paused")).toBe("0");
      await store.close();
    });
  });
}

export function targetsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract (targets and results): ${name}`, () => {
    it("upserts and loads targets", async () => {
      const store = await makeStore();
      const row = {
        name: "api",
        kind: "service" as const,
        state: "up",
        since: 5,
        health: "{}",
        service: '{"pid":1}',
        last_result: null,
        updated_at: 6,
      };
      await store.saveTargets("web-1", [row]);
      await store.saveTargets("web-1", [{ ...row, state: "down", since: 7 }]);
      expect(await store.loadTargets("web-1")).toEqual([{ ...row, state: "down", since: 7 }]);
      // Another agent of a fleet neither sees, overwrites nor forgets web-1's targets.
      await store.saveTargets("web-2", [
        { ...row, state: "up", since: 9 },
        { ...row, name: "db" },
      ]);
      await store.deleteTarget("web-2", "api");
      expect(await store.loadTargets("web-1")).toEqual([{ ...row, state: "down", since: 7 }]);
      expect((await store.loadTargets("web-2")).map((r) => r.name)).toEqual(["db"]);
      await store.deleteTarget("web-1", "api");
      expect(await store.loadTargets("web-1")).toEqual([]);
      // A row from before targets had an agent is anyone's to take; then it is the taker's.
      await store.db.run(
        "INSERT INTO targets (name, kind, state, since, health, updated_at) VALUES ('old', 'check', 'up', 1, '{}', 1)",
      );
      expect((await store.loadTargets("web-2")).map((r) => r.name)).toEqual(["db", "old"]);
      await store.saveTargets("web-2", [{ ...row, name: "old" }]);
      expect((await store.loadTargets("web-1")).map((r) => r.name)).toEqual([]);
      // A fleet-wide list sees every agent's rows with the agent that runs each.
      expect((await store.allTargets()).map((r) => [r.name, r.agent, r.since])).toEqual([
        ["db", "web-2", 5],
        ["old", "web-2", 5],
      ]);
      await store.saveTargets("web-1", [{ ...row, name: "zz" }]);
      await store.db.run(
        "INSERT INTO targets (name, kind, state, since, health, updated_at) VALUES ('nobody', 'check', 'up', 1, '{}', 1)",
      );
      expect((await store.allTargets()).map((r) => [r.name, r.agent])).toEqual([
        ["db", "web-2"],
        ["nobody", null],
        ["old", "web-2"],
        ["zz", "web-1"],
      ]);
      await store.close();
    });

    it("hands a shared check's row to the agent that takes it over, state and all", async () => {
      const store = await makeStore();
      const row = {
        name: "shared-api",
        kind: "check" as const,
        state: "down",
        since: 5,
        health: '{"failures":3}',
        service: null,
        last_result: '{"ok":false}',
        updated_at: 6,
      };
      const fresh = { ...row, state: "unknown", health: "{}", last_result: null };
      await store.saveTargets("web-1", [row, { ...row, name: "own" }]);
      // web-1 is live and holds it: web-2 does not take it; a name without a row is stored as given.
      expect(
        await store.takeTargets("web-2", [fresh, { ...fresh, name: "new" }], ["web-1", "web-2"]),
      ).toEqual([{ ...fresh, name: "new" }]);
      // web-1 is dead to the fleet: its row goes to web-2 as it was.
      expect(await store.takeTargets("web-2", [fresh], ["web-2", "web-3"])).toEqual([row]);
      // The taker writes it from now on; the one that ran it before cannot overwrite or forget it.
      await store.saveTargets("web-1", [{ ...row, state: "up" }]);
      await store.deleteTarget("web-1", "shared-api");
      expect((await store.loadTargets("web-2")).map((r) => [r.name, r.state])).toEqual([
        ["new", "unknown"],
        ["shared-api", "down"],
      ]);
      expect((await store.loadTargets("web-1")).map((r) => r.name)).toEqual(["own"]);
      // Handed over by a live agent: nobody's (no agent loads it), until one takes it.
      await store.handOverTargets("web-2", ["shared-api"]);
      expect((await store.loadTargets("web-2")).map((r) => r.name)).toEqual(["new"]);
      expect(await store.takeTargets("web-3", [fresh], ["web-2", "web-3"])).toEqual([row]);
      const many = Array.from({ length: 1_200 }, (_, i) => ({ ...row, name: `c-${i}` }));
      await store.saveTargets("web-1", many);
      expect((await store.takeTargets("web-3", many, ["web-3"])).length).toBe(1_200);
      await store.close();
    });

    it("writes results and minutes in batches, reads the newest first, prunes per target", async () => {
      const store = await makeStore();
      const results = Array.from({ length: 30 }, (_, i) => ({
        target: i % 2 ? "a" : "b",
        ts: 1_000 + i,
        ok: i % 3 !== 0,
        duration_ms: i,
        summary: "{}",
      }));
      const minute = { target: "a", minute: 60_000, total: 10, ok: 9, p50_ms: 3, p95_ms: 8 };
      await store.writeResults(results, [minute]);
      await store.writeResults([], [{ ...minute, total: 12 }]);
      const recent = await store.recentResults("a", 3);
      expect(recent.map((r) => r.ts)).toEqual([1_029, 1_027, 1_025]);
      expect(recent[0]).toEqual({ target: "a", ts: 1_029, ok: true, duration_ms: 29, summary: "{}" });
      expect(await store.minutes("a", 0)).toEqual([{ ...minute, total: 12 }]);
      await store.pruneResults(5, ["a"]);
      expect((await store.recentResults("a", 100)).map((r) => r.ts)).toEqual([
        1_029, 1_027, 1_025, 1_023, 1_021,
      ]);
      expect(await store.recentResults("b", 100)).toHaveLength(15);
      expect(await store.minutes("a", 0)).toHaveLength(1);
      await store.pruneResults(5, ["b", "c"], 120_000);
      expect(await store.recentResults("b", 100)).toHaveLength(5);
      expect(await store.minutes("a", 0)).toEqual([]);
      await store.close();
    });

    it("sums minutes per hour in a range and reads recent latencies without summaries", async () => {
      const store = await makeStore();
      const hour = 3_600_000;
      const m = (target: string, minute: number, total: number, ok: number) => ({
        target,
        minute,
        total,
        ok,
        p50_ms: 1,
        p95_ms: 2,
      });
      await store.writeResults(
        [
          { target: "a", ts: 5, ok: true, duration_ms: 12, summary: "{}" },
          { target: "a", ts: 6, ok: false, duration_ms: 40, summary: "{}" },
          { target: "b", ts: 7, ok: true, duration_ms: 3, summary: "{}" },
        ],
        [
          m("a", 10 * hour, 6, 6),
          m("a", 10 * hour + 60_000, 6, 5),
          m("a", 11 * hour, 6, 0),
          m("a", 12 * hour, 6, 6),
          m("b", 10 * hour, 6, 6),
        ],
      );
      expect(await store.hourTotals("a", 10 * hour, 12 * hour)).toEqual([
        { hour: 10 * hour, total: 12, ok: 11 },
        { hour: 11 * hour, total: 6, ok: 0 },
      ]);
      expect(await store.hourTotals("c", 0, 20 * hour)).toEqual([]);
      expect(await store.recentLatencies("a", 10)).toEqual([
        { ts: 6, ok: false, duration_ms: 40 },
        { ts: 5, ok: true, duration_ms: 12 },
      ]);
      expect(await store.recentLatencies("a", 1)).toHaveLength(1);
      await store.close();
    });
  });
}
