/**
 * When to restart, and when to stop trying. Pure: the same crash history always gives the same
 * decision, so a crash loop behaves the same in every run.
 *
 * - A crash after a stable run (uptime >= min_uptime) restarts at once.
 * - Each further quick crash waits initial × factor^(n-1), capped at max, with a jitter that is
 *   fixed per service and attempt (seeded by the name), so services that crash together spread out
 *   while one service's timeline stays identical run to run.
 * - More than max_restarts restarts within window: give up (state failed, one escalation).
 */

export interface RestartPolicyConfig {
  policy: "always" | "on-failure" | "never";
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay, e.g. 0.1 for ±10 %. */
  jitter: number;
  minUptimeMs: number;
  maxRestarts: number;
  windowMs: number;
}

export interface CrashHistory {
  /** Times of automatic restarts, newest last, only those inside the window matter. */
  restarts: number[];
  /** Consecutive crashes that came before min_uptime. */
  quickCrashes: number;
}

export type RestartDecision =
  | { kind: "restart"; delayMs: number; history: CrashHistory }
  | { kind: "give-up"; history: CrashHistory }
  | { kind: "leave-down"; history: CrashHistory };

export function decideRestart(
  cfg: RestartPolicyConfig,
  history: CrashHistory,
  exit: { code: number | null; uptimeMs: number },
  now: number,
  seed: string,
): RestartDecision {
  const quick = exit.uptimeMs < cfg.minUptimeMs;
  const quickCrashes = quick ? history.quickCrashes + 1 : 0;
  const restarts = history.restarts.filter((t) => t > now - cfg.windowMs);
  if (cfg.policy === "never" || (cfg.policy === "on-failure" && exit.code === 0)) {
    return { kind: "leave-down", history: { restarts, quickCrashes } };
  }
  if (restarts.length >= cfg.maxRestarts) return { kind: "give-up", history: { restarts, quickCrashes } };
  return {
    kind: "restart",
    delayMs: backoffDelay(cfg, quickCrashes, seed),
    history: { restarts: [...restarts, now], quickCrashes },
  };
}

export function backoffDelay(cfg: RestartPolicyConfig, quickCrashes: number, seed: string): number {
  if (quickCrashes === 0) return 0;
  const base = Math.min(cfg.maxMs, cfg.initialMs * cfg.factor ** (quickCrashes - 1));
  const spread = (seededUnit(`${seed}#${quickCrashes}`) * 2 - 1) * cfg.jitter;
  return Math.max(0, Math.round(base * (1 + spread)));
}

/** A number in [0, 1) from a string: FNV-1a, enough to spread timers, not for anything secret. */
function seededUnit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}
