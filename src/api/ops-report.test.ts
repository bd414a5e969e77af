/** The ops report's rules: which states fail it, which are only said, and how each is said. */
import { describe, expect, it } from "vitest";
import type { IncidentView } from "../incidents/incidents.ts";
import { targetStates, type TargetState } from "../incidents/target-state.ts";
import type { TargetView } from "../targets/targets.ts";
import { buildOpsReport, publicOpsReport, stateWeight } from "./ops-report.ts";

const now = Date.parse("2024-05-01T14:10:00Z");
const since = Date.parse("2024-05-01T14:02:05Z");
const notPaused = { paused: false, by: null, reason: null, since: null };

const target = (name: string, state: TargetState, explanation?: string): TargetView => ({
  name,
  kind: "service",
  state,
  since,
  restarts: 5,
  last_result: explanation ? { ts: since, ok: false, duration_ms: 3, explanation } : null,
  incident_id: null,
  agent: "web-1",
});

const report = (targets: TargetView[], extra: Partial<Parameters<typeof buildOpsReport>[0]> = {}) =>
  buildOpsReport({ now, targets, incidents: [], pause: notPaused, silences: [], ...extra });

describe("ops report", () => {
  it("every state has a weight", () => {
    for (const s of targetStates) expect(stateWeight[s]).toBeDefined();
  });

  it("all up: ok, no issues, times as ISO", () => {
    const r = report([target("web", "up"), target("db", "starting"), target("disk", "unknown")]);
    expect(r).toMatchObject({
      timestamp: "2024-05-01T14:10:00.000Z",
      overall_ok: true,
      paused: false,
      issues: [],
    });
    expect(r.targets[0]).toEqual({
      name: "web",
      kind: "service",
      state: "up",
      since: "2024-05-01T14:02:05.000Z",
      incident_id: null,
    });
  });

  it.each(["down", "failed", "flapping"] as const)("%s fails the report", (state) => {
    const r = report([target("web", state, "connection refused (connect ECONNREFUSED 127.0.0.1:8001)")]);
    expect(r.overall_ok).toBe(false);
    expect(r.issues[0]).toMatch(/^web (is|has) /);
  });

  it("says a down target in plain words with its cause", () => {
    const r = report([target("web", "down", "connection refused (connect ECONNREFUSED 127.0.0.1:8001)")]);
    expect(r.issues).toEqual([
      "web is down since 2024-05-01 14:02:05 UTC: connection refused (connect ECONNREFUSED 127.0.0.1:8001)",
    ]);
  });

  it.each(["degraded", "stopped", "paused", "silenced"] as const)("%s is said but does not fail it", (s) => {
    const r = report([target("web", s, "timed out")]);
    expect(r.overall_ok).toBe(true);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toContain(`web is ${s}`);
  });

  it("an escalated incident fails it; an open one that is not escalated is only listed", () => {
    const incident = (id: string, escalated: boolean): IncidentView => ({
      id,
      target: "disk-root",
      failure_class: "resource_threshold",
      status: "open",
      opened_at: since,
      resolved_at: null,
      escalated,
      escalation: escalated ? "3 attempts did not fix it" : null,
      linked_to: null,
      reopened: 0,
    });
    const quiet = report([], { incidents: [incident("i1", false)] });
    expect(quiet.overall_ok).toBe(true);
    expect(quiet.incidents).toEqual([
      {
        id: "i1",
        target: "disk-root",
        failure_class: "resource_threshold",
        opened_at: "2024-05-01T14:02:05.000Z",
        escalated: false,
        escalation: null,
      },
    ]);
    const loud = report([], { incidents: [incident("i2", true)] });
    expect(loud.overall_ok).toBe(false);
    expect(loud.issues).toEqual([
      "disk-root escalated: 3 attempts did not fix it (incident i2, open since 2024-05-01 14:02:05 UTC)",
    ]);
  });

  it("the kill switch and silences are said, failing ones first, and do not fail it", () => {
    const r = report([target("web", "down", "timed out"), target("api", "up")], {
      pause: { paused: true, by: "alice", reason: "deploy", since },
      silences: [
        {
          id: "s1",
          target: "web",
          starts_at: since,
          ends_at: now + 3_600_000,
          reason: "migration",
          created_by: "bob",
          deleted_at: null,
        },
      ],
    });
    expect(r.paused).toBe(true);
    expect(r.overall_ok).toBe(false); // web is down: a silence mutes, it does not make it up
    expect(r.issues).toEqual([
      "web is down since 2024-05-01 14:02:05 UTC: timed out",
      "automatic actions are paused (by alice: deploy) since 2024-05-01 14:02:05 UTC; `vigil resume` ends it",
      "web is silenced until 2024-05-01 15:10:00 UTC by bob (migration)",
    ]);
    expect(report([], { pause: { paused: true, by: "alice", reason: "deploy", since } }).overall_ok).toBe(
      true,
    );
  });

  it("sums itself up in one line, and the public view is that line and the status alone", () => {
    expect(report([target("web", "up")]).summary).toBe("all is well");
    const r = report([target("web", "down", "refused"), target("db", "failed"), target("api", "degraded")]);
    expect(r.summary).toBe("2 issues need a person, 1 issue noted");
    expect(report([target("api", "stopped")]).summary).toBe("1 issue noted");
    expect(publicOpsReport(r)).toEqual({ timestamp: r.timestamp, overall_ok: false, summary: r.summary });
  });
});
