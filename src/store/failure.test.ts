/** A real SQLite that runs out of room (PRAGMA max_page_count), and the driver errors it maps. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { isVigilError } from "../core/errors.ts";
import { failureDetails, postgresFailure, sqliteFailure } from "./failure.ts";
import { SqliteDb } from "./sqlite/db.ts";

async function fullDb(): Promise<SqliteDb> {
  const db = new SqliteDb(path.join(tempDir(), "vigil.db"));
  await db.exec("CREATE TABLE t (x TEXT)");
  // A database that may not grow past its current pages: SQLite says SQLITE_FULL, as on a full disk.
  const pages = await db.get<{ page_count: number }>("PRAGMA page_count");
  await db.exec(`PRAGMA max_page_count = ${pages!.page_count}`);
  return db;
}

describe("store failures", () => {
  it("a transaction on a full database fails with the real cause, not with its own rollback", async () => {
    const db = await fullDb();
    const err = await db
      .transaction("t", (tx) => tx.run("INSERT INTO t VALUES (?)", ["x".repeat(100_000)]))
      .catch((e: unknown) => e);
    expect(isVigilError(err, "STORE_UNAVAILABLE")).toBe(true);
    expect((err as Error).message).toContain("database or disk is full (SQLITE_FULL)");
    expect((err as Error).message).not.toContain("cannot rollback");
    expect(failureDetails(err)).toMatchObject({ cause: "SQLITE_FULL", reason: "database or disk is full" });
    // The connection is usable afterwards: the next transaction starts and commits.
    await db.transaction("t", (tx) => tx.run("DELETE FROM t"));
    await db.close();
  });

  it("a write outside a transaction says the same", async () => {
    const db = await fullDb();
    const err = await db.run("INSERT INTO t VALUES (?)", ["x".repeat(100_000)]).catch((e: unknown) => e);
    expect(isVigilError(err, "STORE_UNAVAILABLE")).toBe(true);
    await db.close();
  });

  it("leaves bugs alone: bad SQL and constraints are not the store being unavailable", async () => {
    const db = await fullDb();
    const err = await db.run("INSERT INTO nowhere VALUES (1)").catch((e: unknown) => e);
    expect(isVigilError(err)).toBe(false);
    expect(sqliteFailure({ errcode: 19, errstr: "constraint failed" }, "/tmp")).toBeUndefined();
    await db.close();
  });

  it("maps the file system's and PostgreSQL's conditions, never naming where the store is", () => {
    const nospc = sqliteFailure(
      Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" }),
      "/srv/x",
    );
    expect(failureDetails(nospc)).toMatchObject({ cause: "ENOSPC", reason: "no space left on the device" });
    expect(nospc!.message).not.toContain("/srv/x");
    expect(
      failureDetails(postgresFailure({ code: "53100", message: "could not extend file" })),
    ).toMatchObject({
      cause: "53100",
    });
    expect(
      failureDetails(postgresFailure({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" }))?.cause,
    ).toBe("ECONNREFUSED");
    expect(postgresFailure({ code: "23505", message: "duplicate key" })).toBeUndefined();
  });
});
