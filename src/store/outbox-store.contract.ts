/** The outbox and its grouping queries behave the same on SQLite and PostgreSQL. */
import { describe, expect, it } from "vitest";
import { incident } from "./incident-store.contract.ts";
import { IncidentStore } from "./incident-store.ts";
import { OutboxStore, type OutboxRow } from "./outbox-store.ts";
import type { Store } from "./store.ts";

const row = (id: string, over: Partial<OutboxRow> = {}): OutboxRow => ({
  id,
  channel: "hook",
  dedup_key: `key-${id}`,
  kind: "incident.opened",
  target: "web",
  body: "{}",
  status: "pending",
  attempts: 0,
  next_at: 10_000,
  created_at: 1_000,
  sent_at: null,
  last_error: null,
  ...over,
});

export function outboxContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} outbox store`, () => {
    it("queues once per key and channel; finds the waiting group and the last sent; regroups only what still waits", async () => {
      const store = await makeStore();
      const o = new OutboxStore(store.db);
      expect(await o.enqueue(row("a"))).toBe(true);
      expect(await o.enqueue(row("a2", { dedup_key: "key-a" }))).toBe(false);
      expect(await o.enqueue(row("a3", { dedup_key: "key-a", channel: "mail" }))).toBe(true);
      await o.enqueue(row("ap", { kind: "approval.requested", created_at: 500 }));

      expect((await o.openGroup("hook", "web", 5_000))?.id).toBe("a");
      expect(await o.openGroup("hook", "web", 10_000)).toBeUndefined();
      expect(await o.openGroup("hook", "db", 5_000)).toBeUndefined();
      expect(await o.regroup("a", '{"v":2}', 8_000, 5_000)).toBe(true);
      expect((await o.list(10)).find((r) => r.id === "a")).toMatchObject({ body: '{"v":2}', next_at: 8_000 });
      // Due already: the outbox may have it in hand, so it is not changed.
      expect(await o.regroup("a", '{"v":3}', 9_000, 8_000)).toBe(false);

      expect(await o.lastSent("hook", "web")).toBeUndefined();
      await o.update({ ...row("a"), status: "sent", attempts: 1, sent_at: 8_100 });
      await o.enqueue(row("b", { status: "sent", sent_at: 9_000, created_at: 2_000 }));
      expect(await o.lastSent("hook", "web")).toBe(9_000);
      expect(await o.depth()).toEqual({ hook: 1, mail: 1 });
      expect(await o.channelsFor("key-")).toEqual(expect.arrayContaining(["hook", "mail"]));

      await o.setStatus("a3", "merged");
      // The opening of an incident still open is kept: its resolution will ask where it went.
      const incidents = new IncidentStore(store.db);
      await incidents.insertIncident(incident("inc1", { target: "web", opened_at: 500 }));
      await o.enqueue(
        row("op", { dedup_key: "incident:inc1:opened:7", status: "sent", sent_at: 600, created_at: 500 }),
      );
      expect(await o.prune(1_500)).toBe(2);
      expect((await o.list(10)).map((r) => r.id).sort()).toEqual(["ap", "b", "op"]);
      await store.close();
    });

    it("hands each due notification to one claimer; a dead or expired claim is taken over", async () => {
      const store = await makeStore();
      try {
        const o = new OutboxStore(store.db);
        const now = 50_000;
        for (const id of ["n1", "n2", "n3", "n4"])
          await o.enqueue(row(id, { next_at: 10_000 + Number(id[1]) }));
        await o.enqueue(row("later", { next_at: now + 1 }));
        const alive = async (instance: string, leaseUntil: number) =>
          store.db.run(
            `INSERT INTO agents (name, instance, host, pid, version, started_at, renewed_at, lease_until, info)
             VALUES (?, ?, 'h', 1, 'v', 0, 0, ?, '{}')
             ON CONFLICT (name) DO UPDATE SET lease_until = excluded.lease_until`,
            [instance, instance, leaseUntil],
          );
        await alive("a", now + 10_000);
        await alive("b", now + 10_000);
        const ids = (rows: OutboxRow[]) => rows.map((r) => r.id);

        expect(ids(await o.claimDue("a", now, now + 60_000, 2))).toEqual(["n1", "n2"]);
        expect(ids(await o.claimDue("b", now, now + 60_000, 10))).toEqual(["n3", "n4"]);
        // Its own claims are its to take again (a pass cut short by a stop); another's are not.
        expect(ids(await o.claimDue("a", now, now + 60_000, 10))).toEqual(["n1", "n2"]);
        // Delivered: the row is done and the claim let go.
        await o.update({ ...row("n1"), status: "sent", attempts: 1, sent_at: now });
        // a leaves the fleet (its lease lapsed): b takes what a held and has not delivered.
        await alive("a", now - 1);
        expect(ids(await o.claimDue("b", now, now + 60_000, 10))).toEqual(["n2", "n3", "n4"]);
        // A claim that ran out is free even while its holder lives.
        expect(ids(await o.claimDue("c", now + 60_000, now + 120_000, 10))).toEqual([
          "n2",
          "n3",
          "n4",
          "later",
        ]);
      } finally {
        await store.close();
      }
    });

    it("records an outcome only for the start that still holds the claim", async () => {
      const store = await makeStore();
      try {
        const o = new OutboxStore(store.db);
        const now = 50_000;
        await o.enqueue(row("n1"));
        for (const instance of ["a", "b"])
          await store.db.run(
            `INSERT INTO agents (name, instance, host, pid, version, started_at, renewed_at, lease_until, info)
             VALUES (?, ?, 'h', 1, 'v', 0, 0, ?, '{}')`,
            [instance, instance, now + 10_000],
          );
        const [held] = await o.claimDue("a", now, now + 60_000, 10);
        // a stalls past its lease while sending: b takes the row over and delivers it.
        await store.db.run("UPDATE agents SET lease_until = ? WHERE instance = 'a'", [now - 1]);
        expect((await o.claimDue("b", now, now + 60_000, 10)).map((r) => r.id)).toEqual(["n1"]);
        expect(await o.update({ ...held!, status: "sent", attempts: 1, sent_at: now }, "b")).toBe(true);
        // a wakes up with its send failed: recording it would make the row pending, to go out again.
        const failed = { ...held!, attempts: 1, next_at: now + 1_000, last_error: "timeout" };
        expect(await o.update(failed, "a")).toBe(false);
        expect((await o.list(10)).map((r) => [r.id, r.status])).toEqual([["n1", "sent"]]);
        expect(await o.claimDue("c", now + 2_000, now + 60_000, 10)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it("splits a backlog between claimers at the same moment, none twice", async () => {
      const store = await makeStore();
      try {
        const o = new OutboxStore(store.db);
        for (let i = 0; i < 60; i++) await o.enqueue(row(`r${i}`, { next_at: 1_000 + i }));
        const claimers = ["a", "b", "c", "d"];
        for (const instance of claimers) {
          await store.db.run(
            `INSERT INTO agents (name, instance, host, pid, version, started_at, renewed_at, lease_until, info)
             VALUES (?, ?, 'h', 1, 'v', 0, 0, ?, '{}')`,
            [instance, instance, 1e13],
          );
        }
        // Four agents claim 15 each at the same moment: every row once, none in two hands.
        const got = await Promise.all(claimers.map((c) => o.claimDue(c, 5_000, 1e12, 15)));
        const all = got.flat().map((r) => r.id);
        expect(got.map((rows) => rows.length)).toEqual([15, 15, 15, 15]);
        expect(new Set(all).size).toBe(60);
      } finally {
        await store.close();
      }
    });
  });
}
