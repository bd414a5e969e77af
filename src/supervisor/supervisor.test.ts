/** Real child processes under the supervisor, on the real clock. */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { silentLogger } from "../core/log.ts";
import { quickRestart } from "../../test/helpers/restart.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { alive, freePort } from "../../test/helpers/net.ts";
import { groupLeadersByEnv } from "../core/procfs.ts";
import { serviceTagVar, Supervisor, type SupervisedSpec } from "./supervisor.ts";
import type { Phase, ServiceEvent, ServiceRecord } from "./service.ts";
import type { ProcessSpec } from "./types.ts";

const fixture = path.resolve(import.meta.dirname, "../../test/fixtures/service.js");
const running: Supervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

function spec(
  name: string,
  env: Record<string, string> = {},
  over: Partial<SupervisedSpec> = {},
): SupervisedSpec {
  return {
    name,
    command: [process.execPath, fixture],
    cwd: tempDir(),
    env: { PATH: process.env.PATH!, ...env },
    port: undefined,
    dependsOn: [],
    restart: quickRestart(),
    stop: { signal: "SIGTERM", timeoutMs: 1_000 },
    ...over,
  };
}

function harness(
  records = new Map<string, ServiceRecord>(),
  agentId = tempDir(),
  automaticAllowed = () => true,
) {
  const events: { name: string; e: ServiceEvent; at: number }[] = [];
  const phases: string[] = [];
  const logDir = path.join(agentId, "logs");
  const sup = new Supervisor({
    clock: systemClock,
    log: silentLogger(),
    logDir,
    agentId,
    loadRecords: async () => new Map(records),
    saveRecord: async (name, r) => void records.set(name, structuredClone(r)),
    deleteRecord: async (name) => void records.delete(name),
    event: (name, e) => events.push({ name, e, at: Date.now() }),
    phase: (name, p: Phase) => phases.push(`${name}:${p}`),
    automaticAllowed,
  });
  running.push(sup);
  return { sup, events, phases, records, logDir, agentId };
}

const kinds = (events: { e: ServiceEvent }[]) => events.map((x) => x.e.kind);

describe("supervisor", () => {
  it("starts dependencies first and stops in reverse", async () => {
    const { sup, phases } = harness();
    await sup.start([spec("api", {}, { dependsOn: ["db"] }), spec("db")]);
    expect(phases.filter((p) => p.endsWith(":running"))).toEqual(["db:running", "api:running"]);
    await sup.stop();
    expect(phases.filter((p) => p.endsWith(":stopped"))).toEqual(["api:stopped", "db:stopped"]);
  });

  it("restarts on the exit event after a SIGKILL, at once when it had been stable", async () => {
    const port = await freePort();
    const { sup, events } = harness();
    await sup.start([spec("web", { PORT: String(port) }, { restart: quickRestart({ minUptimeMs: 200 }) })]);
    await new Promise((r) => setTimeout(r, 400));
    const first = sup.get("web")!.pid!;
    const killedAt = Date.now();
    process.kill(first, "SIGKILL");
    await expect
      .poll(() => sup.get("web")!.pid !== undefined && sup.get("web")!.pid !== first, { timeout: 5_000 })
      .toBe(true);
    const scheduled = events.find((x) => x.e.kind === "restart-scheduled")!;
    expect(scheduled.e).toMatchObject({ delayMs: 0, reason: "killed by SIGKILL" });
    expect(scheduled.at - killedAt).toBeLessThan(2_000);
    expect(sup.get("web")!.restarts).toBe(1);
  });

  it("gives up after max_restarts with exactly one gave-up event and growing delays", async () => {
    const { sup, events, records } = harness();
    await sup.start([spec("loop", { CRASH_AFTER: "30" })]);
    await expect.poll(() => sup.get("loop")!.phase, { timeout: 10_000 }).toBe("failed");
    await new Promise((r) => setTimeout(r, 300));
    expect(kinds(events).filter((k) => k === "started")).toHaveLength(4);
    expect(kinds(events).filter((k) => k === "gave-up")).toHaveLength(1);
    const delays = events
      .filter((x) => x.e.kind === "restart-scheduled")
      .map((x) => (x.e as { delayMs: number }).delayMs);
    expect(delays).toHaveLength(3);
    expect(delays[0]).toBeGreaterThanOrEqual(45);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(records.get("loop")!.failed).toBe(true);
  });

  it("stops the whole process group, and SIGKILLs what ignores the stop signal", async () => {
    const { sup, agentId } = harness();
    const childFile = path.join(agentId, "grandchild.pid");
    await sup.start([
      spec(
        "stubborn",
        { IGNORE_TERM: "1", SPAWN_CHILD: childFile },
        { stop: { signal: "SIGTERM", timeoutMs: 300 } },
      ),
    ]);
    await expect.poll(() => fs.existsSync(childFile), { timeout: 5_000 }).toBe(true);
    const pid = sup.get("stubborn")!.pid!;
    const grandchild = Number(fs.readFileSync(childFile, "utf8"));
    const t = Date.now();
    await sup.stop();
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(alive(pid)).toBe(false);
    await expect.poll(() => alive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it("captures stdout and stderr into <logs>/<service>.log", async () => {
    const { sup, logDir } = harness();
    await sup.start([spec("talker")]);
    const file = path.join(logDir, "talker.log");
    await expect
      .poll(() => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""), { timeout: 5_000 })
      .toMatch(/starting[\s\S]*stderr line|stderr line[\s\S]*starting/);
  });

  it("adopts the child that a killed agent left behind instead of starting a second copy", async () => {
    const records = new Map<string, ServiceRecord>();
    const first = harness(records);
    await first.sup.start([spec("keep")]);
    const pid = first.sup.get("keep")!.pid!;
    running.splice(running.indexOf(first.sup), 1); // the "crashed" agent never stops its children
    first.sup.get("keep")!.dispose();
    const second = harness(records, first.agentId);
    await second.sup.start([spec("keep")]);
    expect(second.sup.get("keep")!.pid).toBe(pid);
    expect(second.events.map((x) => x.e)).toEqual([{ kind: "started", pid, adopted: true }]);
    // An adopted child is still supervised: killing it restarts it.
    process.kill(pid, "SIGKILL");
    await expect
      .poll(() => second.sup.get("keep")!.pid !== undefined && second.sup.get("keep")!.pid !== pid, {
        timeout: 5_000,
      })
      .toBe(true);
  });

  it("finds its own unrecorded orphan by its environment tag", async () => {
    const records = new Map<string, ServiceRecord>();
    const first = harness(records);
    await first.sup.start([spec("ghost")]);
    const pid = first.sup.get("ghost")!.pid!;
    running.splice(running.indexOf(first.sup), 1);
    first.sup.get("ghost")!.dispose();
    records.clear(); // the crash happened before the record was written
    const second = harness(records, first.agentId);
    await second.sup.start([spec("ghost")]);
    expect(second.sup.get("ghost")!.pid).toBe(pid);
    await second.sup.stop();
    expect(alive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    // The forgotten first run restarted nothing: no process carries the service's tag.
    expect(groupLeadersByEnv(serviceTagVar).get(second.sup.tag("ghost")) ?? []).toEqual([]);
  });

  it("names the process holding its port and does not kill it", async () => {
    const port = await freePort();
    const holder = net.createServer().listen(port, "127.0.0.1");
    await new Promise((r) => holder.once("listening", r));
    try {
      const { sup, events } = harness();
      await sup.start([spec("blocked", { PORT: String(port) }, { port })]);
      const conflict = events.find((x) => x.e.kind === "port-conflict")!.e as {
        holder: string;
        port: number;
      };
      expect(conflict.port).toBe(port);
      expect(conflict.holder).toContain(`pid ${process.pid}`);
      expect(holder.listening).toBe(true);
      expect(sup.get("blocked")!.phase).toBe("backoff");
    } finally {
      holder.close();
    }
  });

  // The engine decides on a health result, then acts after an await: the process may have exited in
  // between, and its exit handler already restarted it or gave up. Its decision must not count twice.
  it("a health-check restart of a service that is no longer running spends nothing and announces nothing", async () => {
    const { sup, events, records } = harness();
    await sup.start([spec("loop", { CRASH_AFTER: "30" })]);
    await expect.poll(() => sup.get("loop")!.phase, { timeout: 10_000 }).toBe("failed");
    const before = structuredClone(records.get("loop")!);
    expect(await sup.get("loop")!.restartUnhealthy("health check failing: connection refused")).toBe(
      "gave-up",
    );
    expect(kinds(events).filter((k) => k === "gave-up")).toHaveLength(1);
    expect(records.get("loop")).toEqual(before);

    await sup.start([spec("slow", { CRASH_AFTER: "30" }, { restart: quickRestart({ initialMs: 2_000 }) })]);
    await expect.poll(() => sup.get("slow")!.phase, { timeout: 10_000 }).toBe("backoff");
    const restarts = sup.get("slow")!.record.restarts;
    expect(await sup.get("slow")!.restartUnhealthy("health check failing: connection refused")).toBe(
      "exited",
    );
    expect(sup.get("slow")!.phase).toBe("backoff");
    expect(sup.get("slow")!.record.restarts).toBe(restarts);
  });

  it("a health-check restart past the budget stops the process, gives up once, and recover starts one copy", async () => {
    const { sup, events } = harness();
    await sup.start([spec("hung", {}, { restart: quickRestart({ maxRestarts: 0 }) })]);
    await expect.poll(() => sup.get("hung")!.phase, { timeout: 10_000 }).toBe("running");
    const pid = sup.get("hung")!.pid!;
    expect(await sup.get("hung")!.restartUnhealthy("health check failing: timeout")).toBe("gave-up");
    expect(sup.get("hung")!.phase).toBe("failed");
    expect(alive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(kinds(events).filter((k) => k === "gave-up")).toHaveLength(1);
    expect(kinds(events).filter((k) => k === "restart-scheduled")).toHaveLength(0);

    await sup.get("hung")!.recover();
    expect(sup.get("hung")!.phase).toBe("running");
    expect(groupLeadersByEnv(serviceTagVar).get(sup.tag("hung")) ?? []).toEqual([sup.get("hung")!.pid]);
  });

  it("recover re-arms a failed service with a fresh budget", async () => {
    const { sup } = harness();
    await sup.start([spec("flaky", { CRASH_AFTER: "20" }, { restart: quickRestart({ maxRestarts: 1 }) })]);
    await expect.poll(() => sup.get("flaky")!.phase, { timeout: 10_000 }).toBe("failed");
    const before = sup.get("flaky")!.spec as ProcessSpec;
    sup.get("flaky")!.spec = { ...before, env: { ...before.env, CRASH_AFTER: "" } };
    await sup.get("flaky")!.recover();
    await new Promise((r) => setTimeout(r, 300));
    expect(sup.get("flaky")!.phase).toBe("running");
    expect(sup.get("flaky")!.record.failed).toBe(false);
  });

  it("an exit while automatic restarts are off is held, not stopped; a person's stop is what stops it", async () => {
    let paused = true;
    const { sup, events } = harness(undefined, undefined, () => !paused);
    await sup.start([spec("web"), spec("ctl")]);
    for (const name of ["web", "ctl"]) {
      process.kill(sup.get(name)!.pid!, "SIGKILL");
      await expect.poll(() => sup.get(name)!.phase, { timeout: 5_000 }).toBe("held");
    }
    await sup.get("ctl")!.stop();
    expect(sup.get("ctl")!.phase).toBe("stopped");
    paused = false;
    await sup.resumeAutomatic();
    expect(sup.get("web")!.phase).toBe("running");
    expect(sup.get("ctl")!.phase).toBe("stopped");
    expect(events.filter((x) => x.e.kind === "started").map((x) => x.name)).toEqual(["web", "ctl", "web"]);
  });
  it("a crash that its policy leaves down is down (exited), not a person's stop; a clean exit is stopped", async () => {
    const { sup } = harness();
    const never = (name: string) => spec(name, {}, { restart: quickRestart({ policy: "never" }) });
    const pidFile = path.join(tempDir(), "job.pid");
    const onFailure = spec("job", { PID_FILE: pidFile }, { restart: quickRestart({ policy: "on-failure" }) });
    await sup.start([never("web"), onFailure]);
    process.kill(sup.get("web")!.pid!, "SIGKILL");
    await expect.poll(() => sup.get("web")!.phase, { timeout: 5_000 }).toBe("exited");
    // Once it wrote its pid file, the fixture has its SIGTERM handler, which exits with code 0.
    await expect.poll(() => fs.existsSync(pidFile), { timeout: 5_000 }).toBe(true);
    process.kill(sup.get("job")!.pid!, "SIGTERM");
    await expect.poll(() => sup.get("job")!.phase, { timeout: 5_000 }).toBe("stopped");
    await sup.get("web")!.recover();
    expect(sup.get("web")!.phase).toBe("running");
  });
});
