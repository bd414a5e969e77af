/**
 * `POST /api/alertmanager` on the real daemon, with payloads as Alertmanager sends them: who may
 * post, what is refused and how it is named, repeats that change nothing, one target per alertname
 * and instance, and alert targets that outlive a restart of the agent.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

const operator = "alertmanager-operator-token-0123456789";
const viewer = "alertmanager-viewer-token-0123456789";

let agent: RunningAgent | undefined;
let dir: string | undefined;
afterEach(async () => {
  await agent?.stop("SIGTERM");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  agent = dir = undefined;
});

function yaml(marker: string, extra = ""): string {
  return `agent: { listen: "127.0.0.1:0" }${extra}
auth:
  tokens:
    - { name: am, role: operator, token: ${operator} }
    - { name: watcher, role: viewer, token: ${viewer} }
actions:
  note: { run: ["sh", "-c", "echo ran >> '${marker}'"], risk: auto }
alertmanager:
  routes: [{ match: { alertname: DiskFull, instance: "host-1:9100" }, remediate: [note] }]
`;
}

function alert(status: "firing" | "resolved", fingerprint: string, labels: Record<string, string>) {
  return {
    status,
    labels,
    annotations: { summary: `disk full on ${labels.instance ?? "?"}` },
    startsAt: "2026-12-06T10:00:00Z",
    endsAt: status === "resolved" ? "2026-12-06T10:05:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph",
    fingerprint,
  };
}

function payload(alerts: ReturnType<typeof alert>[]) {
  return {
    version: "4",
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "vigil",
    groupLabels: { alertname: "DiskFull" },
    commonLabels: { alertname: "DiskFull" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts,
  };
}

function post(a: RunningAgent, body: unknown, token: string | null = operator): Promise<Response> {
  return api(a, "/api/alertmanager", {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const host1 = { alertname: "DiskFull", instance: "host-1:9100", severity: "critical" };
const host2 = { alertname: "DiskFull", instance: "host-2:9100", severity: "critical" };

interface Incident {
  id: string;
  target: string;
  status: string;
}

async function incidents(a: RunningAgent): Promise<Incident[]> {
  return ((await (await api(a, "/api/incidents?limit=100")).json()) as { incidents: Incident[] }).incidents;
}

async function alertEvents(a: RunningAgent): Promise<{ subject: string; payload: { status: string } }[]> {
  const body = (await (await api(a, "/api/audit?limit=1000")).json()) as {
    events: { type: string; subject: string; payload: { status: string } }[];
  };
  return body.events.filter((e) => e.type === "alert.received");
}

async function target(a: RunningAgent, name: string) {
  const res = await api(a, `/api/targets/${encodeURIComponent(name)}`);
  return res.status === 200
    ? ((await res.json()) as { state: string; labels?: Record<string, string> })
    : undefined;
}

describe("POST /api/alertmanager", () => {
  it("takes an operator's token only, and names what is wrong with a payload", async () => {
    dir = tempDir("vigil-am-");
    agent = await startAgent(yaml(path.join(dir, "ran")), { dir });
    const good = payload([alert("firing", "aaa1", host1)]);
    expect((await post(agent, good, null)).status).toBe(401);
    expect((await post(agent, good, viewer)).status).toBe(403);

    const cases: [unknown, string][] = [
      [{ ...good, version: "3" }, 'version: the webhook payload version "4"'],
      [{ ...good, alerts: {} }, "alerts: a JSON array of alerts"],
      [{ ...good, extra: 1 }, 'body: unknown field "extra"'],
      [
        payload([{ ...alert("firing", "aaa1", host1), status: "pending" as "firing" }]),
        "alerts: [0].status: firing or resolved",
      ],
      [
        payload([alert("firing", "aaa1", { instance: "x" })]),
        "alerts: [0].labels: alertname: every alert needs one",
      ],
      [payload([alert("firing", "no spaces!", host1)]), "alerts: [0].fingerprint"],
      [
        payload([alert("firing", "aaa1", { ...host1, summary: "x".repeat(2000) })]),
        "summary: at most 1024 characters",
      ],
      [payload(Array.from({ length: 501 }, (_, i) => alert("firing", `f${i}`, host1))), "at most 500 alerts"],
    ];
    for (const [body, message] of cases) {
      const res = await post(agent, body);
      const err = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect([res.status, err.code, err.message], JSON.stringify(body).slice(0, 200)).toEqual([
        400,
        "VALIDATION_FAILED",
        expect.stringContaining(message),
      ]);
    }
    // Nothing of the refused posts became a target.
    expect(await target(agent, "alert/DiskFull/host-1:9100")).toBeUndefined();
  });

  it("opens one incident per target, dedups repeats, runs the matching route, and resolves", async () => {
    dir = tempDir("vigil-am-");
    const marker = path.join(dir, "ran");
    agent = await startAgent(yaml(marker), { dir });
    const a = agent;

    const first = await post(a, payload([alert("firing", "aaa1", host1), alert("firing", "bbb2", host2)]));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      alerts: [
        { fingerprint: "aaa1", status: "firing", target: "alert/DiskFull/host-1:9100", state: "down" },
        { fingerprint: "bbb2", status: "firing", target: "alert/DiskFull/host-2:9100", state: "down" },
      ],
    });
    expect((await target(a, "alert/DiskFull/host-1:9100"))?.labels).toEqual(host1);
    // Alertmanager's resends (repeat_interval, its own restart): nothing new opens or is recorded.
    for (let i = 0; i < 3; i++)
      expect((await post(a, payload([alert("firing", "aaa1", host1)]))).status).toBe(200);

    await expect.poll(() => fs.existsSync(marker), { timeout: 10_000 }).toBe(true);
    const open = (await incidents(a)).filter((i) => i.status !== "resolved");
    expect(open.map((i) => i.target).sort()).toEqual([
      "alert/DiskFull/host-1:9100",
      "alert/DiskFull/host-2:9100",
    ]);
    expect((await alertEvents(a)).map((e) => [e.subject, e.payload.status])).toEqual([
      ["alert/DiskFull/host-1:9100", "firing"],
      ["alert/DiskFull/host-2:9100", "firing"],
    ]);

    // A second alert on host-1 (another mountpoint): the target stays down until both resolved.
    await post(a, payload([alert("firing", "ccc3", { ...host1, mountpoint: "/var" })]));
    await post(a, payload([alert("resolved", "aaa1", host1)]));
    expect((await target(a, "alert/DiskFull/host-1:9100"))?.state).toBe("down");
    await post(a, payload([alert("resolved", "ccc3", { ...host1, mountpoint: "/var" })]));
    expect((await target(a, "alert/DiskFull/host-1:9100"))?.state).toBe("up");
    await expect
      .poll(async () => (await incidents(a)).find((i) => i.target === "alert/DiskFull/host-1:9100")?.status)
      .toBe("resolved");

    // Only host-1's route matched (its instance): host-2's alert ran no runbook.
    const ran = fs.readFileSync(marker, "utf8").trim().split("\n");
    expect(ran).toEqual(["ran"]);
  });

  it("keeps alert targets and their open incident across a restart; the resolution closes it", async () => {
    dir = tempDir("vigil-am-");
    agent = await startAgent(yaml(path.join(dir, "ran")), { dir });
    await post(agent, payload([alert("firing", "bbb2", host2)]));
    const before = (await incidents(agent)).find((i) => i.target === "alert/DiskFull/host-2:9100");
    expect(before?.status).not.toBe("resolved");
    await agent.stop("SIGTERM");

    agent = await startAgent(yaml(path.join(dir, "ran")), { dir });
    const a = agent;
    expect(await target(a, "alert/DiskFull/host-2:9100")).toMatchObject({ state: "down", labels: host2 });
    // A resend after the restart is a repeat, not a new incident.
    await post(a, payload([alert("firing", "bbb2", host2)]));
    await post(a, payload([alert("resolved", "bbb2", host2)]));
    await expect
      .poll(async () => (await incidents(a)).filter((i) => i.target === "alert/DiskFull/host-2:9100"))
      .toEqual([expect.objectContaining({ id: before!.id, status: "resolved" })]);
    expect((await alertEvents(a)).map((e) => e.payload.status)).toEqual(["firing", "resolved"]);
  });

  it("holds an alert's runbook in its target's maintenance window, as a check's", async () => {
    dir = tempDir("vigil-am-");
    const marker = path.join(dir, "ran");
    const window = `
maintenance:
  - { targets: [alert/DiskFull/host-1:9100], cron: "* * * * *", duration: 1h, reason: "always, in this test" }`;
    agent = await startAgent(yaml(marker, window), { dir });
    const a = agent;
    expect((await post(a, payload([alert("firing", "aaa1", host1)]))).status).toBe(200);
    const decided = async () => {
      const body = (await (await api(a, "/api/audit?limit=1000")).json()) as {
        events: { type: string; subject: string; payload: { executed: boolean; explanation: string } }[];
      };
      return body.events.filter(
        (e) => e.type === "remediation.decided" && e.subject === "alert/DiskFull/host-1:9100",
      );
    };
    await expect.poll(async () => (await decided()).length, { timeout: 10_000 }).toBe(1);
    const [d] = await decided();
    expect(d!.payload.executed).toBe(false);
    expect(d!.payload.explanation).toMatch(
      /^in a maintenance window since .* \(always, in this test\): would note/,
    );
    expect(fs.existsSync(marker)).toBe(false);
  });
});
