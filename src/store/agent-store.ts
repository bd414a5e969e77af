/**
 * The fleet's members in plain SQL over `Db`: who holds each agent name, on which host, until when.
 * Joining reads and writes under one named lock, so two agents starting at once cannot both win.
 */
import type { Db } from "./db.ts";

export interface AgentRow {
  name: string;
  /** A random id per start: who holds the name now, as distinct from an earlier start of it. */
  instance: string;
  host: string;
  pid: number;
  version: string;
  started_at: number;
  renewed_at: number;
  /** 0 after a clean stop. */
  lease_until: number;
  /** JSON: what the agent last said of itself (targets, open incidents). */
  info: string;
}

/** Why a start may not join: another live agent holds the name, or (SQLite) the store at all. */
export type JoinOutcome = { ok: true } | { ok: false; holder: AgentRow; why: "name" | "sqlite" };

const row = (r: Record<string, unknown>): AgentRow => ({
  name: String(r.name),
  instance: String(r.instance),
  host: String(r.host),
  pid: Number(r.pid),
  version: String(r.version),
  started_at: Number(r.started_at),
  renewed_at: Number(r.renewed_at),
  lease_until: Number(r.lease_until),
  info: String(r.info),
});

export class AgentStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Takes `me.name` unless a live instance holds it. `gone(row)` tells a holder whose lease has not
   * lapsed but whose process is known to be gone (a start after `kill -9` on the same host), so a
   * restart does not wait out its own lease. SQLite is one agent: any other live member refuses.
   */
  join(me: AgentRow, now: number, gone: (holder: AgentRow) => boolean): Promise<JoinOutcome> {
    return this.db.transaction("agents", async (tx) => {
      const live = (await tx.all("SELECT * FROM agents WHERE lease_until > ? ORDER BY name", [now]))
        .map(row)
        .filter((r) => r.instance !== me.instance && !gone(r));
      const holder = live.find((r) => r.name === me.name);
      if (holder) return { ok: false, holder, why: "name" };
      if (tx.dialect === "sqlite" && live[0]) return { ok: false, holder: live[0], why: "sqlite" };
      await tx.run(
        `INSERT INTO agents (name, instance, host, pid, version, started_at, renewed_at, lease_until, info)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET instance = excluded.instance, host = excluded.host,
           pid = excluded.pid, version = excluded.version, started_at = excluded.started_at,
           renewed_at = excluded.renewed_at, lease_until = excluded.lease_until, info = excluded.info`,
        [
          me.name,
          me.instance,
          me.host,
          me.pid,
          me.version,
          me.started_at,
          me.renewed_at,
          me.lease_until,
          me.info,
        ],
      );
      return { ok: true };
    });
  }

  /** Extends the lease; false when another instance holds the name now (this one lost it). */
  async renew(
    name: string,
    instance: string,
    now: number,
    leaseUntil: number,
    info: string,
  ): Promise<boolean> {
    const r = await this.db.run(
      "UPDATE agents SET renewed_at = ?, lease_until = ?, info = ? WHERE name = ? AND instance = ?",
      [now, leaseUntil, info, name, instance],
    );
    return r.changes === 1;
  }

  /** A clean stop: the name is free at once. */
  async leave(name: string, instance: string): Promise<void> {
    await this.db.run("UPDATE agents SET lease_until = 0 WHERE name = ? AND instance = ?", [name, instance]);
  }

  async list(): Promise<AgentRow[]> {
    return (await this.db.all("SELECT * FROM agents ORDER BY name")).map(row);
  }
}
