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
  });
}
