/**
 * The one door: every action the agent takes by request goes through `Gateway.request`. It runs only
 * what `actions:` declares (plus the built-in start/stop/restart of known services), validates every
 * parameter, and decides by risk: `auto` and `notify` run, `approve` waits for people, `deny` never
 * runs. Whatever a token with role `agent` asks for waits for a person unless the action says
 * `agent_auto: true`. An approved run needs a capability token minted for exactly that approval.
 *
 * Owns: deciding, executing and recording action runs. Must not import: api, cli, app.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { Redactor } from "../core/redact.ts";
import { builtinActions as builtinActionNames } from "../config/refs.ts";
import type { ActionConfig } from "../config/schema.ts";
import type { ActionStore, ApprovalRow, RunRow } from "../store/action-store.ts";
import type { Risk } from "./action.schema.ts";
import { actionDigest, type Capabilities } from "./capability.ts";
import { runCleanup } from "./cleanup.ts";
import { baseEnv, execArgv } from "./exec.ts";
import { runHttpAction } from "./http-action.ts";
import { substituteArgv, validateParams } from "./params.ts";

/** Who asks: the authenticated token's name and role. */
export interface Requester {
  name: string;
  role: "viewer" | "agent" | "operator" | "admin";
}

export interface ActionRequest {
  params: Record<string, unknown>;
  reason: string;
  target?: string | undefined;
  dryRun?: boolean | undefined;
}

export { builtinActions as builtinActionNames } from "../config/refs.ts";

/** What the gateway needs of the supervisor for the built-ins. */
export interface ServiceControl {
  isService(name: string): boolean;
  isTarget(name: string): boolean;
  act(name: string, action: "restart" | "start" | "stop", by: string): Promise<{ state: string }>;
  /** The running managed service with the most resident memory (its whole process group). */
  largest(): { name: string; rssMb: number } | undefined;
  /** Doubles the service's start period (its health grace after a start), then restarts it. */
  longerStart(name: string, by: string): Promise<{ ok: boolean; detail: string }>;
  /** Stops whatever holds the service's port (never the agent's business without approval) and starts it. */
  freePort(name: string, by: string): Promise<{ ok: boolean; detail: string }>;
}

/** Where approve-tier requests go: the approvals queue. */
export interface ApprovalQueue {
  request(input: {
    action: string;
    params: Record<string, string>;
    target: string | null;
    reason: string;
    requestedBy: string;
    required: number;
    risk: Risk;
  }): Promise<ApprovalRow>;
}

export interface RunView {
  id: string;
  action: string;
  params: Record<string, string>;
  target: string | null;
  requested_by: string;
  reason: string;
  approval_id: string | null;
  status: RunRow["status"];
  started_at: number;
  finished_at: number | null;
  result: RunResult | null;
}

/** What a run produced. Output is capped and redacted before it is stored or shown. */
export interface RunResult {
  ok: boolean;
  duration_ms: number;
  exit_code?: number | null;
  signal?: string | null;
  timed_out?: boolean;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  http_status?: number | null;
  body?: string;
  files?: string[];
  count?: number;
  bytes?: number;
  dry_run?: boolean;
  state?: string;
  error?: string;
}

export type RequestOutcome = { kind: "ran"; run: RunView } | { kind: "queued"; approval: ApprovalRow };

export interface GatewayDeps {
  actions: () => Record<string, ActionConfig>;
  services: ServiceControl;
  store: ActionStore;
  capabilities: Capabilities;
  bus: EventBus;
  redactor: Redactor;
  clock: Clock;
  log: Logger;
  /** Working folder of `run` actions that name none (the config file's folder). */
  defaultCwd: string;
  approvals?: ApprovalQueue;
}

const outputCap = 64 * 1024;
/** How much of a run's output goes into its audit entry (the run record keeps the full capped output). */
const auditExcerpt = 2_000;

/** Built-ins run at once for operators, except `free-port`: stopping someone else's process needs a person. */
const builtin = (name: string): ActionConfig =>
  ({
    risk: name === "free-port" ? "approve" : "auto",
    agent_auto: false,
    approvals: 1,
    timeout: 60_000,
    params: {},
    env: {},
  }) as unknown as ActionConfig;

export class Gateway {
  readonly #d: GatewayDeps;
  readonly #running = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();

  constructor(deps: GatewayDeps) {
    this.#d = deps;
  }

  set approvals(queue: ApprovalQueue) {
    this.#d.approvals = queue;
  }

  /** The declaration of an action (declared or built in), or NOT_FOUND naming what exists. */
  declaration(name: string): ActionConfig {
    const declared = this.#d.actions();
    if (Object.hasOwn(declared, name)) return declared[name]!;
    if ((builtinActionNames as readonly string[]).includes(name)) return builtin(name);
    const names = Object.keys(declared);
    throw new VigilError(
      "NOT_FOUND",
      `no action named "${name.slice(0, 80)}" (declared: ${names.length > 0 ? names.join(", ") : "none"}; built in: ${builtinActionNames.join(", ")})`,
    );
  }

  /** Validates a request and runs it now, or queues it for approval, by the action's risk. */
  async request(name: string, req: ActionRequest, by: Requester): Promise<RequestOutcome> {
    const decl = this.declaration(name);
    const params = validateParams(name, decl.params, req.params);
    const target = this.#checkTarget(name, req.target);
    if (req.dryRun && !decl.cleanup) {
      throw new VigilError(
        "VALIDATION_FAILED",
        `dry_run: only cleanup actions have a dry run; "${name}" is not one`,
      );
    }
    if (decl.risk === "deny") {
      throw new VigilError("FORBIDDEN", `the action "${name}" has risk: deny; nothing may run it`);
    }
    const needsPerson = decl.risk === "approve" || (by.role === "agent" && !decl.agent_auto);
    if (needsPerson && !req.dryRun) {
      if (!this.#d.approvals) throw new Error("no approval queue wired");
      const approval = await this.#d.approvals.request({
        action: name,
        params,
        target,
        reason: req.reason,
        requestedBy: by.name,
        required: decl.approvals,
        risk: decl.risk,
      });
      return { kind: "queued", approval };
    }
    const run = await this.#track(
      this.#execute({
        name,
        decl,
        params,
        target,
        reason: req.reason,
        by: by.name,
        approvalId: null,
        dryRun: req.dryRun ?? false,
      }),
    );
    return { kind: "ran", run };
  }

  /**
   * Starts an approved run, if `token` is a valid, unspent capability for exactly this approval.
   * Returns the run id at once; the run goes on in the background (GET /api/actions/runs/{id}).
   */
  async startApproved(approval: ApprovalRow, token: string, decidedBy: string): Promise<string> {
    const params = JSON.parse(approval.params) as Record<string, string>;
    const digest = actionDigest(approval.action, params, approval.target);
    const check = await this.#d.capabilities.check(token, { approvalId: approval.id, digest });
    const refuse = async (reason: string): Promise<never> => {
      await this.#d.bus.emit(
        "capability.refused",
        approval.action,
        { approval_id: approval.id, reason },
        decidedBy,
      );
      throw new VigilError("FORBIDDEN", `capability refused: ${reason}`);
    };
    if (!check.ok) return refuse(check.reason);
    if (!(await this.#d.store.spendCapability(check.jti, approval.id, this.#d.clock.now()))) {
      return refuse("already used");
    }
    const decl = this.declaration(approval.action);
    const id = randomUUID();
    void this.#track(
      this.#execute({
        id,
        name: approval.action,
        decl,
        params,
        target: approval.target,
        reason: approval.reason,
        by: approval.requested_by,
        approvalId: approval.id,
        dryRun: false,
      }),
    ).catch((e: unknown) => this.#d.log.error({ err: e, run: id }, "approved run failed to record"));
    return id;
  }

  async getRun(id: string): Promise<RunView | undefined> {
    const row = await this.#d.store.getRun(id);
    return row ? toView(row) : undefined;
  }

  /** Marks runs a previous agent left unfinished (it stopped or crashed mid-run) as failed. */
  async recoverAbandoned(): Promise<number> {
    const result: RunResult = {
      ok: false,
      duration_ms: 0,
      error: "the agent stopped before the run finished",
    };
    return this.#d.store.abandonRuns(JSON.stringify(result), this.#d.clock.now());
  }

  /** Stops running actions (their process groups are signalled) and waits for them to be recorded. */
  async drain(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }

  #checkTarget(name: string, target: string | undefined): string | null {
    const isBuiltin =
      (builtinActionNames as readonly string[]).includes(name) && !Object.hasOwn(this.#d.actions(), name);
    // restart-largest picks its own service; its target (a memory check, say) only says why.
    if (isBuiltin && name !== "restart-largest") {
      if (!target)
        throw new VigilError(
          "VALIDATION_FAILED",
          `target: the built-in "${name}" needs the service to ${name}`,
        );
      if (!this.#d.services.isService(target))
        throw new VigilError(
          "VALIDATION_FAILED",
          `target: "${target.slice(0, 80)}" is not a service of this agent`,
        );
      return target;
    }
    if (target === undefined) return null;
    if (!this.#d.services.isTarget(target))
      throw new VigilError(
        "VALIDATION_FAILED",
        `target: "${target.slice(0, 80)}" is not a service or check of this agent`,
      );
    return target;
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#running.add(p);
    const done = () => this.#running.delete(p);
    p.then(done, done);
    return p;
  }

  async #execute(r: {
    id?: string;
    name: string;
    decl: ActionConfig;
    params: Record<string, string>;
    target: string | null;
    reason: string;
    by: string;
    approvalId: string | null;
    dryRun: boolean;
  }): Promise<RunView> {
    const { store, bus, clock } = this.#d;
    const row: RunRow = {
      id: r.id ?? randomUUID(),
      action: r.name,
      params: JSON.stringify(r.params),
      target: r.target,
      requested_by: r.by,
      reason: r.reason,
      approval_id: r.approvalId,
      status: "running",
      result: null,
      started_at: clock.now(),
      finished_at: null,
    };
    await store.insertRun(row);
    await bus.emit(
      "action.requested",
      r.target ?? r.name,
      {
        action: r.name,
        run_id: row.id,
        params: r.params,
        target: r.target,
        risk: r.decl.risk,
        approval_id: r.approvalId,
        reason: r.reason,
      },
      r.by,
    );
    const result = this.#redactResult(await this.#perform(r));
    row.status = result.ok ? "succeeded" : "failed";
    row.result = JSON.stringify(result);
    row.finished_at = clock.now();
    await store.finishRun(row.id, row.status, row.result, row.finished_at);
    await bus.emit(
      "action.finished",
      r.target ?? r.name,
      {
        action: r.name,
        run_id: row.id,
        status: row.status,
        risk: r.decl.risk,
        exit_code: result.exit_code ?? null,
        duration_ms: result.duration_ms,
        output: excerpt(result),
      },
      r.by,
    );
    return toView(row);
  }

  async #perform(r: {
    name: string;
    decl: ActionConfig;
    params: Record<string, string>;
    target: string | null;
    by: string;
    dryRun: boolean;
  }): Promise<RunResult> {
    const { decl } = r;
    const signal = this.#stop.signal;
    if (decl.run) {
      const x = await execArgv({
        argv: substituteArgv(decl.run, r.params),
        cwd: decl.cwd ?? this.#d.defaultCwd,
        env: { ...baseEnv(), ...decl.env },
        timeoutMs: decl.timeout,
        maxOutputBytes: outputCap,
        signal,
        ...(decl.uid === undefined ? {} : { uid: decl.uid }),
        ...(decl.gid === undefined ? {} : { gid: decl.gid }),
      });
      return {
        ok: x.exitCode === 0,
        duration_ms: Math.round(x.durationMs),
        exit_code: x.exitCode,
        signal: x.signal,
        timed_out: x.timedOut,
        stdout: x.stdout,
        stderr: x.stderr,
        truncated: x.truncated,
        ...(x.spawnError ? { error: x.spawnError } : {}),
      };
    }
    if (decl.http) {
      const h = await runHttpAction(decl.http, r.params, {
        timeoutMs: decl.timeout,
        maxBytes: outputCap,
        signal,
      });
      return {
        ok: h.status !== null && h.status >= 200 && h.status < 300,
        duration_ms: h.durationMs,
        http_status: h.status,
        body: h.body,
        truncated: h.truncated,
        ...(h.error ? { error: h.error } : {}),
      };
    }
    if (decl.cleanup) {
      const started = performance.now();
      const c = await runCleanup(decl.cleanup, { now: this.#d.clock.now(), dryRun: r.dryRun, signal });
      return {
        ok: c.errors.length === 0,
        duration_ms: Math.round(performance.now() - started),
        dry_run: c.dryRun,
        files: c.files,
        count: c.count,
        bytes: c.bytes,
        truncated: c.truncated,
        ...(c.errors.length > 0 ? { error: c.errors.slice(0, 20).join("; ") } : {}),
      };
    }
    const started = performance.now();
    if (r.name === "free-port" || r.name === "longer-start") {
      const f =
        r.name === "free-port"
          ? await this.#d.services.freePort(r.target!, r.by)
          : await this.#d.services.longerStart(r.target!, r.by);
      return { ok: f.ok, duration_ms: Math.round(performance.now() - started), stdout: f.detail };
    }
    if (r.name === "restart-largest") {
      const largest = this.#d.services.largest();
      if (!largest) return { ok: false, duration_ms: 0, error: "no managed service is running" };
      const t = await this.#d.services.act(largest.name, "restart", r.by);
      return {
        ok: true,
        duration_ms: Math.round(performance.now() - started),
        state: t.state,
        stdout: `restarted ${largest.name} (${largest.rssMb} MB resident)`,
      };
    }
    try {
      const t = await this.#d.services.act(r.target!, r.name as "restart" | "start" | "stop", r.by);
      return { ok: true, duration_ms: Math.round(performance.now() - started), state: t.state };
    } catch (e) {
      return { ok: false, duration_ms: Math.round(performance.now() - started), error: (e as Error).message };
    }
  }

  #redactResult(result: RunResult): RunResult {
    return this.#d.redactor.redact(result);
  }
}

function excerpt(r: RunResult): string {
  const text = [r.error, r.stdout, r.stderr, r.body].filter(Boolean).join("\n");
  return text.length > auditExcerpt ? `${text.slice(0, auditExcerpt)}…` : text;
}

export function toView(row: RunRow): RunView {
  return {
    id: row.id,
    action: row.action,
    params: JSON.parse(row.params) as Record<string, string>,
    target: row.target,
    requested_by: row.requested_by,
    reason: row.reason,
    approval_id: row.approval_id,
    status: row.status,
    started_at: row.started_at,
    finished_at: row.finished_at,
    result: row.result ? (JSON.parse(row.result) as RunResult) : null,
  };
}
