/**
 * One target as the live view holds it: its state machine, last result and service record; the
 * view the API shows of it; and the row the store keeps, read back at the next start.
 *
 * Owns: the shape of a target and its stored form. Must not import: anything but core types.
 */
import {
  initialHealth,
  type Health,
  type HealthPolicy,
  type TargetState,
} from "../incidents/target-state.ts";
import type { FailureClass } from "../probes/probe.ts";
import type { TargetRow } from "../store/store.ts";

export type TargetKind = "service" | "check";

/** A target as the config declares it. */
export interface TargetSpec {
  name: string;
  kind: TargetKind;
  policy: HealthPolicy;
  group?: boolean;
  description?: string | undefined;
}

export interface LastResult {
  ts: number;
  ok: boolean;
  duration_ms: number;
  failure_class?: FailureClass | undefined;
  /** The failed conditions with actual values, or the probe error; "ok" when all passed. */
  explanation: string;
}

/** What the API shows for a target (DESIGN: name, kind, state, since, restarts, last_result, incident_id). */
export interface TargetView {
  name: string;
  kind: TargetKind;
  state: TargetState;
  since: number;
  restarts: number;
  last_result: LastResult | null;
  incident_id: string | null;
  pid?: number | undefined;
  /** What the check is for, as its config's `description` says: beside its state wherever it shows. */
  description?: string | undefined;
  /** A pushed target's labels (an Alertmanager alert's). */
  labels?: Record<string, string> | undefined;
  /** The agent that runs it (`agent.name`): in a fleet, lists of every agent's targets say whose each is. */
  agent: string;
}

export interface Entry {
  name: string;
  kind: TargetKind;
  health: Health;
  policy: HealthPolicy;
  last: LastResult | null;
  /** Opaque supervisor record (JSON), services only. */
  service: string | null;
  restarts: number;
  pid: number | undefined;
  heartbeatAt: number | undefined;
  dirty: boolean;
  description?: string | undefined;
  /** A pushed target's labels, and what keeps it failing (alert fingerprints): persisted with its health. */
  labels?: Record<string, string> | undefined;
  sources?: string[] | undefined;
  /** The open incident, set by the incidents module (not persisted: incidents are). */
  incident: string | null;
  /**
   * The view as last built, until something it shows changes: a list of 2,000 targets then reuses
   * 2,000 objects, and the API reuses their JSON (routes/targets.ts).
   */
  view: TargetView | undefined;
}

export function entryOf(
  name: string,
  kind: TargetKind,
  policy: HealthPolicy,
  row: TargetRow | undefined,
  now: number,
): Entry {
  const saved = row && row.kind === kind ? parseSaved(row) : undefined;
  return {
    name,
    kind,
    policy,
    health: saved?.health ?? initialHealth(now, kind === "service" ? "stopped" : "unknown"),
    last: saved?.last ?? null,
    service: row?.service ?? null,
    restarts: saved?.restarts ?? 0,
    pid: undefined,
    heartbeatAt: saved?.heartbeatAt,
    labels: saved?.labels,
    sources: saved?.sources,
    dirty: true,
    incident: null,
    view: undefined,
  };
}

/** The entry's view; the same object until something it shows changes, so never to be modified. */
export function toView(e: Entry, agent: string): TargetView {
  return (e.view ??= {
    name: e.name,
    kind: e.kind,
    state: e.health.state,
    since: e.health.since,
    restarts: e.restarts,
    last_result: e.last,
    incident_id: e.incident,
    ...(e.kind === "service" ? { pid: e.pid } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.labels !== undefined ? { labels: e.labels } : {}),
    agent,
  });
}

export interface Saved {
  health: Health;
  last: LastResult | null;
  restarts: number;
  heartbeatAt?: number;
  labels?: Record<string, string>;
  sources?: string[];
}

/** What a stored row remembers of its target; undefined when its JSON cannot be read. */
export function parseSaved(row: TargetRow): Saved | undefined {
  try {
    const h = JSON.parse(row.health) as Omit<Saved, "last" | "restarts"> & { restarts?: number };
    return {
      ...h,
      last: row.last_result ? (JSON.parse(row.last_result) as LastResult) : null,
      restarts: h.restarts ?? 0,
    };
  } catch {
    return undefined;
  }
}

/** The row the store keeps of an entry. */
export function rowOf(e: Entry, now: number): TargetRow {
  return {
    name: e.name,
    kind: e.kind,
    state: e.health.state,
    since: e.health.since,
    health: JSON.stringify({
      health: e.health,
      restarts: e.restarts,
      heartbeatAt: e.heartbeatAt,
      ...(e.labels ? { labels: e.labels, sources: e.sources ?? [] } : {}),
    }),
    service: e.service,
    last_result: e.last ? JSON.stringify(e.last) : null,
    updated_at: now,
  };
}
