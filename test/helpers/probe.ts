/**
 * Runs one probe the way the agent does: its settings parsed by its own schema (as the config loader
 * does), then `run` with a timeout and an abort signal. For the probes' own tests and their contract.
 */
import { kit } from "../../src/config/kit.ts";
import { Engine } from "../../src/containers/engine.ts";
import { systemClock } from "../../src/core/clock.ts";
import { execArgv } from "../../src/gateway/exec.ts";
import { probes } from "../../src/probes/index.ts";
import type { ProbeContext, ProbeEnvironment, ProbeOutcome } from "../../src/probes/probe.ts";

/** Heartbeats the `heartbeat` probe sees, by check name. */
export const heartbeats = new Map<string, number>();

export const probeEnv: ProbeEnvironment = {
  clock: systemClock,
  lastHeartbeat: (c) => heartbeats.get(c),
  watchingSince: () => Date.now() - 60_000,
  servicePids: (s) => (s === "self" ? [process.pid] : []),
  exec: execArgv,
  // DOCKER_HOST as test/helpers/engine.ts finds it (a test that reads containers awaits dockerHost() first)
  engine: () => (engine ??= Engine.fromHost()),
  // An empty queue; src/probes/approvals.test.ts reads a real store's instead.
  approvalQueue: async () => ({ pending: 0, oldestRequestedAt: null }),
};
let engine: Engine | undefined;

/**
 * The context of one run, 5 s to answer, on `engine` rather than the one DOCKER_HOST names (a
 * socket the test can take away); for a probe's own `run`, its settings already parsed.
 */
export function contextOn(engine: Engine, target = "t"): ProbeContext {
  return {
    target,
    timeoutMs: 5_000,
    signal: AbortSignal.timeout(5_000),
    env: { ...probeEnv, engine: () => engine },
  };
}

/** Parses `settings` through the probe's schema and runs it once; `ms` is how long it took. */
export async function runProbe(
  type: string,
  settings: unknown,
  opts: { timeoutMs?: number; abortAfterMs?: number; target?: string } = {},
): Promise<{ outcome: ProbeOutcome; ms: number }> {
  const probe = probes.get(type);
  if (!probe) throw new Error(`no probe ${type}`);
  const parsed = probe.schema(kit).parse(settings) as never;
  const controller = new AbortController();
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const timer = setTimeout(() => controller.abort(new Error("timeout")), opts.abortAfterMs ?? timeoutMs);
  const started = performance.now();
  try {
    const outcome = await probe.run(parsed, {
      target: opts.target ?? "t",
      timeoutMs,
      signal: controller.signal,
      env: probeEnv,
    });
    return { outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
