/** Scheduled jobs' state in plain SQL over `Db`: one row per agent and job. */
import type { Db } from "./db.ts";

/**
 * running: started, not finished; waiting: queued for approval; succeeded and failed: the run's
 * outcome; rejected and expired: the approval's, so the job did not run.
 */
export type JobStatus = "running" | "waiting" | "succeeded" | "failed" | "rejected" | "expired";

export interface JobRow {
  name: string;
  /** The last time the job's schedule named that this agent dealt with (ran, skipped, queued, missed). */
  scheduled_at: number;
  started_at: number | null;
  finished_at: number | null;
  status: JobStatus | null;
  run_id: string | null;
  approval_id: string | null;
  /** What the last run came to, redacted: an error, an exit code, who rejected it. */
  detail: string | null;
}

/** A job that has not run yet, having dealt with its schedule up to `scheduledAt`. */
export const emptyJobRow = (name: string, scheduledAt: number): JobRow => ({
  name,
  scheduled_at: scheduledAt,
  started_at: null,
  finished_at: null,
  status: null,
  run_id: null,
  approval_id: null,
  detail: null,
});

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const row = (r: Record<string, unknown>): JobRow => ({
  name: String(r.name),
  scheduled_at: Number(r.scheduled_at),
  started_at: num(r.started_at),
  finished_at: num(r.finished_at),
  status: (r.status ?? null) as JobStatus | null,
  run_id: (r.run_id ?? null) as string | null,
  approval_id: (r.approval_id ?? null) as string | null,
  detail: (r.detail ?? null) as string | null,
});

export class JobStore {
  readonly db: Db;
  readonly #agent: string;

  /** `agent`: this agent's name; agents sharing a PostgreSQL store each keep their own jobs. */
  constructor(db: Db, agent: string) {
    this.db = db;
    this.#agent = agent;
  }

  async list(): Promise<JobRow[]> {
    const rows = await this.db.all("SELECT * FROM jobs WHERE agent = ? ORDER BY name", [this.#agent]);
    return rows.map(row);
  }

  async save(j: JobRow): Promise<void> {
    await this.db.run(
      `INSERT INTO jobs (agent, name, scheduled_at, started_at, finished_at, status, run_id, approval_id, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent, name) DO UPDATE SET scheduled_at = excluded.scheduled_at,
         started_at = excluded.started_at, finished_at = excluded.finished_at, status = excluded.status,
         run_id = excluded.run_id, approval_id = excluded.approval_id, detail = excluded.detail`,
      [
        this.#agent,
        j.name,
        j.scheduled_at,
        j.started_at,
        j.finished_at,
        j.status,
        j.run_id,
        j.approval_id,
        j.detail,
      ],
    );
  }

  /** A job no longer in the config: nothing of it should count as missed if it comes back. */
  async remove(name: string): Promise<void> {
    await this.db.run("DELETE FROM jobs WHERE agent = ? AND name = ?", [this.#agent, name]);
  }
}
