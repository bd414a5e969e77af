/**
 * Start periods: while a service is younger than its `health.start_period`, failing health results
 * do not count. The runbook step `longer-start` doubles one for a service that times out while it
 * warms up; the longer period lasts until the next config reload sets them all afresh.
 */
import type { Phase, UnhealthyRestart } from "./types.ts";

/** Whether a health result counts: `skip` (not running), `young` (inside the start period), `run`. */
export type StartGate = "run" | "skip" | "young";

/** Twice the period, at least 10 s and at most 10 min. */
export function longerPeriod(ms: number): number {
  return Math.min(10 * 60_000, Math.max(10_000, ms * 2));
}

/**
 * The start period of every service, by name.
 * @example
 * const periods = new StartPeriods();
 * periods.reset([["api", 5_000]]);
 * periods.gate("api", svc, clock.now()); // "young" for the first 5 s after a start
 */
export class StartPeriods {
  #ms = new Map<string, number>();

  /** The configured periods, at start and at every reload: an extension lasts until then. */
  reset(periods: Iterable<readonly [string, number]>): void {
    this.#ms = new Map(periods);
  }

  /** The service's period now, or undefined when `name` is not a service. */
  of(name: string): number | undefined {
    return this.#ms.get(name);
  }

  /** Whether a health result of `name` counts now. A check (not a service) always runs. */
  gate(name: string, svc: { phase: Phase; startedAt: number } | undefined, now: number): StartGate {
    const period = this.#ms.get(name);
    if (period === undefined) return "run";
    if (!svc || svc.phase !== "running") return "skip";
    return now - svc.startedAt < period ? "young" : "run";
  }

  /**
   * `longer-start`: doubles the service's start period (see `longerPeriod`), then restarts it with a
   * health-check restart, which spends its restart budget as a crash would.
   */
  async longerStart(
    name: string,
    by: string,
    restartUnhealthy: (name: string, reason: string) => Promise<UnhealthyRestart>,
  ): Promise<{ ok: boolean; detail: string }> {
    const before = this.#ms.get(name);
    if (before === undefined) return { ok: false, detail: `${name} is not a service` };
    const after = longerPeriod(before);
    this.#ms.set(name, after);
    const r = await restartUnhealthy(name, `start period ${before} ms → ${after} ms by ${by}`);
    return { ok: r === "restarted", detail: `start period ${before} ms → ${after} ms; ${r}` };
  }
}
