/** The times a schedule named between two instants: what a job missed while the agent was down. */
import { nextAfter, type CronSchedule } from "../core/cron-schedule.ts";

/** Most missed times counted one by one; a per-second job down for a day is reported as "at least". */
export const missedCap = 1_000;

export interface Missed {
  /** Counted up to `missedCap`. */
  count: number;
  first: number;
  /** The newest missed time: the one the job has now dealt with. */
  last: number;
}

/** Times in (after, now], or undefined when there are none. */
export function missedBetween(schedule: CronSchedule, after: number, now: number): Missed | undefined {
  const first = nextAfter(schedule, after);
  if (first === undefined || first > now) return undefined;
  // The newest one at or before now: croner's reference is exclusive, hence now + 1.
  const last = schedule.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? first;
  let count = 1;
  // Bounded by the cap: each step is one schedule time later.
  for (let t = first; count < missedCap; count++) {
    const n = nextAfter(schedule, t);
    if (n === undefined || n > now) break;
    t = n;
  }
  return { count, first, last };
}
