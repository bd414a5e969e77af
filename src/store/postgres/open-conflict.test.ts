/**
 * A unique violation while the schema is brought up to date, on the real PostgreSQL server: told as
 * a conflict naming the table and row, never as a server that "did not answer".
 */
import { afterAll, expect, it } from "vitest";
import { pgAdmin, testSchema } from "../../../test/helpers/postgres.ts";
import { isVigilError } from "../../core/errors.ts";
import { migrations } from "../migrations/index.ts";
import { openStore } from "../open.ts";

const schema = testSchema("vigil_conflict");

afterAll(() => pgAdmin(`DROP SCHEMA IF EXISTS ${schema.name} CASCADE`));

it("a schema whose version table already holds the row a migration records is a conflict, clearly said", async () => {
  // Another program's version table where Vigil keeps its own: the first migration's name is taken.
  const first = migrations[0]!;
  await pgAdmin(`CREATE SCHEMA ${schema.name}`);
  await pgAdmin(
    `CREATE TABLE ${schema.name}.schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at BIGINT NOT NULL)`,
  );
  await pgAdmin(`INSERT INTO ${schema.name}.schema_version VALUES (0, '${first.name}', 0)`);
  const err = await openStore({ store: schema.url(), dataDir: "/nonexistent" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVigilError(err, "CONFLICT")).toBe(true);
  const message = (err as Error).message;
  expect(message).toMatch(/^agent\.store postgres:127\.0\.0\.1(:5432)?\/\w+: updating its schema conflicts/);
  expect(message).toContain("unique violation 23505 in schema_version, schema_version_name_key");
  expect(message).toContain(`Key (name)=(${first.name}) already exists`);
  expect(message).not.toContain("did not answer");
});
