/**
 * Runs one read-only statement against `postgres://…` or `sqlite:///absolute/path` and answers its
 * first rows, JSON-safe: the `sql` check and a backup's restore verification read databases through
 * this, never through the agent's own store. Read-only is the database's job (a READ ONLY
 * transaction, `query_only` and a read-only file), and so is "one statement" (the driver refuses a
 * second), so no guess about quotes and comments decides either. On PostgreSQL only a query is sent
 * at all (statement.ts: READ ONLY does not stop `COPY … TO PROGRAM`).
 *
 * Every error names the database as `postgres:host:port/db` or `sqlite:/path` and passes through the
 * redactor with the URL's password, so the password never reaches a log line, an audit entry or an
 * API answer through here.
 */
import { Redactor } from "../core/redact.ts";
import { byName, firstValue, SqlError, type QueryResult, type RawRows } from "./result.ts";

export { SqlError, type QueryResult, type SqlFailure } from "./result.ts";
export type { Json } from "./json.ts";

export interface QueryOptions {
  /** For the whole run: connecting, the query, reading the rows. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Rows read at most (default 100); `truncated` says when there were more. */
  maxRows?: number;
}

export const defaultMaxRows = 100;

type Target =
  { kind: "postgres"; url: string; where: string } | { kind: "sqlite"; file: string; where: string };

export async function runQuery(url: string, query: string, options: QueryOptions): Promise<QueryResult> {
  const redactor = new Redactor().addSecrets(passwordsIn(url));
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    if (query.trim() === "") throw new SqlError("query", "the query is empty: write a SELECT", false);
    const target = parseDatabaseUrl(url);
    const run = {
      timeoutMs: options.timeoutMs,
      maxRows: options.maxRows ?? defaultMaxRows,
      signal: options.signal,
    };
    // Each driver loaded when first used: an agent that reads no PostgreSQL never loads pg.
    const raw: RawRows =
      target.kind === "postgres"
        ? await (
            await import("./postgres.ts")
          ).queryPostgres(target.url, query, { ...run, where: target.where })
        : await (await import("./sqlite.ts")).querySqlite(target.file, query, run);
    return {
      connected: true,
      columns: raw.columns,
      rows: byName(raw.columns, raw.arrays),
      truncated: raw.truncated,
      value: firstValue(raw.arrays),
      ms: raw.ms,
    };
  } catch (e) {
    const err =
      e instanceof SqlError ? e : new SqlError("query", e instanceof Error ? e.message : String(e), false);
    throw new SqlError(err.reason, redactor.redactString(err.message), err.connected, err.ms || elapsed());
  }
}

/** `postgres://`, `postgresql://` or `sqlite:///absolute/path`; anything else is refused with the forms. */
export function parseDatabaseUrl(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SqlError("url", `the database URL is not a URL; write ${forms}`, false);
  }
  if (u.protocol === "postgres:" || u.protocol === "postgresql:") {
    if (u.hostname === "" && !u.searchParams.has("host"))
      throw new SqlError(
        "url",
        `the PostgreSQL URL names no host; write postgres://user:password@host:5432/db`,
        false,
      );
    return { kind: "postgres", url, where: describeDatabaseUrl(url) };
  }
  if (u.protocol === "sqlite:") {
    const file = decodeURIComponent(u.pathname);
    if (u.host !== "" || !file.startsWith("/") || file === "/")
      throw new SqlError("url", `a SQLite URL takes an absolute path: sqlite:///var/lib/app/app.db`, false);
    return { kind: "sqlite", file, where: `sqlite:${file}` };
  }
  throw new SqlError(
    "url",
    `the database URL's scheme ${u.protocol} is not one Vigil reads; write ${forms}`,
    false,
  );
}

const forms = "postgres://user:password@host:5432/db or sqlite:///absolute/path.db";

/** `postgres://user:secret@host:5432/db?x` → `postgres:host:5432/db`; `sqlite:///a/b` → `sqlite:/a/b`. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === "sqlite:") return `sqlite:${decodeURIComponent(u.pathname)}`;
    return `postgres:${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "database";
  }
}

/** The URL's password as written and decoded, for the redactor. */
function passwordsIn(url: string): string[] {
  try {
    const raw = new URL(url).password;
    if (raw === "") return [];
    try {
      return [raw, decodeURIComponent(raw)];
    } catch {
      return [raw];
    }
  } catch {
    return [];
  }
}
