/**
 * The services Vigil keeps alive, wired to their targets: the supervisor (its records kept in the
 * services' target rows, its phases turned into target states), the start periods and the port
 * conflicts, and what remediation and the gateway ask of the services.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { Engine } from "../containers/engine.ts";
import { largestService } from "../supervisor/largest.ts";
import { stateOfPhase } from "../supervisor/phase-state.ts";
import { PortConflicts, type PortConflict } from "../supervisor/port-conflicts.ts";
import { recordServiceEvent } from "../supervisor/service-events.ts";
import { StartPeriods, type StartGate } from "../supervisor/start-period.ts";
import { Supervisor } from "../supervisor/supervisor.ts";
import type { ManagedService } from "../supervisor/service.ts";
import type { Phase, ServiceEvent, ServiceRecord, UnhealthyRestart } from "../supervisor/types.ts";
import type { Targets } from "../targets/targets.ts";
import { serviceSpecs, type TargetPlan } from "./specs.ts";

export interface ServicesDeps {
  clock: Clock;
  bus: EventBus;
  log: Logger;
  targets: Targets;
  /** False while paused (kill switch) or in observe mode. */
  automaticAllowed: () => boolean;
  engine: () => Engine;
  /** Whether a service has a health check: one that comes up running is checked soon. */
  hasHealth: (name: string) => boolean;
  runSoon: (name: string) => void;
}

/** Every service's configured start period. */
function startPeriodsOf(plans: readonly TargetPlan[]): [string, number][] {
  return plans.flatMap((p) => (p.kind === "service" ? [[p.name, p.startPeriodMs] as [string, number]] : []));
}

export class Services {
  readonly #d: ServicesDeps;
  #supervisor!: Supervisor;
  readonly #startPeriods = new StartPeriods();
  readonly #portConflicts = new PortConflicts();

  constructor(deps: ServicesDeps) {
    this.#d = deps;
  }

  /** Makes the supervisor for a config and starts its services. */
  async start(config: VigilConfig, logDir: string): Promise<void> {
    this.#supervisor = this.#makeSupervisor(config, logDir);
    await this.#supervisor.start(serviceSpecs(config));
  }

  stop(): Promise<void> {
    return this.#supervisor.stop();
  }

  /** Services reconciled with a reloaded config, unchanged ones untouched. */
  reconcile(config: VigilConfig): Promise<void> {
    return this.#supervisor.reconcile(serviceSpecs(config));
  }

  /** Takes a config's start periods (a `longer-start` lasts until the next reload). */
  resetStartPeriods(plans: readonly TargetPlan[]): void {
    this.#startPeriods.reset(startPeriodsOf(plans));
  }

  /** Whether a service's check runs now, or waits out its start period. */
  gate(name: string): StartGate {
    return this.#startPeriods.gate(name, this.#supervisor.get(name), this.#d.clock.now());
  }

  get(name: string): ManagedService | undefined {
    return this.#supervisor.get(name);
  }

  /**
   * The default remediation of a service: a restart that counts against its restart budget (and
   * gives up to `failed` past it), as a crash would.
   */
  restartUnhealthy(name: string, reason: string): Promise<UnhealthyRestart> {
    return this.#supervisor.restartUnhealthy(name, reason);
  }

  /** The running service whose process group holds the most resident memory. */
  largestService(): { name: string; rssMb: number } | undefined {
    return largestService(this.#supervisor);
  }

  /** The supervisor's phase of a service (running, backoff, starting ...), undefined for a check. */
  servicePhase(name: string): string | undefined {
    return this.#supervisor.get(name)?.phase;
  }

  /** Starts the services that exited while automatic restarts were off (pause, observe mode). */
  resumeAutomatic(): Promise<void> {
    return this.#supervisor.resumeAutomatic();
  }

  /** `longer-start`: twice the start period until the next reload, and a restart (supervisor/start-period.ts). */
  longerStart(name: string, by: string): Promise<{ ok: boolean; detail: string }> {
    return this.#startPeriods.longerStart(name, by, (n, reason) => this.restartUnhealthy(n, reason));
  }

  /** Who held the service's port at its last start, while that start has not succeeded since. */
  portConflict(name: string): PortConflict | undefined {
    return this.#portConflicts.get(name);
  }

  #makeSupervisor(config: VigilConfig, logDir: string): Supervisor {
    const { targets } = this.#d;
    return new Supervisor({
      clock: this.#d.clock,
      log: this.#d.log.child({ component: "supervisor" }),
      logDir,
      agentId: config.agent.data_dir,
      loadRecords: async () => {
        const records = new Map<string, ServiceRecord>();
        for (const name of Object.keys(config.services)) {
          const raw = targets.serviceRecord(name);
          if (raw) records.set(name, JSON.parse(raw) as ServiceRecord);
        }
        return records;
      },
      saveRecord: async (name, r) => {
        targets.setService(name, JSON.stringify(r), { restarts: r.restarts, pid: r.pid ?? undefined });
        await targets.persist(name);
      },
      deleteRecord: async () => undefined,
      event: (name, e) => this.#serviceEvent(name, e),
      phase: (name, p) => this.#phase(name, p),
      automaticAllowed: () => this.#d.automaticAllowed(),
      engine: () => this.#d.engine(),
    });
  }

  #serviceEvent(name: string, e: ServiceEvent): void {
    this.#portConflicts.observe(name, e);
    recordServiceEvent(name, e, { bus: this.#d.bus, log: this.#d.log });
  }

  #phase(name: string, p: Phase): void {
    const hasHealth = this.#d.hasHealth(name);
    const state = stateOfPhase(p, hasHealth);
    if (!state) return;
    this.#d.targets.force(name, state, `service ${p}`).then(
      () => {
        if (p === "running" && hasHealth) this.#d.runSoon(name);
      },
      (err: unknown) => this.#d.log.error({ err, target: name }, "recording a state failed"),
    );
  }
}
