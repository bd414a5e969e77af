/**
 * The gateway's tables: action runs, approval requests with their decisions, spent capability ids.
 * Plain SQL over `Db`, so SQLite and PostgreSQL behave the same. JSON columns are opaque here.
 */
import type { Announcement, Unannounced } from "../core/announce.ts";
import type { Db } from "./db.ts";

export type RunStatus = "running" | "succeeded" | "failed";
export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired";

export interface RunRow {
  id: string;
  action: string;
  /** JSON object of the validated parameters. */
  params: string;
  target: string | null;
  requested_by: string;
  reason: string;
  approval_id: string | null;
  status: RunStatus;
  /** JSON: what the run produced (exit code, output, files ...), once finished. */
  result: string | null;
  started_at: number;
  finished_at: number | null;
  /** JSON: the processes the run started (pid, start time, boot), so a killed agent's next start can stop them. */
  processes?: string | null;
  /** The agent that ran it (set by the store on insert; null on rows from before runs named it). */
  agent?: string | null;
}

export interface ApprovalRow {
  id: string;
  action: string;
  params: string;
  target: string | null;
  reason: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
  required: number;
  status: ApprovalStatus;
  /** JSON: the advisory risk assessment. */
  assessment: string;
  run_id: string | null;
  decided_at: number | null;
  /** The agent that asked for it and runs it (null: a row from before approvals named their agent). */
  agent?: string | null;
  /** The agent the deciding decision was made on. */
  decided_on?: string | null;
}

export interface DecisionRow {
  approval_id: string;
  decided_by: string;
  decision: "approve" | "reject";
  note: string;
  at: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function runRow(r: Record<string, unknown>): RunRow {
  return { ...(r as unknown as RunRow), started_at: Number(r.started_at), finished_at: num(r.finished_at) };
}

function approvalRow({ announce: _, ...r }: Record<string, unknown>): ApprovalRow {
  return {
    ...(r as unknown as ApprovalRow),
    requested_at: Number(r.requested_at),
    expires_at: Number(r.expires_at),
    required: Number(r.required),
    decided_at: num(r.decided_at),
  };
}

export class ActionStore {
  readonly db: Db;
  /** The agent this store records runs for (`agent.name`): the fleet's agents share the table. */
  readonly #agent: string;

  constructor(db: Db, agent = "") {
    this.db = db;
    this.#agent = agent;
  }

  /** The agent this store records runs and requests for. */
  get agent(): string {
    return this.#agent;
  }

  /** Runs `fn` against a store bound to one transaction holding the approvals lock. */
  transaction<T>(fn: (tx: ActionStore) => Promise<T>): Promise<T> {
    return this.db.transaction("vigil:approvals", (tx) => fn(new ActionStore(tx, this.#agent)));
  }

  async insertRun(r: RunRow): Promise<void> {
    await this.db.run(
      `INSERT INTO action_runs (id, action, params, target, requested_by, reason, approval_id, status, result, started_at, finished_at, agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        r.id,
        r.action,
        r.params,
        r.target,
        r.requested_by,
        r.reason,
        r.approval_id,
        r.status,
        r.result,
        r.started_at,
        r.finished_at,
        this.#agent,
      ],
    );
  }

  async finishRun(id: string, status: RunStatus, result: string, finishedAt: number): Promise<void> {
    await this.db.run("UPDATE action_runs SET status = ?, result = ?, finished_at = ? WHERE id = ?", [
      status,
      result,
      finishedAt,
      id,
    ]);
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const r = await this.db.get("SELECT * FROM action_runs WHERE id = ?", [id]);
    return r ? runRow(r) : undefined;
  }

  /** The newest finished runs of an action, newest first. */
  async recentRuns(action: string, limit: number): Promise<RunRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM action_runs WHERE action = ? AND status <> 'running' ORDER BY started_at DESC LIMIT ?",
      [action, limit],
    );
    return rows.map(runRow);
  }

  /** The newest runs of every action, running ones too, newest first (the dashboard's history). */
  async listRuns(limit: number): Promise<RunRow[]> {
    const rows = await this.db.all("SELECT * FROM action_runs ORDER BY started_at DESC LIMIT ?", [limit]);
    return rows.map(runRow);
  }

  /** Records the processes a running run has started (the whole list, JSON). */
  async setRunProcesses(id: string, processes: string): Promise<void> {
    await this.db.run("UPDATE action_runs SET processes = ? WHERE id = ? AND status = 'running'", [
      processes,
      id,
    ]);
  }

  /**
   * This agent's runs still marked `running`, oldest first: at start, what it left unfinished when it
   * was killed. Another agent's runs on a shared database are its own business (rows from before
   * runs named their agent count as this one's).
   */
  async runningRuns(limit: number): Promise<RunRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM action_runs WHERE status = 'running' AND (agent = ? OR agent IS NULL) ORDER BY started_at LIMIT ?",
      [this.#agent, limit],
    );
    return rows.map(runRow);
  }

  /** `announce`: the event the request is to be announced with, kept until `approvalAnnounced`. */
  async insertApproval(a: ApprovalRow, announce?: Announcement): Promise<void> {
    await this.db.run(
      `INSERT INTO approvals (id, action, params, target, reason, requested_by, requested_at, expires_at, required, status, assessment, run_id, decided_at, agent, announce)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        a.id,
        a.action,
        a.params,
        a.target,
        a.reason,
        a.requested_by,
        a.requested_at,
        a.expires_at,
        a.required,
        a.status,
        a.assessment,
        a.run_id,
        a.decided_at,
        this.#agent,
        announce ? JSON.stringify(announce) : null,
      ],
    );
  }

  /** The request's announcement is in the audit log. */
  async approvalAnnounced(id: string): Promise<void> {
    await this.db.run("UPDATE approvals SET announce = NULL WHERE id = ?", [id]);
  }

  /** This agent's requests that may not have been announced (a crash between the two), oldest first. */
  async unannouncedApprovals(limit = 1_000): Promise<Unannounced[]> {
    const rows = await this.db.all<{ id: string; target: string | null; action: string; announce: string }>(
      `SELECT id, target, action, announce FROM approvals WHERE announce IS NOT NULL AND (agent = ? OR agent IS NULL)
         ORDER BY requested_at LIMIT ?`,
      [this.#agent, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      subject: r.target ?? r.action,
      announce: JSON.parse(r.announce) as Announcement,
    }));
  }

  async getApproval(id: string): Promise<ApprovalRow | undefined> {
    const r = await this.db.get("SELECT * FROM approvals WHERE id = ?", [id]);
    return r ? approvalRow(r) : undefined;
  }

  async listApprovals(status: ApprovalStatus | undefined, limit: number): Promise<ApprovalRow[]> {
    const rows = status
      ? await this.db.all("SELECT * FROM approvals WHERE status = ? ORDER BY requested_at DESC LIMIT ?", [
          status,
          limit,
        ])
      : await this.db.all("SELECT * FROM approvals ORDER BY requested_at DESC LIMIT ?", [limit]);
    return rows.map(approvalRow);
  }

  async setApprovalStatus(id: string, status: ApprovalStatus, at: number): Promise<void> {
    await this.db.run("UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?", [status, at, id]);
  }

  /** The decision that settles a request, made on this agent. */
  async settleApproval(id: string, status: "approved" | "rejected", at: number): Promise<void> {
    await this.db.run("UPDATE approvals SET status = ?, decided_at = ?, decided_on = ? WHERE id = ?", [
      status,
      at,
      this.#agent,
      id,
    ]);
  }

  /**
   * Takes an approved request's run for `runId`; false when it is taken already (the deciding call
   * and the owner's poll may both try) or the request is no longer approved.
   */
  async claimApprovalRun(id: string, runId: string): Promise<boolean> {
    const r = await this.db.run(
      "UPDATE approvals SET run_id = ? WHERE id = ? AND status = 'approved' AND run_id IS NULL",
      [runId, id],
    );
    return r.changes === 1;
  }

  /**
   * An approved request that will not run: never started (`claimedRunId` absent), or claimed for a
   * run that could not start. False when it changed meanwhile (another agent got there first).
   */
  async expireApproved(id: string, at: number, claimedRunId?: string): Promise<boolean> {
    const r = await this.db.run(
      "UPDATE approvals SET status = 'expired', decided_at = ?, run_id = NULL WHERE id = ? AND status = 'approved' AND COALESCE(run_id, '') = ?",
      [at, id, claimedRunId ?? ""],
    );
    return r.changes === 1;
  }

  /** Pending requests whose time is up, oldest first. */
  async duePending(now: number, limit: number): Promise<ApprovalRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
      [now, limit],
    );
    return rows.map(approvalRow);
  }

  /** How many requests wait for a decision (the metrics gauge). */
  async pendingCount(): Promise<number> {
    const r = await this.db.get<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending'",
    );
    return Number(r?.n ?? 0);
  }

  /**
   * The queue as a check reads it (`approvals:`): requests still waiting at `now`, and when the
   * oldest of them was asked. One past its expiry counts no more, even before the sweep marks it.
   */
  async pendingQueue(now: number): Promise<{ pending: number; oldestRequestedAt: number | null }> {
    const r = await this.db.get<{ n: number | string; oldest: number | string | null }>(
      "SELECT COUNT(*) AS n, MIN(requested_at) AS oldest FROM approvals WHERE status = 'pending' AND expires_at > ?",
      [now],
    );
    return { pending: Number(r?.n ?? 0), oldestRequestedAt: num(r?.oldest) };
  }

  /**
   * Approved requests of this agent whose run has not started: decided on another agent, or left
   * behind when this one stopped between a decision and its run (rows from before approvals named
   * their agent count as this one's).
   */
  async queuedApprovals(limit: number): Promise<ApprovalRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM approvals WHERE status = 'approved' AND run_id IS NULL AND (agent = ? OR agent IS NULL) ORDER BY decided_at LIMIT ?",
      [this.#agent, limit],
    );
    return rows.map(approvalRow);
  }

  /**
   * Approved requests of any agent not run by `now`, past both their expiry and a grace after the
   * decision (`decidedBefore`): their agent is gone, or was gone too long.
   */
  async staleApproved(now: number, decidedBefore: number, limit: number): Promise<ApprovalRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM approvals WHERE status = 'approved' AND run_id IS NULL AND expires_at <= ? AND decided_at <= ? ORDER BY decided_at LIMIT ?",
      [now, decidedBefore, limit],
    );
    return rows.map(approvalRow);
  }

  async insertDecision(d: DecisionRow): Promise<void> {
    await this.db.run(
      "INSERT INTO approval_decisions (approval_id, decided_by, decision, note, at) VALUES (?, ?, ?, ?, ?)",
      [d.approval_id, d.decided_by, d.decision, d.note, d.at],
    );
  }

  async decisions(approvalId: string): Promise<DecisionRow[]> {
    const rows = await this.db.all("SELECT * FROM approval_decisions WHERE approval_id = ? ORDER BY at", [
      approvalId,
    ]);
    return rows.map((r) => ({ ...(r as unknown as DecisionRow), at: Number(r.at) }));
  }

  /** Records a capability id as used; false when it already was (a replay). */
  async spendCapability(jti: string, approvalId: string, now: number): Promise<boolean> {
    const r = await this.db.run(
      "INSERT INTO spent_capabilities (jti, approval_id, spent_at) VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING",
      [jti, approvalId, now],
    );
    return r.changes === 1;
  }
}
