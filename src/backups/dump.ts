/**
 * Writing one dump into a file that already exists (empty, 0600, created by the caller): `pg_dump`
 * in its custom format through the gateway's argv runner, SQLite's online backup API, or a gzipped
 * tar of folders (`tar` through the same runner). A PostgreSQL password travels only in the child's
 * environment (PGPASSWORD), never in an argument, a log line or a result.
 *
 * Owns: running the dump programs. Must not import: api, cli, app.
 */
import { DatabaseSync, backup as sqliteBackup } from "node:sqlite";
import { baseEnv, execArgv } from "../gateway/exec.ts";
import type { SourceKind } from "./manifest.ts";

/** Exactly one of the three is set (the config refuses anything else). */
export interface Source {
  postgres?: string | undefined;
  sqlite?: string | undefined;
  paths?: string[] | undefined;
}

export function sourceKind(s: Source): SourceKind {
  return s.postgres !== undefined ? "postgres" : s.sqlite !== undefined ? "sqlite" : "paths";
}

/** A PostgreSQL URL split into what may be shown or passed as an argument and the password. */
export interface PgTarget {
  /** The URL without its password: safe in argv and in messages. */
  url: string;
  password: string | undefined;
  database: string;
}

export function pgTarget(raw: string): PgTarget {
  const u = new URL(raw);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = "";
  return { url: u.toString(), password, database: decodeURIComponent(u.pathname.slice(1)) || "postgres" };
}

/** The same server with another database (the scratch one). */
export function withDatabase(t: PgTarget, database: string): PgTarget {
  const u = new URL(t.url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return { url: u.toString(), password: t.password, database };
}

/** The URL with its password, for a client library in this process only (never shown). */
export function withPassword(t: PgTarget): string {
  if (t.password === undefined) return t.url;
  const u = new URL(t.url);
  u.password = encodeURIComponent(t.password);
  return u.toString();
}

/** Where a backup comes from, as it may be shown: no password. */
export function describeSource(s: Source): string {
  if (s.postgres !== undefined) return pgTarget(s.postgres).url;
  if (s.sqlite !== undefined) return s.sqlite;
  return (s.paths ?? []).join(", ");
}

/** The environment of a PostgreSQL client program: a minimal base and the password, if any. */
export function pgEnv(t: PgTarget): Record<string, string> {
  return {
    ...baseEnv(),
    PGCONNECT_TIMEOUT: "10",
    ...(t.password === undefined ? {} : { PGPASSWORD: t.password }),
  };
}

export interface DumpOutcome {
  ok: boolean;
  error?: string;
  /** What the program said while succeeding. */
  warnings?: string;
}

export interface DumpContext {
  timeoutMs: number;
  signal: AbortSignal;
}

/** Stderr as it may be kept: bounded, and without the password should a program echo it. */
export function scrub(text: string, secret: string | undefined): string {
  const t = secret ? text.split(secret).join("[REDACTED]") : text;
  return t.trim().slice(0, 2_000);
}

export async function writeDump(source: Source, file: string, ctx: DumpContext): Promise<DumpOutcome> {
  if (source.postgres !== undefined) return pgDump(pgTarget(source.postgres), file, ctx);
  if (source.sqlite !== undefined) return sqliteDump(source.sqlite, file, ctx);
  return tarDump(source.paths ?? [], file, ctx);
}

async function pgDump(t: PgTarget, file: string, ctx: DumpContext): Promise<DumpOutcome> {
  const x = await execArgv({
    argv: ["pg_dump", "--format=custom", "--no-password", `--file=${file}`, `--dbname=${t.url}`],
    env: pgEnv(t),
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  if (x.exitCode === 0) return { ok: true };
  return { ok: false, error: `pg_dump: ${failure(x, t.password)}` };
}

/** Why a program failed, in one bounded line. */
export function failure(
  x: {
    exitCode: number | null;
    timedOut: boolean;
    spawnError?: string;
    stderr: string;
    signal: string | null;
  },
  secret: string | undefined,
): string {
  if (x.spawnError) return `could not start (${x.spawnError}); is it installed and on PATH?`;
  if (x.timedOut) return "timed out (the action's timeout); raise `timeout:` on the action";
  const said = scrub(x.stderr, secret);
  return `${x.exitCode === null ? `killed by ${x.signal}` : `exit ${x.exitCode}`}${said ? `: ${said}` : ""}`;
}

/**
 * SQLite's online backup: a consistent copy while the application keeps writing. The source is opened
 * read-only; the copy goes page by page, yielding between steps so the agent stays responsive.
 */
async function sqliteDump(source: string, file: string, ctx: DumpContext): Promise<DumpOutcome> {
  let db: DatabaseSync | undefined;
  const deadline = Date.now() + ctx.timeoutMs;
  try {
    db = new DatabaseSync(source, { readOnly: true, timeout: 5_000 });
    await sqliteBackup(db, file, {
      rate: 1_000,
      progress: () => {
        if (ctx.signal.aborted) throw new Error("the agent is stopping");
        if (Date.now() > deadline) throw new Error("timed out (the action's timeout)");
      },
    });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: `sqlite backup of ${source}: ${(e as Error).message}` };
  } finally {
    db?.close();
  }
}

/**
 * GNU tar, gzipped, links stored as links (tar never follows them without -h). Paths are stored
 * relative to / so a restore with `tar -xzf f -C /` puts them back. Exit 1 is "a file changed as we
 * read it": the archive is complete but that file may be torn, so it is kept as a warning.
 */
async function tarDump(paths: string[], file: string, ctx: DumpContext): Promise<DumpOutcome> {
  const x = await execArgv({
    argv: [
      "tar",
      "--create",
      "--gzip",
      `--file=${file}`,
      "--directory=/",
      "--",
      ...paths.map((p) => p.replace(/^\/+/, "") || "."),
    ],
    env: baseEnv(),
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  if (x.exitCode === 0) return { ok: true };
  if (x.exitCode === 1) return { ok: true, warnings: scrub(x.stderr, undefined) };
  return { ok: false, error: `tar: ${failure(x, undefined)}` };
}
