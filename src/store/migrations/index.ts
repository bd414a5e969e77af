/**
 * Numbered migrations, applied in order at start, each in its own transaction. A migration is never
 * edited once released: a change is a new number.
 */
import type { Db, Dialect } from "../db.ts";
import { VigilError } from "../../core/errors.ts";
import { m001 } from "./001-audit.ts";
import { m002 } from "./002-targets.ts";
import { m003 } from "./003-actions.ts";
import { m004 } from "./004-incidents.ts";
import { m005 } from "./005-outbox.ts";
import { m006 } from "./006-outbox-groups.ts";
import { m007 } from "./007-audit-mac.ts";
import { m008 } from "./008-action-processes.ts";
import { m009 } from "./009-run-agent.ts";
import { m010 } from "./010-jobs.ts";
import { m011 } from "./011-agents.ts";
import { m012 } from "./012-outbox-claims.ts";
import { m013 } from "./013-leases.ts";
import { m014 } from "./014-sessions.ts";
import { m015 } from "./015-routed-alerts.ts";
import { m016 } from "./016-target-agent.ts";
import { m017 } from "./017-approval-agent.ts";
import { m018 } from "./018-audit-chains.ts";
import { m019 } from "./019-incident-announce.ts";
import { m020 } from "./020-incident-agent.ts";
import { m021 } from "./021-approval-announce.ts";
import { m022 } from "./022-attempt-agent.ts";

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const migrations: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
  m016,
  m017,
  m018,
  m019,
  m020,
  m021,
  m022,
];

export const latestVersion = migrations.at(-1)!.version;

/**
 * Brings the schema to `latestVersion`. Refuses a database written by a newer Vigil rather than
 * guessing at tables it does not know.
 */
export async function migrate(db: Db, where: string): Promise<number> {
  // Under the migration lock: agents of a fleet starting at once on an empty PostgreSQL would race
  // to create the table (IF NOT EXISTS does not hold against a concurrent create: 23505).
  await db.transaction("vigil:migrate", (tx) =>
    tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    ),
  );
  const current = await currentVersion(db);
  if (current > latestVersion) {
    throw new VigilError(
      "STORE_TOO_NEW",
      `the database at ${where} has schema version ${current}, but this Vigil knows versions up to ${latestVersion}; upgrade Vigil, or point agent.data_dir (or agent.store) at another database`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    await db.transaction("vigil:migrate", async (tx) => {
      // Another agent on the same database may have applied it while this one waited for the lock.
      if ((await currentVersion(tx)) >= m.version) return;
      await tx.exec(sqlFor(m, db.dialect));
      await tx.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", [
        m.version,
        m.name,
        Date.now(),
      ]);
    });
  }
  return currentVersion(db);
}

export async function currentVersion(db: Db): Promise<number> {
  const row = await db.get<{ v: number | string | null }>("SELECT MAX(version) AS v FROM schema_version");
  return Number(row?.v ?? 0);
}

function sqlFor(m: Migration, dialect: Dialect): string {
  return dialect === "sqlite" ? m.sqlite : m.postgres;
}
