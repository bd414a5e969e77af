/**
 * Wires the supervisor, the scheduler, the monitor and the targets together, and answers the API's
 * questions about them. Everything here registers its cleanup with the app's lifecycle.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import path from "node:path";
import type { Principal } from "../api/auth.ts";
import { roleAtLeast } from "../api/auth.ts";
import type { TargetAction, TargetsApi } from "../api/context.ts";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import { groupMembers, usage } from "../core/procfs.ts";
import { stopPortHolder } from "../supervisor/ports.ts";
import type { VigilConfig } from "../config/schema.ts";
import { execArgv } from "../gateway/exec.ts";
import type { ProbeEnvironment } from "../probes/probe.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { logFile, rotateIfNeeded, tailLines } from "../supervisor/logs.ts";
import type { Phase, ServiceRecord } from "../supervisor/service.ts";
import { recordServiceEvent } from "./service-events.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import { Monitor, type CheckSpec, type Gate } from "../targets/monitor.ts";
import { ResultsWriter } from "../targets/results-writer.ts";
import { Targets, type LastResult, type TargetView } from "../targets/targets.ts";
import type { Store } from "../store/store.ts";
import { serviceSpecs, targetPlans, type TargetPlan } from "./specs.ts";

export interface SupervisionDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  /** agent.max_concurrent_checks */
  concurrency: number;
  /** False while paused (kill switch) or in observe mode. */
  automaticAllowed: () => boolean;
  /** Every check result, changed or not (the metrics). */
  onCheckResult?: (spec: CheckSpec, r: LastResult) => void;
}

/**
 * Log rotation runs every few seconds; routine persistence (last results, counters) every minute.
 * State changes, heartbeats and service records are written at once, and every result is in the
 * results table, so at 10,000 checks rewriting every target row often buys nothing: every second it
 * cost a sixth of a core in upserts alone, every 5 s still ~1,000 upserts a second (bench/checks.ts).
 */
const housekeepingMs = 5_000;

/** The checks to schedule: none while `agent.features.monitoring` is off (services are still kept alive). */
function watched(config: VigilConfig, plans: readonly TargetPlan[]): CheckSpec[] {
  if (!config.agent.features.monitoring) return [];
  return plans.flatMap((p) => (p.check ? [p.check] : []));
}
const routinePersistEvery = 12;

const digest = (s: string) => createHash("sha256").update(s).digest();

export class Supervision implements TargetsApi {
  readonly #d: SupervisionDeps;
  #config!: VigilConfig;
  #plans = new Map<string, TargetPlan>();
  readonly targets: Targets;
  readonly scheduler: Scheduler;
  readonly #results: ResultsWriter;
  readonly #monitor: Monitor;
  #supervisor!: Supervisor;
  readonly #startedAt: number;
  #housekeeping: TimerHandle | undefined;

  constructor(deps: SupervisionDeps) {
    this.#d = deps;
    this.#startedAt = deps.clock.now();
    this.targets = new Targets({
      store: deps.store,
      bus: deps.bus,
      clock: deps.clock,
      log: deps.log.child({ component: "targets" }),
    });
    this.scheduler = new Scheduler({
      clock: deps.clock,
      concurrency: deps.concurrency,
      onError: (id, err) => deps.log.error({ err, target: id }, "check failed unexpectedly"),
    });
    this.#results = new ResultsWriter({
      store: deps.store,
      clock: deps.clock,
      log: deps.log.child({ component: "results" }),
    });
    const env: ProbeEnvironment = {
      clock: deps.clock,
      lastHeartbeat: (name) => this.targets.lastHeartbeat(name),
      watchingSince: () => this.#startedAt,
      servicePids: (name) => {
        const pid = this.#supervisor.get(name)?.pid;
        return pid === undefined ? [] : groupMembers(pid);
      },
      exec: execArgv,
    };
    this.#monitor = new Monitor({
      scheduler: this.scheduler,
      targets: this.targets,
      results: this.#results,
      env,
      log: deps.log.child({ component: "monitor" }),
      gate: (name) => this.#gate(name),
      onObservation: async () => undefined,
      ...(deps.onCheckResult ? { onResult: deps.onCheckResult } : {}),
    });
  }

  async start(config: VigilConfig): Promise<void> {
    const { lifecycle, log } = this.#d;
    this.#config = config;
    const plans = targetPlans(config);
    this.#plans = new Map(plans.map((p) => [p.name, p]));
    await this.targets.load(plans);
    lifecycle.defer("targets", () => this.targets.persist());

    this.#results.start();
    lifecycle.defer("results", () => this.#results.stop());

    this.#supervisor = new Supervisor({
      clock: this.#d.clock,
      log: log.child({ component: "supervisor" }),
      logDir: this.logDir,
      agentId: config.agent.data_dir,
      loadRecords: async () => {
        const records = new Map<string, ServiceRecord>();
        for (const name of Object.keys(config.services)) {
          const raw = this.targets.serviceRecord(name);
          if (raw) records.set(name, JSON.parse(raw) as ServiceRecord);
        }
        return records;
      },
      saveRecord: async (name, r) => {
        this.targets.setService(name, JSON.stringify(r), { restarts: r.restarts, pid: r.pid ?? undefined });
        await this.targets.persist(name);
      },
      deleteRecord: async () => undefined,
      event: (name, e) =>
        recordServiceEvent(name, e, {
          bus: this.#d.bus,
          log: this.#d.log,
          portConflicts: this.#portConflicts,
        }),
      phase: (name, p) => this.#phase(name, p),
      automaticAllowed: () => this.#d.automaticAllowed(),
    });
    await this.#supervisor.start(serviceSpecs(config));
    lifecycle.defer("supervisor", () => this.#supervisor.stop());

    this.#monitor.set(watched(config, plans));
    this.scheduler.start();
    lifecycle.defer("scheduler", () => this.scheduler.stop());

    const tick = () => {
      this.#housekeeping = this.#d.clock.setTimeout(() => {
        this.#housekeep()
          .catch((err: unknown) => log.error({ err }, "housekeeping failed"))
          .finally(tick);
      }, housekeepingMs);
    };
    tick();
    lifecycle.defer("housekeeping", () => this.#housekeeping?.cancel());
  }

  /** Applies a reloaded config: targets, services and checks are reconciled, unchanged ones untouched. */
  async reload(config: VigilConfig): Promise<void> {
    this.#config = config;
    const plans = targetPlans(config);
    this.#plans = new Map(plans.map((p) => [p.name, p]));
    await this.targets.load(plans);
    await this.#supervisor.reconcile(serviceSpecs(config));
    this.#monitor.set(watched(config, plans));
  }

  get logDir(): string {
    return path.join(this.#config.agent.data_dir, "logs");
  }

  /** p99 of the most recent scheduling lags, in ms. */
  lagP99(): number {
    return Math.round(this.scheduler.recentLagP99() * 10) / 10;
  }

  // ---- TargetsApi ----

  list(): TargetView[] {
    return this.targets.list();
  }

  get(name: string): TargetView | undefined {
    return this.targets.view(name);
  }

  async act(name: string, action: TargetAction, by: Principal): Promise<TargetView> {
    const plan = this.#plans.get(name);
    if (!plan) throw new VigilError("NOT_FOUND", `no target named "${name.slice(0, 100)}"`);
    const svc = this.#supervisor.get(name);
    if (plan.kind === "service" && svc) {
      if (action === "start") await svc.start();
      else if (action === "stop") await svc.stop();
      else if (action === "restart") await svc.restart();
      else await svc.recover();
    } else if (action === "recover") {
      await this.targets.force(name, "unknown", `recovered by ${by.name}`);
      this.#monitor.runSoon(name);
    } else {
      throw new VigilError(
        "CONFLICT",
        `${name} is a check; Vigil does not run it, so it cannot ${action} it (recover re-arms it)`,
      );
    }
    await this.#d.bus.emit(
      "target.action",
      name,
      { action, result: this.targets.state(name) ?? "unknown" },
      by.name,
    );
    return this.targets.view(name)!;
  }

  logs(name: string, lines: number): string[] | undefined {
    if (this.#plans.get(name)?.kind !== "service") return undefined;
    return tailLines(logFile(this.logDir, name), lines);
  }

  async heartbeat(name: string, token: string | undefined, by: Principal | undefined): Promise<void> {
    const check = this.#config.checks[name];
    const hb = check?.heartbeat;
    if (!hb) throw new VigilError("NOT_FOUND", `no heartbeat check named "${name.slice(0, 100)}"`);
    const own =
      hb.token !== undefined && token !== undefined && timingSafeEqual(digest(hb.token), digest(token));
    if (!own && !(by && roleAtLeast(by.role, "operator"))) {
      throw new VigilError(
        token === undefined ? "UNAUTHENTICATED" : "FORBIDDEN",
        "send Authorization: Bearer <the check's heartbeat token> (or an operator token)",
      );
    }
    this.targets.heartbeat(name, this.#d.clock.now());
    // Written before the 200: an acknowledged heartbeat must survive a kill -9 right after it.
    await this.targets.persist(name);
    await this.#d.bus.emit(
      "heartbeat.received",
      name,
      { from: own ? "check token" : by!.name },
      own ? name : by!.name,
    );
    this.#monitor.runSoon(name);
  }

  // ---- internals ----

  #gate(name: string): Gate {
    const plan = this.#plans.get(name);
    if (plan?.kind !== "service") return "run";
    const svc = this.#supervisor.get(name);
    if (!svc || svc.phase !== "running") return "skip";
    return this.#d.clock.now() - svc.startedAt < plan.startPeriodMs ? "young" : "run";
  }

  /**
   * The default remediation of a service: a restart that counts against its restart budget (and
   * gives up to `failed` past it), as a crash would.
   */
  async restartUnhealthy(
    name: string,
    reason: string,
  ): Promise<"restarted" | "gave-up" | "exited" | "not-running"> {
    const svc = this.#supervisor.get(name);
    if (!svc) return "not-running";
    return svc.restartUnhealthy(`health check failing: ${reason}`);
  }

  /** The running service whose process group holds the most resident memory. */
  largestService(): { name: string; rssMb: number } | undefined {
    let best: { name: string; rssMb: number } | undefined;
    for (const name of this.#supervisor.names()) {
      const pid = this.#supervisor.get(name)?.pid;
      if (pid === undefined) continue;
      const bytes = groupMembers(pid).reduce((sum, p) => sum + (usage(p)?.rssBytes ?? 0), 0);
      const rssMb = Math.round(bytes / 1048576);
      if (!best || rssMb > best.rssMb) best = { name, rssMb };
    }
    return best;
  }

  /** The supervisor's phase of a service (running, backoff, starting ...), undefined for a check. */
  servicePhase(name: string): string | undefined {
    return this.#supervisor.get(name)?.phase;
  }

  isService(name: string): boolean {
    return this.#plans.get(name)?.kind === "service" && this.#supervisor.get(name) !== undefined;
  }

  /** Starts the services that exited while automatic restarts were off (pause, observe mode). */
  resumeAutomatic(): Promise<void> {
    return this.#supervisor.resumeAutomatic();
  }

  #phase(name: string, p: Phase): void {
    const hasHealth = this.#plans.get(name)?.check !== undefined;
    const state =
      p === "starting"
        ? "starting"
        : p === "running"
          ? hasHealth
            ? "starting"
            : "up"
          : p === "backoff"
            ? "down"
            : p === "failed"
              ? "failed"
              : p === "stopped"
                ? "stopped"
                : undefined;
    if (!state) return;
    this.targets.force(name, state, `service ${p}`).then(
      () => {
        if (p === "running" && hasHealth) this.#monitor.runSoon(name);
      },
      (err: unknown) => this.#d.log.error({ err, target: name }, "recording a state failed"),
    );
  }

  #housekeepings = 0;
  /** Services whose last start found their port taken, and by whom. */
  readonly #portConflicts = new Map<string, { port: number; holder: string }>();

  /**
   * A service that times out while it warms up gets twice the start period (at least 10 s, at most
   * 10 min) until the next reload, and a restart. What the runbook step `longer-start` does.
   */
  async longerStart(name: string, by: string): Promise<{ ok: boolean; detail: string }> {
    const plan = this.#plans.get(name);
    if (plan?.kind !== "service") return { ok: false, detail: `${name} is not a service` };
    const before = plan.startPeriodMs;
    plan.startPeriodMs = Math.min(10 * 60_000, Math.max(10_000, before * 2));
    const r = await this.restartUnhealthy(
      name,
      `start period ${before} ms → ${plan.startPeriodMs} ms by ${by}`,
    );
    return {
      ok: r === "restarted",
      detail: `start period ${before} ms → ${plan.startPeriodMs} ms; ${r === "restarted" ? "restarted" : r}`,
    };
  }

  /** Who held the service's port at its last start, while that start has not succeeded since. */
  portConflict(name: string): { port: number; holder: string } | undefined {
    return this.#portConflicts.get(name);
  }

  /**
   * Stops the process holding a service's port (SIGTERM, then SIGKILL after 5 s) and starts the
   * service with a fresh budget. Only the gateway calls this, for an approved `free-port`.
   */
  async freePort(name: string, by: string): Promise<{ ok: boolean; detail: string }> {
    const port = this.#config.services[name]?.port;
    if (port === undefined) return { ok: false, detail: `${name} declares no port` };
    const sleep = (ms: number) => new Promise<void>((r) => this.#d.clock.setTimeout(r, ms));
    const stopped = await stopPortHolder(port, sleep);
    if (!stopped.ok) return stopped;
    const detail = stopped.detail;
    await this.act(name, "recover", { name: by, role: "operator" });
    return { ok: true, detail: `${detail}; ${name} started` };
  }

  async #housekeep(): Promise<void> {
    if (++this.#housekeepings % routinePersistEvery === 0) await this.targets.persist();
    for (const [name, s] of Object.entries(this.#config.services)) {
      rotateIfNeeded(logFile(this.logDir, name), s.log.max_size, s.log.keep);
    }
  }
}
