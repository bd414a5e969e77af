/**
 * Opening the audit log at start, on SQLite and on the real PostgreSQL at 127.0.0.1:5432: a store
 * from before the key (schema version 6) verifies and is reported as not MACed; a shortened chain
 * is refused until a reset; agents of a fleet each MAC with their own key without failing each other.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { isVigilError } from "../core/errors.ts";
import type { NewEvent } from "../core/events.ts";
import { Redactor } from "../core/redact.ts";
import type { Db } from "../store/db.ts";
import { PostgresDb } from "../store/postgres/db.ts";
import { SqliteDb } from "../store/sqlite/db.ts";
import { migrations } from "../store/migrations/index.ts";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { auditAnchorFile, readAnchor } from "./anchor.ts";
import { makeSealer } from "./chain.ts";
import { readAuditKey } from "./key.ts";
import { openAuditTrail } from "./trail.ts";

const ev = (n: number): NewEvent<"agent.stopped"> => ({
  type: "agent.stopped",
  subject: "agent",
  actor: "test",
  payload: { reason: `r${n}` },
  ts: 1_700_000_000_000 + n,
});

const pgBase = process.env.VIGIL_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schemas: string[] = [];

afterAll(async () => {
  if (schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  for (const s of schemas) await admin.query(`DROP SCHEMA ${s} CASCADE`);
  await admin.end();
});

/** Where a store lives: SQLite in the data dir, or a fresh PostgreSQL schema. */
async function place(kind: "sqlite" | "postgres"): Promise<string> {
  if (kind === "sqlite") return "sqlite";
  const schema = `vigil_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  schemas.push(schema);
  return `${pgBase}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** A store as Vigil before the audit key left it: schema version 6, rows with no MAC column at all. */
async function storeBeforeTheKey(where: string, dataDir: string, events: number): Promise<void> {
  const db: Db = where === "sqlite" ? new SqliteDb(path.join(dataDir, "vigil.db")) : new PostgresDb(where);
  await db.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  for (const m of migrations.filter((m) => m.version <= 6)) {
    await db.exec(db.dialect === "sqlite" ? m.sqlite : m.postgres);
    await db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, 0)", [
      m.version,
      m.name,
    ]);
  }
  const rows = makeSealer(new Redactor())(
    undefined,
    Array.from({ length: events }, (_, i) => ev(i + 1)),
  );
  for (const r of rows) {
    await db.run(
      "INSERT INTO audit_events (seq, ts, actor, type, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [r.seq, r.ts, r.actor, r.type, r.subject, r.payload, r.prev_hash, r.hash],
    );
  }
  await db.close();
}

async function open(where: string, dataDir: string, acceptReset = false) {
  const store = await openStore({ store: where, dataDir });
  try {
    const trail = await openAuditTrail({
      store,
      dataDir,
      agent: path.basename(dataDir),
      redactor: new Redactor(),
      clock: systemClock,
      acceptReset,
      onAnchorError: (e) => {
        throw e;
      },
    });
    return { store, ...trail };
  } catch (e) {
    await store.close();
    throw e;
  }
}

async function close(t: {
  store: Store;
  keeper: { stop(): Promise<void> };
  audit: { drain(): Promise<void> };
}) {
  await t.audit.drain();
  await t.keeper.stop();
  await t.store.close();
}

describe.each(["sqlite", "postgres"] as const)("the audit trail on %s", (kind) => {
  it("an upgraded store verifies, its old rows reported as not MACed before the first new one", async () => {
    const dataDir = tempDir();
    const where = await place(kind);
    await storeBeforeTheKey(where, dataDir, 3);
    const t = await open(where, dataDir);
    expect(readAuditKey(dataDir)).toBeDefined();
    await t.audit.append([ev(4), ev(5)]);
    expect(await t.audit.verify()).toMatchObject({ ok: true, count: 5, last_seq: 5, not_maced_before: 4 });
    const [, , legacyTip, first] = await t.audit.page(0, 4);
    await close(t);
    // And the next start finds it sound too. SQLite keeps its one chain: the anchor says MACs begin at
    // 4. On PostgreSQL the agent's own chain begins at 4, linked to the legacy chain's last row.
    const again = await open(where, dataDir);
    const agent = path.basename(dataDir);
    if (kind === "sqlite") {
      expect(first!.chain).toBeUndefined();
      expect(readAnchor(dataDir, readAuditKey(dataDir))).toMatchObject({ anchor: { seq: 5, mac_from: 4 } });
    } else {
      expect(first).toMatchObject({ chain: agent, prev_hash: legacyTip!.hash });
      expect(await again.audit.verify()).toMatchObject({
        chains: [
          { agent: null, ok: true, count: 3, mac_checked: 0 },
          { agent, ok: true, count: 2, mac_checked: 2 },
        ],
      });
      expect(readAnchor(dataDir, readAuditKey(dataDir))).toMatchObject({
        anchor: { chain: agent, seq: 5, mac_from: 0 },
      });
    }
    await close(again);
  });

  it("refuses a chain shorter than its anchor; a reset starts a new chain that names it", async () => {
    const dataDir = tempDir();
    const where = await place(kind);
    const t = await open(where, dataDir);
    await t.audit.append([ev(1), ev(2), ev(3), ev(4)]);
    await close(t);
    const s = await openStore({ store: where, dataDir });
    if (kind === "sqlite") await s.db.exec("DROP TRIGGER audit_events_no_delete");
    else await s.db.exec("DROP TRIGGER audit_events_no_change ON audit_events");
    await s.db.run("DELETE FROM audit_events WHERE seq > 2");
    await s.close();

    const err = await open(where, dataDir).catch((e: unknown) => e);
    expect(isVigilError(err, "AUDIT_TAMPERED")).toBe(true);
    expect((err as Error).message).toContain("chain ends at seq 2, anchor says 4 (audit.anchor)");

    const r = await open(where, dataDir, true);
    expect(r.reset).toMatchObject({ seq: 3, type: "audit.reset" });
    expect(JSON.parse(r.reset!.payload)).toMatchObject({ previous_tip_seq: 2, anchor_seq: 4 });
    await r.audit.append([ev(5)]);
    expect(await r.audit.verify()).toMatchObject({ ok: true, last_seq: 4, resets: [{ seq: 3 }] });
    await close(r);
    const anchor =
      kind === "sqlite" ? { seq: 4, mac_from: 3 } : { chain: path.basename(dataDir), seq: 4, mac_from: 0 };
    expect(readAnchor(dataDir, readAuditKey(dataDir))).toMatchObject({ anchor });
  });
});

describe("a fleet on one PostgreSQL store", () => {
  it("two agents each MAC with their own key; each verifies the other's rows by hash, unchecked by MAC", async () => {
    const where = await place("postgres");
    const dirA = tempDir();
    const dirB = tempDir();
    const a = await open(where, dirA);
    const b = await open(where, dirB);
    await a.audit.append([ev(1)]);
    await b.audit.append([ev(2)]);
    await a.audit.append([ev(3)]);
    const seen = await a.audit.verify();
    expect(seen).toMatchObject({ ok: true, count: 3, mac_unchecked: { rows: 1 } });
    expect(fs.existsSync(auditAnchorFile(dirA)) && fs.existsSync(auditAnchorFile(dirB))).toBe(true);
    await close(a);
    await close(b);
    // B's anchor (seq 2) still holds after A moved on.
    const again = await open(where, dirB);
    await close(again);
  });
});
