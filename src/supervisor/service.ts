/**
 * One managed service, whatever runs it (a process or a container: runtime.ts): restart on the end
 * of a run with backoff, give up past the budget, retry now and then after giving up, hold while
 * automatic action is off, stop gracefully (the stop signal, a timeout, then SIGKILL), and adopt the
 * run a killed agent left behind instead of starting a second copy.
 */
import type { TimerHandle } from "../core/clock.ts";
import { decideRestart } from "./backoff.ts";
import type { Exit, Run, Runtime } from "./runtime.ts";
import type { Phase, ServiceHooks, ServiceRecord, ServiceSpec } from "./types.ts";

export type { Phase, ServiceEvent, ServiceHooks, ServiceRecord, ServiceSpec } from "./types.ts";

export class ManagedService {
  spec: ServiceSpec;
  readonly #h: ServiceHooks;
  readonly #rt: Runtime;
  #record: ServiceRecord;
  #phase: Phase = "stopped";
  #disposed = false;
  /** The current run, while there is one. */
  #run: Run | undefined;
  /** Numbers the runs, so the end of an earlier run (reported late, or twice) is never taken for this one's. */
  #generation = 0;
  /** Set while a start is under way: an end reported meanwhile waits for it, and so does a stop. */
  #starting: Promise<void> | undefined;
  #startedAt = 0;
  #timer: TimerHandle | undefined;
  #exitWaiters: (() => void)[] = [];
  /** Set while a retry-after-failed start is on trial. */
  #trial = false;

  constructor(spec: ServiceSpec, record: ServiceRecord | undefined, hooks: ServiceHooks, runtime: Runtime) {
    this.spec = spec;
    this.#h = hooks;
    this.#rt = runtime;
    this.#record = record ?? {
      pid: null,
      ticks: null,
      startedAt: null,
      history: { restarts: [], quickCrashes: 0 },
      failed: false,
      restarts: 0,
    };
  }

  get phase(): Phase {
    return this.#phase;
  }

  get pid(): number | undefined {
    return this.#run?.pid;
  }

  get restarts(): number {
    return this.#record.restarts;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  get record(): Readonly<ServiceRecord> {
    return this.#record;
  }

  /**
   * Brings the service up at agent start: adopts the run an earlier agent left (runtime.find), or
   * starts it, or stays failed if it had given up before the restart.
   */
  async boot(leftovers: readonly number[]): Promise<void> {
    const r = this.#record;
    const run = await this.#rt.find(r, leftovers);
    if (run) {
      this.#record = { ...r, ...this.#rt.remember(run), startedAt: run.startedAt };
      await this.#h.save(this.#record);
      this.#adopt(run);
      return;
    }
    if (r.failed) {
      this.#setPhase("failed");
      this.#scheduleRetryAfterFailed();
      return;
    }
    await this.start();
  }

  /** Starts a run if there is none. */
  async start(): Promise<void> {
    if (this.#disposed || this.#phase === "running" || this.#phase === "starting") return;
    this.#cancelTimer();
    this.#setPhase("starting");
    let started!: () => void;
    this.#starting = new Promise((resolve) => (started = resolve));
    try {
      const generation = ++this.#generation;
      const launched = await this.#rt.launch((e) => this.#exited(generation, e));
      if ("error" in launched) {
        await this.#handleExit(undefined, { code: null, signal: null, error: launched.error }, 0);
        return;
      }
      this.#run = launched;
      this.#startedAt = launched.startedAt;
      this.#record = { ...this.#record, ...this.#rt.remember(launched), startedAt: launched.startedAt };
      await this.#h.save(this.#record);
      this.#setPhase("running");
      this.#h.event({ kind: "started", pid: launched.pid ?? 0, adopted: false });
    } finally {
      this.#starting = undefined;
      started();
    }
  }

  /** Stops the run: the stop signal, then SIGKILL after the timeout. Resolves once it has ended. */
  async stop(): Promise<void> {
    if (this.#starting) await this.#starting;
    this.#cancelTimer();
    this.#trial = false;
    const run = this.#run;
    if (
      run === undefined ||
      (this.#phase !== "running" && this.#phase !== "starting" && this.#phase !== "stopping")
    ) {
      if (this.#phase !== "failed") this.#setPhase("stopped");
      return;
    }
    this.#setPhase("stopping");
    const gone = new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
    this.#rt.signal(run, this.spec.stop.signal);
    const kill = this.#h.clock.setTimeout(() => this.#rt.signal(run, "SIGKILL"), this.spec.stop.timeoutMs);
    await gone;
    kill.cancel();
  }

  /** Stops and starts again; counts as a restart. */
  async restart(): Promise<void> {
    await this.stop();
    this.#record.restarts++;
    await this.start();
  }

  /**
   * A restart asked for by a failing health check: it spends the same budget as a crash, so an
   * unhealthy service cannot be restarted forever either. Only a running process is restarted: the
   * caller decided on a health result and acts later, and a process that exited in between belongs
   * to its exit handler, which restarts it or gives up (and says so) once.
   */
  async restartUnhealthy(reason: string): Promise<"restarted" | "gave-up" | "exited"> {
    if (this.#phase === "failed") return "gave-up";
    if (this.#phase !== "running") return "exited";
    const now = this.#h.clock.now();
    const d = decideRestart(
      this.spec.restart,
      this.#record.history,
      { code: null, uptimeMs: now - this.#startedAt },
      now,
      this.spec.name,
    );
    if (d.kind !== "restart") {
      this.#record.history = d.history;
      // `failed` means not running: a later retry or `vigil recover` must never start a second copy
      // beside this one, and its exit must not be taken for a crash and give up a second time.
      const trial = this.#trial;
      await this.stop();
      await this.#giveUp(!trial);
      return "gave-up";
    }
    this.#record.history = d.history;
    this.#h.event({ kind: "restart-scheduled", delayMs: 0, reason });
    await this.restart();
    return "restarted";
  }

  /**
   * Automatic action is allowed again (resume, or observe mode turned off): a service that exited
   * while it was not (`held`), and that nobody stopped or started by hand since, is started.
   */
  async resumeAutomatic(): Promise<void> {
    if (this.#phase !== "held") return;
    await this.start();
  }

  /** Clears a given-up state and starts again with a fresh budget (`vigil recover`). */
  async recover(): Promise<void> {
    this.#record = { ...this.#record, failed: false, history: { restarts: [], quickCrashes: 0 } };
    await this.#h.save(this.#record);
    this.#cancelTimer();
    if (
      this.#phase === "failed" ||
      this.#phase === "stopped" ||
      this.#phase === "backoff" ||
      this.#phase === "held" ||
      this.#phase === "exited"
    ) {
      this.#setPhase("stopped");
      await this.start();
    }
  }

  /** Forgets the service without stopping it: no restart, no event follows, whatever its run does. */
  dispose(): void {
    this.#disposed = true;
    this.#cancelTimer();
    this.#rt.dispose();
  }

  #adopt(run: Run): void {
    const generation = ++this.#generation;
    this.#run = run;
    this.#startedAt = run.startedAt;
    this.#setPhase("running");
    this.#h.event({ kind: "started", pid: run.pid ?? 0, adopted: true });
    this.#rt.watch(run, (e) => this.#exited(generation, e));
  }

  /** A run ended; after the start under way, if any, has finished recording it. */
  #exited(generation: number, e: Exit): void {
    const handle = () => {
      const run = this.#run;
      if (generation !== this.#generation || run === undefined) return;
      this.#handleExit(run, e, this.#h.clock.now() - run.startedAt).catch((err: unknown) =>
        this.#h.log.error({ err }, "exit handling failed"),
      );
    };
    if (this.#starting) void this.#starting.then(handle);
    else handle();
  }

  async #handleExit(run: Run | undefined, exit: Exit, uptimeMs: number): Promise<void> {
    if (this.#disposed) return;
    this.#run = undefined;
    if (run) this.#rt.ended(run);
    const expected = this.#phase === "stopping";
    this.#record = { ...this.#record, pid: null, ticks: null, startedAt: null };
    if (run) this.#h.event({ kind: "exited", code: exit.code, signal: exit.signal, uptimeMs, expected });
    const waiters = this.#exitWaiters.splice(0);
    if (expected) {
      await this.#h.save(this.#record);
      this.#setPhase("stopped");
      for (const w of waiters) w();
      return;
    }
    for (const w of waiters) w();
    if (this.#trial) {
      // The retry after giving up did not hold: back to failed until the next retry.
      this.#trial = false;
      await this.#giveUp(false);
      return;
    }
    if (!this.#h.automaticAllowed()) {
      await this.#h.save(this.#record);
      this.#setPhase("held");
      return;
    }
    const now = this.#h.clock.now();
    const d = decideRestart(
      this.spec.restart,
      this.#record.history,
      { code: exit.code, uptimeMs },
      now,
      this.spec.name,
    );
    this.#record.history = d.history;
    if (d.kind === "leave-down") {
      await this.#h.save(this.#record);
      // A clean exit is the program's own choice; a crash its policy leaves down is an outage.
      this.#setPhase(exit.code === 0 && !exit.signal && !exit.error ? "stopped" : "exited");
    } else if (d.kind === "give-up") {
      await this.#giveUp();
    } else {
      this.#record.restarts++;
      await this.#h.save(this.#record);
      this.#setPhase("backoff");
      const reason =
        exit.error ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
      this.#h.event({ kind: "restart-scheduled", delayMs: d.delayMs, reason });
      this.#timer = this.#h.clock.setTimeout(() => {
        this.#timer = undefined;
        this.start().catch((err: unknown) => this.#h.log.error({ err }, "restart failed"));
      }, d.delayMs);
    }
  }

  async #giveUp(announce = true): Promise<void> {
    this.#record.failed = true;
    await this.#h.save(this.#record);
    this.#setPhase("failed");
    if (announce) {
      this.#h.event({
        kind: "gave-up",
        restarts: this.spec.restart.maxRestarts,
        windowMs: this.spec.restart.windowMs,
      });
    }
    this.#scheduleRetryAfterFailed();
  }

  /** After giving up, one trial start now and then; it resumes if the service then stays up. */
  #scheduleRetryAfterFailed(): void {
    const every = this.spec.restart.retryAfterFailedMs;
    if (every === false) return;
    this.#cancelTimer();
    this.#timer = this.#h.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#phase !== "failed" || !this.#h.automaticAllowed()) return this.#scheduleRetryAfterFailed();
      this.#trial = true;
      this.#setPhase("stopped");
      this.start()
        .then(() => {
          if (this.#phase !== "running") return;
          // Stable for min_uptime: the trial passed, the service is back under normal supervision.
          this.#timer = this.#h.clock.setTimeout(() => {
            this.#timer = undefined;
            if (!this.#trial || this.#phase !== "running") return;
            this.#trial = false;
            this.#record = { ...this.#record, failed: false, history: { restarts: [], quickCrashes: 0 } };
            this.#h.save(this.#record).catch((err: unknown) => this.#h.log.error({ err }, "save failed"));
          }, this.spec.restart.minUptimeMs);
        })
        .catch((err: unknown) => this.#h.log.error({ err }, "retry start failed"));
    }, every);
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #setPhase(p: Phase): void {
    if (p === this.#phase) return;
    this.#phase = p;
    this.#h.phase(p);
  }
}
