/**
 * Supervision, black-box, as timelines against the real agent with real processes on 127.0.0.1.
 * Tolerances are generous: speed is measured by `npm run bench`, not asserted here.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { alive, freePort } from "../helpers/net.ts";
import { SqliteDb } from "../../src/store/sqlite/db.ts";

const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

interface Target {
  name: string;
  state: string;
  pid?: number;
  restarts: number;
  last_result: { ok: boolean; explanation: string } | null;
}

const target = async (a: RunningAgent, name: string) =>
  (await (await api(a, `/api/targets/${name}`)).json()) as Target;
const events = async (a: RunningAgent) =>
  (
    (await (await api(a, "/api/audit?tail=1000")).json()) as {
      events: { type: string; subject: string; payload: Record<string, unknown> }[];
    }
  ).events;

/**
 * A service of the fixture with a health check. `start_period`: 2 s for a fresh process to listen
 * before a failed check counts, as a startupProbe gives a Kubernetes pod. Its first check comes at
 * once, and a loaded machine can take longer than fail_after × 250 ms to start node: without it, that
 * slow start would be an incident and a restart that no test here is about.
 */
function service(name: string, port: number, extra = "", env = "") {
  return `  ${name}:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}"${env} }
    port: ${port}
    restart: { backoff: { initial: 100ms, max: 1s }, min_uptime: 1s, max_restarts: 3, window: 1m, retry_after_failed: false }
    stop: { timeout: 1s }
    health:
      http: { url: "http://127.0.0.1:${port}/health" }
      every: 250ms
      timeout: 200ms
      fail_after: 2
      start_period: 2s
      expect: ["[STATUS] == 200", "[BODY].status == ok"]
${extra}`;
}

describe("services", () => {
  it("starts a service, reports it up with a passing health check, and heals a SIGKILL", async () => {
    const port = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }\nservices:\n${service("web", port)}`);
    await expect.poll(async () => (await target(agent!, "web")).state, { timeout: 10_000 }).toBe("up");
    const before = await target(agent, "web");
    expect(before.last_result).toMatchObject({ ok: true, explanation: "ok" });
    process.kill(before.pid!, "SIGKILL");
    const killedAt = Date.now();
    await expect
      .poll(
        async () => {
          const t = await target(agent!, "web");
          return t.state === "up" && t.pid !== before.pid;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const after = await target(agent, "web");
    expect(after.restarts).toBe(1);
    const types = (await events(agent)).filter((e) => e.subject === "web").map((e) => e.type);
    expect(types).toContain("service.exited");
    expect(types).toContain("service.restart_scheduled");
  });

  it("restarts a live but hung service after fail_after failed health checks", async () => {
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }\nservices:\n${service("hang", port, "", ', HANG_AFTER: "3000"')}`,
    );
    await expect.poll(async () => (await target(agent!, "hang")).state, { timeout: 10_000 }).toBe("up");
    const first = (await target(agent, "hang")).pid!;
    await expect
      .poll(async () => (await target(agent!, "hang")).pid !== first, { timeout: 15_000 })
      .toBe(true);
    expect(alive(first)).toBe(false);
    const ev = (await events(agent)).filter((e) => e.subject === "hang");
    const down = ev.find((e) => e.type === "target.state" && e.payload.to === "down");
    expect(down?.payload.reason).toMatch(/timed out|timeout/);
    expect(
      ev.some(
        (e) =>
          e.type === "service.restart_scheduled" &&
          String(e.payload.reason).startsWith("health check failing"),
      ),
    ).toBe(true);
  });

  it("a service that hangs before its first good check is checked at every_failing and restarted", async () => {
    // Still `starting` (never up), so not in a failing state: the failed result alone must bring
    // the short interval, or fail_after 2 would take 2 x 30 s here.
    const port = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
services:
  early:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}", HANG_AFTER: "100" }
    port: ${port}
    stop: { timeout: 0ms }
    restart: { max_restarts: 100, window: 1m }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 30s, every_failing: 250ms, timeout: 200ms, fail_after: 2 }
`);
    await expect
      .poll(async () => (await target(agent!, "early")).pid, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const first = (await target(agent, "early")).pid!;
    await expect
      .poll(async () => (await target(agent!, "early")).pid !== first, { timeout: 20_000, interval: 200 })
      .toBe(true);
    const ev = (await events(agent)).filter((e) => e.subject === "early");
    expect(ev.some((e) => e.type === "target.state" && e.payload.to === "down")).toBe(true);
  });

  it("a crash loop ends in failed with exactly one gave_up event, and recover re-arms it", async () => {
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }\nservices:\n${service("loop", port, "", ', CRASH_AFTER: "50"')}`,
    );
    await expect.poll(async () => (await target(agent!, "loop")).state, { timeout: 15_000 }).toBe("failed");
    await expect
      .poll(async () => (await events(agent!)).filter((e) => e.type === "service.gave_up").length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1);
    // Deliberate: once it has failed, nothing starts it again and it gives up only once.
    await new Promise((r) => setTimeout(r, 1_000));
    const ev = (await events(agent)).filter((e) => e.subject === "loop");
    expect(ev.filter((e) => e.type === "service.started")).toHaveLength(4);
    expect(ev.filter((e) => e.type === "service.gave_up")).toHaveLength(1);
    const cli = await runCli(["status", "--json"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token },
    });
    expect(JSON.parse(cli.stdout)).toEqual([
      expect.objectContaining({ name: "loop", state: "failed", restarts: 3 }),
    ]);
    const recovered = await runCli(["recover", "loop"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token },
    });
    expect(recovered.code).toBe(0);
    expect(
      (await events(agent)).filter((e) => e.subject === "loop" && e.type === "service.started"),
    ).toHaveLength(5);
  });

  it("stop, start and restart by CLI; logs shows the service's output", async () => {
    const port = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }\nservices:\n${service("ctl", port)}`);
    const env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };
    await expect.poll(async () => (await target(agent!, "ctl")).state, { timeout: 10_000 }).toBe("up");
    const pid = (await target(agent, "ctl")).pid!;
    expect((await runCli(["stop", "ctl"], { env })).stdout).toBe("ctl: stopped\n");
    expect(alive(pid)).toBe(false);
    // Deliberate: a service stopped by hand stays stopped; nothing restarts it.
    await new Promise((r) => setTimeout(r, 600));
    expect((await target(agent, "ctl")).state).toBe("stopped");
    expect((await runCli(["start", "ctl"], { env })).code).toBe(0);
    await expect.poll(async () => (await target(agent!, "ctl")).state, { timeout: 10_000 }).toBe("up");
    const logs = await runCli(["logs", "ctl", "-n", "50"], { env });
    expect(logs.stdout).toMatch(/service \d+ starting/);
    const status = await runCli(["status"], { env });
    expect(status.stdout).toMatch(/^NAME\s+KIND\s+STATE/);
    expect(status.stdout).toMatch(/ctl\s+service\s+up/);
  });

  it("after kill -9 of the agent, the next agent adopts the service: one copy, no port conflict", async () => {
    const port = await freePort();
    const yaml = `agent: { listen: "127.0.0.1:0" }\nservices:\n${service("keep", port)}`;
    agent = await startAgent(yaml);
    await expect.poll(async () => (await target(agent!, "keep")).state, { timeout: 10_000 }).toBe("up");
    const pid = (await target(agent, "keep")).pid!;
    const dir = agent.dir;
    await agent.stop("SIGKILL");
    expect(alive(pid)).toBe(true);
    agent = await startAgent(yaml, { dir });
    await expect.poll(async () => (await target(agent!, "keep")).state, { timeout: 10_000 }).toBe("up");
    expect((await target(agent, "keep")).pid).toBe(pid);
    const types = (await events(agent)).map((e) => e.type);
    expect(types).not.toContain("service.port_conflict");
    const started = (await events(agent))
      .filter((e) => e.type === "service.started")
      .map((e) => e.payload.adopted);
    expect(started).toEqual([false, true]);
    await agent.stop("SIGTERM");
    expect(alive(pid)).toBe(false);
  });

  it("names the process holding a service's port and leaves it alone", async () => {
    const port = await freePort();
    const holder = await startAgent(`agent: { listen: "127.0.0.1:${port}" }\n`);
    try {
      agent = await startAgent(`agent: { listen: "127.0.0.1:0" }\nservices:\n${service("clash", port)}`);
      await expect
        .poll(
          async () => (await events(agent!)).find((e) => e.type === "service.port_conflict")?.payload.holder,
          { timeout: 10_000 },
        )
        .toMatch(new RegExp(`pid ${holder.proc.pid} \\(.*vigil\\.js up`));
      expect(alive(holder.proc.pid!)).toBe(true);
    } finally {
      await holder.stop("SIGTERM");
    }
  });
});

describe("checks", () => {
  it("watches HTTP, TCP, disk and command checks, explains failures with actual values", async () => {
    const port = await freePort();
    const svcPort = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
services:
${service("app", svcPort, "", ', HEALTH_STATUS: "degraded"')}
checks:
  closed-port: { tcp: { host: 127.0.0.1, port: ${port} }, every: 250ms, fail_after: 1 }
  root-disk: { disk: { path: / }, every: 1s, expect: ["[USED_PERCENT] < 100"] }
  true-cmd: { command: { run: ["true"] }, every: 1s }
  false-cmd: { command: { run: ["sh", "-c", "echo nope; exit 3"] }, every: 1s, fail_after: 1, expect: ["[EXIT_CODE] == 0"] }
`);
    await expect
      .poll(async () => (await target(agent!, "closed-port")).state, { timeout: 10_000 })
      .toBe("down");
    expect((await target(agent, "closed-port")).last_result?.explanation).toMatch(/connection refused/);
    await expect.poll(async () => (await target(agent!, "root-disk")).state, { timeout: 10_000 }).toBe("up");
    await expect.poll(async () => (await target(agent!, "true-cmd")).state, { timeout: 10_000 }).toBe("up");
    await expect
      .poll(async () => (await target(agent!, "false-cmd")).state, { timeout: 10_000 })
      .toBe("down");
    expect((await target(agent, "false-cmd")).last_result?.explanation).toBe("[EXIT_CODE] (3) == 0");
    await expect
      .poll(async () => (await target(agent!, "app")).last_result?.explanation, { timeout: 10_000 })
      .toBe("[BODY].status (degraded) == ok");
  });

  it("heartbeat checks: down when nothing arrives within the window, up on a POST with the check's token", async () => {
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
checks:
  backup: { heartbeat: { within: 1s, token: "hb-token-0123456789abcdef" }, every: 250ms, fail_after: 1 }
`);
    await expect.poll(async () => (await target(agent!, "backup")).state, { timeout: 10_000 }).toBe("down");
    expect((await api(agent, "/api/heartbeat/backup", { method: "POST", token: null })).status).toBe(401);
    expect(
      (await api(agent, "/api/heartbeat/backup", { method: "POST", token: "wrong-token-0123456789" })).status,
    ).toBe(401);
    expect(
      (await api(agent, "/api/heartbeat/backup", { method: "POST", token: "hb-token-0123456789abcdef" }))
        .status,
    ).toBe(200);
    await expect.poll(async () => (await target(agent!, "backup")).state, { timeout: 5_000 }).toBe("up");
    // Acknowledged means stored: a kill -9 right after the 200 does not lose the heartbeat.
    const before = Date.now();
    expect(
      (await api(agent, "/api/heartbeat/backup", { method: "POST", token: "hb-token-0123456789abcdef" }))
        .status,
    ).toBe(200);
    await agent.stop("SIGKILL");
    const db = new SqliteDb(path.join(agent.dir, ".vigil/vigil.db"), { readOnly: true });
    const row = await db.get<{ health: string }>("SELECT health FROM targets WHERE name = ?", ["backup"]);
    await db.close();
    expect((JSON.parse(row!.health) as { heartbeatAt: number }).heartbeatAt).toBeGreaterThanOrEqual(before);
  });

  it("state survives an agent restart: restarts, failed and last results", async () => {
    const port = await freePort();
    const yaml = `agent: { listen: "127.0.0.1:0" }\nservices:\n${service("gone", port, "", ', CRASH_AFTER: "50"')}`;
    agent = await startAgent(yaml);
    await expect.poll(async () => (await target(agent!, "gone")).state, { timeout: 15_000 }).toBe("failed");
    const dir = agent.dir;
    await agent.stop("SIGTERM");
    agent = await startAgent(yaml, { dir });
    const t = await target(agent, "gone");
    expect(t).toMatchObject({ state: "failed", restarts: 3 });
    // Deliberate: the new agent does not start the failed service again.
    await new Promise((r) => setTimeout(r, 500));
    expect((await events(agent)).filter((e) => e.type === "service.started").length).toBe(4);
  });
});

describe("status files", () => {
  it("writes service output under <data_dir>/logs", async () => {
    const port = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }\nservices:\n${service("out", port)}`);
    const file = path.join(agent.dir, ".vigil/logs/out.log");
    await expect
      .poll(() => fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("starting"), {
        timeout: 10_000,
      })
      .toBe(true);
  });
});
