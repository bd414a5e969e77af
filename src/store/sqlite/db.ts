/**
 * SQLite through Node's built-in `node:sqlite` (no native addon). WAL journal, a busy timeout, and
 * `synchronous=FULL` so a committed row survives a power cut, not only a process crash. A full disk,
 * an I/O error or a lock held too long comes out as STORE_UNAVAILABLE with its real cause
 * (store/failure.ts), never as a bug.
 */
import { DatabaseSync, type StatementSync, type SQLInputValue } from "node:sqlite";
import path from "node:path";
import type { Db, Row, SqlValue } from "../db.ts";
import { sqliteFailure } from "../failure.ts";

export interface SqliteOptions {
  /** FULL (default) fsyncs every commit; NORMAL is faster and loses only the last commits on power loss. */
  synchronous?: "FULL" | "NORMAL";
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  readonly #db: DatabaseSync;
  /** The database's folder: where a full disk is looked for when SQLite only says "I/O error". */
  readonly #dir: string;
  readonly #statements = new Map<string, StatementSync>();
  #inTransaction = false;
  /** Transactions are serialised in-process: node:sqlite is one connection, and callers are async. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, options: SqliteOptions = {}) {
    this.#dir = path.dirname(file);
    this.#db = this.#guard(() => new DatabaseSync(file, { readOnly: options.readOnly ?? false }));
    try {
      this.#guard(() => {
        this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
        if (!options.readOnly) {
          this.#db.exec("PRAGMA journal_mode = WAL");
          this.#db.exec(`PRAGMA synchronous = ${options.synchronous ?? "FULL"}`);
        }
        this.#db.exec("PRAGMA foreign_keys = ON");
      });
    } catch (e) {
      this.#db.close();
      throw e;
    }
  }

  /** Runs a driver call, turning a full disk, an I/O error or a held lock into STORE_UNAVAILABLE. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw sqliteFailure(e, this.#dir) ?? e;
    }
  }

  #prepare(sql: string, arrays = false): StatementSync {
    const key = arrays ? `arrays:${sql}` : sql;
    let st = this.#statements.get(key);
    if (!st) {
      st = this.#db.prepare(sql);
      st.setReadBigInts(false);
      if (arrays) st.setReturnArrays(true);
      this.#statements.set(key, st);
    }
    return st;
  }

  // async so that a driver error becomes a rejection, never a synchronous throw.
  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#guard(() => this.#prepare(sql).all(...(params as SQLInputValue[])) as T[]);
  }

  async allArrays(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return this.#guard(
      () => this.#prepare(sql, true).all(...(params as SQLInputValue[])) as unknown as unknown[][],
    );
  }

  async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.#guard(() => this.#prepare(sql).get(...(params as SQLInputValue[])) as T | undefined);
  }

  /**
   * Writes outside a transaction wait for an open one to finish: the connection is shared, and a
   * write slipped in between a transaction's awaits would commit or roll back with it.
   */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    if (!this.#inTransaction) return this.#run(sql, params);
    return this.#enqueue(async () => this.#run(sql, params));
  }

  #run(sql: string, params: readonly SqlValue[]): { changes: number } {
    const r = this.#guard(() => this.#prepare(sql).run(...(params as SQLInputValue[])));
    return { changes: Number(r.changes) };
  }

  /** Rows one at a time without loading them all: for verify and export over millions of rows. */
  *iterate<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Generator<T> {
    yield* this.#prepare(sql).iterate(...(params as SQLInputValue[])) as Iterable<T>;
  }

  async exec(sql: string): Promise<void> {
    if (!this.#inTransaction) return this.#guard(() => void this.#db.exec(sql));
    return this.#enqueue(() => this.exec(sql));
  }

  transaction<T>(_lock: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      this.#guard(() => this.#prepare("BEGIN IMMEDIATE").run());
      this.#inTransaction = true;
      try {
        const result = await fn(this.#tx);
        this.#guard(() => this.#prepare("COMMIT").run());
        return result;
      } catch (e) {
        // On a full disk or an I/O error SQLite has already rolled the transaction back itself; a
        // ROLLBACK then fails with "no transaction is active" and, thrown, would hide the real cause.
        if (this.#db.isTransaction) {
          try {
            this.#prepare("ROLLBACK").run();
          } catch {
            // The error that made us roll back says more than this one.
          }
        }
        throw sqliteFailure(e, this.#dir) ?? e;
      } finally {
        this.#inTransaction = false;
      }
    });
  }

  /** The handle a transaction's body uses: it runs statements directly on the open transaction. */
  readonly #tx: Db = {
    dialect: "sqlite",
    all: (sql, params) => this.all(sql, params),
    allArrays: (sql, params) => this.allArrays(sql, params),
    get: (sql, params) => this.get(sql, params),
    run: async (sql, params = []) => this.#run(sql, params),
    exec: async (sql) => this.#guard(() => void this.#db.exec(sql)),
    transaction: () => Promise.reject(new Error("nested transactions are not supported")),
    close: () => Promise.reject(new Error("cannot close the database from inside a transaction")),
  };

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(job, job);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }
}
