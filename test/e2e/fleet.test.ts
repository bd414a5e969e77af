/**
 * Fleet membership with real agents: two on one PostgreSQL schema see each other, a third with a
 * live agent's name is refused, a restart after kill -9 takes its own name back at once, a dead
 * agent shows as dead after its lease, and a second agent on one SQLite file is refused.
 */
import { afterAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/tmp.ts";

const schema = testSchema("vigil_fleet");
const agents: RunningAgent[] = [];

const yaml = (name: string, store = schema.url()) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${store}", lease: 1s }\n`;

async function start(name: string, opts: { dir?: string; store?: string } = {}) {
  const a = await startAgent(yaml(name, opts.store), opts.dir ? { dir: opts.dir } : {});
  agents.push(a);
  return a;
}

interface Member {
  name: string;
  state: string;
  self: boolean;
  pid: number;
}

async function fleet(a: RunningAgent): Promise<Member[]> {
  const res = await api(a, "/api/fleet");
  expect(res.status).toBe(200);
  return ((await res.json()) as { agents: Member[] }).agents;
}

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

describe("fleet membership on one PostgreSQL", () => {
  it("shows its agents, refuses a live name, takes back its own after kill -9, and marks the dead", async () => {
    const one = await start("web-1");
    const two = await start("web-2");
    expect((await fleet(one)).map((m) => [m.name, m.state, m.self])).toEqual([
      ["web-1", "alive", true],
      ["web-2", "alive", false],
    ]);

    // A second web-1 while the first is alive: refused before it changes anything, exit 2.
    const dup = await startAgent(yaml("web-1")).then(
      (a) => (agents.push(a), "started"),
      (e: unknown) => String(e),
    );
    expect(dup).toMatch(/agent.name "web-1" is taken: an agent with that name is alive on host/);
    expect(dup).toMatch(/agent did not start \(exit 2\)/);

    // kill -9, then the same agent (same host, its old pid gone) starts again at once.
    await one.stop("SIGKILL");
    const again = await start("web-1", { dir: one.dir });
    expect((await fleet(again)).find((m) => m.name === "web-1")).toMatchObject({
      state: "alive",
      self: true,
    });

    // web-2 is killed: within its lease (1 s) plus a renewal it is dead to the fleet.
    await two.stop("SIGKILL");
    await until("web-2 dead to the fleet", async () =>
      (await fleet(again)).find((m) => m.name === "web-2")?.state === "dead" ? true : undefined,
    );

    const cli = await runCli(["fleet", "--json"], {
      env: { VIGIL_URL: again.url, VIGIL_TOKEN: again.token },
    });
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as Member[]).map((m) => [m.name, m.state])).toEqual([
      ["web-1", "alive"],
      ["web-2", "dead"],
    ]);
    const table = await runCli(["fleet"], { env: { VIGIL_URL: again.url, VIGIL_TOKEN: again.token } });
    expect(table.stdout).toMatch(/^NAME\s+STATE\s+HOST/);
    expect(table.stdout).toMatch(/web-1 \(this one\)\s+alive/);

    // A clean stop frees the name at once: "stopped", not "dead".
    await again.stop("SIGTERM");
    const three = await start("web-3");
    expect((await fleet(three)).find((m) => m.name === "web-1")?.state).toBe("stopped");
  });
});

describe("each agent's targets on one PostgreSQL", () => {
  it("are its own: another agent's start neither restores nor forgets them", async () => {
    const withCheck = (name: string) =>
      `${yaml(name)}checks:\n  ${name}-check: { command: { run: ["true"] }, every: 1s }\n`;
    const rows = async () =>
      (await pgAdmin(`SELECT name, agent FROM ${schema.name}.targets ORDER BY name`)).rows as unknown as {
        name: string;
        agent: string;
      }[];
    const a = await startAgent(withCheck("t-1"));
    agents.push(a);
    const b = await startAgent(withCheck("t-2"));
    agents.push(b);
    await until("both targets stored", async () => ((await rows()).length === 2 ? true : undefined));
    // t-1 starts again: it restores its own target, and t-2's row stays where it is.
    await a.stop("SIGTERM");
    agents.push(await startAgent(withCheck("t-1"), { dir: a.dir }));
    expect(await rows()).toEqual([
      { name: "t-1-check", agent: "t-1" },
      { name: "t-2-check", agent: "t-2" },
    ]);
    const listed = (await (await api(b, "/api/targets")).json()) as { targets: { name: string }[] };
    expect(listed.targets.map((t) => t.name)).toEqual(["t-2-check"]);
  });
});

describe("fleet membership on SQLite", () => {
  it("refuses a second agent on the same data_dir: SQLite is one agent", async () => {
    const dir = tempDir("vigil-fleet-");
    await start("solo", { dir, store: "sqlite" });
    const shared = await startAgent(
      `agent: { name: other, listen: "127.0.0.1:0", data_dir: ${dir}/.vigil }\n`,
    ).then(
      (a) => (agents.push(a), "started"),
      (e: unknown) => String(e),
    );
    expect(shared).toMatch(/is in use by agent "solo" on host .*SQLite is one agent/);
  });
});
