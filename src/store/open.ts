/** Opens the store named by `agent.store`, creating and migrating it as needed. */
import fs from "node:fs";
import path from "node:path";
import { VigilError } from "../core/errors.ts";
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
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.store !== "sqlite") return openPostgres(opts.store, opts.readOnly ?? false);
  const file = path.join(opts.dataDir, "vigil.db");
  if (opts.readOnly && !fs.existsSync(file)) {
    throw new VigilError("NOT_FOUND", `no database at ${file}; has the agent run with this config?`);
  }
  const db = new SqliteDb(file, { ...opts.sqlite, readOnly: opts.readOnly ?? false });
  try {
    if (!opts.readOnly) await migrate(db, file);
    return new SqlStore(db, `sqlite:${file}`);
  } catch (e) {
    await db.close();
    throw e;
  }
}

/**
 * Makes sure `agent.data_dir` exists and can be written, so a wrong path stops the start with a clear
 * message instead of failing later inside the database driver.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const probe = path.join(dataDir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VigilError(
      "DATA_DIR_UNWRITABLE",
      `agent.data_dir ${dataDir} cannot be written (${reason}); create it with write permission for this user, or set agent.data_dir to a writable folder`,
    );
  }
}

async function openPostgres(url: string, readOnly: boolean): Promise<Store> {
  // Loaded only for a PostgreSQL store: an agent on SQLite never carries the pg driver.
  const { describePostgres, PostgresDb } = await import("./postgres/db.ts");
  const where = describePostgres(url);
  const db = new PostgresDb(url);
  try {
    await db.get("SELECT 1");
    if (!readOnly) await migrate(db, where);
    return new SqlStore(db, where);
  } catch (e) {
    await db.close().catch(() => undefined);
    if (e instanceof VigilError) throw e;
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VigilError(
      "STORE_UNAVAILABLE",
      `agent.store ${where} did not answer (${reason}); check that PostgreSQL runs there and the URL is right`,
    );
  }
}
