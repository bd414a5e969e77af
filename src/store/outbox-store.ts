/** The notification outbox in plain SQL over `Db`. */
import type { Db } from "./db.ts";

/** pending: to be delivered at `next_at`; sent; dead: given up (permanent failure or too old). */
export type OutboxStatus = "pending" | "sent" | "dead";

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

const row = (r: Record<string, unknown>): OutboxRow => ({
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

  async due(now: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.all(
      "SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, created_at LIMIT ?",
      [now, limit],
    );
    return rows.map(row);
  }

  async update(r: OutboxRow): Promise<void> {
    await this.db.run(
      "UPDATE outbox SET status = ?, attempts = ?, next_at = ?, sent_at = ?, last_error = ? WHERE id = ?",
      [r.status, r.attempts, r.next_at, r.sent_at, r.last_error, r.id],
    );
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
