/**
 * An alert routed to another agent of a fleet: two real agents on one PostgreSQL schema, Alertmanager's
 * post reaching web-1 while the route names web-2. The target, the incident and the runbook's run
 * are web-2's; web-1 only hands the alert over (the shared `routed_alerts` table) and audits it.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/tmp.ts";

const schema = testSchema("vigil_fleet_am");
const agents: RunningAgent[] = [];
const dir = tempDir("vigil-fleet-am-");
const marker = path.join(dir, "ran");
const operator = "alertmanager-operator-token-0123456789";

const yaml = (
  name: string,
) => `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
auth:
  tokens: [{ name: am, role: operator, token: ${operator} }]
actions:
  note: { run: ["sh", "-c", "echo ${name} >> '${marker}'"], risk: auto }
alertmanager:
  routes:
    - { match: { alertname: DiskFull, instance: "host-2:9100" }, remediate: [note], agent: web-2 }
`;

const labels = { alertname: "DiskFull", instance: "host-2:9100", severity: "critical" };
const target = "alert/DiskFull/host-2:9100";

function post(a: RunningAgent, status: "firing" | "resolved"): Promise<Response> {
  const alert = {
    status,
    labels,
    annotations: { summary: "disk full" },
    startsAt: "2026-12-06T10:00:00Z",
    endsAt: status === "resolved" ? "2026-12-06T10:05:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "",
    fingerprint: "f00d",
  };
  const body = {
    version: "4",
    groupKey: "{}:{}",
    status,
    receiver: "vigil",
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts: [alert],
  };
  return api(a, "/api/alertmanager", {
    method: "POST",
    token: operator,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function state(a: RunningAgent): Promise<string | undefined> {
  const res = await api(a, `/api/targets/${encodeURIComponent(target)}`);
  return res.status === 200 ? ((await res.json()) as { state: string }).state : undefined;
}

async function incident(a: RunningAgent): Promise<string | undefined> {
  const res = await api(a, "/api/incidents?limit=100");
  const all = ((await res.json()) as { incidents: { target: string; status: string }[] }).incidents;
  return all.find((i) => i.target === target)?.status;
}

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("an alert routed to another agent of the fleet", () => {
  it("becomes the named agent's target, incident and runbook run, and resolves there", async () => {
    const one = await startAgent(yaml("web-1"), { dir: tempDir("vigil-fleet-am-1-") });
    agents.push(one);
    const two = await startAgent(yaml("web-2"), { dir: tempDir("vigil-fleet-am-2-") });
    agents.push(two);

    const res = await post(one, "firing");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      alerts: [{ fingerprint: "f00d", status: "firing", target, state: null, agent: "web-2" }],
    });
    await expect.poll(() => state(two), { timeout: 10_000 }).toBe("down");
    await expect
      .poll(() => fs.existsSync(marker) && fs.readFileSync(marker, "utf8"), { timeout: 10_000 })
      .toBe("web-2\n");
    expect(await state(one)).toBeUndefined();

    // A repeat through web-1 changes nothing on web-2; the resolution closes web-2's incident.
    expect((await post(one, "firing")).status).toBe(200);
    expect((await post(one, "resolved")).status).toBe(200);
    await expect.poll(() => state(two), { timeout: 10_000 }).toBe("up");
    await expect.poll(() => incident(two), { timeout: 10_000 }).toBe("resolved");
    expect(fs.readFileSync(marker, "utf8")).toBe("web-2\n");
    const left = await pgAdmin(`SELECT COUNT(*)::int AS n FROM ${schema.name}.routed_alerts`);
    expect(left.rows[0]?.n).toBe(0);

    // web-1 audited the hand-over, web-2 the alert's changes (one firing, one resolution).
    const audit = (await (await api(two, "/api/audit?limit=1000")).json()) as {
      events: { type: string; actor: string; payload: { status: string; agent?: string } }[];
    };
    const routed = audit.events.filter((e) => e.type === "alert.routed");
    expect(routed.map((e) => [e.payload.status, e.payload.agent])).toEqual([
      ["firing", "web-2"],
      ["firing", "web-2"],
      ["resolved", "web-2"],
    ]);
    const received = audit.events.filter((e) => e.type === "alert.received");
    expect(received.map((e) => [e.payload.status, e.actor])).toEqual([
      ["firing", "am via web-1"],
      ["resolved", "am via web-1"],
    ]);
  }, 60_000);
});
