/**
 * Supervision under faults, against the real agent with real processes on 127.0.0.1: what a target's
 * state and its incident say must be true when automatic action is paused, after an escalation, and
 * while a target flaps (issue 15, items 16–18).
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { events, fixture, of } from "../helpers/remediation.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Told {
  kind: string;
  title: string;
  text: string;
  incident_id?: string;
}

/** A webhook receiver on 127.0.0.1: every fact each message told (one, or a group's items). */
function receiver() {
  const told: Told[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const body = JSON.parse(raw) as Told & { items?: Told[] };
      told.push(...(body.items ?? [body]));
      res.end("ok");
    });
  });
  const port = new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { told, port };
}

const notify = (port: number) => `notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${port}/vigil" } } }
  routes: [{ to: [hook] }]
  group_wait: 100ms
  group_interval: 100ms
`;

interface Target {
  state: string;
  pid?: number;
  incident_id: string | null;
}
interface Incident {
  id: string;
  failure_class: string;
  status: string;
  escalated: boolean;
  reopened: number;
  timeline: { kind: string; detail: string }[];
}

const target = async (a: RunningAgent, name: string) =>
  (await (await api(a, `/api/targets/${name}`)).json()) as Target;
const incident = async (a: RunningAgent, id: string) =>
  (await (await api(a, `/api/incidents/${id}`)).json()) as Incident;
const post = (a: RunningAgent, p: string) =>
  api(a, p, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

let agent: RunningAgent | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  for (const c of closers.splice(0)) await c();
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

describe("paused is not stopped by hand (16)", () => {
  it("a service killed while paused is down and fails the report; only a person's stop makes it stopped", async () => {
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    restart: { backoff: { initial: 100ms, max: 1s } }
`);
    await expect.poll(async () => (await target(agent!, "web")).state, { timeout: 10_000 }).toBe("up");
    expect((await post(agent, "/api/pause")).status).toBe(200);
    process.kill((await target(agent, "web")).pid!, "SIGKILL");
    await expect.poll(async () => (await target(agent!, "web")).state, { timeout: 10_000 }).toBe("down");
    // Deliberate: while paused the exit is not followed by a restart (backoff 100 ms) for a second.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await target(agent, "web")).state).toBe("down");
    const report = await api(agent, "/ops-report");
    expect(report.status).toBe(503);
    const body = (await report.json()) as { overall_ok: boolean; issues: string[] };
    expect(body.overall_ok).toBe(false);
    expect(body.issues[0]).toMatch(/^web is down since /);
    expect(body.issues.join("\n")).not.toMatch(/by hand/);

    // A person's stop is what "stopped" means: it no longer fails the report, and resume leaves it be.
    expect((await post(agent, "/api/targets/web/stop")).status).toBe(200);
    expect((await target(agent, "web")).state).toBe("stopped");
    expect((await api(agent, "/ops-report")).status).toBe(200);
    expect((await post(agent, "/api/resume")).status).toBe(200);
    // Deliberate: for a second after resume, the service stopped by hand stays stopped.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await target(agent, "web")).state).toBe("stopped");
    expect(of(await events(agent), "service.started", "web")).toHaveLength(1);
  });
});

describe("an escalation does not swallow a relapse (17)", () => {
  it("a relapse after an escalated episode is told again and healed again within the restart budget", async () => {
    const rx = receiver();
    const dir = tempDir("vigil-relapse-");
    const sickFile = path.join(dir, "sick");
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
${notify(await rx.port)}remediation: { max_attempts: 1, cooldown: 100ms, verify_within: 1s }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}", SICK_FILE: "${sickFile}" }
    port: ${port}
    restart: { backoff: { initial: 100ms, max: 1s }, max_restarts: 100, window: 1m }
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 200ms, timeout: 500ms, fail_after: 2, start_period: 2s }
`,
      { dir },
    );
    const healthRestarts = async () =>
      of(await events(agent!), "service.restart_scheduled", "web").filter((e) =>
        String(e.payload.reason).startsWith("health check failing"),
      ).length;
    await expect.poll(async () => (await target(agent!, "web")).state, { timeout: 10_000 }).toBe("up");

    // Episode 1: sick through its one restart, so max_attempts 1 is spent and a person is called.
    fs.writeFileSync(sickFile, "");
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated", "web").length, { timeout: 20_000 })
      .toBe(1);
    expect(await healthRestarts()).toBe(1);
    fs.rmSync(sickFile);
    await expect
      .poll(async () => of(await events(agent!), "incident.resolved", "web").length, { timeout: 10_000 })
      .toBe(1);

    // Episode 2, within the reopen window: the same incident reopens, and is acted on again.
    fs.writeFileSync(sickFile, "");
    await expect
      .poll(async () => of(await events(agent!), "incident.opened", "web").length, { timeout: 10_000 })
      .toBe(2);
    await expect.poll(healthRestarts, { timeout: 15_000 }).toBe(2);
    const evs = await events(agent);
    const opened = of(evs, "incident.opened", "web");
    expect(opened.map((e) => e.payload.reopened)).toEqual([false, true]);
    const id = String(opened[0]!.payload.incident_id);
    expect(opened[1]!.payload.incident_id).toBe(id);
    // Told again: the reopening, and (its one attempt spent again) the new escalation.
    await expect
      .poll(
        () => rx.told.filter((t) => t.kind === "incident.opened" && /went down again/.test(t.text)).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(1);
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated", "web").length, { timeout: 20_000 })
      .toBe(2);
    await expect
      .poll(() => rx.told.filter((t) => t.kind === "incident.escalated").length, { timeout: 10_000 })
      .toBe(2);
    const shown = await incident(agent, id);
    expect(shown).toMatchObject({ status: "open", reopened: 1, escalated: true });
    expect(shown.timeline.map((t) => t.kind)).toContain("rearmed");
    fs.rmSync(sickFile);
    await expect.poll(async () => (await target(agent!, "web")).state, { timeout: 10_000 }).toBe("up");
  }, 90_000);
});

describe("flapping is an incident (18)", () => {
  it("a target that starts flapping opens one flapping incident, told once, its changes on the timeline", async () => {
    const rx = receiver();
    const dir = tempDir("vigil-flap-");
    const flag = path.join(dir, "ok");
    fs.writeFileSync(flag, "");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
${notify(await rx.port)}checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 100ms, fail_after: 1, flap: { window: 1m, max_changes: 2 } }
`,
      { dir },
    );
    const state = async () => (await target(agent!, "flag")).state;
    const lastOk = async () =>
      ((await (await api(agent!, "/api/targets/flag")).json()) as { last_result: { ok: boolean } | null })
        .last_result?.ok;
    await expect.poll(state, { timeout: 10_000 }).toBe("up");
    fs.rmSync(flag); // change 1: down
    await expect.poll(state, { timeout: 10_000 }).toBe("down");
    fs.writeFileSync(flag, ""); // change 2: up
    await expect.poll(state, { timeout: 10_000 }).toBe("up");
    fs.rmSync(flag); // change 3, past max_changes 2: flapping
    await expect.poll(state, { timeout: 10_000 }).toBe("flapping");

    await expect
      .poll(async () => (await target(agent!, "flag")).incident_id, { timeout: 10_000 })
      .not.toBeNull();
    const id = (await target(agent, "flag")).incident_id!;
    expect(await incident(agent, id)).toMatchObject({ failure_class: "flapping", status: "open" });
    await expect
      .poll(() => rx.told.filter((t) => t.incident_id === id && t.kind === "incident.opened").length, {
        timeout: 10_000,
      })
      .toBe(1);
    const [told] = rx.told.filter((t) => t.incident_id === id);
    expect(told!.title).toBe("flag is flapping");

    // It keeps flipping, then fails steadily: still flapping, still one incident, told once.
    fs.writeFileSync(flag, "");
    await expect.poll(lastOk, { timeout: 10_000 }).toBe(true);
    fs.rmSync(flag);
    await expect.poll(lastOk, { timeout: 10_000 }).toBe(false);
    // Deliberate: a second of steady failure, to see that nothing more is opened or told.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await state()).toBe("flapping");
    const evs = await events(agent);
    expect(
      of(evs, "incident.opened", "flag").filter((e) => e.payload.failure_class === "flapping"),
    ).toHaveLength(1);
    // Nothing to try while it flaps, and nothing to escalate: it waits until it settles.
    expect(of(evs, "incident.escalated", "flag").filter((e) => e.payload.incident_id === id)).toHaveLength(0);
    expect(rx.told.filter((t) => t.incident_id === id && t.kind === "incident.opened")).toHaveLength(1);
    const { timeline } = await incident(agent, id);
    expect(timeline[0]!.detail).toBe(
      "flag is flapping: 3 up/down changes within 1m; remediation waits until it settles",
    );
    // The flips while flapping are on its timeline, passing and failing.
    const results = timeline.filter((t) => t.kind === "result").map((t) => t.detail);
    expect(results).toContain("check passed");
    expect(results.some((d) => d !== "check passed")).toBe(true);
  });
});
