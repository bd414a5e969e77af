/**
 * One audit chain per agent with two real agents on one PostgreSQL schema: `vigil audit verify`
 * through a running agent and offline with -c reports each agent's chain, tail and export carry both
 * agents' events in seq order, and a row edited in web-2's chain is named as web-2's while web-1
 * still starts and web-2 refuses to.
 */
import { afterAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_fleet_audit");
const agents: RunningAgent[] = [];

const yaml = (name: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }\n`;

async function start(name: string, dir?: string): Promise<RunningAgent> {
  const a = await startAgent(yaml(name), { timeoutMs: 60_000, ...(dir ? { dir } : {}) });
  agents.push(a);
  return a;
}

interface Chain {
  agent: string | null;
  ok: boolean;
  count: number;
  mac_checked: number;
  first_bad_seq?: number;
}

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

describe("audit chains of a fleet on one PostgreSQL", () => {
  it(
    "verify reports each agent's chain; an edit in web-2's is web-2's alone",
    { timeout: 240_000 },
    async () => {
      const one = await start("web-1");
      const two = await start("web-2");
      for (const a of [one, two, one, two])
        expect((await api(a, "/api/reload", { method: "POST" })).status).toBe(200);
      const through = { env: { VIGIL_URL: one.url, VIGIL_TOKEN: one.token } };

      const live = await runCli(["audit", "verify", "--json"], through);
      expect(live.code).toBe(0);
      const chains = (JSON.parse(live.stdout) as { chains: Chain[] }).chains;
      expect(chains.map((c) => [c.agent, c.ok])).toEqual([
        ["web-1", true],
        ["web-2", true],
      ]);
      // web-1 holds its own rows to its key; web-2's carry a key web-1 does not have.
      expect(chains[0]!.mac_checked).toBe(chains[0]!.count);
      expect(chains[1]!.mac_checked).toBe(0);
      const text = await runCli(["audit", "verify"], through);
      expect(text.stdout).toMatch(/web-1\s+\d+\s+\d+\s+ok/);

      const tail = await runCli(["audit", "tail", "-n", "100", "--json"], through);
      const events = JSON.parse(tail.stdout) as { seq: number; chain: string; type: string }[];
      expect(new Set(events.map((e) => e.chain))).toEqual(new Set(["web-1", "web-2"]));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect((await runCli(["audit", "tail"], through)).stdout).toMatch(/^SEQ\s+TIME\s+CHAIN\s+ACTOR/);
      const exported = (await runCli(["audit", "export"], through)).stdout.trim().split("\n");
      expect(exported.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(events.map((e) => e.seq));

      await one.stop("SIGTERM");
      await two.stop("SIGTERM");
      const victim = events.filter((e) => e.chain === "web-2")[1]!.seq;
      await pgAdmin(
        `SET search_path = ${schema.name}; DROP TRIGGER audit_events_no_change ON audit_events; ` +
          `UPDATE audit_events SET payload = '{"reason":"nothing to see"}' WHERE seq = ${victim}`,
      );

      for (const a of [one, two]) {
        const offline = await runCli(["audit", "verify", "-c", a.configFile]);
        expect(offline.code).toBe(1);
        expect(offline.stderr).toContain(`agent web-2's chain: seq ${victim} does not match its hash`);
        const json = await runCli(["audit", "verify", "-c", a.configFile, "--json"]);
        const seen = (JSON.parse(json.stdout) as { chains: Chain[] }).chains;
        expect(seen.map((c) => [c.agent, c.ok, c.first_bad_seq])).toEqual([
          ["web-1", true, undefined],
          ["web-2", false, victim],
        ]);
      }
      // web-1 answers for its own chain and starts; web-2 refuses, naming the row.
      await start("web-1", one.dir);
      const refused = await start("web-2", two.dir).then(
        () => "started",
        (e: unknown) => String(e),
      );
      expect(refused).toMatch(/agent did not start \(exit 1\)/);
      expect(refused).toContain(`seq ${victim} does not match its hash`);
    },
  );
});
