/**
 * A container service under the supervisor on the real engine, reached through a unix-socket proxy
 * the test can cut: the engine going away for a while, and a container dying meanwhile.
 */
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../containers/engine.ts";
import { systemClock } from "../core/clock.ts";
import { silentLogger } from "../core/log.ts";
import { dockerHost, engineProxy, throwaway } from "../../test/helpers/engine.ts";
import { quickRestart } from "../../test/helpers/restart.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { Supervisor, type SupervisedSpec } from "./supervisor.ts";
import type { Phase, ServiceEvent, ServiceRecord } from "./types.ts";

beforeAll(async () => {
  await dockerHost(); // starts the test engine when none answers
}, 600_000);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spec(name: string, container: string): SupervisedSpec {
  return {
    name,
    container: { name: container },
    dependsOn: [],
    restart: quickRestart({ minUptimeMs: 1_000, maxRestarts: 5 }),
    stop: { signal: "SIGTERM", timeoutMs: 1_000 },
  };
}

describe("container service, the engine away", () => {
  it("a container that died while the event stream was cut is restarted once the engine answers again", async () => {
    const link = await engineProxy(tempDir("vigil-relay-"));
    const engine = new Engine(link.socket);
    const events: ServiceEvent[] = [];
    const phases: Phase[] = [];
    const records = new Map<string, ServiceRecord>();
    const dir = tempDir("vigil-ct-");
    const sup = new Supervisor({
      clock: systemClock,
      log: silentLogger(),
      logDir: path.join(dir, "logs"),
      agentId: dir,
      loadRecords: async () => new Map(records),
      saveRecord: async (name, r) => void records.set(name, structuredClone(r)),
      deleteRecord: async (name) => void records.delete(name),
      event: (_name, e) => events.push(e),
      phase: (_name, p) => phases.push(p),
      automaticAllowed: () => true,
      engine: () => engine,
    });
    cleanups.push(
      () => engine.close(),
      () => sup.stop(),
    );
    const c = await throwaway({
      Cmd: ["sh", "-c", 'trap "exit 143" TERM; while :; do sleep 3600 & wait $!; done'],
      start: false,
    });
    await sup.start([spec("worker", c.name)]);
    expect(sup.get("worker")!.phase).toBe("running");
    const first = await c.engine.inspect(c.id);
    expect(first.running).toBe(true);

    link.cut();
    process.kill(first.pid, "SIGKILL");
    await expect.poll(async () => (await c.engine.inspect(c.id)).running).toBe(false);
    // Deliberate: the agent cannot hear of it while cut off; it must not have acted on a guess.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(events.filter((e) => e.kind === "exited")).toHaveLength(0);
    expect(sup.get("worker")!.phase).toBe("running");

    link.restore();
    await expect
      .poll(async () => (await c.engine.inspect(c.id)).startedAt! > first.startedAt!, { timeout: 15_000 })
      .toBe(true);
    await expect.poll(() => sup.get("worker")!.phase, { timeout: 10_000 }).toBe("running");
    const exited = events.filter((e) => e.kind === "exited");
    expect(exited).toEqual([expect.objectContaining({ code: 137, expected: false })]);
    expect(events.filter((e) => e.kind === "started")).toHaveLength(2);
    expect(sup.get("worker")!.restarts).toBe(1);
  });
});
