import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isVigilError } from "../../core/errors.ts";
import { tempDir } from "../../../test/helpers/tmp.ts";
import { ensureDataDir, openStore } from "../open.ts";
import { latestVersion, migrations } from "../migrations/index.ts";
import { actionsContract } from "../action-store.contract.ts";
import { agentsContract } from "../agent-store.contract.ts";
import { leasesContract } from "../lease-store.contract.ts";
import { incidentsContract } from "../incident-store.contract.ts";
import { jobsContract } from "../job-store.contract.ts";
import { digestContract } from "../digest-store.contract.ts";
import { outboxContract } from "../outbox-store.contract.ts";
import { sessionsContract } from "../session-store.contract.ts";
import { storeContract, targetsContract } from "../store.contract.ts";
import { SqliteDb } from "./db.ts";

storeContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
targetsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
actionsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
incidentsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
outboxContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
digestContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
jobsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
agentsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
leasesContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));
sessionsContract("sqlite", () => openStore({ store: "sqlite", dataDir: tempDir() }));

describe("sqlite store", () => {
  it("writes the database at <data_dir>/vigil.db in WAL mode", async () => {
    const dir = tempDir();
    const store = await openStore({ store: "sqlite", dataDir: dir });
    expect(fs.existsSync(path.join(dir, "vigil.db"))).toBe(true);
    expect(await store.db.get("PRAGMA journal_mode")).toEqual({ journal_mode: "wal" });
    await store.close();
  });

  it("refuses a database from a newer schema version with STORE_TOO_NEW", async () => {
    const dir = tempDir();
    await (await openStore({ store: "sqlite", dataDir: dir })).close();
    const db = new SqliteDb(path.join(dir, "vigil.db"));
    await db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future', 0)", [
      latestVersion + 1,
    ]);
    await db.close();
    const err = await openStore({ store: "sqlite", dataDir: dir }).catch((e: unknown) => e);
    expect(isVigilError(err, "STORE_TOO_NEW")).toBe(true);
    expect((err as Error).message).toContain(`schema version ${latestVersion + 1}`);
    expect((err as Error).message).toContain("upgrade Vigil");
  });

  it("migrations are idempotent across restarts", async () => {
    const dir = tempDir();
    await (await openStore({ store: "sqlite", dataDir: dir })).close();
    const again = await openStore({ store: "sqlite", dataDir: dir });
    expect(await again.schemaVersion()).toBe(latestVersion);
    await again.close();
  });

  it("names an unwritable data_dir and the fix", () => {
    const parent = tempDir();
    fs.chmodSync(parent, 0o500);
    const target = path.join(parent, "inner");
    let err: unknown;
    try {
      ensureDataDir(target);
    } catch (e) {
      err = e;
    }
    fs.chmodSync(parent, 0o700);
    // root ignores directory permissions; a file in the way is unwritable for everyone.
    if (err === undefined) {
      const blocker = path.join(parent, "file");
      fs.writeFileSync(blocker, "");
      try {
        ensureDataDir(path.join(blocker, "sub"));
      } catch (e) {
        err = e;
      }
    }
    expect(isVigilError(err, "DATA_DIR_UNWRITABLE")).toBe(true);
    expect((err as Error).message).toMatch(/agent\.data_dir .* cannot be written \(E[A-Z]+\)/);
  });

  it("a write outside a transaction waits for the open transaction instead of joining it", async () => {
    const store = await openStore({ store: "sqlite", dataDir: tempDir() });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.db.transaction("t", async (t) => {
      await t.run("INSERT INTO meta (key, value) VALUES ('a', '1')");
      await gate;
      throw new Error("roll back");
    });
    const outside = store.setMeta("b", "2");
    release();
    await expect(tx).rejects.toThrow("roll back");
    await outside;
    expect(await store.getMeta("a")).toBeUndefined();
    expect(await store.getMeta("b")).toBe("2");
    await store.close();
  });
});

describe("migrations", () => {
  it("are numbered 1, 2, 3 ... in order, each file's number its version", () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    const files = fs
      .readdirSync(new URL("../migrations/", import.meta.url))
      .filter((f) => /^\d{3}-.*\.ts$/.test(f) && !f.endsWith(".test.ts"))
      .sort();
    expect(files.map((f) => Number(f.slice(0, 3)))).toEqual(migrations.map((m) => m.version));
  });
});
