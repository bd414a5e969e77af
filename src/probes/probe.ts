/**
 * The probe contract. A probe takes a reading of one thing (an HTTP endpoint, a port, a disk ...) and
 * returns placeholder values for the conditions to judge. It honours its timeout and abort signal,
 * and never throws: a failure to get a reading comes back as `error` with a failure class.
 *
 * A check type is one file in this folder, `<type>.ts`, whose default export is `defineProbe({...})`
 * with everything about it: its settings' schema, what it provides, how doctor may try it, and its
 * `run`. `index.ts` finds the files; `contract.test.ts` holds every one to this contract.
 *
 * Owns: taking readings. Must not import: scheduler, supervisor, incidents, api, app.
 */
import type { z } from "zod";
import type { SchemaKit } from "../config/kit.ts";
import type { Engine } from "../containers/engine.ts";
import type { Clock } from "../core/clock.ts";
import type { ExecRequest, ExecResult } from "../gateway/exec.ts";
import { missingFields } from "../core/plugins.ts";

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
  "engine_unreachable",
  "container_missing",
  /** Alertmanager posted the alert firing (src/alertmanager): no probe yields it. */
  "alert_firing",
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
  /** The container engine at `agent.docker.host` (else DOCKER_HOST, else the standard socket). */
  engine(): Engine;
  /** The approval queue in the agent's store: requests waiting now, and when the oldest was asked. */
  approvalQueue(): Promise<{ pending: number; oldestRequestedAt: number | null }>;
  /** `agent.name`: an HTTP check names it in its User-Agent, so a checked server can tell a fleet's agents apart. */
  agent?: string;
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
  /**
   * A group check's members, each the target `<check>/<name>` judged by the check's conditions
   * (`compose`: one per container of the project). Members missing from a reading are gone; when
   * a reading has an `error` and no `members`, each known member gets that error.
   */
  members?: { name: string; values: ProbeValues; error?: { class: FailureClass; message: string } }[];
}

/**
 * What `vigil doctor` may do with a check of this type, decided from its settings: run the probe
 * once (it only reads: a socket, a request, statfs, /proc), look for its program, or skip it.
 */
export type DoctorPlan =
  | {
      try: true;
      /** Where it connects, so a failure can name who holds the port or that nothing listens. */
      endpoint?: { host: string; port: number; field: string };
    }
  | { program: { argv: string[]; cwd?: string; env: Record<string, string>; field: string } }
  | { skip: string };

export interface Probe<C = unknown> {
  /** The check type: the key in vigil.yaml and the file's name. */
  readonly type: string;
  /** One line for the reference and `vigil config schema`. */
  readonly description: string;
  /** Its settings, built with the kit the config side lends; the daemon never calls it. */
  schema(kit: SchemaKit): z.ZodType;
  /** Settings that are valid; the contract suite runs every probe on them. */
  readonly example: Record<string, unknown>;
  /** Conditions used when a check has no `expect`. */
  readonly defaultExpect: readonly string[];
  /** How often to check while failing when the check says nothing (resources: sooner than `every`). */
  readonly defaultEveryFailingMs?: number;
  /** Placeholders it provides, so a condition reading one it cannot is a config error. */
  readonly provides: readonly string[];
  /**
   * A group check (`compose`): its readings carry `members`, each its own target `<check>/<name>`
   * that appears and disappears with them; the check's own target says whether the group could be
   * read at all.
   */
  readonly group?: true;
  /** Why it cannot be a service's health check, when it watches something else (`approvals`: the agent). */
  readonly notHealth?: string;
  /**
   * Whether a fleet may run the check on any live agent (`run_on: any`, src/fleet/shared-checks.ts):
   * `default` for what reads nothing of the host it runs on (a URL, a port, a name, a database),
   * `allowed` for what may or may not (a command: any, when asked). Absent for what reads the host
   * itself (disk, memory, processes, containers, heartbeats posted to this agent): `self` only.
   */
  readonly shared?: "default" | "allowed";
  /** Services its settings name (`memory: { service: api }`), checked to exist at load. */
  services?(config: C): { field: string; name: string }[];
  doctor(config: C): DoctorPlan;
  run(config: C, ctx: ProbeContext): Promise<ProbeOutcome>;
}

/**
 * Declares a probe with its settings typed from its own schema.
 *
 * @example
 * export default defineProbe({
 *   type: "tcp",
 *   schema: ({ z, port }) => z.strictObject({ host: z.string().default("127.0.0.1"), port }),
 *   run: async (cfg, ctx) => ({ values: { CONNECTED: true } }), // cfg.port is a number
 *   ...
 * });
 */
export function defineProbe<S extends z.ZodType>(
  probe: { schema(kit: SchemaKit): S } & Omit<Probe<z.output<S>>, "schema">,
): Omit<Probe<z.output<S>>, "schema"> & { schema(kit: SchemaKit): S } {
  return probe;
}

/** Why a module's default export is not a complete probe (for discovery), or undefined. */
export function incompleteProbe(p: Record<string, unknown>): string | undefined {
  return missingFields(p, {
    description: "string",
    schema: "function",
    example: "object",
    defaultExpect: "array",
    provides: "array",
    doctor: "function",
    run: "function",
  });
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
