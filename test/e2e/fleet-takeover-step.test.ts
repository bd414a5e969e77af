/**
 * A shared check whose agent dies in the middle of a remediation step: two real agents on one
 * PostgreSQL schema, the check failing against a real HTTP server on 127.0.0.1. The agent that
 * takes the check over interrupts the dead agent's step and goes on with the incident (here: its
 * one attempt is spent, so it escalates), instead of waiting for a step nobody is running.
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
// A name the fleet gives to agent a while both are alive, by the fleet's own rule.
const check = Array.from({ length: 50 }, (_, i) => `site-${i}`).find((c) => owner(c, ["a", "b"]) === "a")!;

interface AuditEvent {
  type: string;
  subject: string;
  chain?: string;
  payload: Record<string, unknown>;
}

const config = (name: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
remediation: { max_attempts: 1, cooldown: 100ms, verify_within: 30s }
actions:
  slow-fix: { run: ["sleep", "10"], risk: auto, timeout: 15s }
checks:
  ${check}: { http: { url: "http://127.0.0.1:${port}/" }, every: 300ms, fail_after: 1, remediate: [slow-fix] }
`;

async function start(name: string): Promise<RunningAgent> {
  const a = await startAgent(config(name), { timeoutMs: 60_000 });
  agents.push(a);
  return a;
}

const audit = async (a: RunningAgent, type: string) =>
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
    const a = await start("a");
    const b = await start("b");
    // A runs the check (the fleet's rule gives it to A) and starts its one step, which takes 10 s.
    await expect
      .poll(async () => (await audit(b, "remediation.decided")).map((e) => [e.chain, e.payload.executed]), {
        timeout: 20_000,
      })
      .toEqual([["a", true]]);
    await a.stop("SIGKILL");
    // B takes the check within its lease, finds the step A can no longer finish, and escalates.
    await expect
      .poll(async () => (await audit(b, "incident.escalated")).map((e) => e.chain), { timeout: 15_000 })
      .toEqual(["b"]);
    const [escalation] = await audit(b, "incident.escalated");
    expect(escalation!.payload.reason).toBe("1 of max_attempts 1 tried; the target has not recovered");
  }, 90_000);
});
