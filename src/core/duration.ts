/** Durations in config are strings such as `500ms`, `30s`, `5m`, `2h`, `1d`; code works in milliseconds. */

const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const pattern = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `30s` into 30000; returns undefined for anything else (the caller names the field). */
export function parseDuration(text: string): number | undefined {
  const m = pattern.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * units[m[2] as keyof typeof units];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The shortest exact spelling of a millisecond count: 90000 → `90s`, 7200000 → `2h`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", units.d],
    ["h", units.h],
    ["m", units.m],
    ["s", units.s],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export const durationHint = "a duration such as 500ms, 30s, 5m, 2h or 1d";
