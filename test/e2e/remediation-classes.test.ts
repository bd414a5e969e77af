/**
 * Remediation by failure class through the real agent: a port held by someone else, recovery that
 * depends on the kind of failure, a crash (its restart policy's to heal), and memory pressure.
 */
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { api, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { events, fixture, of } from "../helpers/remediation.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

describe("a port held by someone else", () => {
  it("names the holder, asks a person before freeing it, and the service starts once approved", async () => {
    const port = await freePort();
    const holder = spawn(
      process.execPath,
      ["-e", `require("http").createServer((q, r) => r.end("squatter")).listen(${port}, "127.0.0.1")`],
      {
        stdio: "ignore",
      },
    );
    try {
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${port}/`).then(
              (r) => r.ok,
              () => false,
            ),
          { timeout: 5_000 },
        )
        .toBe(true);
      agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
auth: { tokens: [{ name: olga, role: operator, token: operator-token-0123456789 }] }
remediation: { cooldown: 200ms, verify_within: 5s }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}" }
    port: ${port}
    restart: { backoff: { initial: 100ms, max: 200ms }, max_restarts: 2, window: 1m }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 300ms, fail_after: 2, expect: ["[BODY].status == ok"] }
`);
      type Approval = { id: string; action: string; target: string; requested_by: string };
      let pending: Approval | undefined;
      await expect
        .poll(
          async () => {
            const { approvals } = (await (await api(agent!, "/api/approvals?status=pending")).json()) as {
              approvals: Approval[];
            };
            pending = approvals.find((a) => a.action === "free-port");
            return pending !== undefined;
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      expect(pending).toMatchObject({ target: "web", requested_by: "vigil" });
      // Deliberate: for half a second while the approval waits, the holder is left alone.
      await new Promise((r) => setTimeout(r, 500));
      expect(holder.exitCode).toBeNull(); // nothing touched it without a person
      const { incidents } = (await (await api(agent, "/api/incidents?status=open")).json()) as {
        incidents: { id: string; failure_class: string }[];
      };
      expect(incidents[0]!.failure_class).toBe("port_in_use");
      const detail = (await (await api(agent, `/api/incidents/${incidents[0]!.id}`)).json()) as {
        timeline: { kind: string; detail: string }[];
      };
      expect(detail.timeline[0]!.detail).toContain(`port ${port} is held by pid ${holder.pid}`);

      const ok = await api(agent, `/api/approvals/${pending!.id}/approve`, {
        method: "POST",
        token: "operator-token-0123456789",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ note: "that is a leftover" }),
      });
      expect(ok.status).toBe(200);
      await expect
        .poll(async () => of(await events(agent!), "incident.resolved", "web").length, { timeout: 15_000 })
        .toBe(1);
      expect(holder.exitCode !== null || holder.signalCode !== null).toBe(true);
      const body = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(body).toMatchObject({ status: "ok" });
      await expect
        .poll(
          async () => of(await events(agent!), "remediation.finished", "web").map((e) => e.payload.outcome),
          { timeout: 10_000 },
        )
        .toEqual(["succeeded"]);
    } finally {
      holder.kill("SIGKILL");
    }
  });
});

describe("recovery that depends on the kind of failure", () => {
  it("a timeout while warming up gets a longer start, not a plain restart", async () => {
    const port = await freePort();
    // The start period (2 s) covers starting node, even on a loaded machine, but not the warm-up
    // (4 s): what fails is a timeout of a process that listens, never a refused connection.
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 200ms, verify_within: 10s }
services:
  slow:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}", SLOW_START: "4000" }
    port: ${port}
    health: { http: { url: "http://127.0.0.1:${port}/health", timeout: 150ms }, every: 200ms, fail_after: 2, start_period: 2s }
    remediate:
      - { action: longer-start, when: [timeout] }
      - { action: restart, when: [connection_refused, http_5xx] }
`);
    await expect
      .poll(async () => of(await events(agent!), "incident.resolved", "slow").length, { timeout: 20_000 })
      .toBe(1);
    const evs = await events(agent);
    expect(of(evs, "incident.opened", "slow")[0]!.payload.failure_class).toBe("timeout");
    expect(of(evs, "remediation.decided", "slow").map((e) => e.payload.action)).toEqual(["longer-start"]);
    const [fin] = of(evs, "remediation.finished", "slow");
    expect(fin!.payload).toMatchObject({ action: "longer-start", outcome: "succeeded" });
    const [run] = of(evs, "action.finished", "slow");
    expect(String(run!.payload.output)).toContain("start period 2000 ms → 10000 ms; restarted");
  });
});

describe("memory pressure", () => {
  it("restart-largest restarts the managed service with the most resident memory", async () => {
    // No ports: none is needed, and one taken meanwhile by a parallel test would keep "big" from
    // starting. start_period: the choice is made once both have started.
    const svc = (name: string, env: string) => `  ${name}:
    command: ["${process.execPath}", "${fixture}"]
    env: { ${env} }
`;
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
remediation: { max_attempts: 1, verify_within: 500ms }
services:
${svc("small", "")}${svc("big", 'ALLOC_MB: "120"')}checks:
  host-memory: { memory: {}, every: 300ms, fail_after: 5, start_period: 4s, expect: ["[USED_PERCENT] < 0"], remediate: [restart-largest] }
`);
    await expect
      .poll(async () => of(await events(agent!), "action.finished", "host-memory").length, {
        timeout: 20_000,
      })
      .toBe(1);
    const evs = await events(agent);
    expect(of(evs, "incident.opened", "host-memory")[0]!.payload.failure_class).toBe("resource_threshold");
    expect(String(of(evs, "action.finished", "host-memory")[0]!.payload.output)).toMatch(
      /^restarted big \(\d+ MB resident\)$/,
    );
    await expect
      .poll(async () => of(await events(agent!), "service.started", "big").length, { timeout: 5_000 })
      .toBe(2);
    expect(of(evs, "service.started", "small")).toHaveLength(1);
  });
});

describe("a crash", () => {
  // The demo's own timing: checks every 2 s, fail_after 3. After a SIGKILL the restart policy starts a
  // new process at once; its first check comes before it listens and fails, the next 2 s later, and
  // the engine (which ticks every second) meets a process that no check has judged yet.
  it("is healed by the restart policy alone, and a hang right after it is restarted by its health check", async () => {
    const port = await freePort();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 60s, verify_within: 30s }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}" }
    port: ${port}
    stop: { timeout: 0ms }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 2s, every_failing: 2s, timeout: 1s, fail_after: 3 }
`);
    const web = async () =>
      (await (await api(agent!, "/api/targets/web")).json()) as { state: string; pid: number | null };
    await expect.poll(async () => (await web()).state, { timeout: 15_000 }).toBe("up");
    process.kill((await web()).pid!, "SIGKILL");
    await expect
      .poll(async () => of(await events(agent!), "incident.resolved", "web").length, { timeout: 15_000 })
      .toBe(1);
    let evs = await events(agent);
    expect(of(evs, "incident.opened", "web")[0]!.payload.failure_class).toBe("process_exited");
    expect(
      of(evs, "service.started", "web"),
      "one start by the restart policy, none by the engine",
    ).toHaveLength(2);
    expect(of(evs, "remediation.decided", "web")).toEqual([]);

    // Hung right after the crash healed: down after 3 failed checks (~6 s), then restarted by the engine.
    await fetch(`http://127.0.0.1:${port}/hang`).catch(() => undefined);
    await expect
      .poll(async () => of(await events(agent!), "service.started", "web").length, { timeout: 20_000 })
      .toBe(3);
    evs = await events(agent);
    expect(of(evs, "incident.opened", "web").map((e) => e.payload.failure_class)).toEqual([
      "process_exited",
      "timeout",
    ]);
    expect(of(evs, "remediation.decided", "web").map((e) => e.payload.action)).toEqual(["restart"]);
    await expect.poll(async () => (await web()).state, { timeout: 15_000 }).toBe("up");
  });
});
