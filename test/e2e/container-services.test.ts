/**
 * Container services, black-box: the real agent supervising real containers on the real engine
 * (Podman's Docker-compatible API, scripts/container-engine). Each test's containers are throwaway
 * ones from test/helpers/engine.ts, made here: Vigil never creates a container.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import type { Engine } from "../../src/containers/engine.ts";
import { dockerHost, testEngine, throwaway, uniqueName } from "../helpers/engine.ts";
import { tempDir } from "../helpers/tmp.ts";

let agent: RunningAgent | undefined;
let host: string;
beforeAll(async () => {
  host = await dockerHost();
}, 600_000);
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
}
interface AuditEvent {
  type: string;
  subject: string;
  payload: Record<string, unknown>;
}

const target = async (a: RunningAgent, name = "worker") =>
  (await (await api(a, `/api/targets/${name}`)).json()) as Target;
const events = async (a: RunningAgent, subject = "worker") =>
  ((await (await api(a, "/api/audit?tail=1000")).json()) as { events: AuditEvent[] }).events.filter(
    (e) => e.subject === subject,
  );
const typesOf = (evs: AuditEvent[]) => evs.map((e) => e.type);

/** The agent with one container service, `worker`, on the test engine. */
function start(container: string, extra = "", top = ""): Promise<RunningAgent> {
  return startAgent(
    `agent: { listen: "127.0.0.1:0"${top} }
services:
  worker:
    container: { name: ${container} }
    restart: { backoff: { initial: 100ms, max: 1s }, min_uptime: 1s, max_restarts: 3, window: 1m, retry_after_failed: false }
    stop: { timeout: 1s }
${extra}`,
    { env: { DOCKER_HOST: host } },
  );
}

/**
 * Runs until stopped, and ends at once on SIGTERM with 143, as a process without a handler would
 * (PID 1 of a container ignores what it does not trap).
 */
const forever = 'trap "exit 143" TERM; while :; do sleep 1 & wait $!; done';

/**
 * A crash from outside: SIGKILL to the container's main process, as the kernel's OOM killer would.
 * Not the engine's kill with SIGKILL: Podman's answers it only once it has seen the container stopped,
 * which it polls for, so a supervisor that restarts the container sooner keeps that request waiting.
 */
async function crash(c: { id: string; engine: Engine }): Promise<void> {
  process.kill((await c.engine.inspect(c.id)).pid, "SIGKILL");
}
const sleeper = ["sh", "-c", `echo hello from the container; ${forever}`];

describe("container services", () => {
  it("a container stopped from outside through the engine comes back on its die event; logs read its output", async () => {
    const c = await throwaway({ Cmd: sleeper });
    agent = await start(c.name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const before = await c.engine.inspect(c.id);
    expect((await target(agent)).pid).toBe(before.pid);
    // A stable run (min_uptime 1s) restarts at once: the kill waits for it, or a fast start would
    // make it a quick crash, restarted after the backoff.
    await expect.poll(() => Date.now() - before.startedAt!, { timeout: 5_000 }).toBeGreaterThan(1_200);
    await c.engine.kill(c.id, "SIGTERM");
    await expect.poll(async () => (await target(agent!)).restarts, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const after = await c.engine.inspect(c.id);
    expect(after.running).toBe(true);
    expect(after.startedAt!).toBeGreaterThan(before.startedAt!);
    const evs = await events(agent);
    // It was running when the agent came: adopted, then started by Vigil after the kill.
    expect(evs.filter((e) => e.type === "service.started").map((e) => e.payload.adopted)).toEqual([
      true,
      false,
    ]);
    expect(evs.find((e) => e.type === "service.exited")?.payload).toMatchObject({
      code: 143,
      expected: false,
    });
    expect(evs.find((e) => e.type === "service.restart_scheduled")?.payload).toMatchObject({
      delay_ms: 0,
      reason: "exited with code 143",
    });
    const logs = await runCli(["logs", "worker", "-n", "10"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token },
    });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe("hello from the container\nhello from the container\n");
  });

  it("starts a stopped container, and the built-in stop, start and restart act through the gateway", async () => {
    const c = await throwaway({ Cmd: sleeper, start: false });
    agent = await start(c.name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    expect((await c.engine.inspect(c.id)).running).toBe(true);
    const run = async (action: string) => {
      const res = await api(agent!, `/api/actions/${action}/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ target: "worker", reason: "test" }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { status: string; result: { ok: boolean; state?: string } };
    };
    expect(await run("stop")).toMatchObject({ status: "succeeded", result: { ok: true, state: "stopped" } });
    expect((await c.engine.inspect(c.id)).running).toBe(false);
    // Deliberate: a container stopped by hand stays stopped; its die is no crash.
    await new Promise((r) => setTimeout(r, 600));
    expect((await target(agent)).state).toBe("stopped");
    expect((await c.engine.inspect(c.id)).running).toBe(false);
    expect(await run("start")).toMatchObject({ status: "succeeded", result: { ok: true } });
    expect((await c.engine.inspect(c.id)).running).toBe(true);
    const first = (await c.engine.inspect(c.id)).startedAt!;
    expect(await run("restart")).toMatchObject({ status: "succeeded", result: { ok: true } });
    const again = await c.engine.inspect(c.id);
    expect(again.running).toBe(true);
    expect(again.startedAt!).toBeGreaterThan(first);
    const evs = await events(agent);
    expect(evs.filter((e) => e.type === "service.exited").map((e) => e.payload.expected)).toEqual([
      true,
      true,
    ]);
    expect(typesOf(evs)).not.toContain("service.restart_scheduled");
  });

  it("a container whose health check fails is restarted by remediation", async () => {
    // The container marks itself healthy when it starts; the test takes the mark away.
    const state = tempDir("vigil-ct-");
    const mark = path.join(state, "healthy");
    const c = await throwaway({
      Cmd: ["sh", "-c", `touch /state/healthy; ${forever}`],
      HostConfig: { Binds: [`${state}:/state`] },
    });
    agent = await start(
      c.name,
      `    health: { command: { run: [test, -f, "${mark}"] }, every: 250ms, timeout: 2s, fail_after: 2 }\n`,
      "",
    );
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const before = await c.engine.inspect(c.id);
    fs.rmSync(mark);
    await expect.poll(() => fs.existsSync(mark), { timeout: 15_000 }).toBe(true);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const after = await c.engine.inspect(c.id);
    expect(after.startedAt!).toBeGreaterThan(before.startedAt!);
    const evs = await events(agent);
    expect(
      evs.some(
        (e) =>
          e.type === "service.restart_scheduled" &&
          String(e.payload.reason).startsWith("health check failing"),
      ),
    ).toBe(true);
    expect(evs.find((e) => e.type === "remediation.decided")?.payload).toMatchObject({
      action: "restart",
      executed: true,
    });
  });

  it("paused, a container that dies stays down until resume starts it", async () => {
    const c = await throwaway({ Cmd: sleeper });
    agent = await start(c.name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const paused = await api(agent, "/api/pause", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "test" }),
    });
    expect(paused.status).toBe(200);
    await crash(c);
    await expect
      .poll(async () => typesOf(await events(agent!)), { timeout: 10_000 })
      .toContain("service.exited");
    // Deliberate: paused means nothing restarts it, for several backoff periods.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await c.engine.inspect(c.id)).running).toBe(false);
    expect(typesOf(await events(agent))).not.toContain("service.restart_scheduled");
    expect((await target(agent)).state).not.toBe("up");
    const resumed = await api(agent, "/api/resume", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "test" }),
    });
    expect(resumed.status).toBe(200);
    await expect.poll(async () => (await c.engine.inspect(c.id)).running, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
  });

  it("in observe mode, a container that dies is not restarted", async () => {
    const c = await throwaway({ Cmd: sleeper });
    agent = await start(c.name, "", ", mode: observe");
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    await crash(c);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("down");
    // Deliberate: observe mode acts on nothing.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await c.engine.inspect(c.id)).running).toBe(false);
    expect(typesOf(await events(agent))).not.toContain("service.restart_scheduled");
  });

  it("a crash loop ends in failed with one gave_up event, and nothing starts it after", async () => {
    const c = await throwaway({ Cmd: ["sh", "-c", "echo crashing; exit 3"], start: false });
    agent = await start(c.name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 20_000 }).toBe("failed");
    // Deliberate: once failed, it stays so and gives up once.
    await new Promise((r) => setTimeout(r, 1_000));
    const evs = await events(agent);
    expect(evs.filter((e) => e.type === "service.started")).toHaveLength(4);
    expect(evs.filter((e) => e.type === "service.exited").map((e) => e.payload.code)).toEqual([3, 3, 3, 3]);
    expect(evs.filter((e) => e.type === "service.gave_up")).toHaveLength(1);
    expect((await c.engine.inspect(c.id)).running).toBe(false);
    const logs = await runCli(["logs", "worker"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token },
    });
    expect(logs.stdout.trim().split("\n")).toEqual(["crashing", "crashing", "crashing", "crashing"]);
  });

  it("the agent's stop leaves the container running, and the next agent adopts it", async () => {
    const c = await throwaway({ Cmd: sleeper, start: false });
    agent = await start(c.name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    const first = await c.engine.inspect(c.id);
    const dir = agent.dir;
    expect(await stopCleanly(agent)).toEqual([]);
    // Vigil did not create it: stopping (or upgrading) the agent takes nothing down.
    expect(await c.engine.inspect(c.id)).toMatchObject({ running: true, startedAt: first.startedAt });
    agent = await startAgent(fs.readFileSync(path.join(dir, "vigil.yaml"), "utf8"), {
      dir,
      env: { DOCKER_HOST: host },
    });
    await expect.poll(async () => (await target(agent!)).state, { timeout: 10_000 }).toBe("up");
    expect(await c.engine.inspect(c.id)).toMatchObject({ running: true, startedAt: first.startedAt });
    const started = (await events(agent)).filter((e) => e.type === "service.started");
    expect(started.map((e) => e.payload.adopted)).toEqual([false, true]);
    // Still watched: a kill now is a crash, restarted.
    await crash(c);
    await expect.poll(async () => (await target(agent!)).restarts, { timeout: 10_000 }).toBe(1);
  });

  it("a container that does not exist is a clear failed start, never created", async () => {
    const name = uniqueName("absent");
    agent = await start(name);
    await expect.poll(async () => (await target(agent!)).state, { timeout: 20_000 }).toBe("failed");
    const failed = (await events(agent)).filter((e) => e.type === "service.spawn_failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.payload.error).toBe(
      `no container named "${name}": Vigil supervises a container that exists, it does not create one (create it first, e.g. with docker create or compose up)`,
    );
    const logs = await api(agent, "/api/targets/worker/logs");
    expect(logs.status).toBe(404);
    const engine = await testEngine();
    expect((await engine.list({ all: true })).some((x) => x.name === name)).toBe(false);
  });
});
