/** The notification outbox in plain SQL over `Db`. */
import type { Db } from "./db.ts";

/**
 * pending: to be delivered at `next_at`; sent; dead: given up (permanent failure or too old);
 * merged: told inside another notification of its group (the row keeps its key, so it is not queued again).
 */
export type OutboxStatus = "pending" | "sent" | "dead" | "merged";

export interface OutboxRow {
  id: string;
  channel: string;
  dedup_key: string;
  kind: string;
  target: string | null;
  /** JSON: the notification as providers render it. */
  body: string;
  status: OutboxStatus;
  attempts: number;
  next_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
}

const row = ({ claimed_by: _by, claim_until: _until, ...r }: Record<string, unknown>): OutboxRow => ({
  ...(r as unknown as OutboxRow),
  attempts: Number(r.attempts),
  next_at: Number(r.next_at),
  created_at: Number(r.created_at),
  sent_at: r.sent_at === null || r.sent_at === undefined ? null : Number(r.sent_at),
});

export class OutboxStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Queues a notification; false when this channel already has one with this key (a duplicate). */
  async enqueue(r: OutboxRow): Promise<boolean> {
    const res = await this.db.run(
      `INSERT INTO outbox (id, channel, dedup_key, kind, target, body, status, attempts, next_at, created_at, sent_at, last_error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, dedup_key) DO NOTHING`,
      [
        r.id,
        r.channel,
        r.dedup_key,
        r.kind,
        r.target,
        r.body,
        r.status,
        r.attempts,
        r.next_at,
        r.created_at,
        r.sent_at,
        r.last_error,
      ],
    );
    return res.changes === 1;
  }

  /** The notification of this target on this channel still waiting to go out, which a new one may join. */
  async openGroup(channel: string, target: string, now: number): Promise<OutboxRow | undefined> {
    const r = await this.db.get(
      `SELECT * FROM outbox WHERE channel = ? AND target = ? AND status = 'pending' AND attempts = 0
         AND next_at > ? AND kind NOT LIKE 'approval.%' ORDER BY created_at LIMIT 1`,
      [channel, target, now],
    );
    return r ? row(r) : undefined;
  }

  /** When this target's last notification on this channel went out, if one did. */
  async lastSent(channel: string, target: string): Promise<number | undefined> {
    const r = await this.db.get<{ at: number | string | null }>(
      "SELECT MAX(sent_at) AS at FROM outbox WHERE channel = ? AND target = ? AND status = 'sent'",
      [channel, target],
    );
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /**
   * Replaces a waiting notification's body, only if it is still waiting (not due, never tried):
   * false when the outbox took it meanwhile, and the caller queues its own instead.
   */
  async regroup(id: string, body: string, nextAt: number, now: number): Promise<boolean> {
    const res = await this.db.run(
      "UPDATE outbox SET body = ?, next_at = ? WHERE id = ? AND status = 'pending' AND attempts = 0 AND next_at > ?",
      [body, nextAt, id, now],
    );
    return res.changes === 1;
  }

  /**
   * Claims up to `limit` due notifications for `claimer` (this start's fleet instance) until `until`,
   * oldest first: those nobody holds, this start's own, those whose claim ran out, and those held by
   * a start that is no longer alive in the fleet (`agents`), so a dead agent's claims are taken over
   * within its lease. PostgreSQL skips rows another agent is claiming this moment; SQLite has one
   * writer, so the single UPDATE is enough.
   */
  async claimDue(claimer: string, now: number, until: number, limit: number): Promise<OutboxRow[]> {
    // The outbox is asked four times a second and is mostly idle: a read first, so an idle pass
    // takes no write lock (on SQLite the audit log's writers wait for it).
    const due = await this.db.get(
      "SELECT 1 AS due FROM outbox WHERE status = 'pending' AND next_at <= ? LIMIT 1",
      [now],
    );
    if (!due) return [];
    const skipLocked = this.db.dialect === "postgres" ? "FOR UPDATE SKIP LOCKED" : "";
    // A write: on SQLite's one connection it must wait its turn, not slip into another's transaction.
    const rows = await this.db.transaction("outbox", (tx) =>
      tx.all(
        `UPDATE outbox SET claimed_by = ?, claim_until = ? WHERE id IN (
         SELECT id FROM outbox WHERE status = 'pending' AND next_at <= ?
           AND (claimed_by IS NULL OR claimed_by = ? OR claim_until <= ?
                OR NOT EXISTS (SELECT 1 FROM agents a WHERE a.instance = outbox.claimed_by AND a.lease_until > ?))
           ORDER BY next_at, created_at LIMIT ? ${skipLocked})
       RETURNING *`,
        [claimer, until, now, claimer, now, now, limit],
      ),
    );
    return rows.map(row).sort((a, b) => a.next_at - b.next_at || a.created_at - b.created_at);
  }

  /**
   * Drops finished notifications (sent, merged, given up) created before `before`, except the
   * opening of an incident still open: its resolution will look up where the opening went.
   */
  async prune(before: number): Promise<number> {
    const res = await this.db.run(
      `DELETE FROM outbox WHERE status IN ('sent', 'merged', 'dead') AND created_at < ?
         AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.status = 'open'
                           AND outbox.dedup_key LIKE 'incident:' || i.id || ':opened:%')`,
      [before],
    );
    return res.changes;
  }

  async setStatus(id: string, status: OutboxStatus): Promise<void> {
    await this.db.run("UPDATE outbox SET status = ? WHERE id = ?", [status, id]);
  }

  /**
   * Records a delivery attempt's outcome and lets go of the claim on it. With `claimer`, only while
   * that start still holds the claim: one that stalled past its lease while sending must not undo
   * what the agent that took the row over recorded (a `sent` made pending again goes out a third
   * time). False when nothing was recorded.
   */
  async update(r: OutboxRow, claimer?: string): Promise<boolean> {
    const res = await this.db.run(
      `UPDATE outbox SET status = ?, attempts = ?, next_at = ?, sent_at = ?, last_error = ?,
         claimed_by = NULL, claim_until = NULL WHERE id = ?${claimer === undefined ? "" : " AND claimed_by = ?"}`,
      [
        r.status,
        r.attempts,
        r.next_at,
        r.sent_at,
        r.last_error,
        r.id,
        ...(claimer === undefined ? [] : [claimer]),
      ],
    );
    return res.changes === 1;
  }

  /** Channels that already have a notification with exactly this key. */
  async channelsWithKey(key: string): Promise<string[]> {
    const rows = await this.db.all<{ channel: string }>("SELECT channel FROM outbox WHERE dedup_key = ?", [
      key,
    ]);
    return rows.map((r) => r.channel);
  }

  /** Channels notifications whose key starts with `prefix` went (or are going) to. */
  async channelsFor(prefix: string): Promise<string[]> {
    const rows = await this.db.all<{ channel: string }>(
      "SELECT DISTINCT channel FROM outbox WHERE dedup_key LIKE ? AND status <> 'dead'",
      [`${prefix.replace(/[%_\\]/g, "")}%`],
    );
    return rows.map((r) => r.channel);
  }

  async list(limit: number): Promise<OutboxRow[]> {
    return (await this.db.all("SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?", [limit])).map(row);
  }

  /** Notifications waiting for delivery, per channel (the outbox depth). */
  async depth(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ channel: string; n: number | string }>(
      "SELECT channel, COUNT(*) AS n FROM outbox WHERE status = 'pending' GROUP BY channel",
    );
    return Object.fromEntries(rows.map((r) => [r.channel, Number(r.n)]));
  }
}
