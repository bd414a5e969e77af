/**
 * What a managed service runs on: a process (process-runtime.ts) or an existing container
 * (container-runtime.ts). The policy (backoff, budget, `failed`, held while paused, trials after
 * giving up) lives once, in service.ts; a runtime only starts, signals and reports the end of a run.
 */
import type { ServiceRecord } from "./types.ts";

/** One run of a service: a process, or one start of a container. */
export interface Run {
  /** The main process as the host sees it (a container's too): `vigil status`, memory checks. */
  pid: number | undefined;
  /** On the agent's clock: uptime, start periods. */
  startedAt: number;
}

/** How a run ended. */
export interface Exit {
  code: number | null;
  signal: string | null;
  /** Why it could not run at all (counted as a crash), e.g. a program or a container that is missing. */
  error?: string;
}

export type Exited = (e: Exit) => void;

export interface Runtime {
  /** At agent start: the run an earlier agent left going, to adopt instead of starting a second copy. */
  find(record: ServiceRecord, leftovers: readonly number[]): Promise<Run | undefined>;
  /**
   * Starts a run; `exited` is called once when it ends, whoever ended it, never before this
   * resolves. A start that cannot happen resolves to its reason and calls nothing.
   */
  launch(exited: Exited): Promise<Run | { error: string }>;
  /** Watches an adopted run for its end. */
  watch(run: Run, exited: Exited): void;
  /** Sends the run a signal (the stop signal, then SIGKILL); its end still arrives through `exited`. */
  signal(run: Run, signal: NodeJS.Signals): void;
  /** After a run ended: clears what it may have left (a process group's stragglers). */
  ended(run: Run): void;
  /** What the service record keeps of a run, to find it again after an agent restart. */
  remember(run: Run): Pick<ServiceRecord, "pid" | "ticks">;
  /** Stops watching: no `exited` is called after this. */
  dispose(): void;
}
