/**
 * What a service's phase says about its state, before any health check has a word: a process that
 * runs is `up`, unless it has a health check, which then decides (`starting` until it does); a
 * process waiting out its backoff is `down`, and so is one that exited while automatic restarts were off
 * (`held`) or that crashed where its restart policy (`never`, `on-failure`) leaves it down (`exited`):
 * nobody chose that, so it must not read as `stopped` (a person's stop) and pass the ops report.
 */
import type { Phase } from "./types.ts";

export type PhaseState = "starting" | "up" | "down" | "failed" | "stopped";

/** The state to show for a phase; undefined while stopping (the state stays until it has stopped). */
export function stateOfPhase(p: Phase, hasHealth: boolean): PhaseState | undefined {
  switch (p) {
    case "starting":
      return "starting";
    case "running":
      return hasHealth ? "starting" : "up";
    case "backoff":
    case "held":
    case "exited":
      return "down";
    case "failed":
      return "failed";
    case "stopped":
      return "stopped";
    case "stopping":
      return undefined;
  }
}
