/** What the doctor found about one thing, and how it is printed: `✗ <thing>: <what> — <fix>`. */

export type Verdict = "ok" | "problem" | "skipped";

export interface Finding {
  verdict: Verdict;
  /** What was tried: `service web`, `check disk`, `channel oncall (telegram)`, `agent.store`. */
  thing: string;
  what: string;
  /** For a problem: the concrete thing to do about it. */
  fix?: string;
}

export const ok = (thing: string, what: string): Finding => ({ verdict: "ok", thing, what });

export const problem = (thing: string, what: string, fix: string): Finding => ({
  verdict: "problem",
  thing,
  what,
  fix,
});

/** Not tried, and why (it needs the running agent, it would execute something ...). Not a problem. */
export const skipped = (thing: string, what: string): Finding => ({ verdict: "skipped", thing, what });

const marks: Record<Verdict, string> = { ok: "✓", problem: "✗", skipped: "-" };

export function formatFinding(f: Finding): string {
  return `${marks[f.verdict]} ${f.thing}: ${f.what}${f.fix ? ` — ${f.fix}` : ""}`;
}
