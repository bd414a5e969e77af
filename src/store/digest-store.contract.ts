/** The digest's window queries answer the same on SQLite and PostgreSQL (whose sums come back as text). */
import { describe, expect, it } from "vitest";
import { approval, run } from "./action-store.contract.ts";
import { ActionStore } from "./action-store.ts";
import { DigestStore } from "./digest-store.ts";
import { incident } from "./incident-store.contract.ts";
import { IncidentStore } from "./incident-store.ts";
import type { Store } from "./store.ts";

const w = { from: 10_000, to: 20_000 };

export function digestContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} digest store`, () => {
    it("counts what happened in the window: incidents, runs, approvals, uptime", async () => {
      const store = await makeStore();
      const incidents = new IncidentStore(store.db);
      await incidents.insertIncident(
        incident("i1", { opened_at: 11_000, resolved_at: 12_000, status: "resolved" }),
      );
      await incidents.insertIncident(
        incident("i0", { opened_at: 9_000, resolved_at: 10_500, status: "resolved" }),
      );
      await incidents.insertIncident(incident("i2", { opened_at: 19_999 }));
      await incidents.insertIncident(incident("i3", { opened_at: 20_000 }));
      const actions = new ActionStore(store.db);
      await actions.insertRun(run("r1", { action: "a", status: "succeeded", started_at: 10_000 }));
      await actions.insertRun(run("r2", { action: "a", status: "failed", started_at: 15_000 }));
      await actions.insertRun(run("r3", { action: "b", status: "running", started_at: 15_000 }));
      await actions.insertRun(run("r4", { action: "b", status: "failed", started_at: 20_000 }));
      await actions.insertApproval(approval("p1", { status: "approved", decided_at: 12_000 }));
      await actions.insertApproval(approval("p2", { status: "expired", decided_at: 13_000 }));
      await actions.insertApproval(approval("p3", { status: "expired", decided_at: 9_000 }));
      await actions.insertApproval(approval("p4", { status: "pending", decided_at: null }));
      const minute = (target: string, at: number, total: number, ok: number) => ({
        ...{ target, minute: at, total, ok, p50_ms: 1, p95_ms: 2 },
      });
      await store.writeResults(
        [],
        [
          minute("web", 10_000, 10, 9),
          minute("web", 11_000, 10, 10),
          minute("db", 12_000, 4, 1),
          minute("db", 20_000, 9, 0),
        ],
      );

      const d = new DigestStore(store.db);
      const found = await d.incidents(w, 10);
      expect({ opened: found.opened, resolved: found.resolved }).toEqual({ opened: 2, resolved: 2 });
      expect(found.list.map((i) => i.id)).toEqual(["i0", "i1", "i2"]);
      expect(found.list[1]).toEqual({
        ...{ id: "i1", target: "web", failure_class: "timeout", opened_at: 11_000, resolved_at: 12_000 },
        escalated: false,
      });
      expect((await d.incidents(w, 1)).list).toHaveLength(1);
      expect(await d.actions(w, 10)).toEqual([
        { action: "a", runs: 2, succeeded: 1, failed: 1 },
        { action: "b", runs: 1, succeeded: 0, failed: 0 },
      ]);
      const decided = await d.decidedApprovals(w, 10);
      expect(decided.counts).toEqual({ approved: 1, rejected: 0, expired: 1 });
      expect(decided.list.map((a) => [a.id, a.status, a.decided_at])).toEqual([
        ["p1", "approved", 12_000],
        ["p2", "expired", 13_000],
      ]);
      expect(await d.worstUptime(w, 5)).toEqual([
        { target: "db", total: 4, ok: 1 },
        { target: "web", total: 20, ok: 19 },
      ]);
      expect(await d.worstUptime(w, 1)).toHaveLength(1);
      await store.close();
    });
  });
}
