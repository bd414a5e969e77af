/**
 * Every agent's targets in one list, for a fleet on one store: the `targets` table says which agent
 * runs each (its `agent` column), and this agent's own rows are shown as it sees them now, since
 * its state changes are written at once but its last results only every minute. Another agent's
 * row is what that agent last wrote: its state at once, its last result within a minute, and
 * nothing new once that agent is dead or stopped (`GET /api/fleet` says which).
 *
 * Owns: the fleet-wide list's shape. Must not import: api, app.
 */
import type { AgentTargetRow } from "../store/store.ts";
import { parseSaved, type LastResult, type TargetKind, type TargetView } from "./entry.ts";

/** One target of `GET /api/targets?agents=all`. */
export interface FleetTargetView {
  name: string;
  kind: TargetKind;
  state: string;
  since: number;
  restarts: number;
  last_result: LastResult | null;
  /** The agent that runs it; null for a row written before targets had an agent. */
  agent: string | null;
}

function fromRow(r: AgentTargetRow): FleetTargetView {
  const saved = parseSaved(r);
  return {
    name: r.name,
    kind: r.kind,
    state: r.state,
    since: r.since,
    restarts: saved?.restarts ?? 0,
    last_result: saved?.last ?? null,
    agent: r.agent,
  };
}

function fromView(v: TargetView): FleetTargetView {
  const { name, kind, state, since, restarts, last_result, agent } = v;
  return { name, kind, state, since, restarts, last_result, agent };
}

/**
 * The stored rows of every agent, by name, with `self`'s own rows replaced by its live views; a
 * live target not yet written is added. A name stored under another agent stays that agent's:
 * the table, not this agent's config, says who runs it.
 */
export function fleetTargets(
  rows: readonly AgentTargetRow[],
  own: readonly TargetView[],
  self: string,
): FleetTargetView[] {
  const live = new Map(own.map((v) => [v.name, v]));
  const stored = new Set(rows.map((r) => r.name));
  const list = rows.map((r) => {
    const v = r.agent === self ? live.get(r.name) : undefined;
    return v ? fromView(v) : fromRow(r);
  });
  for (const v of own) if (!stored.has(v.name)) list.push(fromView(v));
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
