/** The shapes the API answers with (docs/DESIGN.md), as far as the page reads them. */

export type Role = "viewer" | "agent" | "operator" | "admin";

export interface Me {
  name: string;
  role: Role;
  csrf_token: string | null;
  expires_at: number | null;
}

export interface LastResult {
  ts: number;
  ok: boolean;
  duration_ms: number;
  failure_class?: string;
  explanation: string;
}

export interface Target {
  name: string;
  kind: "service" | "check";
  state: string;
  since: number;
  restarts: number;
  last_result: LastResult | null;
  incident_id: string | null;
  pid?: number | null;
  uptime_24h: number | null;
  uptime_7d: number | null;
  latency: number[];
  description?: string;
  /** The agent that runs it. */
  agent: string;
}

/** One target of `GET /api/targets?agents=all`: every agent's, as the shared store has them. */
export type FleetTarget = Pick<Target, "name" | "kind" | "state" | "since" | "restarts" | "last_result"> & {
  /** null for a row stored before targets had an agent. */
  agent: string | null;
};

/** One agent of `GET /api/fleet`. */
export interface Member {
  name: string;
  host: string;
  pid: number;
  version: string;
  state: "alive" | "dead" | "stopped";
  started_at: number;
  last_seen: number;
  lease_until: number;
  /** The agent this page talks to. */
  self: boolean;
  targets: number | null;
  open_incidents: number | null;
}

export interface PauseState {
  paused: boolean;
  by: string | null;
  reason: string | null;
  since: number | null;
}

export interface Overview {
  generated_at: number;
  targets: Target[];
  pause: PauseState;
}

export interface History {
  target: string;
  window: "24h" | "7d";
  bucket_ms: number;
  uptime: number | null;
  t: number[];
  total: number[];
  ok: number[];
  p50_ms: number[];
  p95_ms: number[];
  recent: { ts: number[]; ok: boolean[]; ms: number[] };
}

export interface Incident {
  id: string;
  target: string;
  failure_class: string;
  status: "open" | "resolved";
  opened_at: number;
  resolved_at: number | null;
  escalated: boolean;
  escalation: string | null;
  reopened: number;
  timeline?: { ts: number; kind: string; detail: string }[];
  attempts?: { action: string; outcome?: string; started_at?: number }[];
}

export interface Approval {
  id: string;
  action: string;
  params: Record<string, string>;
  target: string | null;
  reason: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
  required: number;
  status: "pending" | "approved" | "rejected" | "expired";
  decisions: { by: string; decision: "approve" | "reject"; note: string; at: number }[];
  run_id: string | null;
  /** Advisory: the highest of its signals' levels. */
  assessment: { level: RiskLevel; signals: { signal: string; level: RiskLevel; reason: string }[] };
  description: string | null;
  /** For whoever is logged in: may they approve or reject it now, and if not, why. */
  can_decide: boolean;
  why_not: string | null;
}

export type RiskLevel = "low" | "medium" | "high";

export interface Run {
  id: string;
  action: string;
  params: Record<string, string>;
  target: string | null;
  requested_by: string;
  reason: string;
  approval_id: string | null;
  status: string;
  started_at: number;
  finished_at: number | null;
  result: {
    ok: boolean;
    duration_ms: number;
    exit_code?: number | null;
    stdout?: string;
    error?: string;
  } | null;
}

export interface ActionInfo {
  name: string;
  kind: string;
  risk: string;
  approvals: number;
  description?: string;
}

export interface StatRow {
  target: string;
  failure_class: string;
  action: string;
  attempts: number;
  successes: number;
  success_rate: number;
  median_recover_ms: number | null;
}

export interface AuditEvent {
  seq: number;
  ts: number;
  actor: string;
  type: string;
  subject: string;
  payload: unknown;
}

export interface Verify {
  ok: boolean;
  count: number;
  last_seq: number;
  first_bad_seq?: number;
  reason?: string;
}

/** One event of `GET /api/events` (the audit log's export line). */
export interface LiveEvent {
  seq: number;
  ts: number;
  actor: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
}
