/**
 * A service that is a process: spawned from argv (never a shell) in its own process group with its
 * output going to its log file, stopped by signalling the whole group, and found again after an
 * agent restart by pid and start time. A port held by someone else fails the start (a person
 * decides about someone else's process); one held by this agent's own orphan is freed.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { isSameProcess, signalGroup, startTicks, waitGone } from "../core/procfs.ts";
import { openLog } from "./logs.ts";
import { findPortHolder } from "./ports.ts";
import type { Exited, Run, Runtime } from "./runtime.ts";
import type { ProcessSpec, ServiceEvent, ServiceRecord } from "./types.ts";

/** How often an adopted process (not our child, so no exit event) is checked for life. */
const adoptedPollMs = 200;

interface ProcessRun extends Run {
  pid: number;
  ticks: string | null;
}

export interface ProcessRuntimeHooks {
  clock: Clock;
  logDir: string;
  event(e: ServiceEvent): void;
  /** Whether a pid is this agent's own child from an earlier run (for port conflicts). */
  isOwnOrphan(pid: number): boolean;
}

export class ProcessRuntime implements Runtime {
  readonly #spec: () => ProcessSpec;
  readonly #h: ProcessRuntimeHooks;
  #poll: TimerHandle | undefined;
  #disposed = false;
  /** Children whose exit we still listen to, so dispose() can stop listening. */
  readonly #children = new Set<import("node:child_process").ChildProcess>();

  constructor(spec: () => ProcessSpec, hooks: ProcessRuntimeHooks) {
    this.#spec = spec;
    this.#h = hooks;
  }

  async find(r: ServiceRecord, leftovers: readonly number[]): Promise<Run | undefined> {
    // Prefer the recorded process; else the one an earlier run started but had no time to record.
    let keep: number | undefined;
    if (r.pid !== null && r.ticks !== null && isSameProcess(r.pid, r.ticks)) keep = r.pid;
    else if (leftovers.length === 1) keep = leftovers[0];
    for (const pid of leftovers) if (pid !== keep) signalGroup(pid, "SIGKILL"); // never two copies
    if (keep === undefined) return undefined;
    const ticks = keep === r.pid ? r.ticks : (startTicks(keep) ?? null);
    const run: ProcessRun = { pid: keep, ticks, startedAt: r.startedAt ?? this.#h.clock.now() };
    return run;
  }

  async launch(exited: Exited): Promise<Run | { error: string }> {
    const spec = this.#spec();
    const port = spec.port;
    if (port !== undefined) {
      const holder = findPortHolder(port);
      if (holder) {
        const who = holder.pid ? `pid ${holder.pid} (${holder.command})` : holder.command;
        this.#h.event({ kind: "port-conflict", port, holder: who });
        if (holder.pid === undefined || !this.#h.isOwnOrphan(holder.pid)) {
          // Someone else's process: never killed without a person's approval. Count it as a failed start.
          return { error: `port ${port} is held by ${who}` };
        }
        // Our own child from an earlier run, under a different name: safe to stop.
        signalGroup(holder.pid, "SIGKILL");
        await waitGone(holder.pid, (ms) => new Promise((r) => this.#h.clock.setTimeout(r, ms)), 2_000);
      }
    }
    let fd: number | undefined;
    let child: import("node:child_process").ChildProcess;
    try {
      fd = openLog(this.#h.logDir, spec.name);
      child = spawn(spec.command[0]!, spec.command.slice(1), {
        cwd: spec.cwd,
        env: spec.env,
        shell: false,
        detached: true,
        stdio: ["ignore", fd, fd],
      });
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd);
      this.#h.event({ kind: "spawn-failed", error: (e as Error).message });
      return { error: (e as Error).message };
    }
    fs.closeSync(fd);
    if (child.pid === undefined) {
      // Spawn failed (ENOENT, EACCES): there is no process, and the reason comes as an error event.
      return new Promise((resolve) =>
        child.once("error", (e: NodeJS.ErrnoException) => {
          const error = `${spec.command[0]}: ${e.code ?? e.message}`;
          this.#h.event({ kind: "spawn-failed", error });
          resolve({ error: e.message });
        }),
      );
    }
    this.#children.add(child);
    child.once("exit", (code, signal) => {
      this.#children.delete(child);
      exited({ code, signal });
    });
    const run: ProcessRun = {
      pid: child.pid,
      ticks: startTicks(child.pid) ?? null,
      startedAt: this.#h.clock.now(),
    };
    return run;
  }

  watch(run: Run, exited: Exited): void {
    const { pid, ticks } = run as ProcessRun;
    const check = () => {
      if (this.#disposed) return;
      if (ticks !== null && isSameProcess(pid, ticks)) {
        this.#poll = this.#h.clock.setTimeout(check, adoptedPollMs);
        return;
      }
      this.#poll = undefined;
      exited({ code: null, signal: null });
    };
    this.#poll = this.#h.clock.setTimeout(check, adoptedPollMs);
  }

  signal(run: Run, signal: NodeJS.Signals): void {
    signalGroup(run.pid, signal);
  }

  ended(run: Run): void {
    this.#poll?.cancel();
    this.#poll = undefined;
    // Stragglers left in the group (grandchildren) must not hold the port for the next start.
    signalGroup(run.pid, "SIGKILL");
  }

  remember(run: Run): Pick<ServiceRecord, "pid" | "ticks"> {
    const r = run as ProcessRun;
    return { pid: r.pid, ticks: r.ticks };
  }

  dispose(): void {
    this.#disposed = true;
    this.#poll?.cancel();
    this.#poll = undefined;
    for (const c of this.#children) c.removeAllListeners("exit");
    this.#children.clear();
  }
}
