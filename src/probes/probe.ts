/**
 * The probe contract. A probe takes a reading of one thing (an HTTP endpoint, a port, a disk ...) and
 * returns placeholder values for the conditions to judge. It honours its timeout and abort signal,
 * and never throws: a failure to get a reading comes back as `error` with a failure class.
 *
 * Owns: taking readings. Must not import: scheduler, supervisor, incidents, api, app.
 */
import type { Clock } from "../core/clock.ts";
import type { ExecRequest, ExecResult } from "../gateway/exec.ts";

/** Why a target is failing, as remediation runbooks match it (`when: [timeout]`). */
export const failureClasses = [
  "connection_refused",
  "timeout",
  "http_5xx",
  "http_other",
  "condition_failed",
  "process_exited",
  "port_in_use",
  "resource_threshold",
  "heartbeat_missed",
  "dns_failure",
  "unknown",
] as const;
export type FailureClass = (typeof failureClasses)[number];

/** Placeholder values by name without brackets: `{ STATUS: 200, BODY: "...", RESPONSE_TIME: 12 }`. */
export type ProbeValues = Record<string, unknown>;

/** What the agent lends a probe: never its internals, only these questions. */
export interface ProbeEnvironment {
  clock: Clock;
  /** When the named check last received a heartbeat (ms epoch), if ever. */
  lastHeartbeat(check: string): number | undefined;
  /** When the agent started watching (a heartbeat check is not missed before `within` has passed). */
  watchingSince(check: string): number;
  /** Pids of a managed service's process group members, for per-service memory and CPU. */
  servicePids(service: string): number[];
  /** Runs a program through the gateway's execution module. */
  exec(req: ExecRequest): Promise<ExecResult>;
}

export interface ProbeContext {
  /** The check's name. */
  target: string;
  timeoutMs: number;
  /** Aborted at the timeout or when the agent stops. */
  signal: AbortSignal;
  env: ProbeEnvironment;
}

export interface ProbeOutcome {
  values: ProbeValues;
  /** Set when no reading could be taken at all. */
  error?: { class: FailureClass; message: string };
}

export interface Probe<C = unknown> {
  readonly type: string;
  /** Conditions used when a check has no `expect`. */
  readonly defaultExpect: readonly string[];
  /** How often to check while failing when the check says nothing (resources: sooner than `every`). */
  readonly defaultEveryFailingMs?: number;
  /** Placeholders it provides, so a condition reading one it cannot is a config error. */
  readonly provides: readonly string[];
  run(config: C, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/** Classifies a Node network error code the same way for every network probe. */
export function classifyNetworkError(
  e: unknown,
  signal?: AbortSignal,
): { class: FailureClass; message: string } {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (
    signal?.aborted ||
    code === "ETIMEDOUT" ||
    code === "ABORT_ERR" ||
    (e as Error)?.name === "AbortError"
  ) {
    return { class: "timeout", message: "timed out" };
  }
  if (code === "ECONNREFUSED")
    return { class: "connection_refused", message: `connection refused (${message})` };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { class: "dns_failure", message: `DNS lookup failed (${message})` };
  return { class: "unknown", message: code ? `${code}: ${message}` : message };
}
