/** The Store in plain SQL that both dialects accept; dialect differences live in `Db`. */
import type { NewEvent, StoredEvent } from "../core/events.ts";
import type { Db } from "./db.ts";
import { currentVersion } from "./migrations/index.ts";
import type {
  AgentTargetRow,
  ChainRow,
  ChainTip,
  HourTotal,
  LatencyRow,
  Macer,
  MinuteRow,
  ResultRow,
  Sealer,
  Store,
  TargetRow,
} from "./store.ts";

const eventColumns = "seq, ts, actor, type, subject, payload, prev_hash, hash";

/** The schema version that added `audit_events.mac` (migrations/007-audit-mac.ts). */
const macVersion = 7;
/** The schema version that added `audit_events.chain` (migrations/018-audit-chains.ts). */
const chainVersion = 18;

export class SqlStore implements Store {
  readonly description: string;
  readonly db: Db;
  /** The schema version: an offline reader may open a store not yet migrated (no mac or chain column). */
  #version: Promise<number> | undefined;

  constructor(db: Db, description: string) {
    this.db = db;
    this.description = description;
  }

  appendEvents(
    events: readonly NewEvent[],
    seal: Sealer,
    mac?: Macer,
    chain?: string,
  ): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    // One lock for every chain: seq stays gapless and in commit order across the whole table.
    return this.db.transaction("vigil:audit", async (tx) => {
      const rows = seal(await chainTip(tx, chain), events);
      for (const r of rows) {
        await tx.run(
          `INSERT INTO audit_events (${eventColumns}, mac, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            r.seq,
            r.ts,
            r.actor,
            r.type,
            r.subject,
            r.payload,
            r.prev_hash,
            r.hash,
            mac ? mac(r) : null,
            chain ?? null,
          ],
        );
      }
      return rows;
    });
  }

  async readEvents(query: { after?: number; limit: number; newest?: boolean }): Promise<StoredEvent[]> {
    if (query.newest) {
      const rows = await this.db.all(
        `SELECT ${eventColumns}, ${await this.#chainColumn()} FROM audit_events ORDER BY seq DESC LIMIT ?`,
        [query.limit],
      );
      return rows.map(toEvent).reverse();
    }
    const rows = await this.db.all(
      `SELECT ${eventColumns}, ${await this.#chainColumn()} FROM audit_events WHERE seq > ? ORDER BY seq ASC LIMIT ?`,
      [query.after ?? 0, query.limit],
    );
    return rows.map(toEvent);
  }

  async *scanEvents(pageSize = 10_000): AsyncGenerator<ChainRow[]> {
    const mac = (await this.#schema()) >= macVersion ? "mac" : "NULL AS mac";
    const chain = await this.#chainColumn();
    let after = 0;
    for (;;) {
      const rows = await this.db.allArrays(
        `SELECT ${eventColumns}, ${mac}, ${chain} FROM audit_events WHERE seq > ? ORDER BY seq ASC LIMIT ?`,
        [after, pageSize],
      );
      if (rows.length === 0) return;
      const page = rows.map(eventFromArray);
      yield page;
      after = page.at(-1)!.seq;
    }
  }

  #schema(): Promise<number> {
    this.#version ??= this.schemaVersion();
    return this.#version;
  }

  async #chainColumn(): Promise<string> {
    return (await this.#schema()) >= chainVersion ? "chain" : "NULL AS chain";
  }

  async countEvents(): Promise<number> {
    const row = await this.db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM audit_events");
    return Number(row?.n ?? 0);
  }

  async saveTargets(agent: string, rows: readonly TargetRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction("vigil:targets", async (tx) => {
      for (const r of rows) {
        // Another agent's row of the same name is left alone: names are unique across a fleet.
        await tx.run(
          `INSERT INTO targets (name, kind, state, since, health, service, last_result, updated_at, agent)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, state = excluded.state, since = excluded.since,
             health = excluded.health, service = excluded.service, last_result = excluded.last_result,
             updated_at = excluded.updated_at, agent = excluded.agent
           WHERE targets.agent IS NULL OR targets.agent = excluded.agent`,
          [r.name, r.kind, r.state, r.since, r.health, r.service, r.last_result, r.updated_at, agent],
        );
      }
    });
  }

  async loadTargets(agent: string): Promise<TargetRow[]> {
    const rows = await this.db.all("SELECT * FROM targets WHERE agent = ? OR agent IS NULL ORDER BY name", [
      agent,
    ]);
    return rows.map(targetRow);
  }

  async takeTargets(
    agent: string,
    rows: readonly TargetRow[],
    live: readonly string[],
  ): Promise<TargetRow[]> {
    const taken: TargetRow[] = [];
    const others = live.filter((a) => a !== agent);
    const notLive = others.length > 0 ? `OR agent NOT IN (${others.map(() => "?").join(", ")})` : "OR TRUE";
    // In slices: a takeover of thousands of checks stays under any limit on parameters.
    for (let i = 0; i < rows.length; i += 500) {
      const slice = rows.slice(i, i + 500);
      const names = slice.map((r) => r.name);
      const marks = names.map(() => "?").join(", ");
      const held = await this.db.transaction("vigil:targets", async (tx) => {
        for (const r of slice)
          await tx.run(
            `INSERT INTO targets (name, kind, state, since, health, service, last_result, updated_at, agent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
            [r.name, r.kind, r.state, r.since, r.health, r.service, r.last_result, r.updated_at, agent],
          );
        await tx.run(
          `UPDATE targets SET agent = ? WHERE name IN (${marks}) AND (agent IS NULL OR agent = '' ${notLive})`,
          [agent, ...names, ...others],
        );
        return tx.all(`SELECT * FROM targets WHERE agent = ? AND name IN (${marks}) ORDER BY name`, [
          agent,
          ...names,
        ]);
      });
      taken.push(...held.map(targetRow));
    }
    return taken;
  }

  async handOverTargets(agent: string, names: readonly string[]): Promise<void> {
    for (let i = 0; i < names.length; i += 500) {
      const slice = names.slice(i, i + 500);
      // '' is no agent's name (agent.name has one character at least), and no agent loads it as its own.
      await this.db.run(
        `UPDATE targets SET agent = '' WHERE agent = ? AND name IN (${slice.map(() => "?").join(", ")})`,
        [agent, ...slice],
      );
    }
  }

  async allTargets(): Promise<AgentTargetRow[]> {
    const rows = await this.db.all("SELECT * FROM targets ORDER BY name");
    return rows.map((r) => ({
      ...(r as unknown as AgentTargetRow),
      since: Number(r.since),
      updated_at: Number(r.updated_at),
      agent: (r.agent as string | null) ?? null,
    }));
  }

  async deleteTarget(agent: string, name: string): Promise<void> {
    await this.db.run("DELETE FROM targets WHERE name = ? AND (agent = ? OR agent IS NULL)", [name, agent]);
  }

  async writeResults(results: readonly ResultRow[], minutes: readonly MinuteRow[]): Promise<void> {
    if (results.length === 0 && minutes.length === 0) return;
    await this.db.transaction("vigil:results", async (tx) => {
      for (const r of results) {
        await tx.run("INSERT INTO results (target, ts, ok, duration_ms, summary) VALUES (?, ?, ?, ?, ?)", [
          r.target,
          r.ts,
          r.ok ? 1 : 0,
          Math.round(r.duration_ms),
          r.summary,
        ]);
      }
      for (const m of minutes) {
        await tx.run(
          `INSERT INTO result_minutes (target, minute, total, ok, p50_ms, p95_ms) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (target, minute) DO UPDATE SET total = excluded.total, ok = excluded.ok,
             p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms`,
          [m.target, m.minute, m.total, m.ok, m.p50_ms, m.p95_ms],
        );
      }
    });
  }

  async recentResults(target: string, limit: number): Promise<ResultRow[]> {
    const rows = await this.db.all(
      "SELECT target, ts, ok, duration_ms, summary FROM results WHERE target = ? ORDER BY id DESC LIMIT ?",
      [target, limit],
    );
    return rows.map((r) => ({
      target: String(r.target),
      ts: Number(r.ts),
      ok: Number(r.ok) === 1,
      duration_ms: Number(r.duration_ms),
      summary: String(r.summary),
    }));
  }

  async minutes(target: string, since: number): Promise<MinuteRow[]> {
    const rows = await this.db.all(
      "SELECT target, minute, total, ok, p50_ms, p95_ms FROM result_minutes WHERE target = ? AND minute >= ? ORDER BY minute",
      [target, since],
    );
    return rows.map((r) => ({
      target: String(r.target),
      minute: Number(r.minute),
      total: Number(r.total),
      ok: Number(r.ok),
      p50_ms: Number(r.p50_ms),
      p95_ms: Number(r.p95_ms),
    }));
  }

  async hourTotals(target: string, from: number, to: number): Promise<HourTotal[]> {
    // Integer division in both dialects (the columns are integers): the hour a minute falls in.
    const rows = await this.db.all(
      `SELECT minute / 3600000 AS hour, SUM(total) AS total, SUM(ok) AS ok FROM result_minutes
       WHERE target = ? AND minute >= ? AND minute < ? GROUP BY minute / 3600000 ORDER BY hour`,
      [target, from, to],
    );
    return rows.map((r) => ({ hour: Number(r.hour) * 3_600_000, total: Number(r.total), ok: Number(r.ok) }));
  }

  async recentLatencies(target: string, limit: number): Promise<LatencyRow[]> {
    const rows = await this.db.allArrays(
      "SELECT ts, ok, duration_ms FROM results WHERE target = ? ORDER BY id DESC LIMIT ?",
      [target, limit],
    );
    return rows.map((r) => ({ ts: Number(r[0]), ok: Number(r[1]) === 1, duration_ms: Number(r[2]) }));
  }

  async pruneResults(keep: number, targets: readonly string[], minutesBefore?: number): Promise<void> {
    if (targets.length > 0) {
      await this.db.transaction("vigil:results", async (tx) => {
        for (const t of targets) {
          // The (target, id) index makes both the cutoff lookup and the delete range scans.
          await tx.run(
            `DELETE FROM results WHERE target = ? AND id <= (
               SELECT id FROM results WHERE target = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
            [t, t, keep],
          );
        }
      });
    }
    if (minutesBefore !== undefined)
      await this.db.run("DELETE FROM result_minutes WHERE minute < ?", [minutesBefore]);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key]);
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, value],
    );
  }

  schemaVersion(): Promise<number> {
    return currentVersion(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/**
 * The table's newest seq and the hash the next row of `chain` links to: that chain's newest row, or
 * for an agent's first row the newest row of the chain without an agent (migrations/018 says why).
 */
async function chainTip(tx: Db, chain: string | undefined): Promise<ChainTip | undefined> {
  const last = await tx.get<{ seq: number | string }>(
    "SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1",
  );
  if (!last) return undefined;
  const newest = (where: string, params: string[]) =>
    tx.get<{ hash: string }>(
      `SELECT hash FROM audit_events WHERE ${where} ORDER BY seq DESC LIMIT 1`,
      params,
    );
  const own = chain === undefined ? undefined : await newest("chain = ?", [chain]);
  const linked = own ?? (await newest("chain IS NULL", []));
  return { seq: Number(last.seq), hash: linked?.hash };
}

/** In the column order of `eventColumns`, then mac and chain; PostgreSQL's BIGINT arrives as a string. */
function eventFromArray(a: unknown[]): ChainRow {
  const row: ChainRow = {
    seq: Number(a[0]),
    ts: Number(a[1]),
    actor: a[2] as string,
    type: a[3] as string,
    subject: a[4] as string,
    payload: a[5] as string,
    prev_hash: a[6] as string,
    hash: a[7] as string,
    mac: (a[8] as string | null) ?? null,
  };
  if (typeof a[9] === "string") row.chain = a[9];
  return row;
}

/** Both dialects return these columns already typed (postgres/ parses BIGINT as number); a row of the one chain has no `chain`. */
function toEvent(r: Record<string, unknown>): StoredEvent {
  const { chain, ...rest } = r;
  return (typeof chain === "string" ? { ...rest, chain } : rest) as unknown as StoredEvent;
}

function targetRow({ agent: _agent, ...r }: Record<string, unknown>): TargetRow {
  return { ...(r as unknown as TargetRow), since: Number(r.since), updated_at: Number(r.updated_at) };
}
