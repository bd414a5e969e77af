/**
 * Each agent goes on with its own incidents: two real agents on one PostgreSQL schema. An agent
 * that starts next to another does not take the other's open incident as its own (before, it did,
 * and escalated it for want of a runbook it never had); the agent whose incident it is takes it up
 * again after a restart.
 */
import { afterAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_fleet_incidents");
const agents: RunningAgent[] = [];

interface AuditEvent {
  type: string;
  subject: string;
  actor: string;
}

/**
 * A's check has a runbook step; in observe mode A only notes what it would do, so its incident stays
 * open and unescalated. B's check has none: B escalates it on its first look.
 */
const configA = (mode: string) =>
  `agent: { name: a, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s, mode: ${mode} }
remediation: { max_attempts: 1, cooldown: 100ms, verify_within: 500ms }
actions:
  fix: { run: ["true"], risk: auto }
checks:
  a-check: { command: { run: ["false"] }, every: 300ms, fail_after: 1, remediate: [fix] }
`;
const configB = `agent: { name: b, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
checks:
  b-check: { command: { run: ["false"] }, every: 300ms, fail_after: 1 }
`;

/** Starts are slow on a loaded machine: an agent gets a minute, not the helper's default 15 s. */
async function start(yaml: string): Promise<RunningAgent> {
  const a = await startAgent(yaml, { timeoutMs: 60_000 });
  agents.push(a);
  return a;
}

/** How many events of `type` about `subject` the shared audit log holds, read through `a`. */
const count = async (a: RunningAgent, type: string, subject: string) =>
  ((await (await api(a, "/api/audit?limit=1000")).json()) as { events: AuditEvent[] }).events.filter(
    (e) => e.type === type && e.subject === subject,
  ).length;
const escalated = (a: RunningAgent, subject: string) => count(a, "incident.escalated", subject);
const opened = (a: RunningAgent, subject: string) => count(a, "incident.opened", subject);

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 60_000);

describe("incidents on one PostgreSQL", () => {
  it("an agent leaves another's open incident alone, and its own agent takes it up after a restart", async () => {
    let a = await start(configA("observe"));
    await expect.poll(() => opened(a, "a-check"), { timeout: 20_000 }).toBe(1);

    // B's own failing check, no runbook: escalated on B's first look at its open incidents.
    const b = await start(configB);
    await expect.poll(() => escalated(b, "b-check"), { timeout: 20_000 }).toBe(1);
    // B has looked at every open incident it holds, and A's is not one of them.
    expect(await escalated(b, "a-check")).toBe(0);
    const [incident] = (
      (await (await api(b, "/api/incidents?status=open")).json()) as {
        incidents: { target: string; escalated: boolean }[];
      }
    ).incidents.filter((i) => i.target === "a-check");
    expect(incident).toMatchObject({ target: "a-check", escalated: false });

    // A again, now acting: it finds its incident open (no second one), tries its step, escalates it.
    await a.stop("SIGTERM");
    a = await start(configA("auto"));
    await expect.poll(() => escalated(a, "a-check"), { timeout: 20_000 }).toBe(1);
    expect(await opened(a, "a-check")).toBe(1);
  }, 120_000);
});
