/**
 * Where a fleet's agents disagree about a shared check: the live agents that configure one name hold
 * different definitions of it (each runs its own while it owns the check), or some live agents do
 * not configure it at all (it then runs only among those that do). `vigil doctor`, `vigil fleet`
 * and `GET /api/fleet` report them. Plain data: the CLI reads it too.
 */

export interface SharedDisagreement {
  check: string;
  /**
   * `differs`: the live agents that configure it hold different definitions (each runs its own
   * while it owns the check). `partial`: some live agents do not configure it; it runs only among
   * those that do.
   */
  problem: "differs" | "partial";
  /** The agents that configure it, by the hash of the definition they hold. */
  definitions: Record<string, string[]>;
  /** Live agents that do not configure it. */
  missing: string[];
}

/** At most this many are listed: 3,000 checks missing on one agent would otherwise be 3,000 lines. */
export const disagreementLimit = 100;

/** What the live agents (name → the definitions they published) disagree about, by check name. */
export function disagreements(
  published: ReadonlyMap<string, Readonly<Record<string, string>>>,
): SharedDisagreement[] {
  const agents = [...published.keys()].sort();
  const names = new Set<string>();
  for (const defs of published.values()) for (const n of Object.keys(defs)) names.add(n);
  const out: SharedDisagreement[] = [];
  for (const check of [...names].sort()) {
    const definitions: Record<string, string[]> = {};
    const missing: string[] = [];
    for (const a of agents) {
      const h = published.get(a)![check];
      if (h === undefined) missing.push(a);
      else (definitions[h] ??= []).push(a);
    }
    const differs = Object.keys(definitions).length > 1;
    if (differs || missing.length > 0)
      out.push({ check, problem: differs ? "differs" : "partial", definitions, missing });
  }
  return out;
}

/** One line for a person: `api: web-1, web-2 hold one definition, web-3 another`. */
export function describeDisagreement(d: SharedDisagreement): string {
  const groups = Object.values(d.definitions).map((a) => a.join(", "));
  const held =
    d.problem === "differs"
      ? `the agents hold ${groups.length} different definitions (${groups.map((g) => `[${g}]`).join(" vs ")})`
      : `configured on ${groups.join(", ")} only`;
  const missing = d.missing.length > 0 ? `; not on ${d.missing.join(", ")}` : "";
  return `${held}${missing}`;
}
