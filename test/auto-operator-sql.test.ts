/**
 * examples/auto-operator-sql.yaml: `vigil config check` accepts it, and its three queries, run as
 * the agent runs them against a real PostgreSQL table, hold on a healthy day and fail on a bad one
 * (a stuck job, a completion rate under 50 %, a QA average under 75).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAll, parseCondition } from "../src/conditions/index.ts";
import { loadConfig } from "../src/config/load.ts";
import { formatProblem } from "../src/config/result.ts";
import { probeOf } from "../src/probes/index.ts";
import { runCli } from "./helpers/agent.ts";
import { probeEnv } from "./helpers/probe.ts";
import { pgAdmin, testSchema } from "./helpers/postgres.ts";

const example = path.resolve(import.meta.dirname, "../examples/auto-operator-sql.yaml");
const schemas = {
  healthy: testSchema("vigil_ao_ok"),
  failing: testSchema("vigil_ao_bad"),
  quiet: testSchema("vigil_ao_quiet"),
};

/** The table the example's comment describes, and one day's rows. */
const table = `CREATE TABLE jobs (id int primary key, state text not null, started_at timestamptz,
  finished_at timestamptz, qa_score numeric)`;
const rows = {
  healthy: `INSERT INTO jobs VALUES
    (1, 'running', now() - interval '5 minutes', null, null),
    (2, 'done', now() - interval '3 hours', now() - interval '2 hours', 80),
    (3, 'done', now() - interval '3 hours', now() - interval '2 hours', 90),
    (4, 'done', now() - interval '2 hours', now() - interval '1 hour', null),
    (5, 'failed', now() - interval '2 hours', now() - interval '1 hour', null),
    -- two days ago, outside every window: a failure and a poor review that must not count
    (6, 'failed', now() - interval '49 hours', now() - interval '48 hours', 10)`,
  failing: `INSERT INTO jobs VALUES
    (1, 'running', now() - interval '45 minutes', null, null),
    (2, 'done', now() - interval '3 hours', now() - interval '2 hours', 60),
    (3, 'failed', now() - interval '3 hours', now() - interval '2 hours', 70),
    (4, 'failed', now() - interval '2 hours', now() - interval '1 hour', null),
    (5, 'failed', now() - interval '2 hours', now() - interval '1 hour', null)`,
  quiet: "INSERT INTO jobs VALUES (1, 'queued', null, null, null)",
};

beforeAll(async () => {
  for (const [day, schema] of Object.entries(schemas)) {
    await pgAdmin(
      `CREATE SCHEMA ${schema.name}; SET search_path = ${schema.name}; ${table}; ${rows[day as keyof typeof rows]}`,
    );
  }
});
afterAll(async () => {
  for (const schema of Object.values(schemas)) await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

/** Each check of the example, run once the way the agent runs it, against one day's table. */
async function judge(day: keyof typeof schemas): Promise<Record<string, { ok: boolean; values: unknown }>> {
  const url = schemas[day].url();
  const loaded = await loadConfig(example, { AUTO_OPERATOR_DB_URL: url });
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join("\n"));
  const out: Record<string, { ok: boolean; values: unknown }> = {};
  for (const [name, check] of Object.entries(loaded.config.checks)) {
    const found = probeOf(check);
    if (found?.type !== "sql") throw new Error(`${name} is not a sql check`);
    const outcome = await found.probe.run(found.settings, {
      target: name,
      timeoutMs: 5_000,
      signal: AbortSignal.timeout(5_000),
      env: probeEnv,
    });
    if (outcome.error) throw new Error(`${name}: ${outcome.error.message}`);
    const conditions = check.expect.map((text) => {
      const p = parseCondition(text);
      if (!p.ok) throw new Error(`${name}: ${text}: ${p.message}`);
      return p.condition;
    });
    out[name] = { ok: evaluateAll(conditions, outcome.values).ok, values: outcome.values.ROW };
  }
  return out;
}

describe("examples/auto-operator-sql.yaml", () => {
  it("is a valid config for `vigil config check`", async () => {
    const r = await runCli(["config", "check", "-c", example]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ok (0 services, 3 checks");
  });

  it("holds on a healthy day", async () => {
    const r = await judge("healthy");
    expect(r["stuck-jobs"]).toEqual({ ok: true, values: { stuck: 0, oldest: null } });
    expect(r["completion-rate"]).toEqual({ ok: true, values: { completion_rate: 75, ended: 3 + 1 } });
    expect(r["qa-average"]).toEqual({ ok: true, values: { qa_average: 85, reviewed: 2 } });
  });

  it("fails each check on a bad day: a stuck job, completion under 50 %, QA under 75", async () => {
    const r = await judge("failing");
    expect(r["stuck-jobs"]).toEqual({ ok: false, values: { stuck: 1, oldest: 1 } });
    expect(r["completion-rate"]).toEqual({ ok: false, values: { completion_rate: 25, ended: 4 } });
    expect(r["qa-average"]).toEqual({ ok: false, values: { qa_average: 65, reviewed: 2 } });
  });

  it("holds on a quiet day when no job ended and none was reviewed", async () => {
    const r = await judge("quiet");
    expect(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.ok]))).toEqual({
      "stuck-jobs": true,
      "completion-rate": true,
      "qa-average": true,
    });
  });
});
