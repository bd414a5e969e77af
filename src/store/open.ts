/** Opens the store named by `agent.store`, creating and migrating it as needed. */
import fs from "node:fs";
import path from "node:path";
import { isVigilError, VigilError } from "../core/errors.ts";
import { createPrivate, isLink, securePrivate } from "../core/safe-file.ts";
import { failureDetails, sqliteFailure } from "./failure.ts";
import { watchDb, type StoreHealth } from "./health.ts";
import { migrate } from "./migrations/index.ts";
import { SqliteDb, type SqliteOptions } from "./sqlite/db.ts";
import { SqlStore } from "./sql-store.ts";
import type { Store } from "./store.ts";

export interface OpenStoreOptions {
  /** `sqlite` or a postgres:// URL. */
  store: string;
  dataDir: string;
  sqlite?: SqliteOptions;
  /** Skip migrations (offline readers such as `audit verify -c`). */
  readOnly?: boolean;
  /** Told of every failure and recovery of the store once it is open (`/health`, notifications). */
  health?: StoreHealth;
}

/** The database file and the ones SQLite keeps beside it. */
const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.store !== "sqlite") return openPostgres(opts.store, opts.readOnly ?? false, opts.health);
  const file = path.join(opts.dataDir, "vigil.db");
  if (opts.readOnly && !fs.existsSync(file)) {
    throw new VigilError("NOT_FOUND", `no database at ${file}; has the agent run with this config?`);
  }
  let db: SqliteDb;
  try {
    prepareSqliteFiles(file, opts.readOnly ?? false);
    db = new SqliteDb(file, { ...opts.sqlite, readOnly: opts.readOnly ?? false });
  } catch (e) {
    throw cannotOpen(file, e);
  }
  try {
    if (!opts.readOnly) await migrate(db, file);
    return new SqlStore(opts.health ? watchDb(db, opts.health) : db, `sqlite:${file}`);
  } catch (e) {
    await db.close();
    throw cannotOpen(file, e);
  }
}

/**
 * SQLite opens its files itself and follows links: so none of them may be a link (one planted as
 * `vigil.db-wal` would have the agent write wherever it points), and the database is created by the
 * agent, 0600, before SQLite opens it. SQLite gives its -wal and -shm the database file's mode; files
 * of an older version (0644) are made 0600 here.
 */
function prepareSqliteFiles(file: string, readOnly: boolean): void {
  if (readOnly) {
    // An offline reader (`audit verify -c`, perhaps root reading the agent's files) changes nothing.
    for (const f of sqliteFiles(file)) if (isLink(f)) throw unsafeLink(f);
    return;
  }
  for (const f of sqliteFiles(file)) securePrivate(f);
  if (!fs.existsSync(file)) fs.closeSync(createPrivate(file));
}

function unsafeLink(file: string): VigilError {
  return new VigilError(
    "DATA_DIR_UNSAFE",
    `${file} is a symbolic link; Vigil never follows a link in agent.data_dir: remove it`,
  );
}

/** A store that cannot be opened at start: what is wrong and what to do, then start again. */
function cannotOpen(file: string, e: unknown): unknown {
  const damaged = damagedDatabase(file, e);
  if (damaged) return damaged;
  const failure = isVigilError(e) ? e : sqliteFailure(e, path.dirname(file));
  const d = failureDetails(failure);
  if (!d) return e;
  return new VigilError(
    "STORE_UNAVAILABLE",
    `the store ${file} cannot be opened: ${d.reason} (${d.cause}); ${d.fix}, then start the agent again`,
    { cause: e, details: d },
  );
}

/** SQLITE_CORRUPT and SQLITE_NOTADB: the file is not a database, or a damaged one. */
const damagedCodes = new Set([11, 26]);

/**
 * STORE_CORRUPT naming the file and the way out, for a database SQLite cannot read; undefined for
 * any other error. Nothing is moved or deleted here: the file holds the audit log, and only a
 * person should decide to set it aside.
 */
function damagedDatabase(file: string, e: unknown): VigilError | undefined {
  const err = e as { errcode?: unknown; errstr?: unknown };
  if (typeof err.errcode !== "number" || !damagedCodes.has(err.errcode & 0xff)) return undefined;
  const what = typeof err.errstr === "string" ? err.errstr : "damaged";
  const aside = `${file}.damaged`;
  return new VigilError(
    "STORE_CORRUPT",
    `the database ${file} cannot be read (${what}). It holds the audit log, so keep it: restore it ` +
      `from a backup, or move it aside (mv ${file} ${aside}, and its -wal and -shm files beside it) and ` +
      `start with a new, empty store: vigil up --accept-audit-reset, which records that the old chain ended ` +
      `here (\`sqlite3 ${aside} .recover\` saves what survives of it)`,
    { cause: e },
  );
}

/**
 * Makes sure `agent.data_dir` exists, is the agent's own and can be written, so a wrong path stops
 * the start with a clear message instead of failing later inside the database driver. Created 0700.
 * A folder other users may write (or that belongs to another user) is refused: anyone of them could
 * plant or swap the files the agent keeps there between its checks and SQLite's opens.
 */
export function ensureDataDir(dataDir: string): void {
  let st: fs.Stats;
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    st = fs.statSync(dataDir);
  } catch (e) {
    throw unwritable(dataDir, e);
  }
  if (!st.isDirectory()) throw unwritable(dataDir, new Error("not a folder"));
  const euid = process.geteuid?.();
  if (euid !== undefined && st.uid !== euid && st.uid !== 0) {
    throw new VigilError(
      "DATA_DIR_UNSAFE",
      `agent.data_dir ${dataDir} belongs to uid ${st.uid}, not to the agent's user (uid ${euid}); chown it to the agent's user, or set agent.data_dir to a folder of its own`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    throw new VigilError(
      "DATA_DIR_UNSAFE",
      `agent.data_dir ${dataDir} can be written by other users (mode ${mode}), who could plant links or files the agent would trust; run \`chmod go-w ${dataDir}\` (0700 is best), or set agent.data_dir to a private folder`,
    );
  }
  const probe = path.join(dataDir, `.write-test-${process.pid}`);
  try {
    const fd = createPrivate(probe);
    try {
      // One byte, not an empty file: an empty file needs no space, and a full disk must show here.
      fs.writeSync(fd, "x");
    } finally {
      fs.closeSync(fd);
      fs.rmSync(probe, { force: true });
    }
  } catch (e) {
    if (isVigilError(e)) throw e;
    const full = failureDetails(sqliteFailure(e, dataDir));
    if (full) {
      throw new VigilError(
        "STORE_UNAVAILABLE",
        `agent.data_dir ${dataDir} cannot be written: ${full.reason} (${full.cause}); ${full.fix}, then start the agent again`,
        { cause: e, details: full },
      );
    }
    throw unwritable(dataDir, e);
  }
}

function unwritable(dataDir: string, e: unknown): VigilError {
  const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new VigilError(
    "DATA_DIR_UNWRITABLE",
    `agent.data_dir ${dataDir} cannot be written (${reason}); create it with write permission for this user, or set agent.data_dir to a writable folder`,
  );
}

async function openPostgres(url: string, readOnly: boolean, health: StoreHealth | undefined): Promise<Store> {
  // Loaded only for a PostgreSQL store: an agent on SQLite never carries the pg driver.
  const { describePostgres, PostgresDb } = await import("./postgres/db.ts");
  const where = describePostgres(url);
  const db = new PostgresDb(url);
  try {
    await db.get("SELECT 1");
    if (!readOnly) await migrate(db, where);
    return new SqlStore(health ? watchDb(db, health) : db, where);
  } catch (e) {
    await db.close().catch(() => undefined);
    if (isVigilError(e) && !isVigilError(e, "STORE_UNAVAILABLE")) throw e;
    // The server answered: it refused a row, which is no reason to say it did not answer.
    const unique = uniqueViolation(e);
    if (unique) throw new VigilError("CONFLICT", `agent.store ${where}: ${unique}`, { cause: e });
    const reason = failureDetails(e)?.cause ?? (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VigilError(
      "STORE_UNAVAILABLE",
      `agent.store ${where} did not answer (${reason}); check that PostgreSQL runs there and the URL is right`,
    );
  }
}

/**
 * A unique violation (23505) while the schema is brought up to date: the tables hold rows this
 * Vigil would write again, because something else writes them too (another program, an older
 * Vigil without the migration lock, a copy of another agent's data).
 */
function uniqueViolation(e: unknown): string | undefined {
  const err = e as { code?: unknown; constraint?: unknown; table?: unknown; detail?: unknown };
  if (err.code !== "23505") return undefined;
  const where = [err.table, err.constraint].filter((x) => typeof x === "string").join(", ");
  const detail = typeof err.detail === "string" ? `: ${err.detail.slice(0, 200)}` : "";
  return `updating its schema conflicts with a row already there (unique violation 23505${where ? ` in ${where}` : ""}${detail}); something else writes Vigil's tables in this schema: give this agent (or this fleet) a schema of its own with search_path in the URL, or remove the rows that do not belong`;
}
