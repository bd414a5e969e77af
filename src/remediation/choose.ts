/**
 * Which runbook step to try next, and why. `as-written` walks the steps in order. `adaptive` orders
 * them by risk tier first (a riskier step is never promoted over a safer one), then, within a tier, by
 * a draw from each step's Beta posterior of success for this target and failure class: a step that
 * worked rises, one that never ran still gets tried now and then. Every choice comes with its reason.
 */
import type { AttemptRow } from "../store/incident-store.ts";

export interface Step {
  action: string;
  params: Record<string, string | number>;
  when?: readonly string[] | undefined;
}

export interface Tally {
  attempts: number;
  successes: number;
}

export interface Choice {
  step: Step;
  explanation: string;
}

/** Risk tiers, safest first: a riskier step is never promoted over a safer one. */
export const tiers: Record<string, number> = { auto: 0, notify: 1, approve: 2, deny: 3 };

/** The steps of a runbook that apply to a failure class. */
export function applicable(steps: readonly Step[], failureClass: string): Step[] {
  return steps.filter((s) => !s.when || s.when.includes(failureClass));
}

/** Successes and attempts per action, from finished attempts on this target and failure class. */
export function tallies(attempts: readonly AttemptRow[]): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const a of attempts) {
    if (a.status !== "succeeded" && a.status !== "failed") continue;
    const t = out.get(a.action) ?? { attempts: 0, successes: 0 };
    t.attempts++;
    if (a.status === "succeeded") t.successes++;
    out.set(a.action, t);
  }
  return out;
}

/**
 * A Beta(a, b) draw for whole a, b: the a-th smallest of a + b - 1 uniforms. Counts are scaled down
 * past 60 so the draw stays cheap; the posterior's mean is kept.
 */
export function betaDraw(a: number, b: number, random: () => number): number {
  const scale = Math.max(1, (a + b) / 60);
  const sa = Math.max(1, Math.round(a / scale));
  const sb = Math.max(1, Math.round(b / scale));
  const u = Array.from({ length: sa + sb - 1 }, random).sort((x, y) => x - y);
  return u[sa - 1]!;
}

export function choose(opts: {
  steps: readonly Step[];
  failureClass: string;
  order: "adaptive" | "as-written";
  /** Actions of the attempts already made on this incident, in order. */
  tried: readonly string[];
  history: Map<string, Tally>;
  riskOf: (action: string) => string;
  random: () => number;
}): Choice | undefined {
  const steps = applicable(opts.steps, opts.failureClass);
  if (steps.length === 0) return undefined;
  const record = (s: Step) => {
    const t = opts.history.get(s.action);
    return t
      ? `${s.action} fixed ${opts.failureClass} ${t.successes} of ${t.attempts} times before`
      : `${s.action} has not been tried on ${opts.failureClass} yet`;
  };
  const position = opts.tried.length % steps.length;
  if (opts.order === "as-written") {
    const step = steps[position]!;
    return { step, explanation: `step ${position + 1} of ${steps.length} as written; ${record(step)}` };
  }
  // Each round tries every step once, best first; the round's earlier picks are not repeated.
  const thisRound = opts.tried.slice(opts.tried.length - position);
  const scored = steps.map((s, i) => {
    const t = opts.history.get(s.action) ?? { attempts: 0, successes: 0 };
    return {
      s,
      i,
      tier: tiers[opts.riskOf(s.action)] ?? 2,
      draw: betaDraw(1 + t.successes, 1 + t.attempts - t.successes, opts.random),
    };
  });
  scored.sort((x, y) => x.tier - y.tier || y.draw - x.draw || x.i - y.i);
  const pick = scored.find((x) => !thisRound.includes(x.s.action)) ?? scored[0]!;
  const others = scored.filter((x) => x !== pick).map((x) => record(x.s));
  return {
    step: pick.s,
    explanation: `adaptive: ${record(pick.s)}${others.length > 0 ? `; ${others.join("; ")}` : ""}`,
  };
}
