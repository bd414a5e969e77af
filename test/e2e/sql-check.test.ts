/**
 * sql checks on the real agent against the real PostgreSQL at 127.0.0.1:5432 and a real SQLite
 * file: a check whose query finds stuck jobs goes down with its value explained, one whose query
 * hides a delete is down with the reason and the table unchanged, and the URL's password appears in
 * no API answer, audit entry or log line, even when the server quotes it back.
 */
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { pgAdmin as admin, testPgUrl, testSchema } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/tmp.ts";

const password = "pw-sql-e2e-7f3a9c";
const { name: schema, url: inSchema } = testSchema("vigil_sqle2e");
// Trust auth lets any password in, so the URL can carry one the agent must never show.
const withPassword = inSchema(testPgUrl.replace("postgres://postgres@", `postgres://postgres:${password}@`));

beforeAll(async () => {
  await admin(`CREATE SCHEMA ${schema}`);
  await admin(`CREATE TABLE ${schema}.jobs (id int primary key, state text, started_at timestamptz)`);
  await admin(`INSERT INTO ${schema}.jobs VALUES (1, 'running', now() - interval '2 hours'),
    (2, 'running', now() - interval '1 hour'), (3, 'done', now())`);
});
afterAll(() => admin(`DROP SCHEMA ${schema} CASCADE`));

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
});

interface Target {
  name: string;
  state: string;
  last_result?: { ok: boolean; error?: string; explanation?: string; [k: string]: unknown } | null;
  [k: string]: unknown;
}

async function targets(): Promise<Target[]> {
  const body = (await (await api(agent!, "/api/targets")).json()) as { targets: Target[] };
  return body.targets;
}

describe("sql checks on the real agent", () => {
  it("judges real databases, refuses a write, and never shows the URL's password", async () => {
    const sqliteFile = path.join(tempDir(), "app.db");
    const db = new DatabaseSync(sqliteFile);
    db.exec("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)");
    db.exec("INSERT INTO jobs (state) VALUES ('done'), ('done')");
    db.close();
    const closed = await freePort();
    const url = JSON.stringify(withPassword);
    agent = await startAgent(
      `agent: { name: sqle2e, listen: "127.0.0.1:0" }
checks:
  stuck:
    sql: { url: ${url}, query: "select count(*) as stuck, min(id) as oldest from jobs where state = 'running' and started_at < now() - interval '30 minutes'" }
    expect: ["[VALUE] == 0"]
    every: 1s
    fail_after: 1
  writer:
    sql: { url: ${url}, query: "with gone as (delete from jobs returning id) select count(*) from gone" }
    every: 1s
    fail_after: 1
  echo:
    sql: { url: ${url}, query: "select '${password}'::int" }
    every: 1s
    fail_after: 1
  gone:
    sql: { url: "postgres://postgres:${password}@127.0.0.1:${closed}/x", query: "select 1" }
    every: 1s
    fail_after: 1
  lite:
    sql: { url: "sqlite://${sqliteFile}", query: "select count(*) from jobs where state = 'done'" }
    expect: ["[VALUE] == 2", "[ROWS] == 1"]
    every: 1s
`,
      { timeoutMs: 60_000 },
    );

    // Poll until every check has a result: the failing four down, the SQLite one up.
    let seen: Target[] = [];
    for (const deadline = Date.now() + 30_000; ;) {
      seen = await targets();
      const state = Object.fromEntries(seen.map((t) => [t.name, t.state]));
      if (["stuck", "writer", "echo", "gone"].every((n) => state[n] === "down") && state.lite === "up") break;
      if (Date.now() > deadline) throw new Error(`checks never settled: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const views = [
      JSON.stringify(seen),
      ...(await Promise.all(
        ["stuck", "writer", "echo", "gone"].map(async (n) => (await api(agent!, `/api/targets/${n}`)).text()),
      )),
    ];
    const all = views.join("\n");
    expect(all).toContain("[VALUE] (2) == 0");
    expect(all).toContain("tries to write");
    expect(all).toContain(`postgres:127.0.0.1:${closed}/x did not answer (ECONNREFUSED)`);
    expect(all).toContain('invalid input syntax for type integer: \\"[REDACTED]\\"');
    expect((await admin(`SELECT count(*)::int AS n FROM ${schema}.jobs`)).rows[0]?.n).toBe(3);

    const audit = await (await api(agent, "/api/audit?tail=500")).text();
    const report = await (await api(agent, "/ops-report")).text();
    for (const [where, text] of [
      ["API", all],
      ["audit", audit],
      ["ops report", report],
      ["log", agent.output()],
    ])
      expect(text, where).not.toContain(password);
  }, 120_000);
});
