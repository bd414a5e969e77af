/**
 * What the daily digest reads about one window of time, in plain SQL over `Db`: incidents opened and
 * resolved, action runs, approvals decided or expired, and each target's minutes. Read only; every
 * list is bounded, the counts are not.
 */
import type { Db } from "./db.ts";

export interface Window {
  from: number;
  to: number;
}

export interface WindowIncident {
  id: string;
  target: string;
  failure_class: string;
  opened_at: number;
  resolved_at: number | null;
  escalated: boolean;
}

export interface ActionTally {
  action: string;
  runs: number;
  succeeded: number;
  failed: number;
}

export interface DecidedApproval {
  id: string;
  action: string;
  target: string | null;
  requested_by: string;
  status: "approved" | "rejected" | "expired";
  decided_at: number;
}

export interface TargetUptime {
  target: string;
  total: number;
  ok: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class DigestStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Incidents opened in the window, and those resolved in it (opened whenever), oldest first. */
  async incidents(
    w: Window,
    limit: number,
  ): Promise<{ opened: number; resolved: number; list: WindowIncident[] }> {
    const counts = await this.db.get<{ opened: unknown; resolved: unknown }>(
      `SELECT (SELECT COUNT(*) FROM incidents WHERE opened_at >= ? AND opened_at < ?) AS opened,
              (SELECT COUNT(*) FROM incidents WHERE resolved_at >= ? AND resolved_at < ?) AS resolved`,
      [w.from, w.to, w.from, w.to],
    );
    const rows = await this.db.all(
      `SELECT id, target, failure_class, opened_at, resolved_at, escalated FROM incidents
       WHERE (opened_at >= ? AND opened_at < ?) OR (resolved_at >= ? AND resolved_at < ?)
       ORDER BY opened_at, id LIMIT ?`,
      [w.from, w.to, w.from, w.to, limit],
    );
    return {
      opened: Number(counts?.opened ?? 0),
      resolved: Number(counts?.resolved ?? 0),
      list: rows.map((r) => ({
        id: String(r.id),
        target: String(r.target),
        failure_class: String(r.failure_class),
        opened_at: Number(r.opened_at),
        resolved_at: num(r.resolved_at),
        escalated: Number(r.escalated) === 1,
      })),
    };
  }

  /** Each action's runs started in the window, and how they ended; the most run first. */
  async actions(w: Window, limit: number): Promise<ActionTally[]> {
    const rows = await this.db.all(
      `SELECT action, COUNT(*) AS runs,
              SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded,
              SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
       FROM action_runs WHERE started_at >= ? AND started_at < ?
       GROUP BY action ORDER BY COUNT(*) DESC, action LIMIT ?`,
      [w.from, w.to, limit],
    );
    return rows.map((r) => ({
      action: String(r.action),
      runs: Number(r.runs),
      succeeded: Number(r.succeeded),
      failed: Number(r.failed),
    }));
  }

  /** Requests approved, rejected or expired in the window: how many of each, and the oldest first. */
  async decidedApprovals(
    w: Window,
    limit: number,
  ): Promise<{ counts: Record<DecidedApproval["status"], number>; list: DecidedApproval[] }> {
    const counts = { approved: 0, rejected: 0, expired: 0 };
    const tally = await this.db.all(
      `SELECT status, COUNT(*) AS n FROM approvals
       WHERE status IN ('approved', 'rejected', 'expired') AND decided_at >= ? AND decided_at < ? GROUP BY status`,
      [w.from, w.to],
    );
    for (const r of tally) counts[r.status as DecidedApproval["status"]] = Number(r.n);
    const rows = await this.db.all(
      `SELECT id, action, target, requested_by, status, decided_at FROM approvals
       WHERE status IN ('approved', 'rejected', 'expired') AND decided_at >= ? AND decided_at < ?
       ORDER BY decided_at, id LIMIT ?`,
      [w.from, w.to, limit],
    );
    const list = rows.map((r) => ({
      id: String(r.id),
      action: String(r.action),
      target: typeof r.target === "string" ? r.target : null,
      requested_by: String(r.requested_by),
      status: r.status as DecidedApproval["status"],
      decided_at: Number(r.decided_at),
    }));
    return { counts, list };
  }

  /** Each target's results over the window's minutes, the lowest share of good ones first. */
  async worstUptime(w: Window, limit: number): Promise<TargetUptime[]> {
    const rows = await this.db.all(
      `SELECT target, SUM(total) AS total, SUM(ok) AS ok FROM result_minutes
       WHERE minute >= ? AND minute < ? GROUP BY target HAVING SUM(total) > 0
       ORDER BY CAST(SUM(ok) AS REAL) / SUM(total), target LIMIT ?`,
      [w.from, w.to, limit],
    );
    return rows.map((r) => ({ target: String(r.target), total: Number(r.total), ok: Number(r.ok) }));
  }
}
