/** A run as the API shows it, and the bounded excerpt of its output that goes into the audit log. */
import type { Redactor } from "../core/redact.ts";
import type { RunRow } from "../store/action-store.ts";
import type { RunResult, RunView } from "./types.ts";

/** How much of a run's output goes into its audit entry (the run record keeps the full capped output). */
const auditExcerpt = 2_000;

export function excerpt(r: RunResult): string {
  const text = [r.error, r.stdout, r.stderr, r.body].filter(Boolean).join("\n");
  return text.length > auditExcerpt ? `${text.slice(0, auditExcerpt)}…` : text;
}

/**
 * A stored run as every API view shows it. Its parameters are stored already hidden; they are hidden
 * again by today's declarations, so a parameter declared secret since hides older runs' values too.
 */
export function toView(row: RunRow, redactor: Redactor): RunView {
  return {
    id: row.id,
    action: row.action,
    params: redactor.params(row.action, JSON.parse(row.params) as Record<string, string>),
    target: row.target,
    requested_by: row.requested_by,
    reason: row.reason,
    approval_id: row.approval_id,
    status: row.status,
    started_at: row.started_at,
    finished_at: row.finished_at,
    result: row.result ? (JSON.parse(row.result) as RunResult) : null,
    agent: row.agent ?? null,
  };
}
