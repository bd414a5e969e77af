/**
 * An alert routed to another agent of a fleet: two real agents on one PostgreSQL schema, Alertmanager's
 * post reaching web-1 while the route names web-2 (or, naming no agent, the alert's instance is
 * web-2:9100). The target, the incident and the runbook's run are web-2's; web-1 only hands the
 * alert over (the shared `routed_alerts` table) and audits it.
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
const slowMarker = path.join(dir, "slow");
const operator = "alertmanager-operator-token-0123456789";

const yaml = (
  name: string,
) => `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
auth:
  tokens: [{ name: am, role: operator, token: ${operator} }]
actions:
  note: { run: ["sh", "-c", "echo ${name} >> '${marker}'"], risk: auto }
  slow: { run: ["sh", "-c", "echo ${name} >> '${slowMarker}'"], risk: auto }
alertmanager:
  routes:
    - { match: { alertname: DiskFull, instance: "host-2:9100" }, remediate: [note], agent: web-2 }
    - { match: { alertname: NodeSlow }, remediate: [slow] }
`;

const labels = { alertname: "DiskFull", instance: "host-2:9100", severity: "critical" };
const target = "alert/DiskFull/host-2:9100";

function post(
  a: RunningAgent,
  status: "firing" | "resolved",
  over: { labels?: Record<string, string>; fingerprint?: string } = {},
): Promise<Response> {
  const alert = {
    status,
    labels: over.labels ?? labels,
    annotations: { summary: "disk full" },
    startsAt: "2026-12-06T10:00:00Z",
    endsAt: status === "resolved" ? "2026-12-06T10:05:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "",
    fingerprint: over.fingerprint ?? "f00d",
  };
  const body = {
    version: "4",
    groupKey: "{}:{}",
    status,
    receiver: "vigil",
    groupLabels: {},
    commonLabels: alert.labels,
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

async function state(a: RunningAgent, name = target): Promise<string | undefined> {
  const res = await api(a, `/api/targets/${encodeURIComponent(name)}`);
  return res.status === 200 ? ((await res.json()) as { state: string }).state : undefined;
}

async function incident(a: RunningAgent, name = target): Promise<string | undefined> {
  const res = await api(a, "/api/incidents?limit=100");
  const all = ((await res.json()) as { incidents: { target: string; status: string }[] }).incidents;
  return all.find((i) => i.target === name)?.status;
}

const slowText = () => (fs.existsSync(slowMarker) ? fs.readFileSync(slowMarker, "utf8") : "");

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("an alert routed to another agent of the fleet", () => {
  it("becomes the named agent's (or the one its instance names) target, incident and run, and resolves there", async () => {
    const one = await startAgent(yaml("web-1"), { dir: tempDir("vigil-fleet-am-1-"), timeoutMs: 60_000 });
    agents.push(one);
    const two = await startAgent(yaml("web-2"), { dir: tempDir("vigil-fleet-am-2-"), timeoutMs: 60_000 });
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

    // A route without agent: the live agent the alert's instance names takes it.
    const onTwo = { alertname: "NodeSlow", instance: "web-2:9100" };
    const byInstance = await post(one, "firing", { labels: onTwo, fingerprint: "5107" });
    expect(byInstance.status).toBe(200);
    expect(await byInstance.json()).toEqual({
      alerts: [
        {
          fingerprint: "5107",
          status: "firing",
          target: "alert/NodeSlow/web-2:9100",
          state: null,
          agent: "web-2",
        },
      ],
    });
    await expect.poll(() => state(two, "alert/NodeSlow/web-2:9100"), { timeout: 10_000 }).toBe("down");
    await expect.poll(slowText, { timeout: 10_000 }).toBe("web-2\n");
    expect(await state(one, "alert/NodeSlow/web-2:9100")).toBeUndefined();
    // Its resolution follows it to web-2.
    expect((await post(one, "resolved", { labels: onTwo, fingerprint: "5107" })).status).toBe(200);
    await expect.poll(() => incident(two, "alert/NodeSlow/web-2:9100"), { timeout: 10_000 }).toBe("resolved");

    // An instance no agent of the fleet is, or has as its host: the receiving agent takes it.
    const elsewhere = { alertname: "NodeSlow", instance: "printer-7:9100" };
    const local = await post(one, "firing", { labels: elsewhere, fingerprint: "9999" });
    expect(((await local.json()) as { alerts: { agent?: string; state: string }[] }).alerts).toEqual([
      { fingerprint: "9999", status: "firing", target: "alert/NodeSlow/printer-7:9100", state: "down" },
    ]);
    await expect.poll(slowText, { timeout: 10_000 }).toBe("web-2\nweb-1\n");
  }, 120_000);
});
