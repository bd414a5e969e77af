/**
 * Agents whose configs disagree about a shared check, with two real agents on one PostgreSQL
 * schema: a check defined differently on each, and one configured on one agent only. `GET
 * /api/fleet`, `vigil fleet` and `vigil doctor` report both; the one-agent check runs on that agent.
 */
import { afterAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_shared_cfg");
const agents: RunningAgent[] = [];

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 60_000);

const yaml = (name: string, checks: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 2s }\nchecks:\n${checks}`;

interface Fleet {
  shared_checks: {
    disagreements: { check: string; problem: string; definitions: object; missing: string[] }[];
  };
}

describe("shared checks the agents disagree about", () => {
  it("are reported by /api/fleet, vigil fleet and vigil doctor", async () => {
    const d1 = await startAgent(
      yaml(
        "d1",
        '  api: { http: { url: "http://127.0.0.1:9/a" }, every: 1s }\n' +
          "  only-d1: { tcp: { port: 9 }, every: 1s }\n" +
          '  d1-disk: { disk: { path: "/" }, every: 1s }\n',
      ),
      { timeoutMs: 60_000 },
    );
    agents.push(d1);
    const d2 = await startAgent(yaml("d2", '  api: { http: { url: "http://127.0.0.1:9/b" }, every: 1s }\n'), {
      timeoutMs: 60_000,
    });
    agents.push(d2);

    const found = await until("both agents' shared checks published", async () => {
      const body = (await (await api(d2, "/api/fleet")).json()) as Fleet;
      return body.shared_checks.disagreements.length === 2 ? body.shared_checks.disagreements : undefined;
    });
    expect(found.map((d) => [d.check, d.problem, d.missing])).toEqual([
      ["api", "differs", []],
      ["only-d1", "partial", ["d2"]],
    ]);
    expect(Object.values(found[0]!.definitions)).toEqual([["d1"], ["d2"]]);

    // The check only d1 configures runs on d1, whatever the hash says of d2.
    await until("only-d1 stored as d1's", async () => {
      const r = await pgAdmin(`SELECT agent FROM ${schema.name}.targets WHERE name = 'only-d1'`);
      return (r.rows[0] as { agent?: string } | undefined)?.agent === "d1" ? true : undefined;
    });

    const env = { VIGIL_URL: d2.url, VIGIL_TOKEN: d2.token };
    const fleet = await runCli(["fleet"], { env });
    expect(fleet.stdout).toMatch(
      /shared check api: the agents hold 2 different definitions \(\[d1\] vs \[d2\]\)/,
    );
    expect(fleet.stdout).toMatch(/shared check only-d1: configured on d1 only; not on d2/);

    const doctor = await runCli(["doctor", "-c", d2.configFile], { env: { VIGIL_URL: d2.url } });
    expect(doctor.code).not.toBe(0);
    expect(doctor.stdout).toMatch(
      /✗ shared check api: the agents hold 2 different definitions \(\[d1\] vs \[d2\]\) — give each agent the same definition/,
    );
    expect(doctor.stdout).toMatch(/✗ shared check only-d1: configured on d1 only; not on d2/);
  }, 120_000);
});
