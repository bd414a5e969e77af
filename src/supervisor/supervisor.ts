/**
 * Every managed service: starts them in `depends_on` order, stops them in reverse, finds what an
 * earlier run of the agent left behind, and keeps their records in the store.
 *
 * Owns: service processes. Must not import: api, cli, app, probes.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { envValue, groupLeadersByEnv, signalGroup } from "../core/procfs.ts";
import type { Engine } from "../containers/engine.ts";
import { ContainerEvents } from "./container-events.ts";
import { ContainerRuntime } from "./container-runtime.ts";
import { ProcessRuntime } from "./process-runtime.ts";
import {
  ManagedService,
  type Phase,
  type ServiceEvent,
  type ServiceRecord,
  type ServiceSpec,
} from "./service.ts";
import {
  unhealthyRestartReason,
  type ContainerSpec,
  type ProcessSpec,
  type UnhealthyRestart,
} from "./types.ts";

/** The environment variable that marks a child as this agent's service. */
export const serviceTagVar = "VIGIL_SERVICE";

export interface SupervisorHooks {
  clock: Clock;
  log: Logger;
  logDir: string;
  /** Identifies this agent (its data dir), so two agents on one host never touch each other's children. */
  agentId: string;
  loadRecords(): Promise<Map<string, ServiceRecord>>;
  saveRecord(name: string, record: ServiceRecord): Promise<void>;
  deleteRecord(name: string): Promise<void>;
  event(name: string, e: ServiceEvent): void;
  phase(name: string, p: Phase): void;
  automaticAllowed(name: string): boolean;
  /**
   * The container engine, asked for the first time a container service needs it; throws when its
   * address is unusable (that start fails and says why).
   */
  engine?: () => Engine;
}

export type SupervisedSpec = ServiceSpec & { dependsOn: readonly string[] };

export class Supervisor {
  readonly #h: SupervisorHooks;
  readonly #services = new Map<string, ManagedService>();
  #specs: SupervisedSpec[] = [];
  #tagPrefix: string;
  #containers: { engine: Engine; events: ContainerEvents } | undefined;

  constructor(hooks: SupervisorHooks) {
    this.#h = hooks;
    this.#tagPrefix = createHash("sha256").update(hooks.agentId).digest("hex").slice(0, 12);
  }

  get(name: string): ManagedService | undefined {
    return this.#services.get(name);
  }

  names(): string[] {
    return [...this.#services.keys()];
  }

  /** The tag a service's child carries in its environment. */
  tag(name: string): string {
    return `${this.#tagPrefix}/${name}`;
  }

  /** Boots every service in dependency order; stops leftovers of services no longer configured. */
  async start(specs: readonly SupervisedSpec[]): Promise<void> {
    this.#specs = startOrder(specs);
    const records = await this.#h.loadRecords();
    // Read before anything starts, so a child started below is never taken for a leftover.
    const leftovers = groupLeadersByEnv(serviceTagVar);
    const leftoversOf = (name: string) => leftovers.get(this.tag(name)) ?? [];
    for (const [name, record] of records) {
      if (specs.some((s) => s.name === name)) continue;
      if (record.pid !== null) signalGroup(record.pid, "SIGKILL");
      for (const pid of leftoversOf(name)) signalGroup(pid, "SIGKILL");
      await this.#h.deleteRecord(name);
    }
    // The event stream first, so that no container dies unheard while the services boot.
    if (specs.some((s) => s.container)) await this.#openEvents();
    for (const spec of this.#specs) {
      const svc = this.#make(spec, records.get(spec.name));
      await svc.boot(leftoversOf(spec.name));
    }
  }

  /** Starts the services that exited while automatic restarts were off. */
  async resumeAutomatic(): Promise<void> {
    for (const s of this.#services.values()) await s.resumeAutomatic();
  }

  /**
   * A restart asked for by a failing health check (see `ManagedService.restartUnhealthy`): it
   * spends the service's restart budget as a crash would. `not-running` for no such service.
   */
  async restartUnhealthy(name: string, reason: string): Promise<UnhealthyRestart> {
    const svc = this.#services.get(name);
    if (!svc) return "not-running";
    return svc.restartUnhealthy(`${unhealthyRestartReason}: ${reason}`);
  }

  /** Stops every service, dependents first. */
  async stop(): Promise<void> {
    for (const spec of [...this.#specs].reverse()) {
      const svc = this.#services.get(spec.name);
      if (!svc) continue;
      await letGo(svc);
    }
    await this.#containers?.events.stop();
  }

  /**
   * Applies a new set of specs (config reload): removed services stop, new ones start, changed ones
   * restart; unchanged ones are left alone.
   */
  async reconcile(specs: readonly SupervisedSpec[]): Promise<void> {
    const next = startOrder(specs);
    const byName = new Map(next.map((s) => [s.name, s]));
    for (const spec of [...this.#specs].reverse()) {
      if (byName.has(spec.name)) continue;
      const svc = this.#services.get(spec.name)!;
      await letGo(svc);
      this.#services.delete(spec.name);
      await this.#h.deleteRecord(spec.name);
    }
    if (next.some((s) => s.container)) await this.#openEvents();
    for (const spec of next) {
      let svc = this.#services.get(spec.name);
      if (svc && !svc.spec.container !== !spec.container) {
        // A process became a container or the other way round: a different thing to run.
        await letGo(svc);
        this.#services.delete(spec.name);
        svc = undefined;
      }
      if (!svc) {
        await this.#make(spec, undefined).start();
      } else if (JSON.stringify(withoutDeps(svc.spec)) !== JSON.stringify(withoutDeps(spec))) {
        svc.spec = this.#tagged(spec);
        await svc.restart();
      }
    }
    this.#specs = next;
  }

  #make(spec: SupervisedSpec, record: ServiceRecord | undefined): ManagedService {
    const name = spec.name;
    const log = this.#h.log.child({ service: name });
    const event = (e: ServiceEvent) => this.#h.event(name, e);
    const hooks = {
      clock: this.#h.clock,
      log,
      save: (r: ServiceRecord) => this.#h.saveRecord(name, r),
      event,
      phase: (p: Phase) => this.#h.phase(name, p),
      automaticAllowed: () => this.#h.automaticAllowed(name),
    };
    let svc: ManagedService;
    if (spec.container) {
      const runtime = new ContainerRuntime(() => svc.spec as ContainerSpec, {
        clock: this.#h.clock,
        log,
        event,
        containers: () => this.#containerAccess(),
      });
      svc = new ManagedService(spec, record, hooks, runtime);
    } else {
      const runtime = new ProcessRuntime(() => svc.spec as ProcessSpec, {
        clock: this.#h.clock,
        logDir: this.#h.logDir,
        event,
        isOwnOrphan: (pid) => {
          const tag = envValue(pid, serviceTagVar);
          return tag !== undefined && this.names().some((n) => this.tag(n) === tag);
        },
      });
      svc = new ManagedService(this.#tagged(spec), record, hooks, runtime);
    }
    this.#services.set(name, svc);
    return svc;
  }

  /** The engine and its one event stream, made and opened the first time a container service needs them. */
  #containerAccess(): { engine: Engine; events: ContainerEvents } {
    if (!this.#h.engine) throw new Error("no container engine is configured for this supervisor");
    const engine = this.#h.engine();
    if (!this.#containers) {
      const events = new ContainerEvents({
        engine: () => this.#containers!.engine,
        clock: this.#h.clock,
        log: this.#h.log.child({ component: "container-events" }),
      });
      this.#containers = { engine, events };
    } else if (this.#containers.engine !== engine) {
      // agent.docker.host changed in a reload: the stream follows, and each service checks its container.
      this.#containers.engine = engine;
      this.#containers.events.reopen();
    }
    // Idempotent: whoever asks first opens the stream (a container service a reload added, too).
    void this.#containers.events.start(0);
    return this.#containers;
  }

  /** Opens the event stream (waiting a moment for it); an unusable engine is left to the starts to report. */
  async #openEvents(): Promise<void> {
    try {
      await this.#containerAccess().events.start();
    } catch (err) {
      this.#h.log.error({ err: String(err) }, "the container engine cannot be used");
    }
  }

  /** A process service's spec with the tag that marks its child as this agent's. */
  #tagged(spec: SupervisedSpec): SupervisedSpec {
    if (spec.container) return spec;
    return { ...spec, env: { ...spec.env, [serviceTagVar]: this.tag(spec.name) } };
  }
}

/**
 * Ends the agent's part in a service (agent stop, service gone from the config). A process is the
 * agent's child and stops with it; a container is the engine's, which Vigil never created, so it
 * keeps running (the next agent adopts it): restarting or upgrading Vigil takes nothing down.
 */
async function letGo(svc: ManagedService): Promise<void> {
  if (!svc.spec.container) await svc.stop();
  svc.dispose();
}

function withoutDeps(s: ServiceSpec): ServiceSpec {
  if (s.container) return s;
  const { env, ...rest } = s;
  const { [serviceTagVar]: _tag, ...userEnv } = env;
  return { ...rest, env: userEnv };
}

/** Dependencies first. Config validation has already refused unknown names and cycles. */
export function startOrder<T extends { name: string; dependsOn: readonly string[] }>(
  specs: readonly T[],
): T[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (s: T, depth: number) => {
    if (done.has(s.name) || depth > specs.length) return;
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, depth + 1);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of specs) visit(s, 0);
  return out;
}
