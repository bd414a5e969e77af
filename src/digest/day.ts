/**
 * Calendar days in a time zone: which day it is somewhere, where that day begins and ends in UTC
 * (23 or 25 hours across a DST change), and whether the digest of the day before is due. Only Intl
 * is used, so every IANA zone Node knows works without a time-zone library.
 */

/** A calendar date as written: 2026-03-29. */
export type DateText = string;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall clock in `timezone` at `ms`: its date and the minutes since that date's midnight. */
export function wallClock(ms: number, timezone: string): { date: DateText; minutes: number } {
  const parts = Object.fromEntries(
    formatter(timezone)
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** A real calendar date (2026-02-30 is not), or undefined. */
export function parseDate(text: string): { y: number; m: number; d: number } | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const back = new Date(Date.UTC(y, m - 1, d));
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d)
    return undefined;
  return { y, m, d };
}

/** The calendar date `days` after `date` (before, when negative). */
export function addDays(date: DateText, days: number): DateText {
  const p = parseDate(date);
  if (!p) throw new Error(`not a date: ${date}`);
  return new Date(Date.UTC(p.y, p.m - 1, p.d + days)).toISOString().slice(0, 10);
}

/**
 * The first millisecond of `date` in `timezone`. Searched, not computed from an offset: where
 * midnight does not exist (a DST change at 00:00) the day begins when the clock first shows it.
 */
export function startOfDay(date: DateText, timezone: string): number {
  const p = parseDate(date);
  if (!p) throw new Error(`not a date: ${date}`);
  const utcMidnight = Date.UTC(p.y, p.m - 1, p.d);
  // Every zone's offset is within ±14 h of UTC, so the day begins in this range.
  let lo = utcMidnight - 15 * 3_600_000;
  let hi = utcMidnight + 15 * 3_600_000;
  // The first instant whose local date is `date` or later: about 27 halvings.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid, timezone).date >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `date` in `timezone` as UTC milliseconds: from its first moment to the next day's. */
export function dayWindow(date: DateText, timezone: string): { from: number; to: number } {
  return { from: startOfDay(date, timezone), to: startOfDay(addDays(date, 1), timezone) };
}

/** "08:00" as minutes since midnight. */
export function minutesOf(at: string): number {
  const [h, m] = at.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The day whose digest is due at `now`: yesterday, once today's wall clock in `timezone` has
 * reached `at`; before that, undefined. A day whose `at` does not exist (clocks jump past it) is due
 * from the first minute after the jump; one where it happens twice, at its first.
 */
export function dueDay(now: number, at: string, timezone: string): DateText | undefined {
  const { date, minutes } = wallClock(now, timezone);
  return minutes >= minutesOf(at) ? addDays(date, -1) : undefined;
}

/** The day a digest previewed now is about: yesterday in `timezone`. */
export function yesterday(now: number, timezone: string): DateText {
  return addDays(wallClock(now, timezone).date, -1);
}
