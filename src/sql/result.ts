/** What one read-only query answers, and how it fails: shared by the PostgreSQL and SQLite runners. */
import type { Json } from "./json.ts";

/** What a runner reads: rows as arrays, so a column name given twice loses nothing. */
export interface RawRows {
  /** Column names in the order the query gives them. */
  columns: string[];
  /** At most `maxRows` rows, already JSON-safe. */
  arrays: Json[][];
  /** More rows were there than `maxRows`; the rest were never read. */
  truncated: boolean;
  /** From opening the connection to the last row read. */
  ms: number;
}

export interface QueryResult {
  connected: true;
  columns: string[];
  /** At most `maxRows` rows, each by column name (a name given twice keeps its first column). */
  rows: Record<string, Json>[];
  /** More rows were there than `maxRows`; the rest were never read. */
  truncated: boolean;
  /** The first column of the first row; null when there is no row. */
  value: Json;
  /** From opening the connection to the last row read. */
  ms: number;
}

/**
 * Why a query gave no rows. `url`: the URL cannot be used; `connect`: the database did not let us
 * in; `timeout`: the time ran out; `refused`: the statement would write, or there is more than one;
 * `query`: the database rejected it (syntax, a missing table).
 */
export type SqlFailure = "url" | "connect" | "timeout" | "refused" | "query" | "aborted";

/** A query that failed: the message names the database (never its password) and the fix. */
export class SqlError extends Error {
  override readonly name = "SqlError";
  readonly reason: SqlFailure;
  /** Whether the database let us in before it failed ([CONNECTED]). */
  readonly connected: boolean;
  /** From the start to the failure. */
  readonly ms: number;

  constructor(reason: SqlFailure, message: string, connected: boolean, ms = 0) {
    super(message);
    this.reason = reason;
    this.connected = connected;
    this.ms = ms;
  }
}

/** Rows by column name from rows as arrays: a name given twice keeps its first column. */
export function byName(columns: readonly string[], arrays: readonly Json[][]): Record<string, Json>[] {
  // fromEntries defines own properties, so a column named `__proto__` stays a column.
  const first = columns.map((c, i) => columns.indexOf(c) === i);
  return arrays.map((values) =>
    Object.fromEntries(columns.flatMap((c, i) => (first[i] ? [[c, values[i] ?? null] as const] : []))),
  );
}

export const firstValue = (arrays: readonly Json[][]): Json => arrays[0]?.[0] ?? null;
