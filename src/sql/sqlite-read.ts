/**
 * One read-only statement on a SQLite file, synchronously (it runs inside a worker: sqlite-worker.ts).
 * Three locks, each enough alone for a plain write: the file opened read-only, `query_only`, and an
 * authorizer that lets a statement read tables and call functions and nothing else, which also
 * stops what the first two let through (`VACUUM INTO` a new file, `ATTACH`, a pragma that sets).
 * One statement: node:sqlite compiles the first and ignores the rest, so the rest is looked at.
 */
import fs from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { toJson, type Json } from "./json.ts";
import type { RawRows, SqlFailure } from "./result.ts";

export interface SqliteJob {
  file: string;
  query: string;
  maxRows: number;
  busyTimeoutMs: number;
}

/** A failure the worker can post: a plain object, not an Error class. */
export interface SqliteFailure {
  reason: SqlFailure;
  message: string;
  connected: boolean;
}

// SQLite's authorizer action codes (sqlite3.h) a read needs; SQLITE_PRAGMA only without a value.
// Not SQLITE_RECURSIVE (33): node:sqlite cannot interrupt a running statement, and a recursive CTE
// is the one way a read never ends; without it every query ends, and the runner's deadline holds.
const SQLITE_PRAGMA = 19;
const SQLITE_RECURSIVE = 33;
const reads = new Set([20 /* READ */, 21 /* SELECT */, 31 /* FUNCTION */]);
const SQLITE_OK = 0;
const SQLITE_DENY = 1;

export class SqliteReadError extends Error {
  readonly failure: SqliteFailure;
  constructor(failure: SqliteFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

export function readSqlite(job: SqliteJob): RawRows {
  const started = performance.now();
  if (!fs.existsSync(job.file))
    throw new SqliteReadError({
      reason: "connect",
      message: `no database file at ${job.file}; check the path in the URL (sqlite:///absolute/path)`,
      connected: false,
    });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(job.file, { readOnly: true });
  } catch (e) {
    throw new SqliteReadError({
      reason: "connect",
      message: `${job.file} cannot be opened: ${msg(e)}`,
      connected: false,
    });
  }
  let recursive = false;
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(job.busyTimeoutMs)}`);
    db.exec("PRAGMA query_only = ON");
    db.setAuthorizer((action, _name, value) => {
      if (action === SQLITE_RECURSIVE) recursive = true;
      return reads.has(action) || (action === SQLITE_PRAGMA && value === null) ? SQLITE_OK : SQLITE_DENY;
    });
    const st = prepareOne(db, job.query, job.file);
    st.setReadBigInts(true);
    st.setReturnArrays(true);
    const columns = st.columns().map((c) => c.name);
    const arrays: Json[][] = [];
    let truncated = false;
    for (const row of st.iterate() as Iterable<unknown[]>) {
      if (arrays.length === job.maxRows) {
        truncated = true;
        break;
      }
      arrays.push(row.map((v) => toJson(v)));
    }
    return { columns, arrays, truncated, ms: Math.round(performance.now() - started) };
  } catch (e) {
    if (recursive)
      throw new SqliteReadError({
        reason: "refused",
        message: `the query on sqlite:${job.file} is a recursive CTE; a sql check on SQLite refuses them, since SQLite cannot stop one that never ends: write a plain SELECT`,
        connected: true,
      });
    throw e instanceof SqliteReadError ? e : new SqliteReadError(classify(e, job.file));
  } finally {
    db.close();
  }
}

/** The first statement, refusing a second one after it (comments and stray `;` are not statements). */
function prepareOne(db: DatabaseSync, query: string, file: string): StatementSync {
  const st = db.prepare(query);
  const rest = query.slice(st.sourceSQL.length);
  if (rest.trim() !== "" && holdsStatement(db, rest))
    throw new SqliteReadError({
      reason: "refused",
      message: `the query on sqlite:${file} holds more than one statement; a sql check runs one: remove the others`,
      connected: true,
    });
  return st;
}

function holdsStatement(db: DatabaseSync, text: string): boolean {
  try {
    db.prepare(text);
    return true;
  } catch (e) {
    // Anything else (even a syntax error) is more text after the first statement.
    return !/contains no statements/i.test(msg(e));
  }
}

function classify(e: unknown, file: string): SqliteFailure {
  const code = ((e as { errcode?: number }).errcode ?? 0) & 0xff;
  const text = msg(e);
  const at = `sqlite:${file}`;
  if (code === 23 || code === 8)
    return {
      reason: "refused",
      message: `the query on ${at} tries more than reading (${text}); a sql check runs read-only: write a SELECT`,
      connected: true,
    };
  if (code === 26 || code === 14)
    return { reason: "connect", message: `${at} cannot be read as a database (${text})`, connected: false };
  if (code === 5 || code === 6)
    return {
      reason: "timeout",
      message: `${at} stayed locked by another process (${text})`,
      connected: true,
    };
  if (/contains no statements/i.test(text))
    return { reason: "query", message: `the query on ${at} is empty: write a SELECT`, connected: true };
  return { reason: "query", message: `the query on ${at} failed: ${text}`, connected: true };
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
