/**
 * runQuery against the real PostgreSQL at 127.0.0.1:5432 (a schema of its own, dropped after) and a
 * real SQLite file: rows and values, the row bound, one statement only, writes refused with the data
 * left as it was, timeouts, and the URL's password never in an error.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { runQuery, SqlError } from "./query.ts";

const base = process.env.VIGIL_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `vigil_sql_${randomBytes(6).toString("hex")}`;
const withSchema = (url: string) => `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const pgUrl = withSchema(base);

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const countOf = (r: pg.QueryResult<{ n: number }>) => r.rows[0]?.n ?? -1;

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("the query succeeded");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(SqlError);
      return e as SqlError;
    },
  );

/** A port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("runQuery on PostgreSQL", () => {
  beforeAll(async () => {
    await admin(async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`CREATE TABLE ${schema}.jobs (id bigint primary key, state text not null)`);
      await c.query(`INSERT INTO ${schema}.jobs SELECT n, 'done' FROM generate_series(1, 250) n`);
      await c.query(`CREATE SEQUENCE ${schema}.ids`);
      // A function that writes: a query may call it, and the READ ONLY transaction must stop it.
      await c.query(`CREATE FUNCTION ${schema}.add_job() RETURNS int LANGUAGE sql AS
        $$ INSERT INTO ${schema}.jobs VALUES (1000, 'new') RETURNING 1 $$`);
    });
  });
  afterAll(() => admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`)));

  const jobCount = () =>
    admin(async (c) => countOf(await c.query(`SELECT count(*)::int AS n FROM ${schema}.jobs`)));

  it("answers rows by column, the first value, and JSON-safe values", async () => {
    const r = await runQuery(
      pgUrl,
      `SELECT count(*) AS n, avg(id) AS mean, 9007199254740993::bigint AS big, '\\xdead'::bytea AS bytes,
              '2026-01-02 03:04:05+00'::timestamptz AS at, '{"a":1}'::jsonb AS doc FROM jobs`,
      { timeoutMs: 5000 },
    );
    expect(r.connected).toBe(true);
    expect(r.columns).toEqual(["n", "mean", "big", "bytes", "at", "doc"]);
    expect(r.value).toBe(250);
    expect(r.rows).toEqual([
      {
        n: 250,
        mean: 125.5,
        big: "9007199254740993",
        bytes: "\\xdead",
        at: "2026-01-02 03:04:05+00",
        doc: { a: 1 },
      },
    ]);
    expect(r.truncated).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("reads at most maxRows rows and says there were more", async () => {
    const r = await runQuery(pgUrl, "SELECT id FROM jobs ORDER BY id", { timeoutMs: 5000 });
    expect(r.rows).toHaveLength(100);
    expect(r.rows.at(-1)).toEqual({ id: 100 });
    expect(r.truncated).toBe(true);
    const few = await runQuery(pgUrl, "SELECT id FROM jobs ORDER BY id", { timeoutMs: 5000, maxRows: 250 });
    expect([few.rows.length, few.truncated]).toEqual([250, false]);
  });

  it("answers no rows with a null value", async () => {
    const r = await runQuery(pgUrl, "SELECT id FROM jobs WHERE state = 'stuck'", { timeoutMs: 5000 });
    expect([r.rows, r.columns, r.value]).toEqual([[], ["id"], null]);
  });

  it("refuses a second statement, whatever hides the semicolon", async () => {
    for (const q of [
      "SELECT 1; SELECT 2",
      "SELECT 1; DELETE FROM jobs",
      "SELECT 1 /* c */; UPDATE jobs SET state = 'x'",
    ]) {
      const e = await failureOf(runQuery(pgUrl, q, { timeoutMs: 5000 }));
      expect(e.reason).toBe("refused");
      expect(e.message).toMatch(/more than one statement/);
    }
    expect(await jobCount()).toBe(250);
    // A semicolon inside a string or a comment is no second statement.
    const r = await runQuery(pgUrl, "SELECT ';' AS s -- ; DELETE FROM jobs", { timeoutMs: 5000 });
    expect(r.value).toBe(";");
  });

  it("refuses a write statement without sending it, and changes nothing", async () => {
    for (const q of [
      "INSERT INTO jobs VALUES (1000, 'new')",
      "DELETE FROM jobs",
      "-- tidy up\nUPDATE jobs SET state = 'x'",
      "CREATE TABLE intruder (a int)",
      "TRUNCATE jobs",
    ]) {
      const e = await failureOf(runQuery(pgUrl, q, { timeoutMs: 5000 }));
      expect(e.reason, q).toBe("refused");
      expect(e.connected).toBe(false);
      expect(e.message).toMatch(
        /^(INSERT|DELETE|UPDATE|CREATE|TRUNCATE) would change the database; a sql check only reads/,
      );
    }
    expect(await jobCount()).toBe(250);
    const tables = await admin(async (c) =>
      countOf(
        await c.query(
          "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'intruder'",
          [schema],
        ),
      ),
    );
    expect(tables).toBe(0);
  });

  it("refuses a write hidden inside a query through the READ ONLY transaction, and changes nothing", async () => {
    for (const q of [
      "WITH gone AS (DELETE FROM jobs RETURNING id) SELECT count(*) FROM gone",
      "SELECT add_job()",
      "SELECT nextval('ids')",
      "EXPLAIN ANALYZE DELETE FROM jobs",
    ]) {
      const e = await failureOf(runQuery(pgUrl, q, { timeoutMs: 5000 }));
      expect(e.reason, q).toBe("refused");
      expect(e.connected).toBe(true);
      expect(e.message).toMatch(/tries to write \(cannot execute .* in a read-only transaction\)/);
    }
    expect(await jobCount()).toBe(250);
    const seq = await admin(
      async (c) =>
        (await c.query<{ called: boolean }>(`SELECT is_called AS called FROM ${schema}.ids`)).rows[0]?.called,
    );
    expect(seq).toBe(false);
  });

  it("refuses a statement that is not a query, which READ ONLY would let run a program on the server", async () => {
    const marker = `/tmp/vigil-sql-test-${randomBytes(6).toString("hex")}`;
    for (const q of [
      `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`,
      `/* a /* nested */ comment */ DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch ${marker}'''; END $$`,
      "CALL some_procedure()",
    ]) {
      const e = await failureOf(runQuery(pgUrl, q, { timeoutMs: 5000 }));
      expect(e.reason, q).toBe("refused");
      expect(e.message).toMatch(
        /a sql check runs a query \(SELECT, WITH, VALUES, TABLE, SHOW or EXPLAIN\), not (COPY|DO|CALL)/,
      );
    }
    // The server runs on this machine: the program would have left its file here.
    expect(fs.existsSync(marker)).toBe(false);
    for (const q of [
      "-- why\n(SELECT 1)",
      "VALUES (1)",
      "TABLE jobs",
      "SHOW server_version",
      "WITH x AS (SELECT 1) SELECT * FROM x",
    ])
      expect((await runQuery(pgUrl, q, { timeoutMs: 5000 })).connected, q).toBe(true);
  });

  it("stops a query at its timeout", async () => {
    const e = await failureOf(runQuery(pgUrl, "SELECT pg_sleep(30)", { timeoutMs: 300 }));
    expect(e.reason).toBe("timeout");
    expect(e.connected).toBe(true);
  });

  it("stops a query when the caller aborts", async () => {
    const ac = new AbortController();
    const p = runQuery(pgUrl, "SELECT pg_sleep(30)", { timeoutMs: 30_000, signal: ac.signal });
    // The session shows in pg_stat_activity once the query runs: abort then, not after a guess.
    await admin(async (c) => {
      for (let i = 0; i < 500; i++) {
        const running = countOf(
          await c.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'vigil-check' AND query LIKE '%pg_sleep(30)%' AND state = 'active'",
          ),
        );
        if (running > 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error("the query never started");
    });
    ac.abort();
    expect((await failureOf(p)).reason).toBe("aborted");
  });

  it("says the server is unreachable, without the URL's password", async () => {
    const port = await closedPort();
    const e = await failureOf(
      runQuery(`postgres://u:hunter2secret@127.0.0.1:${port}/x`, "SELECT 1", { timeoutMs: 5000 }),
    );
    expect(e.reason).toBe("connect");
    expect(e.connected).toBe(false);
    expect(e.message).toContain(`postgres:127.0.0.1:${port}/x did not answer (ECONNREFUSED)`);
    expect(e.message).not.toContain("hunter2secret");
  });

  it("redacts the password from what the server says", async () => {
    // Trust auth lets any password in; the server then quotes the password back in its error.
    const url = withSchema(base.replace("postgres://postgres@", "postgres://postgres:hunter2secret@"));
    const e = await failureOf(runQuery(url, "SELECT 'hunter2secret'::int", { timeoutMs: 5000 }));
    expect(e.reason).toBe("query");
    expect(e.message).toContain('invalid input syntax for type integer: "[REDACTED]"');
    expect(e.message).not.toContain("hunter2secret");
  });

  it("names a query the database rejects", async () => {
    const e = await failureOf(runQuery(pgUrl, "SELECT * FROM no_such_table", { timeoutMs: 5000 }));
    expect([e.reason, e.connected]).toEqual(["query", true]);
    expect(e.message).toContain('relation "no_such_table" does not exist');
  });
});

describe("runQuery on SQLite", () => {
  const setup = () => {
    const file = path.join(tempDir(), "app.db");
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT, blob BLOB)");
    db.exec(
      "INSERT INTO jobs (id, state, blob) VALUES (1, 'done', x'dead'), (2, 'running', NULL), (9007199254740993, 'x', NULL)",
    );
    db.close();
    const count = () => {
      const d = new DatabaseSync(file, { readOnly: true });
      try {
        return (d.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number }).n;
      } finally {
        d.close();
      }
    };
    return { file, url: `sqlite://${file}`, count };
  };

  it("answers rows, the first value and JSON-safe values", async () => {
    const { url } = setup();
    const r = await runQuery(url, "SELECT id, state, blob FROM jobs ORDER BY id", { timeoutMs: 5000 });
    expect(r.columns).toEqual(["id", "state", "blob"]);
    expect(r.rows).toEqual([
      { id: 1, state: "done", blob: "\\xdead" },
      { id: 2, state: "running", blob: null },
      { id: "9007199254740993", state: "x", blob: null },
    ]);
    expect(r.value).toBe(1);
    const few = await runQuery(url, "SELECT id FROM jobs ORDER BY id", { timeoutMs: 5000, maxRows: 2 });
    expect([few.rows.length, few.truncated]).toEqual([2, true]);
  });

  it("refuses a second statement and accepts a trailing comment", async () => {
    const { url, count } = setup();
    const e = await failureOf(runQuery(url, "SELECT 1; DELETE FROM jobs", { timeoutMs: 5000 }));
    expect(e.reason).toBe("refused");
    expect(e.message).toMatch(/more than one statement/);
    expect(count()).toBe(3);
    expect((await runQuery(url, "SELECT ';' AS s; -- DELETE FROM jobs", { timeoutMs: 5000 })).value).toBe(
      ";",
    );
  });

  it("refuses writes and changes nothing", async () => {
    const { file, url, count } = setup();
    const into = path.join(path.dirname(file), "copy.db");
    for (const q of [
      "INSERT INTO jobs (state) VALUES ('new')",
      "DELETE FROM jobs",
      "CREATE TABLE intruder (a)",
      `VACUUM INTO '${into}'`,
      `ATTACH '${into}' AS other`,
      "PRAGMA query_only = OFF",
    ]) {
      const e = await failureOf(runQuery(url, q, { timeoutMs: 5000 }));
      expect(e.reason, q).toBe("refused");
    }
    expect(count()).toBe(3);
    expect(fs.existsSync(into)).toBe(false);
    // A pragma that only reads is a read.
    expect((await runQuery(url, "PRAGMA integrity_check", { timeoutMs: 5000 })).value).toBe("ok");
  });

  it("refuses a recursive query, which SQLite could not be stopped in", async () => {
    const { url } = setup();
    const e = await failureOf(
      runQuery(
        url,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        {
          timeoutMs: 5000,
        },
      ),
    );
    expect(e.reason).toBe("refused");
    expect(e.message).toMatch(/recursive/);
  });

  it("says a missing file or a file that is no database is not connected", async () => {
    const dir = tempDir();
    const missing = await failureOf(runQuery(`sqlite://${dir}/none.db`, "SELECT 1", { timeoutMs: 5000 }));
    expect([missing.reason, missing.connected]).toEqual(["connect", false]);
    fs.writeFileSync(
      path.join(dir, "junk.db"),
      "this is not a database, just text long enough to be read".repeat(20),
    );
    const junk = await failureOf(runQuery(`sqlite://${dir}/junk.db`, "SELECT 1", { timeoutMs: 5000 }));
    expect([junk.reason, junk.connected]).toEqual(["connect", false]);
  });
});

describe("database URLs", () => {
  it("refuses what it cannot read, with the forms it takes", async () => {
    for (const [url, text] of [
      ["mysql://u:p@h/db", /scheme mysql: is not one Vigil reads/],
      ["sqlite://relative.db", /absolute path/],
      ["not a url", /not a URL/],
    ] as const) {
      const e = await failureOf(runQuery(url, "SELECT 1", { timeoutMs: 1000 }));
      expect(e.reason).toBe("url");
      expect(e.message).toMatch(text);
    }
  });
});
