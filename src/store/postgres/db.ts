/**
 * PostgreSQL through `pg`: a small pool, `?` placeholders rewritten to `$n`, BIGINT read as a
 * number, and writers serialised across agents by a transaction-scoped advisory lock per name. A
 * server that is gone, full or shutting down comes out as STORE_UNAVAILABLE (store/failure.ts).
 */
import pg from "pg";
import type { Db, Row, SqlValue } from "../db.ts";
import { postgresFailure } from "../failure.ts";

// BIGINT (int8) values here are ids, sequence numbers and ms timestamps: all far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** `?` → `$1, $2 …`, skipping question marks inside quoted strings. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  let out = "";
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

const cache = new Map<string, string>();
const rewrite = (sql: string) => {
  let s = cache.get(sql);
  if (s === undefined) {
    s = toPgPlaceholders(sql);
    if (cache.size < 1_000) cache.set(sql, s);
  }
  return s;
};

/** A stable 64-bit key for pg_advisory_xact_lock from a lock name. */
function lockKey(name: string): string {
  let h = 0xcbf29ce484222325n;
  for (const c of Buffer.from(name)) h = BigInt.asIntN(64, (h ^ BigInt(c)) * 0x100000001b3n);
  return h.toString();
}

type Queryable = pg.Pool | pg.PoolClient;

/** Awaits a driver call, turning the server's or the network's failure into STORE_UNAVAILABLE. */
async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw postgresFailure(e) ?? e;
  }
}

function adapter(q: Queryable, self: PostgresDb | undefined): Db {
  const query = (sql: string, params: readonly SqlValue[] = []) =>
    guard(q.query(rewrite(sql), params as unknown[]));
  return {
    dialect: "postgres",
    async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
      return (await query(sql, params)).rows as T[];
    },
    async allArrays(sql: string, params: readonly SqlValue[] = []) {
      return (await guard(q.query({ text: rewrite(sql), values: params as unknown[], rowMode: "array" })))
        .rows as unknown[][];
    },
    async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
      return (await query(sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      return { changes: (await query(sql, params)).rowCount ?? 0 };
    },
    async exec(sql: string) {
      await guard(q.query(sql));
    },
    transaction: (lock, fn) =>
      self ? self.transaction(lock, fn) : Promise.reject(new Error("nested transactions are not supported")),
    close: () => (self ? self.close() : Promise.reject(new Error("cannot close from inside a transaction"))),
  };
}

interface PoolOptions {
  max?: number;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export class PostgresDb implements Db {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #direct: Db;
  readonly #url: string;
  readonly #options: PoolOptions;

  constructor(url: string, options: PoolOptions = {}) {
    this.#url = url;
    this.#options = options;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 5,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      application_name: "vigil",
    });
    // An idle client's error (server restart) must not crash the agent; the pool replaces it.
    this.#pool.on("error", () => undefined);
    this.#direct = adapter(this.#pool, this);
  }

  /**
   * Another pool to the same database with `max` connections of its own: for work that must not
   * wait behind this pool's (the fleet's lease, renewed while thousands of results are written).
   */
  sibling(max: number): PostgresDb {
    return new PostgresDb(this.#url, { ...this.#options, max });
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#direct.all<T>(sql, params);
  }

  allArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    return this.#direct.allArrays(sql, params);
  }

  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#direct.run(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.#direct.exec(sql);
  }

  async transaction<T>(lock: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    const client = await guard(this.#pool.connect());
    // A connection lost between two statements is an 'error' event on the checked-out client, which
    // the pool does not listen for: unheard, it would end the process. The next statement fails.
    let lost: Error | undefined;
    const onError = (e: Error) => (lost = e);
    client.on("error", onError);
    try {
      await guard(client.query("BEGIN"));
      await guard(client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(lock)]));
      const result = await fn(adapter(client, undefined));
      await guard(client.query("COMMIT"));
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw postgresFailure(e) ?? e;
    } finally {
      client.off("error", onError);
      client.release(lost);
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** `postgres://user:secret@host/db` → `postgres:host/db`, for messages and /health. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `postgres:${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "postgres";
  }
}
