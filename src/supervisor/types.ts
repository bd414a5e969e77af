/** The shapes a managed service is described, remembered and reported by. */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import type { CrashHistory, RestartPolicyConfig } from "./backoff.ts";

interface SpecCommon {
  name: string;
  restart: RestartPolicyConfig & { retryAfterFailedMs: number | false };
  stop: { signal: NodeJS.Signals; timeoutMs: number };
}

/** A process Vigil starts from argv. */
export interface ProcessSpec extends SpecCommon {
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  port: number | undefined;
  container?: undefined;
}

/** A container that exists already (Vigil never creates one), started and stopped through the engine. */
export interface ContainerSpec extends SpecCommon {
  container: { name: string };
}

export type ServiceSpec = ProcessSpec | ContainerSpec;

/**
 * `held`: the process exited while automatic restarts were off (paused, observe mode). It is down,
 * not `stopped`: only a person's stop means stopped. Resuming starts it.
 * `exited`: it ended by itself, not cleanly, and its restart policy leaves it down.
 */
export type Phase =
  "stopped" | "starting" | "running" | "stopping" | "backoff" | "held" | "exited" | "failed";

/** What a restart asked for by a failing health check came to (see `Supervisor.restartUnhealthy`). */
export type UnhealthyRestart = "restarted" | "gave-up" | "exited" | "not-running";

/** What survives an agent restart. */
export interface ServiceRecord {
  pid: number | null;
  ticks: string | null;
  startedAt: number | null;
  history: CrashHistory;
  failed: boolean;
  /** Every start after the first, automatic or by hand, for `vigil status`. */
  restarts: number;
}

export type ServiceEvent =
  | { kind: "started"; pid: number; adopted: boolean }
  | { kind: "exited"; code: number | null; signal: string | null; uptimeMs: number; expected: boolean }
  | { kind: "restart-scheduled"; delayMs: number; reason: string }
  | { kind: "gave-up"; restarts: number; windowMs: number }
  | { kind: "port-conflict"; port: number; holder: string }
  | { kind: "spawn-failed"; error: string };

export interface ServiceHooks {
  clock: Clock;
  log: Logger;
  /** Persists the record; awaited before the start is reported, so a crash cannot forget a child. */
  save(record: ServiceRecord): Promise<void>;
  event(e: ServiceEvent): void;
  phase(p: Phase): void;
  /** False while paused or observing: exits are recorded, nothing restarts by itself. */
  automaticAllowed(): boolean;
}

/**
 * How a restart asked for by a failing health check (the remediation engine's `restart` step) gives
 * its reason: what tells it from the restart policy's answer to a crash.
 */
export const unhealthyRestartReason = "health check failing";
