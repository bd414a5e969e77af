/**
 * The dialect boundary. SQL in this project is written once with `?` placeholders against `Db`;
 * each dialect file (sqlite/, postgres/) adapts the connection, the placeholders and the locking.
 */

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, unknown>;
export type Dialect = "sqlite" | "postgres";

export interface Db {
  readonly dialect: Dialect;
  /** All rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** All rows as arrays in column order: much cheaper than objects when reading millions (verify). */
  allArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /** The first row, or undefined. */
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement that changes rows; resolves with how many. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction that holds the named write lock, so two agents sharing a database
   * serialise on it (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock).
   * Commits when `fn` resolves, rolls back when it throws.
   */
  transaction<T>(lock: string, fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
