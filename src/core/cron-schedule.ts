/**
 * Cron schedules, by croner: five fields (minute hour day-of-month month day-of-week) or six with
 * seconds first, names (MON, JAN), `L`, `#`, nicknames (`@daily`). When both day fields are
 * restricted either may match, as in Vixie cron. Times are read in `timezone` (an IANA name), or the
 * agent's local time without one. croner only computes times here: nothing is scheduled by it, so
 * the agent's clock drives every timer and tests can move it.
 */
import { Cron } from "croner";

export type CronSchedule = Cron;

/** A schedule; throws with croner's reason when the expression or the time zone is not valid. */
export function cronSchedule(expression: string, timezone?: string): CronSchedule {
  return new Cron(expression, {
    mode: "5-or-6-parts",
    ...(timezone === undefined ? {} : { timezone }),
  });
}

/** Whether `timezone` is an IANA time zone name this Node knows. */
export function knownTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with a cron expression (and its time zone), as a person reads it, or undefined when
 * it is fine. One that never matches a date (`0 0 30 2 *`) is wrong too: it would never run.
 */
export function cronProblem(expression: string, timezone?: string): string | undefined {
  if (timezone !== undefined && !knownTimeZone(timezone)) {
    return `"${timezone.slice(0, 80)}" is not a time zone; write an IANA name such as Europe/Amsterdam or UTC`;
  }
  const example = '"30 2 * * *" is 02:30 every day, "*/10 * * * * *" every 10 seconds';
  let schedule: CronSchedule;
  try {
    schedule = cronSchedule(expression, timezone);
  } catch (e) {
    const why = (e as Error).message.replace(/^CronPattern: /, "");
    return `not a cron expression (${why}); five fields, or six with seconds first: ${example}`;
  }
  if (!schedule.nextRun(new Date())) return `"${expression}" never matches a date; ${example}`;
  return undefined;
}

/** The first time after `after` (ms) that the schedule names, in ms, or undefined when none is left. */
export function nextAfter(schedule: CronSchedule, after: number): number | undefined {
  return schedule.nextRun(new Date(after))?.getTime();
}
