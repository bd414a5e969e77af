/** Incidents, attempts and silences behave the same on SQLite and PostgreSQL. */
import { describe, expect, it } from "vitest";
import { IncidentStore, type AttemptRow, type IncidentRow } from "./incident-store.ts";
import type { Store } from "./store.ts";

export const incident = (id: string, over: Partial<IncidentRow> = {}): IncidentRow => ({
  id,
  target: "web",
  failure_class: "timeout",
  status: "open",
  escalated: 0,
  escalation: null,
  linked_to: null,
  opened_at: 1_000,
  resolved_at: null,
  reopened: 0,
  ...over,
});

const attempt = (id: string, incidentId: string, over: Partial<AttemptRow> = {}): AttemptRow => ({
  id,
  incident_id: incidentId,
  target: "web",
  failure_class: "timeout",
  action: "restart",
  status: "running",
  detail: "",
  run_id: null,
  approval_id: null,
  started_at: 2_000,
  acted_at: null,
  finished_at: null,
  recovered_ms: null,
  ...over,
});

export function incidentsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} incident store`, () => {
    it("gives each agent its own open incidents, and the row to whoever writes it", async () => {
      const store = await makeStore();
      try {
        const a = new IncidentStore(store.db, "a");
        const b = new IncidentStore(store.db, "b");
        await a.insertIncident(incident("of-a"), { type: "incident.opened", payload: {}, at: 1 });
        await b.insertIncident(incident("of-b", { target: "db", opened_at: 1_100 }));
        // A row from before incidents named their agent is everyone's.
        await store.db.run(
          "INSERT INTO incidents (id, target, failure_class, status, escalated, opened_at, reopened) VALUES (?, ?, ?, ?, ?, ?, ?)",
          ["old", "cache", "timeout", "open", 0, 1_200, 0],
        );
        expect((await a.openIncidents()).map((i) => i.id)).toEqual(["of-a", "old"]);
        expect((await b.openIncidents()).map((i) => i.id)).toEqual(["of-b", "old"]);
        expect((await b.openIncidents(true)).map((i) => i.id)).toEqual(["of-a", "of-b", "old"]);
        expect(await b.unannounced()).toEqual([]);
        expect((await a.unannounced()).map((u) => u.id)).toEqual(["of-a"]);
        // B took the check over and wrote the incident: it is B's now.
        await b.updateIncident(incident("of-a", { escalated: 1, escalation: "r" }));
        expect((await b.openIncidents()).map((i) => i.id)).toEqual(["of-a", "of-b", "old"]);
        expect((await a.openIncidents()).map((i) => i.id)).toEqual(["old"]);
      } finally {
        await store.close();
      }
    });

    it("keeps a change's announcement until it is announced, and never shows it on the incident", async () => {
      const store = await makeStore();
      try {
        const s = new IncidentStore(store.db);
        const opened = {
          type: "incident.opened",
          payload: { incident_id: "a1", reopened: false },
          at: 1_000,
        };
        await s.insertIncident(incident("a1"), opened);
        await s.insertIncident(incident("a2", { opened_at: 1_100 }));
        expect(await s.unannounced()).toEqual([{ id: "a1", subject: "web", announce: opened }]);
        expect(await s.getIncident("a1")).toEqual(incident("a1"));
        // An update without an announcement leaves a pending one alone; with one, replaces it.
        await s.updateIncident(incident("a1", { failure_class: "http_5xx" }));
        expect((await s.unannounced()).map((u) => u.announce)).toEqual([opened]);
        const escalated = {
          type: "incident.escalated",
          payload: { incident_id: "a1", reason: "r" },
          at: 2_000,
        };
        await s.updateIncident(
          incident("a1", { failure_class: "http_5xx", escalated: 1, escalation: "r" }),
          escalated,
        );
        expect((await s.unannounced()).map((u) => u.announce)).toEqual([escalated]);
        await s.announced("a1");
        expect(await s.unannounced()).toEqual([]);
        expect(await s.getIncident("a1")).toEqual(
          incident("a1", { failure_class: "http_5xx", escalated: 1, escalation: "r" }),
        );
      } finally {
        await store.close();
      }
    });

    it("keeps incidents, timelines and attempts; interrupts what a crash left running", async () => {
      const store = await makeStore();
      try {
        const s = new IncidentStore(store.db);
        await s.insertIncident(incident("i1"));
        await s.insertIncident(incident("i2", { status: "resolved", resolved_at: 5_000, opened_at: 900 }));
        expect((await s.openIncidents()).map((i) => i.id)).toEqual(["i1"]);
        expect((await s.latestIncident("web", "timeout"))!.id).toBe("i1");
        await s.addTimeline({ incident_id: "i1", ts: 1_001, kind: "opened", detail: "down" });
        expect(await s.timeline("i1")).toEqual([
          { incident_id: "i1", ts: 1_001, kind: "opened", detail: "down" },
        ]);

        await s.insertAttempt(attempt("a1", "i1"));
        await s.insertAttempt(attempt("a2", "i2", { status: "waiting", approval_id: "ap" }));
        await s.insertAttempt(
          attempt("a3", "i2", {
            status: "succeeded",
            started_at: 1_500,
            finished_at: 1_600,
            recovered_ms: 50,
          }),
        );
        expect((await s.interruptRunning(9_000)).map((a) => a.id)).toEqual(["a1"]);
        expect((await s.attempts("i1"))[0]).toMatchObject({ status: "interrupted", finished_at: 9_000 });
        expect(await s.countAttemptsSince(1_800)).toBe(1);
        expect((await s.finishedAttempts(10, "web")).map((a) => a.id)).toEqual(["a3"]);
      } finally {
        await store.close();
      }
    });

    it("interrupts and counts only this agent's attempts: another agent's are its own", async () => {
      const store = await makeStore();
      try {
        const a = new IncidentStore(store.db, "a");
        const b = new IncidentStore(store.db, "b");
        await a.insertIncident(incident("of-a"));
        await b.insertIncident(incident("of-b", { target: "db" }));
        await a.insertAttempt(attempt("run-a", "of-a"));
        await b.insertAttempt(attempt("run-b", "of-b", { target: "db" }));
        expect(await a.countAttemptsSince(0)).toBe(1);
        expect((await b.interruptRunning(9_000)).map((x) => x.id)).toEqual(["run-b"]);
        expect((await a.attempts("of-a"))[0]!.status).toBe("running");
        expect((await a.interruptRunning(9_000)).map((x) => x.id)).toEqual(["run-a"]);
      } finally {
        await store.close();
      }
    });

    it("interrupts what a dead agent left running on an incident taken over, never a live one's", async () => {
      const store = await makeStore();
      try {
        const a = new IncidentStore(store.db, "a");
        const b = new IncidentStore(store.db, "b");
        await a.insertIncident(incident("shared"));
        await a.insertAttempt(attempt("step", "shared"));
        // B holds the incident now, whether or not it has written it yet. A is alive: its step
        // finishes there; and an agent never takes its own step for an orphan.
        await b.updateIncident(incident("shared"));
        expect(await b.interruptOrphaned(new Set(["shared"]), ["a", "b"], 9_000)).toEqual([]);
        expect(await a.interruptOrphaned(new Set(["shared"]), ["b"], 9_000)).toEqual([]);
        expect((await b.attempts("shared"))[0]!.status).toBe("running");
        // A is gone: its step is interrupted for B, on an incident B holds only.
        expect(await b.interruptOrphaned(new Set(["other"]), ["b"], 9_000)).toEqual([]);
        expect((await b.interruptOrphaned(new Set(["shared"]), ["b"], 9_000)).map((x) => x.id)).toEqual([
          "step",
        ]);
        expect((await b.attempts("shared"))[0]).toMatchObject({ status: "interrupted", finished_at: 9_000 });
        expect(await b.attempts("shared")).not.toContainEqual(expect.objectContaining({ agent: "a" }));
      } finally {
        await store.close();
      }
    });

    it("keeps silences until they end or are deleted", async () => {
      const store = await makeStore();
      try {
        const s = new IncidentStore(store.db);
        const base = { target: "web", starts_at: 0, reason: "", created_by: "alice", deleted_at: null };
        await s.insertSilence({ ...base, id: "s1", ends_at: 10_000 });
        await s.insertSilence({ ...base, id: "s2", ends_at: 20_000 });
        expect((await s.activeSilences(15_000)).map((x) => x.id)).toEqual(["s2"]);
        expect(await s.deleteSilence("s2", 16_000)).toBe(true);
        expect(await s.deleteSilence("s2", 17_000)).toBe(false);
        expect(await s.activeSilences(0)).toHaveLength(1);
      } finally {
        await store.close();
      }
    });
    it("lists open escalated incidents with when they were escalated", async () => {
      const store = await makeStore();
      const s = new IncidentStore(store.db);
      const base = { escalation: "budget spent" };
      await s.insertIncident(incident("i1", { ...base, escalated: 1 }));
      await s.insertIncident(incident("i2", { ...base, escalated: 0 }));
      await s.insertIncident(
        incident("i3", { ...base, escalated: 1, status: "resolved", resolved_at: 3_000 }),
      );
      for (const id of ["i1", "i2", "i3"])
        await s.addTimeline({ incident_id: id, ts: 2_000, kind: "escalated", detail: "x" });
      await s.addTimeline({ incident_id: "i1", ts: 2_500, kind: "escalated", detail: "again" });
      expect(await s.escalatedOpen()).toEqual([
        { id: "i1", target: "web", escalation: "budget spent", since: 2_000 },
      ]);
      await store.close();
    });
  });
}
