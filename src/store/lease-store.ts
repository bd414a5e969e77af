/**
 * Leader leases in plain SQL over `Db`: one holder per name. A name is taken when free, when its
 * lease ran out, or when its holder is no longer alive in the fleet (`agents`), all in one statement
 * under one named lock, so two agents asking at once cannot both win.
 */
import type { Db } from "./db.ts";

export class LeaseStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Takes or renews `name` for `holder` until `until`; true when `holder` holds it now. */
  acquire(name: string, holder: string, now: number, until: number): Promise<boolean> {
    return this.db.transaction("leases", async (tx) => {
      await tx.run(
        `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.holder = excluded.holder OR leases.until <= ?
           OR NOT EXISTS (SELECT 1 FROM agents a WHERE a.instance = leases.holder AND a.lease_until > ?)`,
        [name, holder, until, now, now],
      );
      const r = await tx.get<{ holder: string }>("SELECT holder FROM leases WHERE name = ?", [name]);
      return r?.holder === holder;
    });
  }

  /** Lets go of `name` at once, if `holder` holds it. */
  async release(name: string, holder: string): Promise<void> {
    await this.db.run("UPDATE leases SET until = 0 WHERE name = ? AND holder = ?", [name, holder]);
  }

  async holder(name: string, now: number): Promise<string | undefined> {
    const r = await this.db.get<{ holder: string }>(
      "SELECT holder FROM leases WHERE name = ? AND until > ?",
      [name, now],
    );
    return r?.holder;
  }
}
