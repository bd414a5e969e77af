/** Incidents on a real SQLite store, with a clock the test moves. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { incidentsOnSqlite } from "../../test/helpers/incidents.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import type { TargetState } from "./target-state.ts";

async function world() {
  const clock = new FakeClock();
  const { events, incidentStore, make: makeOn } = await incidentsOnSqlite(clock, tempDir("vigil-incidents-"));
  const failure = new Map<string, string>();
  const make = () =>
    makeOn({
      failureClass: (t) => failure.get(t) ?? "unknown",
      context: (_t, cls) => (cls === "flapping" ? "3 up/down changes within 1m" : undefined),
    });
  const incidents = make();
  const change = (t: string, from: TargetState, to: TargetState) => incidents.stateChanged(t, { from, to });
  const of = (type: string) =>
    events.filter((e) => e.type === type).map((e) => JSON.parse(e.payload) as Record<string, unknown>);
  return { clock, incidents, incidentStore, failure, change, of, make };
}

describe("a flapping target", () => {
  it("opens one incident of class flapping, told once, whatever it does while it flaps", async () => {
    const w = await world();
    await w.change("api", "up", "flapping");
    const [open] = w.incidents.open();
    expect(open).toMatchObject({ target: "api", failure_class: "flapping", escalated: 0 });
    expect(w.of("incident.opened")).toEqual([
      {
        incident_id: open!.id,
        failure_class: "flapping",
        reopened: false,
        detail: "3 up/down changes within 1m",
      },
    ]);
    await w.change("api", "flapping", "degraded");
    await w.change("api", "degraded", "flapping");
    expect(w.of("incident.opened")).toHaveLength(1);
    const shown = await w.incidents.get(open!.id);
    expect(shown!.timeline!.map((t) => [t.kind, t.detail])).toEqual([
      ["opened", "api is flapping: 3 up/down changes within 1m"],
      ["state", "flapping → degraded"],
      ["state", "degraded → flapping"],
    ]);
  });

  it("an open incident becomes the flapping one, then takes the class of the failure it settles into", async () => {
    const w = await world();
    w.failure.set("api", "timeout");
    await w.change("api", "up", "down");
    const id = w.incidents.openFor("api")!.id;
    await w.change("api", "down", "flapping");
    expect(w.incidents.openFor("api")).toMatchObject({ id, failure_class: "flapping" });
    w.failure.set("api", "http_5xx");
    await w.change("api", "flapping", "down");
    expect(w.incidents.openFor("api")).toMatchObject({ id, failure_class: "http_5xx" });
    expect((await w.incidentStore.getIncident(id))!.failure_class).toBe("http_5xx");
    await w.change("api", "down", "up");
    expect(w.incidents.open()).toEqual([]);
    expect(w.of("incident.opened")).toHaveLength(1);
  });
});

describe("a relapse", () => {
  it("after an escalated episode reopens unescalated and re-armed, and a new give-up is escalated again", async () => {
    const w = await world();
    w.failure.set("web", "http_5xx");
    await w.change("web", "up", "down");
    const first = w.incidents.openFor("web")!;
    await w.incidents.escalate(first, "1 of max_attempts 1 tried; the target has not recovered");
    await w.change("web", "down", "up");
    await w.clock.advance(60_000);
    await w.change("web", "up", "down");
    const again = w.incidents.openFor("web")!;
    expect(again).toMatchObject({ id: first.id, reopened: 1, escalated: 0, escalation: null });
    expect(w.incidents.rearmedAt(first.id)).toBe(w.clock.now());
    expect(w.of("incident.opened").map((p) => p.reopened)).toEqual([false, true]);
    const kinds = (await w.incidents.get(first.id))!.timeline!.map((t) => t.kind);
    expect(kinds).toContain("rearmed");

    // A restarted agent still knows where this episode began.
    const restarted = w.make();
    await restarted.load();
    expect(restarted.rearmedAt(first.id)).toBe(w.clock.now());

    await w.change("web", "down", "failed");
    expect(w.of("incident.escalated").map((p) => p.reason)).toEqual([
      "1 of max_attempts 1 tried; the target has not recovered",
      "the supervisor gave up restarting it (restart budget spent)",
    ]);
  });

  it("of an incident that was never escalated carries its attempts on: nothing is re-armed", async () => {
    const w = await world();
    w.failure.set("web", "http_5xx");
    await w.change("web", "up", "down");
    const id = w.incidents.openFor("web")!.id;
    await w.change("web", "down", "up");
    await w.clock.advance(60_000);
    await w.change("web", "up", "down");
    expect(w.incidents.openFor("web")).toMatchObject({ id, reopened: 1 });
    expect(w.incidents.rearmedAt(id)).toBeUndefined();
  });
});

describe("a restart in a fleet", () => {
  it("restores its own incidents but a shared check's only when it takes the check (adopt)", async () => {
    const w = await world();
    await w.change("web", "up", "down");
    await w.change("shared-dns", "up", "down");
    const restarted = w.make();
    await restarted.load(new Set(["shared-dns"]));
    expect(restarted.open().map((i) => i.target)).toEqual(["web"]);
    await restarted.adopt(["shared-dns"]);
    expect(
      restarted
        .open()
        .map((i) => i.target)
        .sort(),
    ).toEqual(["shared-dns", "web"]);
  });
});
