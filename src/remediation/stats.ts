/** Which action fixes which failure, per target: attempts, successes, median time to recover. */
import type { AttemptRow } from "../store/incident-store.ts";

export interface StatRow {
  target: string;
  failure_class: string;
  action: string;
  attempts: number;
  successes: number;
  success_rate: number;
  median_recover_ms: number | null;
}

export function remediationStats(attempts: readonly AttemptRow[]): StatRow[] {
  const groups = new Map<string, AttemptRow[]>();
  for (const a of attempts) {
    const key = `${a.target}\u0000${a.failure_class}\u0000${a.action}`;
    const list = groups.get(key) ?? [];
    list.push(a);
    groups.set(key, list);
  }
  return [...groups.values()]
    .map((list) => {
      const ok = list.filter((a) => a.status === "succeeded");
      const times = ok
        .flatMap((a) => (a.recovered_ms === null ? [] : [a.recovered_ms]))
        .sort((x, y) => x - y);
      return {
        target: list[0]!.target,
        failure_class: list[0]!.failure_class,
        action: list[0]!.action,
        attempts: list.length,
        successes: ok.length,
        success_rate: Math.round((ok.length / list.length) * 1000) / 1000,
        median_recover_ms: times.length > 0 ? times[Math.floor((times.length - 1) / 2)]! : null,
      };
    })
    .sort(
      (a, b) =>
        a.target.localeCompare(b.target) ||
        a.failure_class.localeCompare(b.failure_class) ||
        b.successes - a.successes,
    );
}
