/**
 * Dashboard sessions in plain SQL over `Db`, so every agent on the store accepts a session any of
 * them opened, and a logout on one ends it on all. The rows hold digests only (migration 014); what
 * a session means (its principal, its CSRF check) is the API's business (api/sessions.ts).
 */
import type { Db } from "./db.ts";

export interface SessionRow {
  /** SHA-256 of the session id. */
  id: string;
  /** SHA-256 of the token: whose cap the session counts against. */
  owner: string;
  csrf: string;
  expiresAt: number;
}

export class SessionRows {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Adds `row`, first making room under `maxPerOwner` for its owner: every expired session goes,
   * then the owner's oldest. One transaction under one lock, so two agents logging the same token
   * in at once cannot both squeeze past the cap.
   */
  open(row: SessionRow, now: number, maxPerOwner: number): Promise<void> {
    return this.db.transaction("sessions", async (tx) => {
      await tx.run("DELETE FROM sessions WHERE expires_at <= ?", [now]);
      await tx.run(
        `DELETE FROM sessions WHERE owner = ? AND seq NOT IN
           (SELECT seq FROM sessions WHERE owner = ? ORDER BY seq DESC LIMIT ?)`,
        [row.owner, row.owner, Math.max(0, maxPerOwner - 1)],
      );
      await tx.run("INSERT INTO sessions (id, owner, csrf, expires_at) VALUES (?, ?, ?, ?)", [
        row.id,
        row.owner,
        row.csrf,
        row.expiresAt,
      ]);
    });
  }

  /** The session with digest `id`, unless it has expired by `now`. */
  async find(id: string, now: number): Promise<SessionRow | undefined> {
    const r = await this.db.get<{ owner: string; csrf: string; expires_at: number | string }>(
      "SELECT owner, csrf, expires_at FROM sessions WHERE id = ? AND expires_at > ?",
      [id, now],
    );
    return r && { id, owner: r.owner, csrf: r.csrf, expiresAt: Number(r.expires_at) };
  }

  async close(id: string): Promise<void> {
    await this.db.run("DELETE FROM sessions WHERE id = ?", [id]);
  }

  /** Sessions held, expired ones included until a login sweeps them. */
  async count(owner?: string): Promise<number> {
    const r = await this.db.get<{ n: number | string }>(
      owner === undefined
        ? "SELECT COUNT(*) AS n FROM sessions"
        : "SELECT COUNT(*) AS n FROM sessions WHERE owner = ?",
      owner === undefined ? [] : [owner],
    );
    return Number(r?.n ?? 0);
  }
}
