/**
 * `GET /ops-report` on the real agent against a real HTTP endpoint on 127.0.0.1 that the test turns
 * bad and good again: 200 while all is up, 503 with an issue naming the check while it is down, 200
 * once it recovers; the kill switch is said but does not fail the report.
 */
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";

interface Report {
  timestamp: string;
  overall_ok: boolean;
  summary: string;
  paused: boolean;
  targets: { name: string; kind: string; state: string; since: string; incident_id: string | null }[];
  incidents: { id: string; target: string; failure_class: string; opened_at: string; escalated: boolean }[];
  issues: string[];
}

const viewer = "viewer-token-0123456789abcdef";
let status = 200;
const server = http.createServer((_req, res) => {
  res.statusCode = status;
  res.end(status === 200 ? "ok" : "broken");
});
let agent: RunningAgent;
let agentConfig = "";

const report = async (token?: string) => {
  const res = await api(agent, "/ops-report", token === undefined ? {} : { token });
  return { status: res.status, body: (await res.json()) as Report };
};

beforeAll(async () => {
  const port = await new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  agentConfig = `agent: { listen: "127.0.0.1:0" }
auth:
  tokens: [{ name: watcher, role: viewer, token: ${viewer} }]
checks:
  api:
    http: { url: "http://127.0.0.1:${port}/health" }
    expect: ["[STATUS] == 200"]
    every: 200ms
    fail_after: 1
    recover_after: 1
`;
  agent = await startAgent(agentConfig);
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await new Promise<void>((r) => server.close(() => r()));
});

describe("GET /ops-report", () => {
  it("needs a viewer token", async () => {
    expect((await api(agent, "/ops-report", { token: null })).status).toBe(401);
  });

  it("all up: 200 with the targets and no issues", async () => {
    await expect
      .poll(async () => (await report(viewer)).body.targets.find((t) => t.name === "api")?.state, {
        timeout: 10_000,
      })
      .toBe("up");
    const r = await report(viewer);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ overall_ok: true, paused: false, incidents: [], issues: [] });
    expect(Date.parse(r.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.body.targets).toEqual([
      {
        name: "api",
        kind: "check",
        state: "up",
        since: expect.stringMatching(/Z$/) as string,
        incident_id: null,
      },
    ]);
  });

  it("a failing check: 503, an issue line naming it and why, its open incident; 200 again once it recovers", async () => {
    status = 500;
    await expect.poll(async () => (await report()).status, { timeout: 10_000 }).toBe(503);
    const down = await report();
    expect(down.body.overall_ok).toBe(false);
    expect(down.body.issues[0]).toMatch(
      /^api is down since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: \[STATUS\] \(500\) == 200/,
    );
    await expect
      .poll(async () => (await report()).body.incidents.map((i) => i.target), { timeout: 10_000 })
      .toEqual(["api"]);
    const withIncident = await report();
    // A check with no runbook has nothing to try: its incident goes to a person at once.
    expect(withIncident.body.incidents[0]).toMatchObject({
      target: "api",
      failure_class: "http_5xx",
      escalated: true,
    });
    expect(withIncident.body.issues).toContainEqual(
      expect.stringMatching(/^api escalated: .+ \(incident [\w-]+, open since .+ UTC\)$/),
    );
    expect(withIncident.body.targets[0]!.incident_id).toBe(withIncident.body.incidents[0]!.id);

    status = 200;
    await expect.poll(async () => (await report()).status, { timeout: 10_000 }).toBe(200);
    await expect.poll(async () => (await report()).body.incidents, { timeout: 10_000 }).toEqual([]);
    expect((await report()).body.issues).toEqual([]);
  });

  it("the kill switch is said (who and why) but does not fail the report", async () => {
    const pause = await api(agent, "/api/pause", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "deploy" }),
    });
    expect(pause.status).toBe(200);
    const r = await report();
    expect(r.status).toBe(200);
    expect(r.body.paused).toBe(true);
    expect(r.body.issues).toEqual([
      expect.stringMatching(
        /^automatic actions are paused \(by admin: deploy\) since .* UTC; `vigil resume` ends it$/,
      ),
    ]);
    await api(agent, "/api/resume", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "done" }),
    });
    expect((await report()).body.issues).toEqual([]);
  });

  it("agent.public_ops_report: the status and the overall line to anyone, the details to a token", async () => {
    const pub = await startAgent(
      agentConfig.replace(
        'agent: { listen: "127.0.0.1:0" }',
        'agent: { listen: "127.0.0.1:0", public_ops_report: true }',
      ),
    );
    try {
      const open = async () => {
        const res = await api(pub, "/ops-report", { token: null });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      await expect.poll(async () => (await open()).status, { timeout: 10_000 }).toBe(200);
      expect((await open()).body).toEqual({
        timestamp: expect.stringMatching(/Z$/) as string,
        overall_ok: true,
        summary: "all is well",
      });
      status = 500;
      await expect.poll(async () => (await open()).status, { timeout: 10_000 }).toBe(503);
      const down = (await open()).body;
      expect(Object.keys(down).sort()).toEqual(["overall_ok", "summary", "timestamp"]);
      expect(down.summary).toMatch(/^\d+ issues? needs? a person/);
      expect(JSON.stringify(down)).not.toContain("api");
      const detailed = await api(pub, "/ops-report", { token: viewer });
      expect(detailed.status).toBe(503);
      expect(((await detailed.json()) as Report).issues[0]).toMatch(/^api is down/);
    } finally {
      status = 200;
      await pub.stop("SIGTERM");
    }
  });
});
