/**
 * The real PostgreSQL for tests: 127.0.0.1:5432, trust auth, database test (VIGIL_TEST_PG
 * overrides it), and a schema of its own per test file so files running at once never share a table.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const testPgUrl = process.env.VIGIL_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/** Runs one statement on the test database as its owner, on a connection of its own. */
export async function pgAdmin(sql: string): Promise<pg.QueryResult<{ n: number }>> {
  const c = new pg.Client({ connectionString: testPgUrl });
  await c.connect();
  try {
    return await c.query<{ n: number }>(sql);
  } finally {
    await c.end();
  }
}

/**
 * A schema name no other run uses (the test creates and drops it), and `url` (by default the test
 * database's) with its search_path set to the schema.
 */
export function testSchema(prefix: string): { name: string; url: (base?: string) => string } {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  return {
    name,
    url: (base = testPgUrl) => `${base}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
  };
}
