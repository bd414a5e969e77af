/**
 * Every agent's targets in one list: two real agents on one PostgreSQL schema, each with its own
 * check. `GET /api/targets?agents=all` on either lists both with the agent that runs each (the other
 * agent's as its stored row says, state and last result), `vigil status --all-agents` prints the
 * same with an AGENT column, a bad `agents` is a 400 naming the field, and the plain list says
 * whose its targets are. On SQLite the fleet-wide list is the agent's own.
 */
import { afterAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_fleet_targets");
const agents: RunningAgent[] = [];

interface Listed {
  name: string;
  kind: string;
  state: string;
  agent: string | null;
  last_result: { ok: boolean; explanation: string } | null;
}

const config = (name: string, run: string, store = `"${schema.url()}"`) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: ${store}, lease: 1s }
checks:
  ${name}-check: { command: { run: ["${run}"] }, every: 500ms, fail_after: 1 }
`;

/** Starts are slow on a loaded machine: an agent gets a minute, not the helper's default 15 s. */
async function start(yaml: string): Promise<RunningAgent> {
  const a = await startAgent(yaml, { timeoutMs: 60_000 });
  agents.push(a);
  return a;
}

async function list(a: RunningAgent, query = ""): Promise<Listed[]> {
  const res = await api(a, `/api/targets${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { targets: Listed[] }).targets;
}

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 60_000);

describe("every agent's targets on one PostgreSQL", () => {
  it("lists both agents' targets on either, each with its agent, and refuses a bad agents=", async () => {
    const a = await start(config("a", "true"));
    const b = await start(config("b", "false"));

    // B's check fails: A sees it down, with B's last result, under B's name.
    const both = await until("B's check down in A's fleet-wide list", async () => {
      const l = await list(a, "?agents=all");
      return l.find((t) => t.name === "b-check")?.state === "down" && l.length === 2 ? l : undefined;
    });
    expect(both.map((t) => [t.name, t.kind, t.agent])).toEqual([
      ["a-check", "check", "a"],
      ["b-check", "check", "b"],
    ]);
    expect(both[1]!.last_result).toMatchObject({ ok: false });
    expect(both[1]!.last_result!.explanation).not.toBe("");

    // The same list from B's side; each agent's plain list is its own, saying whose.
    await until("A's check up in B's fleet-wide list", async () =>
      (await list(b, "?agents=all")).find((t) => t.name === "a-check" && t.agent === "a")?.state === "up"
        ? true
        : undefined,
    );
    expect((await list(a)).map((t) => [t.name, t.agent])).toEqual([["a-check", "a"]]);
    expect((await list(a, "?agents=this")).map((t) => [t.name, t.agent])).toEqual([["a-check", "a"]]);

    const bad = await api(a, "/api/targets?agents=everyone");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'agents: one of this, all, got "everyone"',
    );

    const env = { VIGIL_URL: a.url, VIGIL_TOKEN: a.token };
    const table = await runCli(["status", "--all-agents"], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+KIND\s+STATE\s+SINCE\s+RESTARTS\s+AGENT\s+LAST RESULT/);
    expect(table.stdout).toMatch(/\nb-check\s+check\s+down\s+\S+\s+0\s+b\s+FAIL/);
    expect(table.stdout).toMatch(/\na-check\s+check\s+up\s+\S+\s+0\s+a\s+ok/);
  }, 180_000);
});

describe("every agent's targets on SQLite", () => {
  it("is the agent's own list", async () => {
    const solo = await start(config("solo", "true", "sqlite"));
    await until("solo's check stored", async () =>
      (await list(solo, "?agents=all")).length === 1 ? true : undefined,
    );
    expect((await list(solo, "?agents=all")).map((t) => [t.name, t.agent])).toEqual([["solo-check", "solo"]]);
  }, 90_000);
});
