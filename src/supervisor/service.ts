/**
 * One managed service: spawn (argv, never a shell, its own process group, output to its log file),
 * restart on the exit event with backoff, give up past the budget, retry now and then after giving
 * up, stop gracefully (signal, timeout, then SIGKILL to the whole group), and adopt the process a
 * killed agent left behind instead of starting a second copy.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { TimerHandle } from "../core/clock.ts";
import { decideRestart } from "./backoff.ts";
import { openLog } from "./logs.ts";
import { findPortHolder } from "./ports.ts";
import { isSameProcess, signalGroup, startTicks, waitGone } from "../core/procfs.ts";
import type { Phase, ServiceHooks, ServiceRecord, ServiceSpec } from "./types.ts";

export type { Phase, ServiceEvent, ServiceHooks, ServiceRecord, ServiceSpec } from "./types.ts";

/** How often an adopted process (not our child, so no exit event) is checked for life. */
const adoptedPollMs = 200;

export class ManagedService {
  spec: ServiceSpec;
  readonly #h: ServiceHooks;
  #record: ServiceRecord;
  #phase: Phase = "stopped";
  #disposed = false;
  #child: ChildProcess | undefined;
  #pid: number | undefined;
  #startedAt = 0;
  #timer: TimerHandle | undefined;
  #poll: TimerHandle | undefined;
  #exitWaiters: (() => void)[] = [];
  /** Set while a retry-after-failed start is on trial. */
  #trial = false;

  constructor(spec: ServiceSpec, record: ServiceRecord | undefined, hooks: ServiceHooks) {
    this.spec = spec;
    this.#h = hooks;
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
    return this.#pid;
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
   * Brings the service up at agent start: adopts the process an earlier run left (same pid and start
   * time), or starts it, or stays failed if it had given up before the restart.
   */
  async boot(leftovers: readonly number[]): Promise<void> {
    const r = this.#record;
    // Prefer the recorded process; else the one an earlier run started but had no time to record.
    let keep: number | undefined;
    if (r.pid !== null && r.ticks !== null && isSameProcess(r.pid, r.ticks)) keep = r.pid;
    else if (leftovers.length === 1) keep = leftovers[0];
    for (const pid of leftovers) if (pid !== keep) signalGroup(pid, "SIGKILL"); // never two copies
    if (keep !== undefined) {
      const ticks = keep === r.pid ? r.ticks : (startTicks(keep) ?? null);
      this.#record = { ...r, pid: keep, ticks, startedAt: r.startedAt ?? this.#h.clock.now() };
      await this.#h.save(this.#record);
      this.#adopt(keep, this.#record.startedAt!);
      return;
    }
    if (r.failed) {
      this.#setPhase("failed");
      this.#scheduleRetryAfterFailed();
      return;
    }
    await this.start();
  }

  /** Starts the process if it is not running. */
  async start(): Promise<void> {
    if (this.#disposed || this.#phase === "running" || this.#phase === "starting") return;
    this.#cancelTimer();
    const port = this.spec.port;
    if (port !== undefined) {
      const holder = findPortHolder(port);
      if (holder) {
        const who = holder.pid ? `pid ${holder.pid} (${holder.command})` : holder.command;
        this.#h.event({ kind: "port-conflict", port, holder: who });
        if (holder.pid !== undefined && this.#h.isOwnOrphan(holder.pid)) {
          // Our own child from an earlier run, under a different name: safe to stop.
          signalGroup(holder.pid, "SIGKILL");
          await waitGone(holder.pid, (ms) => new Promise((r) => this.#h.clock.setTimeout(r, ms)), 2_000);
        } else {
          // Someone else's process: never killed without a person's approval. Count it as a failed start.
          await this.#handleExit(null, null, 0, `port ${port} is held by ${who}`);
          return;
        }
      }
    }
    this.#setPhase("starting");
    let fd: number | undefined;
    let child: ChildProcess;
    try {
      fd = openLog(this.#h.logDir, this.spec.name);
      child = spawn(this.spec.command[0]!, this.spec.command.slice(1), {
        cwd: this.spec.cwd,
        env: this.spec.env,
        shell: false,
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd);
      this.#h.event({ kind: "spawn-failed", error: (e as Error).message });
      await this.#handleExit(null, null, 0, (e as Error).message);
      return;
    }
    fs.closeSync(fd);
    this.#child = child;
    const startedAt = this.#h.clock.now();
    child.once("error", (e: NodeJS.ErrnoException) => {
      // Spawn failed (ENOENT, EACCES): there is no process and no exit event follows.
      if (child.pid !== undefined) return;
      this.#child = undefined;
      this.#h.event({ kind: "spawn-failed", error: `${this.spec.command[0]}: ${e.code ?? e.message}` });
      void this.#handleExit(null, null, 0, e.message).catch((err: unknown) =>
        this.#h.log.error({ err }, "exit handling failed"),
      );
    });
    if (child.pid === undefined) return;
    child.once("exit", (code, signal) => {
      this.#child = undefined;
      void this.#handleExit(code, signal, this.#h.clock.now() - startedAt).catch((err: unknown) =>
        this.#h.log.error({ err }, "exit handling failed"),
      );
    });
    this.#pid = child.pid;
    this.#startedAt = startedAt;
    this.#record = { ...this.#record, pid: child.pid, ticks: startTicks(child.pid) ?? null, startedAt };
    await this.#h.save(this.#record);
    this.#setPhase("running");
    this.#h.event({ kind: "started", pid: child.pid, adopted: false });
  }

  /** Stops the process group: the stop signal, then SIGKILL after the timeout. Resolves once it is gone. */
  async stop(): Promise<void> {
    this.#cancelTimer();
    this.#trial = false;
    const pid = this.#pid;
    if (
      pid === undefined ||
      (this.#phase !== "running" && this.#phase !== "starting" && this.#phase !== "stopping")
    ) {
      if (this.#phase !== "failed") this.#setPhase("stopped");
      return;
    }
    this.#setPhase("stopping");
    const gone = new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
    signalGroup(pid, this.spec.stop.signal);
    const kill = this.#h.clock.setTimeout(() => signalGroup(pid, "SIGKILL"), this.spec.stop.timeoutMs);
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

  /** Lets go of timers and waits for nothing: the agent's own stop calls stop() first. */
  /** Forgets the service without stopping it: no restart, no event follows, whatever its process does. */
  dispose(): void {
    this.#disposed = true;
    this.#cancelTimer();
    this.#poll?.cancel();
    this.#child?.removeAllListeners("exit");
    this.#child = undefined;
  }

  #adopt(pid: number, startedAt: number): void {
    this.#pid = pid;
    this.#startedAt = startedAt;
    this.#setPhase("running");
    this.#h.event({ kind: "started", pid, adopted: true });
    const ticks = this.#record.ticks!;
    const check = () => {
      if (isSameProcess(pid, ticks)) {
        this.#poll = this.#h.clock.setTimeout(check, adoptedPollMs);
        return;
      }
      this.#poll = undefined;
      void this.#handleExit(null, null, this.#h.clock.now() - startedAt).catch((err: unknown) =>
        this.#h.log.error({ err }, "exit handling failed"),
      );
    };
    this.#poll = this.#h.clock.setTimeout(check, adoptedPollMs);
  }

  async #handleExit(
    code: number | null,
    signal: NodeJS.Signals | null,
    uptimeMs: number,
    error?: string,
  ): Promise<void> {
    if (this.#disposed) return;
    const pid = this.#pid;
    this.#pid = undefined;
    this.#poll?.cancel();
    // Stragglers left in the group (grandchildren) must not hold the port for the next start.
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
    const expected = this.#phase === "stopping";
    this.#record = { ...this.#record, pid: null, ticks: null, startedAt: null };
    if (pid !== undefined) this.#h.event({ kind: "exited", code, signal, uptimeMs, expected });
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
    const d = decideRestart(this.spec.restart, this.#record.history, { code, uptimeMs }, now, this.spec.name);
    this.#record.history = d.history;
    if (d.kind === "leave-down") {
      await this.#h.save(this.#record);
      // A clean exit is the program's own choice; a crash its policy leaves down is an outage.
      this.#setPhase(code === 0 && !signal && !error ? "stopped" : "exited");
    } else if (d.kind === "give-up") {
      await this.#giveUp();
    } else {
      this.#record.restarts++;
      await this.#h.save(this.#record);
      this.#setPhase("backoff");
      const reason = error ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
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
