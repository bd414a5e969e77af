/**
 * An advisory risk assessment for whoever decides: several independent signals, each with its level
 * and its reason, and the overall level as the highest of them. It informs a person; it never
 * decides anything by itself.
 */
import type { RunRow } from "../store/action-store.ts";

export type Level = "low" | "medium" | "high";

export interface Signal {
  signal: "declared_risk" | "blast_radius" | "success_rate" | "last_run" | "time_of_day";
  level: Level;
  reason: string;
}

export interface Assessment {
  level: Level;
  signals: Signal[];
}

export interface AssessInput {
  action: string;
  risk: string;
  /** How many targets the action touches (1 when it names one, 0 when none). */
  targets: number;
  /** This action's newest finished runs, newest first. */
  recent: readonly RunRow[];
  now: number;
  /** Hour of day, 0–23, where the agent runs. */
  hour: number;
}

const rank: Record<Level, number> = { low: 0, medium: 1, high: 2 };
const day = 24 * 3600_000;

export function assess(i: AssessInput): Assessment {
  const signals: Signal[] = [
    {
      signal: "declared_risk",
      level: i.risk === "approve" ? "high" : i.risk === "notify" ? "medium" : "low",
      reason: `the action is declared risk: ${i.risk}`,
    },
    i.targets > 1
      ? { signal: "blast_radius", level: "high", reason: `touches ${i.targets} targets` }
      : i.targets === 1
        ? { signal: "blast_radius", level: "low", reason: "touches one target" }
        : { signal: "blast_radius", level: "medium", reason: "names no target, so its reach is not known" },
    successRate(i.recent),
    lastRun(i.recent, i.now),
    i.hour >= 22 || i.hour < 6
      ? {
          signal: "time_of_day",
          level: "medium",
          reason: `${i.hour}:00 is outside working hours: fewer people to notice`,
        }
      : { signal: "time_of_day", level: "low", reason: `${i.hour}:00 is within working hours` },
  ];
  const level = signals.reduce<Level>((max, s) => (rank[s.level] > rank[max] ? s.level : max), "low");
  return { level, signals };
}

function successRate(recent: readonly RunRow[]): Signal {
  if (recent.length === 0) return { signal: "success_rate", level: "medium", reason: "never run before" };
  const ok = recent.filter((r) => r.status === "succeeded").length;
  const pct = Math.round((ok / recent.length) * 100);
  const level: Level = pct >= 90 ? "low" : pct >= 50 ? "medium" : "high";
  return {
    signal: "success_rate",
    level,
    reason: `${ok} of its last ${recent.length} runs succeeded (${pct} %)`,
  };
}

function lastRun(recent: readonly RunRow[], now: number): Signal {
  const last = recent[0];
  if (!last) return { signal: "last_run", level: "medium", reason: "no earlier run on record" };
  const days = (now - last.started_at) / day;
  if (days > 30)
    return { signal: "last_run", level: "medium", reason: `last ran ${Math.floor(days)} days ago` };
  return {
    signal: "last_run",
    level: "low",
    reason: `last ran ${days < 1 ? "within the last day" : `${Math.floor(days)} days ago`}`,
  };
}
