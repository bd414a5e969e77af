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
import { builtinAction, builtinActions } from "./builtins.ts";
import type { ActionConfig } from "../config/schema.ts";
import type { ActionStore, ApprovalRow, RunRow } from "../store/action-store.ts";
import type {
  ActionRequest,
  ApprovalQueue,
  RequestOutcome,
  Requester,
  RunResult,
  RunView,
  ServiceControl,
} from "./types.ts";
import { actionDigest, type Capabilities } from "./capability.ts";
import { observeSpawns } from "./exec.ts";
import { parseProcesses, processRecord, stopLeftovers, type RunProcess } from "./leftovers.ts";
import { actionKinds, kindOf } from "./kinds/index.ts";
import { validateParams } from "./params.ts";
import { excerpt, toView } from "./run-view.ts";

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
  /**
   * A time limit for runs asked for by `requestedBy` in place of the action's own, if any: a
   * scheduled job's `timeout` (requested by `job:<name>`), approved runs included.
   */
  runTimeout?: (requestedBy: string) => number | undefined;
}

const outputCap = 64 * 1024;
/** At start, how long a killed agent's leftover run gets after SIGTERM before SIGKILL. */
const leftoverGraceMs = 2_000;
/** Processes recorded per run: a run that starts more keeps the newest (earlier ones have ended). */
const maxRecorded = 20;

const dryRunKinds = () =>
  actionKinds
    .entries()
    .filter(([, k]) => k.dryRun)
    .map(([t]) => t)
    .join(", ");

/** A built-in as a declaration: its own risk, one approval, no parameters, a minute at most. */
const asDeclaration = (b: { risk: ActionConfig["risk"] }): ActionConfig => ({
  risk: b.risk,
  agent_auto: false,
  approvals: 1,
  timeout: 60_000,
  params: {},
  env: {},
});

export class Gateway {
  readonly #d: GatewayDeps;
  readonly #running = new Set<Promise<unknown>>();
  /** Processes started by each run in progress, as recorded with the run. */
  readonly #processes = new Map<string, RunProcess[]>();
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
    const b = builtinAction(name, declared);
    if (b) return asDeclaration(b);
    const names = Object.keys(declared);
    throw new VigilError(
      "NOT_FOUND",
      `no action named "${name.slice(0, 80)}" (declared: ${names.length > 0 ? names.join(", ") : "none"}; built in: ${builtinActions.map((x) => x.name).join(", ")})`,
    );
  }

  /** Validates a request and runs it now, or queues it for approval, by the action's risk. */
  async request(name: string, req: ActionRequest, by: Requester): Promise<RequestOutcome> {
    const decl = this.declaration(name);
    const params = validateParams(name, decl.params, req.params);
    const target = this.#checkTarget(name, req.target);
    if (req.dryRun && (builtinAction(name, this.#d.actions()) || !kindOf(decl).kind.dryRun)) {
      throw new VigilError(
        "VALIDATION_FAILED",
        `dry_run: only actions of a kind with a dry run (${dryRunKinds()}) have one; "${name}" is not one`,
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
  async startApproved(
    approval: ApprovalRow,
    token: string,
    decidedBy: string,
    id: string = randomUUID(),
  ): Promise<string> {
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
    return row ? toView(row, this.#d.redactor) : undefined;
  }

  /** The newest runs, newest first. */
  async listRuns(limit: number): Promise<RunView[]> {
    return (await this.#d.store.listRuns(limit)).map((row) => toView(row, this.#d.redactor));
  }

  /**
   * At start: runs a previous agent left unfinished (it was killed mid-run) are marked failed, what is
   * left of their process groups is stopped (SIGTERM, SIGKILL after a grace), and each interruption is
   * audited as `action.interrupted` with what was found and done. Returns how many there were.
   */
  async recoverAbandoned(): Promise<number> {
    const { store, bus, clock } = this.#d;
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    let count = 0;
    // Bounded: each pass finishes the runs it read, so the next reads others; 10,000 runs at most.
    for (let pass = 0; pass < 100; pass++) {
      const runs = await store.runningRuns(100);
      if (runs.length === 0) break;
      for (const run of runs) {
        const { found, done } = await stopLeftovers(parseProcesses(run.processes), sleep, leftoverGraceMs);
        const result: RunResult = {
          ok: false,
          duration_ms: 0,
          error: `the agent stopped before the run finished; at the next start ${found}: ${done}`,
        };
        await store.finishRun(run.id, "failed", JSON.stringify(result), clock.now());
        await bus.emit("action.interrupted", run.target ?? run.action, {
          run_id: run.id,
          action: run.action,
          found,
          done,
        });
        count++;
      }
    }
    return count;
  }

  /** Stops running actions (their process groups are signalled) and waits for them to be recorded. */
  async drain(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
  }

  #checkTarget(name: string, target: string | undefined): string | null {
    if (builtinAction(name, this.#d.actions())?.needs_target) {
      if (!target)
        throw new VigilError(
          "VALIDATION_FAILED",
          `target: the built-in "${name}" needs the service to ${name}`,
        );
      const onContainer =
        ["restart", "start", "stop"].includes(name) && this.#d.services.readsContainer?.(target);
      if (!this.#d.services.isService(target) && !onContainer)
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
    // Secret parameters are never stored with the run: the program gets them, no view does.
    const shown = this.#d.redactor.params(r.name, r.params);
    const row: RunRow = {
      id: r.id ?? randomUUID(),
      action: r.name,
      params: JSON.stringify(shown),
      target: r.target,
      requested_by: r.by,
      reason: r.reason,
      approval_id: r.approvalId,
      status: "running",
      result: null,
      started_at: clock.now(),
      finished_at: null,
      agent: store.agent,
    };
    await store.insertRun(row);
    await bus.emit(
      "action.requested",
      r.target ?? r.name,
      {
        action: r.name,
        run_id: row.id,
        params: shown,
        target: r.target,
        risk: r.decl.risk,
        approval_id: r.approvalId,
        reason: r.reason,
        agent: store.agent,
      },
      r.by,
    );
    let performed: RunResult;
    const limit = this.#d.runTimeout?.(r.by);
    const decl = limit === undefined ? r.decl : { ...r.decl, timeout: limit };
    try {
      performed = await this.#perform({ ...r, decl, runId: row.id });
    } finally {
      this.#processes.delete(row.id);
    }
    const result = this.#d.redactor.redactOutput(performed, r.name, r.params);
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
    return toView(row, this.#d.redactor);
  }

  async #perform(r: {
    runId: string;
    name: string;
    decl: ActionConfig;
    params: Record<string, string>;
    target: string | null;
    by: string;
    dryRun: boolean;
  }): Promise<RunResult> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    const b = builtinAction(r.name, this.#d.actions());
    if (b) {
      try {
        return {
          ...(await b.run({ services: this.#d.services, target: r.target, by: r.by })),
          duration_ms: took(),
        };
      } catch (e) {
        return { ok: false, duration_ms: took(), error: (e as Error).message };
      }
    }
    const { kind, settings } = kindOf(r.decl);
    const perform = () =>
      kind.perform(settings, {
        decl: r.decl,
        params: r.params,
        dryRun: r.dryRun,
        signal: this.#stop.signal,
        clock: this.#d.clock,
        defaultCwd: this.#d.defaultCwd,
        outputCap,
      });
    return observeSpawns((pid) => this.#recordProcess(r.runId, pid), perform);
  }

  /**
   * Records a program a run started, at once: if the agent is killed before the run ends, its next
   * start finds the process group by this record and stops it (`recoverAbandoned`).
   */
  #recordProcess(runId: string, pid: number): void {
    const list = [...(this.#processes.get(runId) ?? []), processRecord(pid)].slice(-maxRecorded);
    this.#processes.set(runId, list);
    this.#d.store
      .setRunProcesses(runId, JSON.stringify(list))
      .catch((err: unknown) => this.#d.log.error({ err, run: runId }, "recording a run's process failed"));
  }
}
