/**
 * A service that is a container: one that exists already (Vigil never creates one), started,
 * signalled and inspected through the engine's API, its end learned from the engine's `die` event
 * (container-events.ts) and, after the event stream dropped, from an inspect. Nothing shells out to
 * `docker` or `podman`.
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { isEngineError, type Engine, type EngineEvent } from "../containers/engine.ts";
import type { ContainerEvents } from "./container-events.ts";
import type { Exit, Exited, Run, Runtime } from "./runtime.ts";
import type { ContainerSpec, ServiceEvent, ServiceRecord } from "./types.ts";

interface ContainerRun extends Run {
  id: string;
  /** The engine's start time of this run (ms): a `die` from before it is an earlier run's. */
  engineStartedAt: number | undefined;
  exited: Exited | undefined;
  /** Set once its end is reported; a second report (event and inspect both) is dropped. */
  ended: boolean;
  /** An end that came before anyone watched the run. */
  pending: Exit | undefined;
  unlisten: () => void;
}

export interface ContainerRuntimeHooks {
  clock: Clock;
  log: Logger;
  event(e: ServiceEvent): void;
  /** The engine and its event stream; throws when the engine's address is unusable. */
  containers(): { engine: Engine; events: ContainerEvents };
}

export class ContainerRuntime implements Runtime {
  readonly #spec: () => ContainerSpec;
  readonly #h: ContainerRuntimeHooks;
  #run: ContainerRun | undefined;
  /** The container the last run was, by the name it was found under. */
  #last: { name: string; id: string } | undefined;
  #unreconcile: (() => void) | undefined;
  #disposed = false;

  constructor(spec: () => ContainerSpec, hooks: ContainerRuntimeHooks) {
    this.#spec = spec;
    this.#h = hooks;
  }

  get #name(): string {
    return this.#spec().container.name;
  }

  async find(): Promise<Run | undefined> {
    try {
      const { engine } = this.#engine();
      const info = await engine.inspect(this.#name);
      if (!info.running) return undefined;
      return this.#track(info.id, info.pid, info.startedAt);
    } catch (e) {
      // Not there, or no engine: the start that follows says why, and counts it.
      this.#h.log.debug({ err: String(e) }, "no running container to adopt");
      return undefined;
    }
  }

  async launch(exited: Exited): Promise<Run | { error: string }> {
    const name = this.#name;
    let containers: { engine: Engine; events: ContainerEvents };
    try {
      containers = this.#engine();
    } catch (e) {
      return this.#failed((e as Error).message);
    }
    const { engine } = containers;
    // The container of the last run, while the name still means it: one round trip less on the way
    // back up after a crash (a removed or renamed one falls back to the name below).
    const known = this.#last?.name === name ? this.#last.id : undefined;
    try {
      let id = known;
      if (id === undefined) {
        const before = await engine.inspect(name);
        if (before.running) {
          // Started by someone else meanwhile (a person, the engine's own restart policy): that is the run.
          const run = this.#track(before.id, before.pid, before.startedAt);
          run.exited = exited;
          return run;
        }
        id = before.id;
      }
      // Listening before the start: a container that dies at once must not die unheard.
      const early: EngineEvent[] = [];
      const unlisten = containers.events.listen(id, (e) => early.push(e));
      let after;
      try {
        await engine.start(id);
        after = await engine.inspect(id);
      } catch (e) {
        if (known === undefined || !isEngineError(e, "not_found")) throw e;
        this.#last = undefined;
        return await this.launch(exited);
      } finally {
        unlisten();
      }
      const run = this.#track(after.id, after.pid, after.startedAt);
      run.exited = exited;
      const died = early.find((e) => this.#isEndOf(run, e));
      if (died) this.#end(run, exitOf(died));
      else if (!after.running) this.#end(run, { code: after.exitCode, signal: null });
      return run;
    } catch (e) {
      return this.#failed(this.#why(e));
    }
  }

  /** A start that could not happen: said once as an event, and counted as a crash by the caller. */
  #failed(error: string): { error: string } {
    this.#h.event({ kind: "spawn-failed", error });
    return { error };
  }

  watch(run: Run, exited: Exited): void {
    const r = run as ContainerRun;
    r.exited = exited;
    if (r.pending) {
      const pending = r.pending;
      r.pending = undefined;
      exited(pending);
    }
  }

  signal(run: Run, signal: NodeJS.Signals): void {
    const r = run as ContainerRun;
    let engine: Engine;
    try {
      engine = this.#engine().engine;
    } catch {
      return;
    }
    engine.kill(r.id, signal).then(
      () => undefined,
      (e: unknown) => {
        // Not running any more (its `die` may have been missed), or no engine: find out by inspect.
        this.#h.log.warn({ err: String(e), signal }, "could not signal the container");
        void this.#reconcile(r, signal === "SIGKILL");
      },
    );
  }

  ended(run: Run): void {
    const r = run as ContainerRun;
    r.ended = true;
    r.unlisten();
    if (this.#run === r) this.#run = undefined;
  }

  remember(run: Run): Pick<ServiceRecord, "pid" | "ticks"> {
    return { pid: run.pid ?? null, ticks: null };
  }

  dispose(): void {
    this.#disposed = true;
    this.#run?.unlisten();
    this.#run = undefined;
    this.#unreconcile?.();
    this.#unreconcile = undefined;
  }

  /** The run of the container with that id, its `die` listened to from now on. */
  #track(id: string, pid: number, engineStartedAt: number | undefined): ContainerRun {
    const { events } = this.#engine();
    this.#unreconcile ??= events.onReconnect(() => {
      if (this.#run) void this.#reconcile(this.#run, false);
    });
    const clockNow = this.#h.clock.now();
    // Its start on the agent's clock, for uptime: the engine's start, as long ago as it was.
    const startedAt =
      engineStartedAt === undefined ? clockNow : clockNow - Math.max(0, Date.now() - engineStartedAt);
    const run: ContainerRun = {
      id,
      pid: pid > 0 ? pid : undefined,
      startedAt,
      engineStartedAt,
      exited: undefined,
      ended: false,
      pending: undefined,
      unlisten: () => undefined,
    };
    run.unlisten = events.listen(id, (e) => {
      if (this.#isEndOf(run, e)) this.#end(run, exitOf(e));
    });
    this.#run = run;
    this.#last = { name: this.#name, id };
    return run;
  }

  /** Whether a `die` is this run's end, not an earlier run's reported late. */
  #isEndOf(run: ContainerRun, e: EngineEvent): boolean {
    return e.id === run.id && (run.engineStartedAt === undefined || e.time >= run.engineStartedAt);
  }

  #end(run: ContainerRun, exit: Exit): void {
    if (run.ended || this.#disposed) return;
    run.ended = true;
    run.unlisten();
    if (run.exited) run.exited(exit);
    else run.pending = exit;
  }

  /**
   * Checks the run against the engine (after the event stream dropped, or a signal failed): ended
   * if the container is not running, or runs a later start. `giveUp`: when the engine cannot be
   * asked either, count the run as ended rather than wait for an event that will not come.
   */
  async #reconcile(run: ContainerRun, giveUp: boolean): Promise<void> {
    if (run.ended) return;
    try {
      const info = await this.#engine().engine.inspect(run.id);
      if (!info.running || info.startedAt !== run.engineStartedAt) {
        this.#end(run, { code: info.exitCode, signal: null });
      }
    } catch (e) {
      if (isEngineError(e, "not_found"))
        this.#end(run, { code: null, signal: null, error: "the container was removed" });
      else if (giveUp) this.#end(run, { code: null, signal: null, error: this.#why(e) });
      else this.#h.log.warn({ err: String(e) }, "could not inspect the container");
    }
  }

  #engine(): { engine: Engine; events: ContainerEvents } {
    return this.#h.containers();
  }

  /** Why a start failed, said so that a person knows what to do. */
  #why(e: unknown): string {
    if (isEngineError(e, "not_found")) {
      return `no container named "${this.#name}": Vigil supervises a container that exists, it does not create one (create it first, e.g. with docker create or compose up)`;
    }
    return (e as Error).message;
  }
}

function exitOf(e: EngineEvent): Exit {
  const code = Number(e.attributes.exitCode ?? e.attributes.containerExitCode);
  return { code: Number.isFinite(code) ? code : null, signal: null };
}
