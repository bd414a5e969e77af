/** The same Store contract on the real PostgreSQL server at 127.0.0.1:5432, one fresh schema per test. */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isVigilError } from "../../core/errors.ts";
import { openStore } from "../open.ts";
import { actionsContract } from "../action-store.contract.ts";
import { agentsContract } from "../agent-store.contract.ts";
import { leasesContract } from "../lease-store.contract.ts";
import { incidentsContract } from "../incident-store.contract.ts";
import { jobsContract } from "../job-store.contract.ts";
import { digestContract } from "../digest-store.contract.ts";
import { outboxContract } from "../outbox-store.contract.ts";
import { sessionsContract } from "../session-store.contract.ts";
import { storeContract, targetsContract } from "../store.contract.ts";
import { toPgPlaceholders } from "./db.ts";

const base = process.env.VIGIL_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const schemas: string[] = [];

/** The URL of an empty schema of its own, so tests never see each other's tables. */
async function freshSchema() {
  const schema = `vigil_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  schemas.push(schema);
  return `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

const freshStore = async () => openStore({ store: await freshSchema(), dataDir: "/nonexistent" });

afterAll(async () => {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  for (const s of schemas) await admin.query(`DROP SCHEMA ${s} CASCADE`);
  await admin.end();
});

storeContract("postgres", freshStore);
targetsContract("postgres", freshStore);
actionsContract("postgres", freshStore);
incidentsContract("postgres", freshStore);
outboxContract("postgres", freshStore);
digestContract("postgres", freshStore);
jobsContract("postgres", freshStore);
agentsContract("postgres", freshStore);
leasesContract("postgres", freshStore);
sessionsContract("postgres", freshStore);

describe("postgres dialect", () => {
  it("rewrites placeholders outside quotes only", () => {
    expect(toPgPlaceholders("SELECT '?' , ? FROM t WHERE a = ? AND b = \"q?\"")).toBe(
      "SELECT '?' , $1 FROM t WHERE a = $2 AND b = \"q?\"",
    );
  });

  it("survives a connection lost between two statements of a transaction, and goes on", async () => {
    const store = await freshStore();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      const failed = await store.db
        .transaction("t", async (tx) => {
          const pid = (await tx.get<{ pid: number }>("SELECT pg_backend_pid() AS pid"))!.pid;
          await admin.query("SELECT pg_terminate_backend($1)", [pid]);
          // The loss arrives as an event while no statement runs; the next one fails.
          await new Promise((r) => setTimeout(r, 200));
          await tx.get("SELECT 1");
        })
        .then(
          () => "committed",
          (e: unknown) => e,
        );
      expect(isVigilError(failed, "STORE_UNAVAILABLE")).toBe(true);
      expect(await store.db.get("SELECT 1 AS one")).toEqual({ one: 1 });
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it("lets a fleet's agents start at once on an empty database: each migrates it or waits", async () => {
    for (let round = 0; round < 3; round++) {
      const url = await freshSchema();
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openStore({ store: url, dataDir: "/nonexistent" })),
      );
      for (const s of stores) await s.close();
    }
  });

  it("names an unreachable server without its password", async () => {
    const err = await openStore({ store: "postgres://u:hunter2secret@127.0.0.1:9/x", dataDir: "/x" }).catch(
      (e: unknown) => e,
    );
    expect(isVigilError(err, "STORE_UNAVAILABLE")).toBe(true);
    expect((err as Error).message).toContain("postgres:127.0.0.1:9/x did not answer (ECONNREFUSED)");
    expect((err as Error).message).not.toContain("hunter2secret");
  });
});
