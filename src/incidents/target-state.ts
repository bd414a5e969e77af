/**
 * A target's health as a pure state machine: results in, state out. No timers and no I/O, so every
 * rule (thresholds, flapping, the start period) is tested as a plain function of its inputs.
 *
 *   unknown ─(recover_after oks)─► up ─(1 fail)─► degraded ─(fail_after fails in a row)─► down
 *   down ─(recover_after oks in a row)─► up;  too many up/down changes in a window ─► flapping
 *
 * `starting`, `stopped`, `failed`, `paused` and `silenced` are set by the supervisor and guardrails;
 * results do not move a target out of `failed` or `stopped` (only a start or a recovery does).
 * `stopped` (stopped on purpose, as PM2 says) is not in DESIGN's list: a service an operator stopped
 * is neither down nor failed, and reporting it as either would page someone for nothing.
 */

export const targetStates = [
  "starting",
  "stopped",
  "up",
  "down",
  "degraded",
  "flapping",
  "failed",
  "paused",
  "silenced",
  "unknown",
] as const;
export type TargetState = (typeof targetStates)[number];

export interface HealthPolicy {
  failAfter: number;
  recoverAfter: number;
  flapWindowMs: number;
  /** More up/down changes than this within the window is flapping. */
  flapMaxChanges: number;
}

export interface Health {
  state: TargetState;
  since: number;
  okStreak: number;
  failStreak: number;
  /** Times of up/down changes inside the flap window. */
  changes: number[];
  /** The settled up/down value underneath `degraded` and `flapping`. */
  settled: "up" | "down" | "unknown";
}

export function initialHealth(now: number, state: TargetState = "unknown"): Health {
  return { state, since: now, okStreak: 0, failStreak: 0, changes: [], settled: "unknown" };
}

export interface Observation {
  health: Health;
  /** Set when `state` changed. */
  changed?: { from: TargetState; to: TargetState };
}

/** Applies one check result. */
export function observe(h: Health, ok: boolean, now: number, p: HealthPolicy): Observation {
  if (h.state === "failed" || h.state === "stopped" || h.state === "paused" || h.state === "silenced") {
    return { health: { ...h, okStreak: ok ? h.okStreak + 1 : 0, failStreak: ok ? 0 : h.failStreak + 1 } };
  }
  const okStreak = ok ? h.okStreak + 1 : 0;
  const failStreak = ok ? 0 : h.failStreak + 1;
  let settled = h.settled;
  if (ok && okStreak >= p.recoverAfter) settled = "up";
  if (!ok && failStreak >= p.failAfter) settled = "down";
  let changes = h.changes.filter((t) => t > now - p.flapWindowMs);
  if (settled !== h.settled && h.settled !== "unknown") changes = [...changes, now];

  let state: TargetState;
  if (
    changes.length > p.flapMaxChanges ||
    (h.state === "flapping" && changes.length > p.flapMaxChanges / 2)
  ) {
    // Hysteresis: once flapping, it takes a calmer window (half the changes) to leave.
    state = "flapping";
  } else if (settled === "up") {
    state = ok ? "up" : "degraded";
  } else if (settled === "down") {
    state = "down";
  } else {
    state = h.state === "starting" ? "starting" : "unknown";
  }
  const health: Health = {
    state,
    since: state === h.state ? h.since : now,
    okStreak,
    failStreak,
    changes,
    settled,
  };
  return state === h.state ? { health } : { health, changed: { from: h.state, to: state } };
}

/** Forces a state from outside the results (supervisor: starting, failed; guardrails: paused). */
export function force(h: Health, state: TargetState, now: number): Observation {
  if (h.state === state) return { health: h };
  const settled =
    state === "down" || state === "failed" ? "down" : state === "starting" ? "unknown" : h.settled;
  const health: Health = { ...h, state, since: now, okStreak: 0, failStreak: 0, settled };
  return { health, changed: { from: h.state, to: state } };
}

/** True while the target counts as a problem (the ops report and incidents read this). */
export function isBad(state: TargetState): boolean {
  return state === "down" || state === "failed" || state === "flapping";
}
