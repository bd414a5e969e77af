/**
 * An incident's context: read from a real SQLite store (results, the supervisor's restarts on the
 * timeline, the engine's attempts), and cut to a limit least important part first.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { incidentsOnSqlite } from "../../test/helpers/incidents.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { silentLogger } from "../core/log.ts";
import { RestartNotes } from "../incidents/restarts.ts";
import { contextReader } from "./context-builder.ts";
import { contextParts, fit, partsText, resultsLine, type Part } from "./context.ts";
import type { Notice } from "./notice.ts";

describe("an incident's context, read from the store", () => {
  it("since, the last ten results oldest first, restarts and attempts with their results, next, the page", async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 6, 3, 0, 0));
    const { store, bus, incidentStore, make } = await incidentsOnSqlite(clock, tempDir("vigil-context-"));
    const incidents = make({ failureClass: () => "process_exited" });
    const restarts = new RestartNotes({ bus, clock, log: silentLogger(), store: incidentStore, incidents });
    const oks = [true, true, true, true, false, true, false, false, true, false, false, false];
    await store.writeResults(
      oks.map((ok, i) => ({
        target: "web",
        ts: clock.now() - (12 - i) * 1_000,
        ok,
        duration_ms: 5,
        summary: "{}",
      })),
      [],
    );
    await incidents.stateChanged("web", { from: "up", to: "down" });
    const [open] = incidents.open();
    await bus.emit("service.restart_scheduled", "web", { delay_ms: 100, reason: "exited with code 1" });
    await clock.advance(100);
    await bus.emit("service.started", "web", { pid: 77, adopted: false });
    await clock.advance(30_000);
    await incidentStore.insertAttempt({
      id: "at-1",
      incident_id: open!.id,
      target: "web",
      failure_class: "process_exited",
      action: "restart",
      status: "failed",
      detail: "web did not recover within verify_within (2000 ms)",
      run_id: null,
      approval_id: null,
      started_at: clock.now(),
      acted_at: clock.now(),
      finished_at: clock.now() + 2_000,
      recovered_ms: null,
    });
    const read = contextReader({
      incident: (id) => incidentStore.getIncident(id),
      openFor: (t) => incidents.openFor(t),
      timeline: (id) => incidentStore.timeline(id),
      attempts: (id) => incidentStore.attempts(id),
      results: (t, n) => store.recentLatencies(t, n),
      next: (_i, attempts) => ({ what: `step ${attempts.length + 1}`, final: false }),
      publicUrl: () => "https://vigil.example.com/",
    });
    const notice: Notice = { key: "k", kind: "incident.opened", target: "web", title: "", text: "", at: 0 };
    const c = await read({ ...notice, incident_id: open!.id });
    expect(c).toEqual({
      incident_id: open!.id,
      status: "open",
      since: open!.opened_at,
      results: oks.slice(2),
      tried: [
        {
          at: open!.opened_at,
          what: "automatic restart (exited with code 1)",
          result: "running again (pid 77)",
        },
        {
          at: open!.opened_at + 30_100,
          what: "restart (attempt 1)",
          result: "failed: web did not recover within verify_within (2000 ms)",
        },
      ],
      next: { what: "step 2", final: false },
      url: `https://vigil.example.com/incidents/${open!.id}`,
    });
    expect(resultsLine(c!.results)).toBe("✓✓✗✓✗✗✓✗✗✗");
    // A restart before its notice knows the incident: the target's open incident; no incident, no context.
    expect((await read({ ...notice, kind: "service.restart_scheduled" }))?.incident_id).toBe(open!.id);
    expect(await read({ ...notice, kind: "approval.requested" })).toBeUndefined();
    restarts.stop();
  });
});

describe("fitting parts to a limit", () => {
  const parts: Part[] = [
    { label: "", lines: ["web went down: condition_failed"], rank: 0 },
    { label: "Since", lines: ["2026-12-06 03:02:00 UTC"], rank: 3 },
    { label: "Tried", lines: ["one ".repeat(20), "two ".repeat(20), "three ".repeat(20)], rank: 2 },
    { label: "Next", lines: ["restart at 03:04:00 UTC"], rank: 1 },
    { label: "Incident page", lines: ["https://vigil.example.com/incidents/x"], rank: 5, href: true },
    { label: "", lines: ["audit seq 9 #ab"], rank: -1 },
  ];
  const size = (p: Part[]) => partsText(p).length;

  it("drops the least important first: the link, then the oldest tries, then since; never the anchor", () => {
    const all = size(parts);
    expect(fit(parts, all, size)).toEqual(parts);
    const noLink = fit(parts, all - 10, size);
    expect(noLink.map((p) => p.label)).toEqual(["", "Since", "Tried", "Next", ""]);
    const fewer = fit(parts, all - 100, size);
    expect(fewer.find((p) => p.label.startsWith("Tried"))).toEqual({
      label: "Tried (newest)",
      lines: ["two ".repeat(20), "three ".repeat(20)],
      rank: 2,
    });
    const tight = fit(parts, 80, size);
    expect(size(tight)).toBeLessThanOrEqual(80);
    expect(tight.at(-1)).toEqual(parts.at(-1));
    expect(tight.map((p) => p.label)).toEqual(["", "Next", ""]);
  });

  it("a runaway text beside a context is cut to half the room, so the next step stays", () => {
    const huge = [{ ...parts[0]!, lines: ["x".repeat(50_000)] }, ...parts.slice(1)];
    const out = fit(huge, 1_000, size);
    expect(size(out)).toBeLessThanOrEqual(1_000);
    expect(out.map((p) => p.label)).toContain("Next");
    expect(out[0]!.lines[0]!.endsWith("…")).toBe(true);
  });

  it("context parts in a reader's order, 'nothing yet' before any step", () => {
    const c = {
      incident_id: "i",
      status: "open" as const,
      since: 0,
      results: [],
      tried: [],
      next: { what: "restart", at: 61_000, final: false },
    };
    expect(partsText(contextParts(c))).toBe(
      "Since: 1970-01-01 00:00:00 UTC\nTried: nothing yet\nNext: restart at 00:01:01 UTC",
    );
  });
});
