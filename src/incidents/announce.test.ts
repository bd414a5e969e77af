/**
 * A stop between an incident's change and its event, on a real SQLite store: the change is written,
 * then the agent dies (its audit log refuses, or it dies before the store forgets the announcement),
 * and a restarted Incidents over the same store tells it exactly once.
 */
import { describe, expect, it } from "vitest";
import { EventBus } from "../core/events.ts";
import { FakeClock } from "../../test/helpers/clock.ts";
import { incidentsOnSqlite } from "../../test/helpers/incidents.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { IncidentStore } from "../store/incident-store.ts";

async function world() {
  const clock = new FakeClock();
  const w = await incidentsOnSqlite(clock, tempDir("vigil-announce-"));
  // The process dies as the event is written: nothing reaches the audit log.
  const dying = new EventBus({
    sink: { append: () => Promise.reject(new Error("killed")) },
    clock,
    onListenerError: () => undefined,
  });
  // The process dies after the event is written, before the store forgets the announcement.
  const forgetful = new (class extends IncidentStore {
    override announced(): Promise<void> {
      return Promise.reject(new Error("killed"));
    }
  })(w.store.db);
  const of = (type: string, id: string) =>
    w.events.filter(
      (e) => e.type === type && (JSON.parse(e.payload) as { incident_id: string }).incident_id === id,
    );
  return { ...w, clock, dying, forgetful, of };
}

describe("an incident change a stop left unannounced", () => {
  it("is announced by the next start when its event never reached the audit log", async () => {
    const w = await world();
    const crashed = w.make({ bus: w.dying });
    await crashed.stateChanged("web", { from: "up", to: "down" });
    const [row] = await w.incidentStore.openIncidents();
    expect(row).toBeDefined();
    expect(w.of("incident.opened", row!.id)).toHaveLength(0);

    const restarted = w.make();
    await restarted.load();
    expect(w.of("incident.opened", row!.id)).toHaveLength(1);
    expect(JSON.parse(w.events.at(-1)!.payload)).toEqual({
      incident_id: row!.id,
      failure_class: "unknown",
      reopened: false,
      detail: null,
    });
    expect(await w.incidentStore.unannounced()).toEqual([]);
    // A third start has nothing left to say.
    await w.make().load();
    expect(w.of("incident.opened", row!.id)).toHaveLength(1);
  });

  it("is not announced twice when its event was written and only the store's note of it was lost", async () => {
    const w = await world();
    const crashed = w.make({ store: w.forgetful });
    await crashed.stateChanged("web", { from: "up", to: "down" });
    const id = crashed.openFor("web")!.id;
    expect(w.of("incident.opened", id)).toHaveLength(1);
    expect(await w.incidentStore.unannounced()).toHaveLength(1);

    await w.make().load();
    expect(w.of("incident.opened", id)).toHaveLength(1);
    expect(await w.incidentStore.unannounced()).toEqual([]);
  });

  it("tells an escalation of a relapse even when the episode before it was escalated the same way", async () => {
    const w = await world();
    const before = w.make();
    await before.stateChanged("web", { from: "up", to: "down" });
    const incident = before.openFor("web")!;
    await before.escalate(incident, "no runbook step applies to unknown; a person must look");
    await before.stateChanged("web", { from: "down", to: "up" });
    await w.clock.advance(60_000);
    await before.stateChanged("web", { from: "up", to: "down" });

    const crashed = w.make({ bus: w.dying });
    await crashed.load();
    await expect(
      crashed.escalate(crashed.openFor("web")!, "no runbook step applies to unknown; a person must look"),
    ).rejects.toThrow("killed");
    expect(w.of("incident.escalated", incident.id)).toHaveLength(1);

    await w.make().load();
    expect(w.of("incident.escalated", incident.id)).toHaveLength(2);
  });

  it("tells a resolution whose event was lost", async () => {
    const w = await world();
    await w.make().stateChanged("web", { from: "up", to: "down" });
    const crashed = w.make({ bus: w.dying });
    await crashed.load();
    await crashed.stateChanged("web", { from: "down", to: "up" });
    const [row] = await w.incidentStore.listIncidents("resolved", 10);
    expect(w.of("incident.resolved", row!.id)).toHaveLength(0);

    await w.make().load();
    expect(w.of("incident.resolved", row!.id).map((e) => JSON.parse(e.payload) as unknown)).toEqual([
      { incident_id: row!.id, duration_ms: 0 },
    ]);
  });
});
