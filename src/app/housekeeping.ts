/** The agent's routine upkeep of its services' logs and its targets' rows, on a timer. */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { Ticker } from "../core/ticker.ts";
import type { VigilConfig } from "../config/schema.ts";
import { logFile, rotateIfNeeded } from "../supervisor/logs.ts";
import type { Targets } from "../targets/targets.ts";

/**
 * Log rotation runs every few seconds; routine persistence (last results, counters) every minute.
 * State changes, heartbeats and service records are written at once, and every result is in the
 * results table, so at 10,000 checks rewriting every target row often buys nothing: every second it
 * cost a sixth of a core in upserts alone, every 5 s still ~1,000 upserts a second (bench/checks.ts).
 */
const housekeepingMs = 5_000;
const routinePersistEvery = 12;

export interface HousekeepingDeps {
  clock: Clock;
  log: Logger;
  targets: Targets;
  /** The services now (a reload replaces them). */
  services: () => VigilConfig["services"];
  logDir: () => string;
}

/** Log rotation and routine target saves; a Ticker, so a stop mid-pass schedules no further one. */
export function housekeeping(d: HousekeepingDeps): Ticker {
  let passes = 0;
  const pass = async (): Promise<void> => {
    if (++passes % routinePersistEvery === 0) await d.targets.persist();
    for (const [name, s] of Object.entries(d.services())) {
      if (s.container) continue; // the engine keeps a container's output
      rotateIfNeeded(logFile(d.logDir(), name), s.log.max_size, s.log.keep);
    }
  };
  return new Ticker(d.clock, housekeepingMs, pass, (err) => d.log.error({ err }, "housekeeping failed"));
}
