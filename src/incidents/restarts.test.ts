/** The supervisor's restarts on their incident's timeline, on a real SQLite store. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { incidentsOnSqlite } from "../../test/helpers/incidents.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { silentLogger } from "../core/log.ts";
import { RestartNotes } from "./restarts.ts";

async function world() {
  const clock = new FakeClock();
  const { bus, incidentStore, make } = await incidentsOnSqlite(clock, tempDir("vigil-restarts-"));
  const incidents = make({ failureClass: () => "process_exited" });
  const notes = new RestartNotes({ bus, clock, log: silentLogger(), store: incidentStore, incidents });
  const timeline = async (id: string) =>
    (await incidentStore.timeline(id)).map((t) => [t.ts - clock.now(), t.kind, t.detail]);
  return { clock, bus, incidents, notes, timeline };
}

describe("restart notes", () => {
  it("a restart told before its incident opened is written there when it opens, then its start", async () => {
    const w = await world();
    await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 300, reason: "exited with code 1" });
    expect(w.notes.restartDue("web")).toBe(w.clock.now() + 300);
    await w.clock.advance(5);
    await w.incidents.stateChanged("web", { from: "up", to: "down" });
    const [open] = w.incidents.open();
    await w.clock.advance(300);
    await w.bus.emit("service.started", "web", { pid: 4242, adopted: false });
    expect(w.notes.restartDue("web")).toBeUndefined();
    expect(await w.timeline(open!.id)).toEqual([
      [-305, "restart", "exited with code 1"],
      [-300, "opened", "web went down: process_exited"],
      [0, "restarted", "running again (pid 4242)"],
    ]);
    w.notes.stop();
  });

  it("a first start, or the engine's own restart step, is not a restart of the policy's", async () => {
    const w = await world();
    await w.incidents.stateChanged("web", { from: "up", to: "down" });
    const [open] = w.incidents.open();
    await w.bus.emit("service.started", "web", { pid: 1, adopted: false });
    await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 0, reason: "health check failing: x" });
    await w.bus.emit("service.gave_up", "web", { restarts: 5, window_ms: 300_000 });
    expect((await w.timeline(open!.id)).map((t) => t[1])).toEqual(["opened", "restart_failed"]);
    expect((await w.timeline(open!.id))[1]![2]).toBe("gave up: 5 restarts within 300 s");
  });

  it("a note held longer than its hold is not written to an incident that opens much later", async () => {
    const w = await world();
    await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 100, reason: "exited with code 1" });
    await w.clock.advance(60_000);
    await w.incidents.stateChanged("web", { from: "up", to: "down" });
    const [open] = w.incidents.open();
    await w.clock.advance(1);
    expect((await w.timeline(open!.id)).map((t) => t[1])).toEqual(["opened"]);
  });
});
