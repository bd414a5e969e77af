/**
 * The sql probe on the real PostgreSQL at 127.0.0.1:5432 (a schema of its own, dropped after) and a
 * real SQLite file: its values judged by real conditions ([VALUE], [ROWS], [ROW].<column>), a write
 * refused with the table as it was, an unreachable server, and the config that declares it.
 */
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAll, parseCondition, type Condition } from "../conditions/index.ts";
import { load, problems } from "../../test/helpers/config.ts";
import { freePort } from "../../test/helpers/net.ts";
import { pgAdmin as admin, testSchema } from "../../test/helpers/postgres.ts";
import { runProbe } from "../../test/helpers/probe.ts";
import { kit } from "../config/kit.ts";
import { probes } from "./index.ts";
import { tempDir } from "../../test/helpers/tmp.ts";

const { name: schema, url: inSchema } = testSchema("vigil_sqlprobe");
const pgUrl = inSchema();

const conditions = (...texts: string[]): Condition[] =>
  texts.map((t) => {
    const p = parseCondition(t);
    if (!p.ok) throw new Error(`${t}: ${p.message}`);
    return p.condition;
  });
const holds = (values: Record<string, unknown>, ...texts: string[]) =>
  evaluateAll(conditions(...texts), values).results.map((r) => r.ok);

const stuckQuery =
  "select count(*) as stuck, min(id) as oldest from jobs where state = 'running' and started_at < now() - interval '30 minutes'";

describe("sql on PostgreSQL", () => {
  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    await admin(
      `CREATE TABLE ${schema}.jobs (id int primary key, state text not null, started_at timestamptz not null)`,
    );
    await admin(`INSERT INTO ${schema}.jobs VALUES
      (1, 'running', now() - interval '2 hours'), (2, 'running', now() - interval '45 minutes'),
      (3, 'running', now() - interval '5 minutes'), (4, 'done', now() - interval '3 hours')`);
  });
  afterAll(() => admin(`DROP SCHEMA ${schema} CASCADE`));

  it("provides the first value, the row by column and the row count to conditions", async () => {
    const { outcome } = await runProbe("sql", { url: pgUrl, query: stuckQuery }, { timeoutMs: 5000 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      CONNECTED: true,
      ROWS: 1,
      VALUE: 2,
      ROW: { stuck: 2, oldest: 1 },
    });
    expect(outcome.values.RESPONSE_TIME).toEqual(expect.any(Number));
    expect(
      holds(
        outcome.values,
        "[CONNECTED] == true",
        "[VALUE] == 0",
        "[VALUE] > 1",
        "[ROW].stuck < 3",
        "[ROW].oldest == 1",
        "[ROWS] == 1",
        "has([ROW].nope) == false",
      ),
    ).toEqual([true, false, true, true, true, true, true]);
  });

  it("leaves [ROW] unresolved when the query finds no row, so a condition on it fails", async () => {
    const { outcome } = await runProbe(
      "sql",
      { url: pgUrl, query: "select id from jobs where state = 'lost'" },
      { timeoutMs: 5000 },
    );
    expect(outcome.values).toMatchObject({ CONNECTED: true, ROWS: 0, VALUE: null });
    expect(holds(outcome.values, "[ROWS] == 0", "[ROW].id > 0")).toEqual([true, false]);
  });

  it("fails a query that writes: the READ ONLY transaction refuses it, and the table is as it was", async () => {
    for (const query of [
      "WITH gone AS (DELETE FROM jobs RETURNING id) SELECT count(*) FROM gone",
      "EXPLAIN ANALYZE INSERT INTO jobs VALUES (9, 'x', now())",
    ]) {
      const { outcome } = await runProbe("sql", { url: pgUrl, query }, { timeoutMs: 5000 });
      expect(outcome.values.CONNECTED).toBe(true);
      expect(outcome.error?.message).toMatch(
        /tries to write \(cannot execute (SELECT|INSERT) in a read-only transaction\); a sql check runs in a READ ONLY transaction/,
      );
    }
    expect((await admin(`SELECT count(*)::int AS n FROM ${schema}.jobs`)).rows[0]?.n).toBe(4);
  });

  it("says a server that is not there is not connected, without the URL's password", async () => {
    const port = await freePort();
    const { outcome } = await runProbe(
      "sql",
      { url: `postgres://app:hunter2secret@127.0.0.1:${port}/app`, query: "select 1" },
      { timeoutMs: 5000 },
    );
    expect(outcome.values.CONNECTED).toBe(false);
    expect(outcome.error?.class).toBe("connection_refused");
    expect(outcome.error?.message).toContain(`postgres:127.0.0.1:${port}/app did not answer (ECONNREFUSED)`);
    expect(JSON.stringify(outcome)).not.toContain("hunter2secret");
  });

  it("times out a slow query as a timeout", async () => {
    const { outcome } = await runProbe(
      "sql",
      { url: pgUrl, query: "select pg_sleep(30)" },
      { timeoutMs: 300, abortAfterMs: 10_000 },
    );
    expect(outcome.error?.class).toBe("timeout");
    expect(outcome.values.CONNECTED).toBe(true);
  });
});

describe("sql on SQLite", () => {
  it("reads a real file and refuses to write it", async () => {
    const file = path.join(tempDir(), "app.db");
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)");
    db.exec("INSERT INTO jobs (state) VALUES ('done'), ('done'), ('failed')");
    db.close();
    const url = `sqlite://${file}`;
    const { outcome } = await runProbe("sql", {
      url,
      query: "select count(*) as total, sum(state = 'done') * 100 / count(*) as rate from jobs",
    });
    expect(outcome.values).toMatchObject({ CONNECTED: true, VALUE: 3, ROW: { total: 3, rate: 66 } });
    expect(holds(outcome.values, "[ROW].rate < 50")).toEqual([false]);

    const write = await runProbe("sql", { url, query: "DELETE FROM jobs" });
    expect(write.outcome.error?.message).toMatch(/read-only/);
    const after = new DatabaseSync(file, { readOnly: true });
    expect(after.prepare("SELECT count(*) AS n FROM jobs").get()).toEqual({ n: 3 });
    after.close();
  });
});

describe("sql in vigil doctor", () => {
  it("tries the check, naming a PostgreSQL server's host and port so a refusal can be explained", () => {
    const probe = probes.get("sql")!;
    const plan = (settings: object) => probe.doctor(probe.schema(kit).parse(settings) as never);
    expect(plan({ url: "postgres://app:pw@db.internal/app", query: "select 1" })).toEqual({
      try: true,
      endpoint: { host: "db.internal", port: 5432, field: "sql.url" },
    });
    expect(plan({ url: "sqlite:///var/lib/app.db", query: "select 1" })).toEqual({ try: true });
  });
});

describe("sql in the config", () => {
  const check = (settings: string, expect = '["[VALUE] == 0"]') =>
    `checks:\n  stuck:\n    sql: ${settings}\n    expect: ${expect}\n`;

  it("loads a check whose conditions read [VALUE], [ROWS] and [ROW].<column>", () => {
    const r = load(
      check(
        '{ url: "postgres://app:${DB_PASSWORD}@127.0.0.1:5432/app", query: "select 1 as x", timeout: 5s }',
        '["[VALUE] == 1", "[ROWS] > 0", "[ROW].x == 1", "[RESPONSE_TIME] < 500"]',
      ),
      { DB_PASSWORD: "s3cret-pw" },
    );
    expect(r.config.checks.stuck).toMatchObject({
      sql: { url: "postgres://app:s3cret-pw@127.0.0.1:5432/app", query: "select 1 as x", timeout: 5_000 },
      expect: ["[VALUE] == 1", "[ROWS] > 0", "[ROW].x == 1", "[RESPONSE_TIME] < 500"],
    });
  });

  it("refuses a URL it cannot read and a placeholder sql does not provide, naming the field", () => {
    expect(problems(check('{ url: "mysql://h/db", query: "select 1" }'))[0]).toMatch(
      /checks\.stuck\.sql\.url: .*scheme mysql: is not one Vigil reads/,
    );
    expect(problems(check('{ url: "sqlite://app.db", query: "select 1" }'))[0]).toMatch(
      /checks\.stuck\.sql\.url: a SQLite URL takes an absolute path/,
    );
    expect(problems(check('{ url: "sqlite:///a.db", query: "  " }'))[0]).toMatch(/checks\.stuck\.sql\.query/);
    // What PostgreSQL is never sent is a config error at the query, not a failure at its first run.
    expect(problems(check('{ url: "postgres://h/db", query: "DELETE FROM jobs" }'))[0]).toMatch(
      /checks\.stuck\.sql\.query: DELETE would change the database; a sql check only reads: write a SELECT/,
    );
    expect(
      problems(check(`{ url: "postgres://h/db", query: "COPY (SELECT 1) TO PROGRAM 'id'" }`))[0],
    ).toMatch(
      /checks\.stuck\.sql\.query: a sql check runs a query \(SELECT, WITH, VALUES, TABLE, SHOW or EXPLAIN\), not COPY/,
    );
    expect(problems(check('{ url: "sqlite:///a.db", query: "select 1" }', '["[STATUS] == 200"]'))[0]).toMatch(
      /\[STATUS\] is not something a sql check measures/,
    );
  });
});
