/**
 * Healing inside guardrails, as timelines against the real agent with real processes: attempts,
 * escalation, the kill switch, observe mode, the hourly budget, a storm behind a dependency, a
 * kill -9 in the middle of a remediation, silences, maintenance windows and learning.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cli, events, fast, fixture, of, sick } from "../helpers/remediation.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

describe("remediation", () => {
  it("a never-healthy service gets exactly max_attempts restarts, one escalation, and nothing after", async () => {
    const port = await freePort();
    // A start period, as a Kubernetes user gives a startupProbe: each fresh process has 2 s to listen,
    // so what is judged is its answer ("sick"), not a start that a loaded machine made slow. Each
    // restart is judged too: verify_within outlasts the start period and fail_after.
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
remediation: { max_attempts: 3, cooldown: 200ms, verify_within: 3s }
services:
${sick("web", port, "", "2s")}`);
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated").length, { timeout: 40_000 })
      .toBe(1);
    // Deliberate: after the escalation, no more attempts, for several cooldowns and check periods.
    await new Promise((r) => setTimeout(r, 2_500));
    const evs = await events(agent);
    const decided = of(evs, "remediation.decided", "web");
    expect(decided.map((e) => [e.payload.action, e.payload.attempt, e.payload.executed])).toEqual([
      ["restart", 1, true],
      ["restart", 2, true],
      ["restart", 3, true],
    ]);
    expect(of(evs, "service.started", "web")).toHaveLength(4);
    expect(of(evs, "incident.opened", "web")).toHaveLength(1);
    const [esc] = of(evs, "incident.escalated", "web");
    expect(esc!.payload.reason).toBe("3 of max_attempts 3 tried; the target has not recovered");
    const incident = (await (await api(agent, "/api/incidents?status=open")).json()) as {
      incidents: { id: string; failure_class: string; escalated: boolean }[];
    };
    expect(incident.incidents[0]).toMatchObject({ failure_class: "condition_failed", escalated: true });
    const shown = await cli(agent, ["incidents", incident.incidents[0]!.id]);
    expect(shown.stdout).toContain("ESCALATED");
    expect(shown.stdout).toMatch(/attempt\s+1: restart/);
    const stats = await cli(agent, ["stats", "--json"]);
    expect(JSON.parse(stats.stdout)).toEqual([
      expect.objectContaining({
        target: "web",
        failure_class: "condition_failed",
        action: "restart",
        attempts: 3,
        successes: 0,
      }),
    ]);
  }, 60_000);

  it("a hung service is healed by a restart; the incident resolves and the statistics count the fix", async () => {
    const port = await freePort();
    // start_period: a fresh process is not judged before it can listen (its first check comes at
    // once), so the only failure here is the hang; verify_within leaves the restarted one time to answer.
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
remediation: { max_attempts: 3, cooldown: 200ms, verify_within: 5s }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}" }
    port: ${port}
    stop: { timeout: 0ms }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 200ms, timeout: 200ms, fail_after: 2, start_period: 2s }
`);
    await expect
      .poll(async () => ((await (await api(agent!, "/api/targets/web")).json()) as { state: string }).state, {
        timeout: 10_000,
      })
      .toBe("up");
    await fetch(`http://127.0.0.1:${port}/hang`).catch(() => undefined);
    await expect
      .poll(async () => of(await events(agent!), "incident.resolved", "web").length, { timeout: 15_000 })
      .toBe(1);
    const evs = await events(agent);
    expect(of(evs, "incident.opened", "web")[0]!.payload.failure_class).toBe("timeout");
    const [done] = of(evs, "remediation.finished", "web");
    expect(done!.payload).toMatchObject({ action: "restart", outcome: "succeeded" });
    const id = String(of(evs, "incident.opened", "web")[0]!.payload.incident_id);
    const detail = (await (await api(agent, `/api/incidents/${id}`)).json()) as {
      timeline: { kind: string }[];
    };
    const kinds = detail.timeline.map((t) => t.kind);
    for (const k of ["opened", "attempt", "result", "succeeded", "resolved"]) expect(kinds).toContain(k);
    const { stats } = (await (await api(agent, "/api/stats")).json()) as {
      stats: { successes: number; median_recover_ms: number }[];
    };
    expect(stats[0]!.successes).toBe(1);
    expect(stats[0]!.median_recover_ms).toBeGreaterThan(0);
  });

  it("pause stops restart-on-exit and survives an agent restart; resume brings the service back", async () => {
    const dir = tempDir("vigil-pause-");
    // No port: while the service is down, a port could be taken by a parallel test, which is another story.
    const yaml = `agent: { listen: "127.0.0.1:0" }\nservices:
  web:
    command: ["${process.execPath}", "${fixture}"]
    restart: { backoff: { initial: 100ms, max: 1s } }
`;
    agent = await startAgent(yaml, { dir });
    const pid = async () =>
      (await (await api(agent!, "/api/targets/web")).json()) as { pid?: number; state: string };
    await expect.poll(async () => (await pid()).state, { timeout: 10_000 }).toBe("up");
    expect((await cli(agent, ["pause", "--reason", "deploying"])).code).toBe(0);
    expect(((await (await api(agent, "/health")).json()) as { paused: boolean }).paused).toBe(true);
    await agent.stop("SIGTERM");
    agent = await startAgent(yaml, { dir });
    expect(((await (await api(agent, "/health")).json()) as { paused: boolean }).paused).toBe(true);
    await expect.poll(async () => (await pid()).state, { timeout: 10_000 }).toBe("up");
    process.kill((await pid()).pid!, "SIGKILL");
    // Down, not stopped: nobody stopped it, and it must not pass for a service stopped by hand.
    await expect.poll(async () => (await pid()).state, { timeout: 10_000 }).toBe("down");
    // Deliberate: while paused, the exit is not followed by a restart (backoff 100 ms) for 1.5 s.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await pid()).state).toBe("down");
    expect((await cli(agent, ["resume"])).code).toBe(0);
    await expect.poll(async () => (await pid()).state, { timeout: 10_000 }).toBe("up");
    const evs = await events(agent);
    expect(of(evs, "agent.paused").map((e) => [e.actor, e.payload.reason])).toEqual([["admin", "deploying"]]);
    expect(of(evs, "agent.resumed")[0]!.actor).toBe("admin");
    expect(of(evs, "service.started", "web")).toHaveLength(3);
  });

  it("with agent.features.monitoring off, nothing is checked (and so nothing is healed)", async () => {
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", features: { monitoring: false } }\nservices:\n${sick("web", port)}`,
    );
    await expect
      .poll(async () => of(await events(agent!), "service.started", "web").length, { timeout: 10_000 })
      .toBe(1);
    // Deliberate: for 1.5 s (seven check periods) nothing is checked.
    await new Promise((r) => setTimeout(r, 1_500));
    const evs = await events(agent);
    expect(of(evs, "service.started", "web")).toHaveLength(1);
    expect(of(evs, "check.result")).toHaveLength(0);
    expect(of(evs, "incident.opened")).toHaveLength(0);
  });

  it("observe mode decides and records what it would do, and executes nothing", async () => {
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", mode: observe }\n${fast}\nservices:\n${sick("web", port)}`,
    );
    await expect
      .poll(async () => of(await events(agent!), "remediation.decided").length, { timeout: 15_000 })
      .toBe(1);
    // Deliberate: in observe mode nothing is executed, and the decision is not repeated, for 2 s.
    await new Promise((r) => setTimeout(r, 2_000));
    const evs = await events(agent);
    const [d] = of(evs, "remediation.decided");
    expect(d!.payload).toMatchObject({ action: "restart", executed: false });
    expect(String(d!.payload.explanation)).toMatch(/^observe mode: would restart web: /);
    expect(of(evs, "remediation.decided")).toHaveLength(1);
    expect(of(evs, "service.started", "web")).toHaveLength(1);
  });

  it("past the hourly budget it escalates instead of acting", async () => {
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }\nremediation: { max_attempts: 5, cooldown: 100ms, verify_within: 500ms, max_actions_per_hour: 2 }\nservices:\n${sick("web", port)}`,
    );
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated").length, { timeout: 15_000 })
      .toBe(1);
    const evs = await events(agent);
    expect(of(evs, "remediation.decided").filter((e) => e.payload.executed)).toHaveLength(2);
    expect(of(evs, "incident.escalated")[0]!.payload.reason).toBe(
      "the hourly budget of 2 actions is spent; not acting",
    );
  });

  it("a storm behind one failed dependency: dependents are held, not restarted, and the storm is called once", async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const dep = (n: string, p: number) => sick(n, p, "    depends_on: [db]\n");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }\nremediation: { max_attempts: 1, cooldown: 100ms, verify_within: 5s }\nservices:\n${sick("db", ports[0])}${dep("a", ports[1])}${dep("b", ports[2])}${dep("c", ports[3])}`,
    );
    await expect
      .poll(async () => of(await events(agent!), "incident.storm").length, { timeout: 15_000 })
      .toBe(1);
    await expect
      .poll(async () => of(await events(agent!), "remediation.decided", "db").length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    // Deliberate: for a second after the storm, no dependent gets a remediation of its own.
    await new Promise((r) => setTimeout(r, 1_000));
    const evs = await events(agent);
    expect(of(evs, "incident.storm")[0]!.payload.dependents).toEqual(expect.arrayContaining(["a", "b", "c"]));
    for (const s of ["a", "b", "c"]) expect(of(evs, "remediation.decided", s)).toHaveLength(0);
    expect(of(evs, "remediation.decided", "db").length).toBeGreaterThanOrEqual(1);
  });

  it("kill -9 during a remediation: the attempt is not run again, counters are intact, the incident carries on", async () => {
    const dir = tempDir("vigil-crash-");
    const marker = path.join(dir, "runs.log");
    const yaml = `agent: { listen: "127.0.0.1:0" }
remediation: { max_attempts: 2, cooldown: 100ms, verify_within: 1s }
actions:
  slow-fix: { run: ["sh", "-c", "echo run >> '${marker}'; sleep 3"], risk: auto }
checks:
  never: { command: { run: ["false"] }, every: 200ms, fail_after: 1, remediate: [slow-fix] }
`;
    agent = await startAgent(yaml, { dir });
    await expect.poll(() => fs.existsSync(marker), { timeout: 10_000 }).toBe(true);
    await agent.stop("SIGKILL");
    agent = await startAgent(yaml, { dir });
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated").length, { timeout: 20_000 })
      .toBe(1);
    const { incidents } = (await (await api(agent, "/api/incidents")).json()) as {
      incidents: { id: string }[];
    };
    expect(incidents).toHaveLength(1);
    const detail = (await (await api(agent, `/api/incidents/${incidents[0]!.id}`)).json()) as {
      attempts: { status: string }[];
    };
    expect(detail.attempts.map((a) => a.status)).toEqual(["interrupted", "failed"]);
    expect(fs.readFileSync(marker, "utf8").trim().split("\n")).toHaveLength(2);
  });
});

describe("silences, maintenance windows and learning", () => {
  it("a silence holds remediation (audited with who set it); ending it lets the runbook act", async () => {
    const dir = tempDir("vigil-silence-");
    const flag = path.join(dir, "ok");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 100ms, verify_within: 3s }
actions:
  fix: { run: ["touch", "${flag}"], risk: auto }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, remediate: [fix] }
`,
      { dir },
    );
    await expect
      .poll(async () => of(await events(agent!), "incident.opened", "flag").length, { timeout: 10_000 })
      .toBe(1);
    // The first incident is fixed at once; now silence it and break it again.
    await expect
      .poll(async () => of(await events(agent!), "incident.resolved", "flag").length, { timeout: 10_000 })
      .toBe(1);
    const silenced = await cli(agent, ["silence", "flag", "10m", "--reason", "disk swap", "--json"]);
    expect(silenced.code).toBe(0);
    const { id } = JSON.parse(silenced.stdout) as { id: string };
    fs.rmSync(flag);
    await expect
      .poll(async () => of(await events(agent!), "incident.opened", "flag").length, { timeout: 10_000 })
      .toBe(2);
    const heldOnes = async () =>
      of(await events(agent!), "remediation.decided", "flag").filter((e) => !e.payload.executed).length;
    await expect.poll(heldOnes, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // Deliberate: for a second, the silence keeps holding it: the fix does not run.
    await new Promise((r) => setTimeout(r, 1_000));
    let evs = await events(agent);
    const held = of(evs, "remediation.decided", "flag").filter((e) => !e.payload.executed);
    expect(held).toHaveLength(1);
    expect(String(held[0]!.payload.explanation)).toMatch(
      /^silenced until .* by admin \(disk swap\): would fix flag/,
    );
    expect(fs.existsSync(flag)).toBe(false);
    expect(of(evs, "silence.created", "flag")[0]!.actor).toBe("admin");
    expect((await cli(agent, ["silence", "--delete", id])).code).toBe(0);
    await expect.poll(() => fs.existsSync(flag), { timeout: 10_000 }).toBe(true);
    evs = await events(agent);
    expect(of(evs, "silence.deleted", "flag")[0]!.actor).toBe("admin");
  });

  it("a recurring maintenance window holds remediation while it lasts", async () => {
    const dir = tempDir("vigil-window-");
    const flag = path.join(dir, "ok");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
actions:
  fix: { run: ["touch", "${flag}"], risk: auto }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, remediate: [fix] }
maintenance:
  - { targets: [flag], cron: "* * * * *", duration: 1h, reason: "always, in this test" }
`,
      { dir },
    );
    await expect
      .poll(async () => of(await events(agent!), "remediation.decided", "flag").length, { timeout: 10_000 })
      .toBe(1);
    const [d] = of(await events(agent), "remediation.decided", "flag");
    expect(d!.payload.executed).toBe(false);
    expect(String(d!.payload.explanation)).toMatch(
      /^in a maintenance window since .* \(always, in this test\): would fix flag/,
    );
    expect(fs.existsSync(flag)).toBe(false);
  });

  it("a reload that ends a maintenance window lets remediation act at once", async () => {
    const dir = tempDir("vigil-window-reload-");
    const flag = path.join(dir, "ok");
    const config = (maintenance: string) => `agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 100ms }
actions:
  fix: { run: ["touch", "${flag}"], risk: auto }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, remediate: [fix] }
maintenance: ${maintenance}
`;
    agent = await startAgent(config(`[{ targets: [flag], cron: "* * * * *", duration: 1h }]`), { dir });
    await expect
      .poll(async () => of(await events(agent!), "remediation.decided", "flag").length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(fs.existsSync(flag)).toBe(false);
    fs.writeFileSync(agent.configFile, config("[]"));
    expect((await api(agent, "/api/reload", { method: "POST" })).status).toBe(200);
    await expect.poll(() => fs.existsSync(flag), { timeout: 10_000 }).toBe(true);
  });

  it("a reload that removes a failing check resolves its incident, and the ops report passes again", async () => {
    const dir = tempDir("vigil-removed-");
    const config = (checks: string) => `agent: { listen: "127.0.0.1:0" }
checks:
  ok: { command: { run: ["true"] }, every: 200ms }
${checks}`;
    agent = await startAgent(
      config(`  broken: { command: { run: ["false"] }, every: 200ms, fail_after: 1 }\n`),
      { dir },
    );
    await expect.poll(async () => (await api(agent!, "/ops-report")).status, { timeout: 10_000 }).toBe(503);
    fs.writeFileSync(agent.configFile, config(""));
    expect((await api(agent, "/api/reload", { method: "POST" })).status).toBe(200);
    await expect.poll(async () => (await api(agent!, "/ops-report")).status, { timeout: 10_000 }).toBe(200);
    const [resolved] = of(await events(agent), "incident.resolved", "broken");
    expect(resolved!.payload.detail).toBe("broken is no longer in the config");
  });

  it("adaptive order learns which step fixes a failure, and each choice cites the record", async () => {
    const dir = tempDir("vigil-learn-");
    const flag = path.join(dir, "ok");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 100ms, verify_within: 700ms, max_attempts: 10 }
actions:
  noop: { run: ["true"], risk: auto }
  fix:  { run: ["touch", "${flag}"], risk: auto }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, remediate: [noop, fix] }
`,
      { dir },
    );
    for (let round = 1; round <= 3; round++) {
      await expect
        .poll(async () => of(await events(agent!), "incident.resolved", "flag").length, { timeout: 15_000 })
        .toBe(round);
      if (round < 3) fs.rmSync(flag);
    }
    const { stats } = (await (await api(agent, "/api/stats?target=flag")).json()) as {
      stats: { action: string; attempts: number; successes: number }[];
    };
    expect(stats.find((s) => s.action === "fix")).toMatchObject({ attempts: 3, successes: 3 });
    expect(stats.find((s) => s.action === "noop")?.successes ?? 0).toBe(0);
    const last = of(await events(agent), "remediation.decided", "flag").at(-1)!;
    expect(String(last.payload.explanation)).toMatch(/fix fixed condition_failed 2 of 2 times before/);
  });
});
