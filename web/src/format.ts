/** How times, durations and percentages read on the page. */

export function ago(ts: number, now: number): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m ago`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function percent(p: number | null | undefined): string {
  if (p === null || p === undefined) return "–";
  return p === 100 ? "100%" : `${p.toFixed(p >= 99 ? 2 : 1)}%`;
}

export function clock(ts: number | null | undefined): string {
  if (!ts) return "–";
  const d = new Date(ts);
  const same = d.toDateString() === new Date().toDateString();
  return same ? d.toLocaleTimeString() : d.toLocaleString();
}

/** States that need a person's eyes, in the order they sort to the top. */
export const badStates = ["failed", "down", "flapping", "degraded"];

export function stateClass(state: string): string {
  if (state === "up") return "ok";
  if (badStates.includes(state)) return "bad";
  if (state === "paused" || state === "silenced" || state === "stopped") return "muted";
  return "warn";
}

/** An agent of the fleet: alive (its lease holds), dead (it lapsed) or stopped (a clean stop). */
export function memberClass(state: string): string {
  return state === "alive" ? "ok" : state === "dead" ? "bad" : "muted";
}
