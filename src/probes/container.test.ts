/** The container probe against the real engine (Podman's Docker API): states, health, usage, the engine gone. */
import { describe, expect, it } from "vitest";
import { evaluateAll, parseCondition, type Condition } from "../conditions/index.ts";
import { formatProblem } from "../config/result.ts";
import { loadConfigText } from "../config/load.ts";
import { Engine } from "../containers/engine.ts";
import { dockerHost, engineProxy, runHealthcheck, throwaway } from "../../test/helpers/engine.ts";
import { until } from "../../test/helpers/poll.ts";
import { contextOn, runProbe } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import container from "./container.ts";
import type { ProbeOutcome } from "./probe.ts";

const defaults: Condition[] = container.defaultExpect.map((t) => {
  const p = parseCondition(t);
  if (!p.ok) throw new Error(p.message);
  return p.condition;
});
const judge = (o: ProbeOutcome) => evaluateAll(defaults, o.values);

/** Runs the probe with its own engine client (for a socket other than DOCKER_HOST). */
const runOn = (engine: Engine, name: string): Promise<ProbeOutcome> =>
  container.run({ name }, contextOn(engine));

describe("container", () => {
  it("reads a running container: state, no health check, memory, uptime; the defaults hold", async () => {
    const { name } = await throwaway({
      Cmd: ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 600"],
    });
    const { outcome } = await runProbe("container", { name }, { timeoutMs: 10_000 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      RUNNING: true,
      STATUS: "running",
      HEALTH: "none",
      EXIT_CODE: 0,
      OOM_KILLED: false,
      RESTART_COUNT: 0,
    });
    expect(outcome.values.MEMORY_MB).toBeGreaterThan(0);
    expect(outcome.values.UPTIME).toBeGreaterThanOrEqual(0);
    expect(outcome.values.UPTIME).toBeLessThan(120_000);
    expect(outcome.values.CPU_PERCENT).toBeGreaterThanOrEqual(0);
    expect(judge(outcome).ok).toBe(true);
    // a second reading's CPU is the rate between the two samples
    const again = await runProbe("container", { name }, { timeoutMs: 10_000 });
    expect(typeof again.outcome.values.CPU_PERCENT).toBe("number");
  });

  it("reads a container that exited: its exit code, and the default fails saying so", async () => {
    const { id, name, engine } = await throwaway({ Cmd: ["sh", "-c", "exit 3"] });
    await until("the exit", async () => ((await engine.inspect(id)).running ? undefined : true));
    const { outcome } = await runProbe("container", { name }, { timeoutMs: 10_000 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ RUNNING: false, STATUS: "exited", EXIT_CODE: 3, UPTIME: 0 });
    const j = judge(outcome);
    expect(j.ok).toBe(false);
    expect(j.results.filter((r) => !r.ok).map((r) => r.explanation)).toEqual(["[RUNNING] (false) == true"]);
  });

  it("reads CPU as a rate: a busy loop is near one CPU, the same container paused near none", async () => {
    const { id, name, engine } = await throwaway({ Cmd: ["sh", "-c", "while :; do :; done"] });
    try {
      const busy = await until("a busy reading", async () => {
        const { outcome } = await runProbe("container", { name }, { timeoutMs: 10_000 });
        return (outcome.values.CPU_PERCENT as number) > 40 ? outcome.values.CPU_PERCENT : undefined;
      });
      expect(busy).toBeLessThanOrEqual(205); // at most the two CPUs of this machine, with rounding
      await engine.pause(id);
      await runProbe("container", { name }, { timeoutMs: 10_000 }); // the last busy sample
      // paused, its counters stand still: the rate between two readings is 0, where the average
      // since its start would still be high
      const { outcome } = await runProbe("container", { name }, { timeoutMs: 10_000 });
      expect(outcome.values.CPU_PERCENT).toBe(0);
    } finally {
      await engine.kill(id).catch(() => undefined);
    }
  });

  it("counts a paused container as not running", async () => {
    const { id, name, engine } = await throwaway();
    await engine.pause(id);
    const paused = await runProbe("container", { name }, { timeoutMs: 10_000 });
    expect(paused.outcome.values).toMatchObject({ RUNNING: false, STATUS: "paused" });
    expect(judge(paused.outcome).ok).toBe(false);
    await engine.unpause(id);
    const again = await runProbe("container", { name }, { timeoutMs: 10_000 });
    expect(again.outcome.values).toMatchObject({ RUNNING: true, STATUS: "running" });
  });

  it("holds a container with a HEALTHCHECK to healthy: starting and unhealthy fail, healthy passes", async () => {
    const hc = (test: string) => ({ Test: ["CMD-SHELL", test], Interval: 3600e9, Timeout: 5e9, Retries: 1 });
    const good = await throwaway({ Healthcheck: hc("true") });
    const bad = await throwaway({ Healthcheck: hc("false") });

    const before = await runProbe("container", { name: good.name }, { timeoutMs: 10_000 });
    expect(before.outcome.values.HEALTH).toBe("starting");
    expect(judge(before.outcome).ok).toBe(false);

    expect(await runHealthcheck(good.name)).toBe("healthy");
    const healthy = await runProbe("container", { name: good.name }, { timeoutMs: 10_000 });
    expect(healthy.outcome.values.HEALTH).toBe("healthy");
    expect(judge(healthy.outcome).ok).toBe(true);

    expect(await runHealthcheck(bad.name)).toBe("unhealthy");
    const unhealthy = await runProbe("container", { name: bad.name }, { timeoutMs: 10_000 });
    expect(unhealthy.outcome.values).toMatchObject({ RUNNING: true, HEALTH: "unhealthy" });
    const j = judge(unhealthy.outcome);
    expect(j.ok).toBe(false);
    expect(j.results.find((r) => !r.ok)?.explanation).toBe("[HEALTH] (unhealthy) == any(healthy, none)");
  });

  it("says a container that is not there is missing", async () => {
    await dockerHost();
    const { outcome } = await runProbe(
      "container",
      { name: "vigil-surely-no-such-container" },
      { timeoutMs: 10_000 },
    );
    expect(outcome.error?.class).toBe("container_missing");
    expect(outcome.error?.message).toContain('no container named "vigil-surely-no-such-container"');
    expect(outcome.values).toMatchObject({ RUNNING: false, STATUS: "missing" });
  });

  it("cannot check when the engine goes away, naming its socket", async () => {
    const { name } = await throwaway();
    const proxy = await engineProxy(tempDir());
    const engine = new Engine(proxy.socket);
    try {
      expect((await runOn(engine, name)).values.RUNNING).toBe(true);
      await proxy.close();
      const gone = await runOn(engine, name);
      expect(gone.error?.class).toBe("engine_unreachable");
      expect(gone.error?.message).toContain(`cannot reach the container engine at ${proxy.socket}`);
    } finally {
      engine.close();
    }
  });

  it("is a valid check through the loader, with agent.docker.host; a tcp:// host is refused", () => {
    const yaml = (host: string) =>
      `agent: { docker: { host: "${host}" } }\nchecks:\n  api:\n    container: { name: api }\n    expect: ["[MEMORY_MB] < 512", "[UPTIME] > 1m"]\n`;
    const good = loadConfigText(yaml("unix:///run/podman/podman.sock"), "/v.yaml", {});
    expect(good.ok).toBe(true);
    if (good.ok) expect(good.config.agent.docker.host).toBe("unix:///run/podman/podman.sock");
    const bad = loadConfigText(yaml("tcp://10.0.0.5:2375"), "/v.yaml", {});
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(formatProblem(bad.problems[0]!)).toMatch(
        /agent\.docker\.host: .*unix:\/\/\/var\/run\/docker\.sock/,
      );
    // its container is restarted through the engine, so the built-in restart is a runbook step here
    const restart = loadConfigText(
      "checks:\n  api: { container: { name: api }, remediate: [restart] }\n  web: { http: { url: http://127.0.0.1:1/ }, remediate: [restart] }\n",
      "/v.yaml",
      {},
    );
    expect(restart.ok).toBe(false);
    if (!restart.ok) expect(restart.problems.map((p) => p.path)).toEqual(["checks.web.remediate[0]"]);
    const unknown = loadConfigText(
      'checks:\n  api:\n    container: { name: api }\n    expect: ["[STATUS_CODE] == 200"]\n',
      "/v.yaml",
      {},
    );
    expect(unknown.ok).toBe(false);
  });
});
