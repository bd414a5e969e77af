/**
 * A shared check whose agent dies in the middle of a remediation step: two real agents on one
 * PostgreSQL schema, the check failing against a real HTTP server on 127.0.0.1. The agent that
 * holds the check interrupts the dead agent's step and goes on with the incident (here: its one
 * attempt is spent, so it escalates), instead of waiting for a step nobody is running: when it takes
 * the check because that agent died, and when the check had moved to it before that agent died.
 */
import http from "node:http";
import type net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { owner } from "../../src/fleet/rendezvous.ts";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_fleet_takeover_step");
const agents: RunningAgent[] = [];
const server = http.createServer((_req, res) => res.writeHead(503).end());
const port = await new Promise<number>((r) =>
  server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
);
/** A check name the fleet gives to `to` while `agents` are alive, by the fleet's own rule. */
const checkFor = (to: string, agents: string[]) =>
  Array.from({ length: 50 }, (_, i) => `site-${i}`).find((c) => owner(c, agents) === to)!;

interface AuditEvent {
  type: string;
  subject: string;
  chain?: string;
  payload: Record<string, unknown>;
}

const config = (name: string, check: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
remediation: { max_attempts: 1, cooldown: 100ms, verify_within: 30s }
actions:
  slow-fix: { run: ["sleep", "30"], risk: auto, timeout: 35s }
checks:
  ${check}: { http: { url: "http://127.0.0.1:${port}/" }, every: 300ms, fail_after: 1, remediate: [slow-fix] }
`;

async function start(name: string, check: string): Promise<RunningAgent> {
  const a = await startAgent(config(name, check), { timeoutMs: 60_000 });
  agents.push(a);
  return a;
}

const audit = async (a: RunningAgent, type: string, check: string) =>
  ((await (await api(a, "/api/audit?limit=1000")).json()) as { events: AuditEvent[] }).events.filter(
    (e) => e.type === type && e.subject === check,
  );

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGKILL")));
  await new Promise((r) => server.close(r));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 60_000);

describe("a shared check's agent dying mid-step", () => {
  it("the agent that takes the check interrupts the dead agent's step and goes on", async () => {
    const check = checkFor("a", ["a", "b"]);
    const a = await start("a", check);
    const b = await start("b", check);
    // A runs the check (the fleet's rule gives it to A) and starts its one step, which takes 30 s.
    await expect
      .poll(
        async () => (await audit(b, "remediation.decided", check)).map((e) => [e.chain, e.payload.executed]),
        {
          timeout: 20_000,
        },
      )
      .toEqual([["a", true]]);
    await a.stop("SIGKILL");
    // B takes the check within its lease, finds the step A can no longer finish, and escalates.
    await expect
      .poll(async () => (await audit(b, "incident.escalated", check)).map((e) => e.chain), {
        timeout: 15_000,
      })
      .toEqual(["b"]);
    const [escalation] = await audit(b, "incident.escalated", check);
    expect(escalation!.payload.reason).toBe("1 of max_attempts 1 tried; the target has not recovered");
  }, 90_000);

  it("the agent the check moved to while the step ran goes on once the step's agent dies", async () => {
    const check = checkFor("q", ["p", "q"]);
    const p = await start("p", check);
    await expect
      .poll(async () => (await audit(p, "remediation.decided", check)).map((e) => e.chain), {
        timeout: 20_000,
      })
      .toEqual(["p"]);
    // Q joins and the fleet's rule gives it the check; P, alive, goes on with its step.
    const q = await start("q", check);
    await expect
      .poll(
        async () => {
          const res = await api(q, "/api/targets?agents=all");
          const { targets } = (await res.json()) as { targets: { name: string; agent: string | null }[] };
          return targets.find((t) => t.name === check)?.agent;
        },
        { timeout: 20_000 },
      )
      .toBe("q");
    expect(await audit(q, "incident.escalated", check)).toEqual([]);
    await p.stop("SIGKILL");
    await expect
      .poll(async () => (await audit(q, "incident.escalated", check)).map((e) => e.chain), {
        timeout: 15_000,
      })
      .toEqual(["q"]);
  }, 90_000);
});
