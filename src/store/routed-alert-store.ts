/**
 * Alerts routed to another agent of the fleet (migration 015), in plain SQL over `Db`. Only the
 * named agent takes its rows, and a live agent's name is unique in the fleet, so taking needs no
 * claim: read in order, apply, delete.
 */
import type { Db } from "./db.ts";

export interface RoutedAlert {
  seq: number;
  agent: string;
  /** The alert's JSON, as Alertmanager posted it. */
  alert: string;
  receiver: string;
  sentBy: string;
  fromAgent: string;
  createdAt: number;
}

export class RoutedAlerts {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async add(r: Omit<RoutedAlert, "seq">): Promise<void> {
    await this.#db.run(
      "INSERT INTO routed_alerts (agent, alert, receiver, sent_by, from_agent, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      [r.agent, r.alert, r.receiver, r.sentBy, r.fromAgent, r.createdAt],
    );
  }

  /** The oldest `limit` rows for `agent`, oldest first. */
  async pending(agent: string, limit: number): Promise<RoutedAlert[]> {
    const rows = await this.#db.all<{
      seq: number | string;
      alert: string;
      receiver: string;
      sent_by: string;
      from_agent: string;
      created_at: number | string;
    }>(
      "SELECT seq, alert, receiver, sent_by, from_agent, created_at FROM routed_alerts WHERE agent = ? ORDER BY seq LIMIT ?",
      [agent, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      agent,
      alert: r.alert,
      receiver: r.receiver,
      sentBy: r.sent_by,
      fromAgent: r.from_agent,
      createdAt: Number(r.created_at),
    }));
  }

  /** Drops rows written before `before` (for any agent); resolves with how many. */
  async expire(before: number): Promise<number> {
    return (await this.#db.run("DELETE FROM routed_alerts WHERE created_at < ?", [before])).changes;
  }

  async remove(seq: number): Promise<void> {
    await this.#db.run("DELETE FROM routed_alerts WHERE seq = ?", [seq]);
  }
}
