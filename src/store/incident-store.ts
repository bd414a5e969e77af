/**
 * Incidents, their timelines, remediation attempts and silences, in plain SQL over `Db`.
 */
import type { Announcement, AnnouncementStore, Unannounced } from "../core/announce.ts";
import type { Db } from "./db.ts";

export type IncidentStatus = "open" | "resolved";
/** running: acting now; waiting: acted, waiting for the target to recover or for a person to approve. */
export type AttemptStatus = "running" | "waiting" | "succeeded" | "failed" | "interrupted";

export interface IncidentRow {
  id: string;
  target: string;
  failure_class: string;
  status: IncidentStatus;
  escalated: number;
  escalation: string | null;
  linked_to: string | null;
  opened_at: number;
  resolved_at: number | null;
  reopened: number;
}

export interface TimelineRow {
  incident_id: string;
  ts: number;
  kind: string;
  detail: string;
}

export interface AttemptRow {
  id: string;
  incident_id: string;
  target: string;
  failure_class: string;
  action: string;
  status: AttemptStatus;
  detail: string;
  run_id: string | null;
  approval_id: string | null;
  started_at: number;
  acted_at: number | null;
  finished_at: number | null;
  recovered_ms: number | null;
}

export interface SilenceRow {
  id: string;
  target: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_by: string;
  deleted_at: number | null;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const incident = ({ announce: _a, agent: _b, ...r }: Record<string, unknown>): IncidentRow => ({
  ...(r as unknown as IncidentRow),
  escalated: Number(r.escalated),
  opened_at: Number(r.opened_at),
  resolved_at: n(r.resolved_at),
  reopened: Number(r.reopened),
});

const attempt = ({ agent: _, ...r }: Record<string, unknown>): AttemptRow => ({
  ...(r as unknown as AttemptRow),
  started_at: Number(r.started_at),
  acted_at: n(r.acted_at),
  finished_at: n(r.finished_at),
  recovered_ms: n(r.recovered_ms),
});

const silence = (r: Record<string, unknown>): SilenceRow => ({
  ...(r as unknown as SilenceRow),
  starts_at: Number(r.starts_at),
  ends_at: Number(r.ends_at),
  deleted_at: n(r.deleted_at),
});

export class IncidentStore implements AnnouncementStore {
  /** What an incident's events name it by. */
  readonly key = "incident_id";
  readonly db: Db;
  /**
   * The agent whose incidents these are (`agent.name`): agents sharing a store each go on with their
   * own (rows from before incidents named their agent count as everyone's). Whoever writes a row
   * owns it: the agent that took a shared check over takes its incident with it.
   */
  readonly #agent: string;

  constructor(db: Db, agent = "") {
    this.db = db;
    this.#agent = agent;
  }

  /** `announce`: the event the change is to be announced with, kept until `announced`. */
  async insertIncident(i: IncidentRow, announce?: Announcement): Promise<void> {
    await this.db.run(
      `INSERT INTO incidents (id, target, failure_class, status, escalated, escalation, linked_to, opened_at, resolved_at, reopened, announce, agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        i.id,
        i.target,
        i.failure_class,
        i.status,
        i.escalated,
        i.escalation,
        i.linked_to,
        i.opened_at,
        i.resolved_at,
        i.reopened,
        announce ? JSON.stringify(announce) : null,
        this.#agent,
      ],
    );
  }

  /** `announce`: as for `insertIncident`; without it, an announcement still pending stays. */
  async updateIncident(i: IncidentRow, announce?: Announcement): Promise<void> {
    const fields = [
      i.failure_class,
      i.status,
      i.escalated,
      i.escalation,
      i.linked_to,
      i.resolved_at,
      i.reopened,
      this.#agent,
    ];
    await this.db.run(
      `UPDATE incidents SET failure_class = ?, status = ?, escalated = ?, escalation = ?, linked_to = ?,
         resolved_at = ?, reopened = ?, agent = ?${announce ? ", announce = ?" : ""} WHERE id = ?`,
      announce ? [...fields, JSON.stringify(announce), i.id] : [...fields, i.id],
    );
  }

  /** The announcement is in the audit log. */
  async announced(id: string): Promise<void> {
    await this.db.run("UPDATE incidents SET announce = NULL WHERE id = ?", [id]);
  }

  /** Incidents whose last change may not have been announced (a crash between the two), oldest first. */
  async unannounced(limit = 1_000): Promise<Unannounced[]> {
    const rows = await this.db.all<{ id: string; target: string; announce: string }>(
      "SELECT id, target, announce FROM incidents WHERE announce IS NOT NULL AND (agent = ? OR agent IS NULL) ORDER BY opened_at LIMIT ?",
      [this.#agent, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      subject: r.target,
      announce: JSON.parse(r.announce) as Announcement,
    }));
  }

  async getIncident(id: string): Promise<IncidentRow | undefined> {
    const r = await this.db.get("SELECT * FROM incidents WHERE id = ?", [id]);
    return r ? incident(r) : undefined;
  }

  /** This agent's open incidents, or with `everyone`, every agent's. */
  async openIncidents(everyone = false): Promise<IncidentRow[]> {
    const rows = everyone
      ? await this.db.all("SELECT * FROM incidents WHERE status = 'open' ORDER BY opened_at")
      : await this.db.all(
          "SELECT * FROM incidents WHERE status = 'open' AND (agent = ? OR agent IS NULL) ORDER BY opened_at",
          [this.#agent],
        );
    return rows.map(incident);
  }

  /** The newest incident of a target with a failure class, open or not. */
  /** Open escalated incidents with when they were escalated (from their timeline). */
  async escalatedOpen(
    limit = 1_000,
  ): Promise<{ id: string; target: string; escalation: string; since: number }[]> {
    const rows = await this.db.all<{
      id: string;
      target: string;
      escalation: string | null;
      since: number | string;
    }>(
      `SELECT i.id, i.target, i.escalation, MIN(t.ts) AS since FROM incidents i
         JOIN incident_timeline t ON t.incident_id = i.id AND t.kind = 'escalated'
        WHERE i.status = 'open' AND i.escalated = 1
        GROUP BY i.id, i.target, i.escalation ORDER BY since LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      target: r.target,
      escalation: r.escalation ?? "",
      since: Number(r.since),
    }));
  }

  async latestIncident(target: string, failureClass: string): Promise<IncidentRow | undefined> {
    const r = await this.db.get(
      "SELECT * FROM incidents WHERE target = ? AND failure_class = ? ORDER BY opened_at DESC LIMIT 1",
      [target, failureClass],
    );
    return r ? incident(r) : undefined;
  }

  async listIncidents(status: IncidentStatus | undefined, limit: number): Promise<IncidentRow[]> {
    const rows = status
      ? await this.db.all("SELECT * FROM incidents WHERE status = ? ORDER BY opened_at DESC LIMIT ?", [
          status,
          limit,
        ])
      : await this.db.all("SELECT * FROM incidents ORDER BY opened_at DESC LIMIT ?", [limit]);
    return rows.map(incident);
  }

  async addTimeline(t: TimelineRow): Promise<void> {
    await this.db.run("INSERT INTO incident_timeline (incident_id, ts, kind, detail) VALUES (?, ?, ?, ?)", [
      t.incident_id,
      t.ts,
      t.kind,
      t.detail,
    ]);
  }

  async timeline(incidentId: string, limit = 1_000): Promise<TimelineRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY ts, kind LIMIT ?",
      [incidentId, limit],
    );
    return rows.map((r) => ({ ...(r as unknown as TimelineRow), ts: Number(r.ts) }));
  }

  async insertAttempt(a: AttemptRow): Promise<void> {
    await this.db.run(
      `INSERT INTO remediation_attempts (id, incident_id, target, failure_class, action, status, detail, run_id, approval_id, started_at, acted_at, finished_at, recovered_ms, agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        a.id,
        a.incident_id,
        a.target,
        a.failure_class,
        a.action,
        a.status,
        a.detail,
        a.run_id,
        a.approval_id,
        a.started_at,
        a.acted_at,
        a.finished_at,
        a.recovered_ms,
        this.#agent,
      ],
    );
  }

  async updateAttempt(a: AttemptRow): Promise<void> {
    await this.db.run(
      `UPDATE remediation_attempts SET status = ?, detail = ?, run_id = ?, approval_id = ?, acted_at = ?,
         finished_at = ?, recovered_ms = ? WHERE id = ?`,
      [a.status, a.detail, a.run_id, a.approval_id, a.acted_at, a.finished_at, a.recovered_ms, a.id],
    );
  }

  async attempts(incidentId: string): Promise<AttemptRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM remediation_attempts WHERE incident_id = ? ORDER BY started_at, id",
      [incidentId],
    );
    return rows.map(attempt);
  }

  /** Attempts that acted since `since` (the hourly budget). */
  /**
   * This agent's remediation attempts since `since`: each agent's `max_actions_per_hour` is its own,
   * not spent by another agent of the fleet.
   */
  async countAttemptsSince(since: number): Promise<number> {
    const r = await this.db.get<{ c: number | string }>(
      `SELECT COUNT(*) AS c FROM remediation_attempts
         WHERE started_at >= ? AND status <> 'interrupted' AND (agent = ? OR agent IS NULL)`,
      [since, this.#agent],
    );
    return Number(r?.c ?? 0);
  }

  /** Finished attempts, for the statistics (bounded: the newest `limit`). */
  async finishedAttempts(limit: number, target?: string): Promise<AttemptRow[]> {
    const rows = target
      ? await this.db.all(
          "SELECT * FROM remediation_attempts WHERE target = ? AND status IN ('succeeded', 'failed') ORDER BY started_at DESC LIMIT ?",
          [target, limit],
        )
      : await this.db.all(
          "SELECT * FROM remediation_attempts WHERE status IN ('succeeded', 'failed') ORDER BY started_at DESC LIMIT ?",
          [limit],
        );
    return rows.map(attempt);
  }

  /**
   * Attempts this agent left running when it stopped or crashed: never re-run, marked interrupted.
   * Another agent's running attempt is running.
   */
  async interruptRunning(now: number): Promise<AttemptRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM remediation_attempts WHERE status = 'running' AND (agent = ? OR agent IS NULL)",
      [this.#agent],
    );
    return this.#interrupt(rows.map(attempt), now);
  }

  /**
   * On an incident this agent holds (a shared check's, taken over): the attempts still running under
   * an agent not among `live` (it died mid-step, and only its own next start would say so),
   * interrupted, so this agent does not wait on them. A live agent's running attempt finishes there.
   */
  async interruptOrphaned(
    held: ReadonlySet<string>,
    live: readonly string[],
    now: number,
  ): Promise<AttemptRow[]> {
    // One read for all: the steps other agents are running now are few, the incidents held many.
    const rows = await this.db.all<Record<string, unknown> & { agent: string; incident_id: string }>(
      "SELECT * FROM remediation_attempts WHERE status = 'running' AND agent IS NOT NULL AND agent <> ?",
      [this.#agent],
    );
    const orphaned = rows.filter((r) => held.has(r.incident_id) && !live.includes(r.agent));
    return this.#interrupt(orphaned.map(attempt), now);
  }

  async #interrupt(rows: AttemptRow[], now: number): Promise<AttemptRow[]> {
    for (const a of rows) {
      await this.updateAttempt({
        ...a,
        status: "interrupted",
        detail: `${a.detail}; the agent stopped while it ran, so it is not run again`,
        finished_at: now,
      });
    }
    return rows;
  }

  async insertSilence(s: SilenceRow): Promise<void> {
    await this.db.run(
      "INSERT INTO silences (id, target, starts_at, ends_at, reason, created_by, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [s.id, s.target, s.starts_at, s.ends_at, s.reason, s.created_by, s.deleted_at],
    );
  }

  async deleteSilence(id: string, at: number): Promise<boolean> {
    const r = await this.db.run("UPDATE silences SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", [
      at,
      id,
    ]);
    return r.changes === 1;
  }

  async activeSilences(now: number): Promise<SilenceRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM silences WHERE deleted_at IS NULL AND ends_at > ? ORDER BY ends_at",
      [now],
    );
    return rows.map(silence);
  }

  async getSilence(id: string): Promise<SilenceRow | undefined> {
    const r = await this.db.get("SELECT * FROM silences WHERE id = ?", [id]);
    return r ? silence(r) : undefined;
  }
}
