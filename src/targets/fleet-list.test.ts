import { describe, expect, it } from "vitest";
import type { AgentTargetRow } from "../store/store.ts";
import { fleetTargets } from "./fleet-list.ts";
import type { TargetView } from "./entry.ts";

const row = (name: string, agent: string | null, over: Partial<AgentTargetRow> = {}): AgentTargetRow => ({
  name,
  kind: "check",
  state: "down",
  since: 10,
  health: JSON.stringify({ health: { state: "down", since: 10 }, restarts: 2 }),
  service: null,
  last_result: JSON.stringify({ ts: 9, ok: false, duration_ms: 4, explanation: "refused" }),
  updated_at: 11,
  agent,
  ...over,
});

const view = (name: string): TargetView => ({
  name,
  kind: "service",
  state: "up",
  since: 20,
  restarts: 1,
  last_result: { ts: 21, ok: true, duration_ms: 3, explanation: "ok" },
  incident_id: null,
  pid: 77,
  agent: "a",
});

/** A live view as the list shows it: no incident or pid, the fields every agent's row has. */
const live = (name: string) => ({
  name,
  kind: "service",
  state: "up",
  since: 20,
  restarts: 1,
  last_result: { ts: 21, ok: true, duration_ms: 3, explanation: "ok" },
  agent: "a",
});

describe("fleetTargets", () => {
  it("shows other agents' rows as stored and this agent's as it sees them now, by name", () => {
    const list = fleetTargets(
      [row("a-web", "a"), row("b-db", "b"), row("old", null, { health: "not json", last_result: null })],
      [view("a-web"), view("a-new")],
      "a",
    );
    expect(list).toEqual([
      live("a-new"),
      live("a-web"),
      {
        name: "b-db",
        kind: "check",
        state: "down",
        since: 10,
        restarts: 2,
        last_result: { ts: 9, ok: false, duration_ms: 4, explanation: "refused" },
        agent: "b",
      },
      { name: "old", kind: "check", state: "down", since: 10, restarts: 0, last_result: null, agent: null },
    ]);
  });

  it("leaves a name stored under another agent that agent's, whatever this agent configures", () => {
    const list = fleetTargets([row("shared", "b")], [view("shared")], "a");
    expect(list.map((t) => [t.name, t.agent, t.state])).toEqual([["shared", "b", "down"]]);
  });
});
