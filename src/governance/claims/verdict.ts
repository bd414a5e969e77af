/**
 * Parts' observations into one verdict, by the safety rules: FALSE when any look saw the claim not
 * hold; otherwise UNVERIFIABLE when any part could not be looked at (or was not understood);
 * TRUE only when every part was looked at and every look held.
 */
import type { ClaimCheck, Verdict } from "../types.ts";
import type { Observation } from "./kind.ts";

/** What became of one part. */
export type PartOutcome =
  { part: string; kind: string; observations: Observation[] } | { part: string; unverifiable: string };

export function verdictOf(claim: string, outcomes: PartOutcome[]): Verdict {
  const checks: ClaimCheck[] = [];
  const failed: ClaimCheck[] = [];
  const reasons: string[] = [];
  for (const o of outcomes) {
    if ("unverifiable" in o) {
      reasons.push(o.unverifiable);
      continue;
    }
    if (o.observations.length === 0) reasons.push(`nothing was observed for '${o.part}'`);
    for (const { unverifiable, ...check } of o.observations) {
      checks.push(check);
      if (unverifiable) reasons.push(`${check.what}: ${check.observed}`);
      else if (!check.ok) failed.push(check);
    }
  }
  if (failed.length > 0) {
    return { verdict: "FALSE", claim, checks, evidence: failed.map(line).join("; ") };
  }
  if (reasons.length > 0 || outcomes.length === 0) {
    return {
      verdict: "UNVERIFIABLE",
      claim,
      checks,
      evidence: reasons.length > 0 ? reasons.join("; ") : "no fact found in the claim",
    };
  }
  return { verdict: "TRUE", claim, checks, evidence: checks.map(line).join("; ") };
}

function line(c: ClaimCheck): string {
  return `${c.what}: expected ${c.expected}, observed ${c.observed}`;
}
