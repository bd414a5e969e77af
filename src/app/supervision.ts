/**
 * Wires the services (services.ts), the scheduler, the monitor and the targets together, and
 * answers the API's questions about them. Everything here registers its cleanup with the app's
 * lifecycle. The rules live where they belong: start periods, port conflicts, `free-port` and the
 * largest service in supervisor/, who may post a heartbeat in api/heartbeat-auth.ts.
 */
import path from "node:path";
import type { Principal } from "../api/auth.ts";
import type { TargetAction, TargetsApi } from "../api/context.ts";
import { heartbeatSender } from "../api/heartbeat-auth.ts";
import type { Clock } from "../core/clock.ts";
import type { Ticker } from "../core/ticker.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import { Engine, isEngineError } from "../containers/engine.ts";
import { alertPolicy, isAlertTarget } from "../alertmanager/naming.ts";
import { probeOf } from "../probes/index.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { freePort } from "../supervisor/free-port.ts";
import { logFile, tailLines } from "../supervisor/logs.ts";
import type { Sharing } from "../fleet/shared-checks.ts";
import { Monitor, type CheckSpec } from "../targets/monitor.ts";
import { ResultsWriter } from "../targets/results-writer.ts";
import { groupOf, Targets, type LastResult, type TargetView } from "../targets/targets.ts";
import type { Store } from "../store/store.ts";
import { actOnContainer, checkedContainer } from "./checked-containers.ts";
import { housekeeping } from "./housekeeping.ts";
import { probeEnvironment } from "./probe-environment.ts";
import { Services } from "./services.ts";
import { targetPlans, type TargetPlan } from "./specs.ts";

export interface SupervisionDeps {
  /** agent.name: whose targets these are in a store a fleet shares. */
  agent: string;
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
  /** A fleet on PostgreSQL: shared checks run where `share` says. Otherwise every check runs here. */
  fleet: boolean;
}

/** The checks to schedule: none while `agent.features.monitoring` is off (services are still kept alive). */
function watched(
  config: VigilConfig,
  plans: Iterable<TargetPlan>,
  runs: (p: TargetPlan) => boolean,
): CheckSpec[] {
  if (!config.agent.features.monitoring) return [];
  return [...plans].flatMap((p) => (p.check && runs(p) ? [p.check] : []));
}

export class Supervision implements TargetsApi {
  readonly #d: SupervisionDeps;
  #config!: VigilConfig;
  #plans = new Map<string, TargetPlan>();
  readonly targets: Targets;
  readonly scheduler: Scheduler;
  readonly #results: ResultsWriter;
  readonly #monitor: Monitor;
  /** The services kept alive: the supervisor, start periods, port conflicts (services.ts). */
  readonly services: Services;
  readonly #startedAt: number;
  /** Log rotation and routine target saves; a Ticker, so a stop mid-pass schedules no further one. */
  readonly #housekeeping: Ticker;
  /** The container engine's client (checks, container services), made on first use, remade when the host changes. */
  #docker: { host: string | undefined; engine: Engine } | undefined;
  /** The fleet's shared checks this agent runs now (fleet/shared-checks.ts). */
  #owned = new Set<string>();

  constructor(deps: SupervisionDeps) {
    this.#d = deps;
    this.#startedAt = deps.clock.now();
    this.targets = new Targets({
      agent: deps.agent,
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
    this.#housekeeping = housekeeping({
      ...{ clock: deps.clock, log: deps.log, targets: this.targets },
      services: () => this.#config.services,
      logDir: () => this.logDir,
    });
    this.#results = new ResultsWriter({
      store: deps.store,
      clock: deps.clock,
      log: deps.log.child({ component: "results" }),
    });
    this.services = new Services({
      clock: deps.clock,
      bus: deps.bus,
      log: deps.log,
      targets: this.targets,
      automaticAllowed: () => deps.automaticAllowed(),
      engine: () => this.engine(),
      hasHealth: (name) => this.#plans.get(name)?.check !== undefined,
      runSoon: (name) => this.#monitor.runSoon(name),
    });
    const env = probeEnvironment({
      agent: deps.agent,
      store: deps.store,
      clock: deps.clock,
      targets: this.targets,
      startedAt: this.#startedAt,
      servicePid: (name) => this.services.get(name)?.pid,
      engine: () => this.engine(),
    });
    this.#monitor = new Monitor({
      scheduler: this.scheduler,
      targets: this.targets,
      results: this.#results,
      env,
      log: deps.log.child({ component: "monitor" }),
      gate: (name) => this.services.gate(name),
      onObservation: async () => undefined,
      ...(deps.onCheckResult ? { onResult: deps.onCheckResult } : {}),
    });
  }

  async start(config: VigilConfig): Promise<void> {
    const { lifecycle } = this.#d;
    const plans = await this.#plan(config);
    lifecycle.defer("targets", () => this.targets.persist());

    this.#results.start();
    lifecycle.defer("results", () => this.#results.stop());

    await this.services.start(config, this.logDir);
    lifecycle.defer("supervisor", () => this.services.stop());

    this.#monitor.set(watched(config, plans, this.#runsHere));
    this.scheduler.start();
    lifecycle.defer("scheduler", () => this.scheduler.stop());

    this.#housekeeping.start();
    lifecycle.defer("housekeeping", () => this.#housekeeping.stop());
    lifecycle.defer("container engine client", () => this.#docker?.engine.close());
  }

  /** Applies a reloaded config: targets, services and checks are reconciled, unchanged ones untouched. */
  async reload(config: VigilConfig): Promise<void> {
    const plans = await this.#plan(config);
    await this.services.reconcile(config);
    this.#monitor.set(watched(config, plans, this.#runsHere));
  }

  /** Whether the config gives this target (a service, a check, a backup's check), wherever it runs. */
  configures(name: string): boolean {
    return this.#plans.has(name);
  }

  /** The shared checks this agent configures (by name), for the fleet to share out. */
  sharedChecks(): string[] {
    if (!this.#d.fleet) return [];
    return [...this.#plans.values()].filter((p) => p.shared).map((p) => p.name);
  }

  /**
   * Runs exactly these of its shared checks from now on (fleet/shared-checks.ts `Sharing`): the ones
   * it gives up stop here and are handed over; the ones it takes carry on from their stored rows,
   * once no live agent holds them. Says what moved.
   */
  async share(s: Sharing): Promise<{ adopted: string[]; released: string[] }> {
    const want = new Set(this.sharedChecks().filter((n) => s.owned.has(n)));
    const released = [...this.#owned].filter((n) => !want.has(n));
    // Given up first, at once, and whether or not the store answers.
    this.#owned = new Set([...this.#owned].filter((n) => want.has(n)));
    if (released.length > 0) this.#monitor.set(watched(this.#config, this.#plans.values(), this.#runsHere));
    await this.targets.release(released, s.handOver, want);
    const wanted = [...want].filter((n) => !this.#owned.has(n)).map((n) => this.#plans.get(n)!);
    const adopted = wanted.length > 0 ? await this.targets.adopt(wanted, s.live) : [];
    if (adopted.length === 0) return { adopted, released };
    for (const n of adopted) this.#owned.add(n);
    this.#monitor.set(watched(this.#config, this.#plans.values(), this.#runsHere));
    if (s.soon) for (const n of adopted) this.#monitor.runSoon(n);
    return { adopted, released };
  }

  /** Whether this agent runs a target's checks: any but a shared one that another agent runs now. */
  readonly #runsHere = (p: TargetPlan): boolean => !this.#d.fleet || !p.shared || this.#owned.has(p.name);

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
    const group = groupOf(name);
    const plan = this.#planOf(name);
    if (!plan) throw new VigilError("NOT_FOUND", `no target named "${name.slice(0, 100)}"`);
    if (!this.#runsHere(plan))
      throw new VigilError("CONFLICT", `${name} is a shared check that another agent runs now: ask that one`);
    const svc = group === undefined ? this.services.get(name) : undefined;
    const member = group === undefined ? undefined : name.slice(group.length + 1);
    let container: string | undefined;
    if (plan.kind === "service" && svc) {
      if (action === "start") await svc.start();
      else if (action === "stop") await svc.stop();
      else if (action === "restart") await svc.restart();
      else await svc.recover();
    } else if (action === "recover") {
      await this.targets.force(name, "unknown", `recovered by ${by.name}`);
      this.#monitor.runSoon(group ?? name);
    } else if (plan.check && (container = await checkedContainer(this.engine(), plan.check, member))) {
      await actOnContainer(this.engine(), container, action);
      this.#monitor.runSoon(group ?? name);
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

  async logs(name: string, lines: number): Promise<string[] | undefined> {
    if (this.#plans.get(name)?.kind !== "service") return undefined;
    const container = this.#config.services[name]?.container;
    if (!container) return tailLines(logFile(this.logDir, name), lines);
    // A container's output is the engine's: read through its API, as `docker logs` would.
    try {
      const { lines: read } = await this.engine().logs(container.name, {
        tail: lines,
        maxBytes: 4 * 1024 * 1024,
      });
      return read.map((l) => l.text);
    } catch (e) {
      if (isEngineError(e, "not_found")) {
        throw new VigilError("NOT_FOUND", `service ${name}: no container named "${container.name}"`);
      }
      if (isEngineError(e, "timeout")) throw new VigilError("TIMEOUT", (e as Error).message);
      if (isEngineError(e)) throw new VigilError("ENGINE_UNREACHABLE", (e as Error).message);
      throw e;
    }
  }

  async heartbeat(name: string, token: string | undefined, by: Principal | undefined): Promise<void> {
    const check = this.#config.checks[name];
    const found = check && probeOf(check);
    const hb = found?.type === "heartbeat" ? (found.settings as { token?: string }) : undefined;
    if (!hb) throw new VigilError("NOT_FOUND", `no heartbeat check named "${name.slice(0, 100)}"`);
    const sender = heartbeatSender(name, hb.token, token, by);
    this.targets.heartbeat(name, this.#d.clock.now());
    // Written before the 200: an acknowledged heartbeat must survive a kill -9 right after it.
    await this.targets.persist(name);
    await this.#d.bus.emit("heartbeat.received", name, { from: sender.from }, sender.actor);
    this.#monitor.runSoon(name);
  }

  // ---- what remediation and the gateway ask of the targets ----

  /** A check target whose container `act` restarts, starts and stops through the engine. */
  readsContainer(name: string): boolean {
    const plan = this.#planOf(name);
    const reads = groupOf(name) === undefined ? "container" : "compose";
    return plan?.kind === "check" && plan.check?.probe.type === reads;
  }

  /**
   * The plan a target is acted on by: its own, or for a group's member (`prd/api`) while it exists,
   * its group's (the member is a check of its group's: recovering it re-reads the group).
   */
  #planOf(name: string): TargetPlan | undefined {
    const group = groupOf(name);
    if (group === undefined) return this.#plans.get(name);
    return this.targets.has(name) ? this.#plans.get(group) : undefined;
  }

  isService(name: string): boolean {
    return this.#plans.get(name)?.kind === "service" && this.services.get(name) !== undefined;
  }

  /** `free-port`, approved: stops the port's holder and recovers the service (supervisor/free-port.ts). */
  freePort(name: string, by: string): Promise<{ ok: boolean; detail: string }> {
    return freePort(name, this.#config.services[name]?.port, {
      sleep: (ms) => new Promise<void>((r) => this.#d.clock.setTimeout(r, ms)),
      recover: async () => {
        await this.act(name, "recover", { name: by, role: "operator" });
      },
    });
  }

  /** The container engine's client at `agent.docker.host`: one per agent, remade when the host changes. */
  engine(): Engine {
    const host = this.#config.agent.docker.host;
    const current = this.#docker;
    if (current && current.host === host) return current.engine;
    current?.engine.close();
    const engine = Engine.fromHost(host);
    this.#docker = { host, engine };
    return engine;
  }

  // ---- internals ----

  /** Takes a config's targets and start periods; returns its plans. */
  async #plan(config: VigilConfig): Promise<TargetPlan[]> {
    this.#config = config;
    const plans = targetPlans(config);
    this.#plans = new Map(plans.map((p) => [p.name, p]));
    this.services.resetStartPeriods(plans);
    const elsewhere = new Set(plans.filter((p) => !this.#runsHere(p)).map((p) => p.name));
    // Alertmanager's alerts are targets too, kept until a resolution or a resend settles them.
    await this.targets.load(
      plans.filter(this.#runsHere),
      (name) => (isAlertTarget(name) ? alertPolicy : undefined),
      elsewhere,
    );
    return plans;
  }
}
