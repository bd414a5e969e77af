/**
 * Runs the corpus through `POST /api/verify` on the real agent, one claim at a time, as an
 * assistant's agent-role token, and sums up what came back. Shared by corpus.test.ts and
 * bench/claims.ts, so the test and the published figures measure the same thing.
 * Must not import: vitest, anything of src/governance.
 */
import type { VerdictName } from "../../src/governance/types.ts";
import { corpus, fill, type Category, type Label, type LabelledClaim } from "./corpus.ts";
import { tokens } from "./state-agent.ts";
import type { Machine } from "./state.ts";

/** What the API answered; ERROR when it did not answer a verdict at all (a 4xx, 5xx or timeout). */
export type Answer = VerdictName | "ERROR";

export interface Outcome {
  set: LabelledClaim["set"];
  claim: string;
  label: Label;
  category: Category;
  note: string;
  verdict: Answer;
  evidence: string;
  checks: unknown[];
  ms: number;
}

async function verify(
  url: string,
  claim: string,
): Promise<Omit<Outcome, "set" | "label" | "category" | "note">> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.agent}`, "content-type": "application/json" },
      body: JSON.stringify({ claim }),
      signal: AbortSignal.timeout(10_000), // the verifier's own bound is 5 s a claim
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200)
      return { claim, verdict: "ERROR", evidence: `${res.status} ${text}`, checks: [], ms };
    const body = JSON.parse(text) as { verdict?: string; evidence?: string; checks?: unknown[] };
    const verdict = ["TRUE", "FALSE", "UNVERIFIABLE"].includes(body.verdict ?? "")
      ? (body.verdict as VerdictName)
      : "ERROR";
    return { claim, verdict, evidence: body.evidence ?? text, checks: body.checks ?? [], ms };
  } catch (e) {
    return { claim, verdict: "ERROR", evidence: String(e), checks: [], ms: performance.now() - started };
  }
}

/**
 * Every claim of the corpus, filled from the machine, verified in order. Claims left when `budgetMs`
 * has run out are not sent, and count as ERROR: a verifier that keeps hitting its time bound is a
 * finding, not a reason for the run to hang.
 */
export async function runCorpus(machine: Machine, budgetMs = 150_000): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const deadline = Date.now() + budgetMs;
  for (const c of corpus) {
    const label = !machine.dockerReachable && c.withoutContainerEngine ? c.withoutContainerEngine : c.label;
    const claim = fill(c.claim, machine.vars);
    const answer =
      Date.now() < deadline
        ? await verify(machine.agent.url, claim)
        : {
            claim,
            verdict: "ERROR" as const,
            evidence: "not sent: the corpus's time budget ran out",
            checks: [],
            ms: 0,
          };
    out.push({ ...answer, set: c.set, label, category: c.category, note: c.note });
  }
  return out;
}

const verifiable = (o: Outcome) => o.label !== "UNVERIFIABLE";

export interface Summary {
  total: number;
  byLabel: Record<Label, number>;
  /** confusion[label][verdict]: how many claims of each label got each answer. */
  confusion: Record<Label, Record<Answer, number>>;
  verifiable: number;
  verifiableRight: number;
  /** Of the verifiable claims, the share answered with their label. */
  accuracy: number;
  /** TRUE answered to a claim labelled FALSE or UNVERIFIABLE: the one thing that must never happen. */
  trueForNotTrue: Outcome[];
  mismatches: Outcome[];
  p50ms: number;
  p95ms: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export function summarize(outcomes: Outcome[]): Summary {
  const labels: Label[] = ["TRUE", "FALSE", "UNVERIFIABLE"];
  const answers: Answer[] = [...labels, "ERROR"];
  const confusion = Object.fromEntries(
    labels.map((l) => [l, Object.fromEntries(answers.map((a) => [a, 0]))]),
  ) as Summary["confusion"];
  for (const o of outcomes) confusion[o.label][o.verdict]++;
  const ver = outcomes.filter(verifiable);
  const right = ver.filter((o) => o.verdict === o.label).length;
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    total: outcomes.length,
    byLabel: Object.fromEntries(
      labels.map((l) => [l, outcomes.filter((o) => o.label === l).length]),
    ) as Summary["byLabel"],
    confusion,
    verifiable: ver.length,
    verifiableRight: right,
    accuracy: ver.length === 0 ? 0 : right / ver.length,
    trueForNotTrue: outcomes.filter((o) => o.verdict === "TRUE" && o.label !== "TRUE"),
    mismatches: outcomes.filter((o) => o.verdict !== o.label),
    p50ms: quantile(times, 0.5),
    p95ms: quantile(times, 0.95),
  };
}

const cell = (s: string, n: number) => s.replace(/\s+/g, " ").replace(/\|/g, "\\|").slice(0, n);

/** The mismatches as a Markdown table, by category, for the engine's author. */
export function mismatchTable(outcomes: Outcome[]): string {
  const rows = outcomes
    .filter((o) => o.verdict !== o.label)
    .sort((a, b) => a.category.localeCompare(b.category));
  if (rows.length === 0) return "(no mismatches)";
  return [
    "| set | category | claim | label | verdict | evidence |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (o) =>
        `| ${o.set} | ${o.category} | ${cell(o.claim, 110)} | ${o.label} | ${o.verdict} | ${cell(o.evidence, 140)} |`,
    ),
  ].join("\n");
}

/** The confusion matrix as a Markdown table. */
export function confusionTable(s: Summary): string {
  const answers: Answer[] = ["TRUE", "FALSE", "UNVERIFIABLE", "ERROR"];
  return [
    `| label \\ verdict | ${answers.join(" | ")} | claims |`,
    `| --- | ${answers.map(() => "---:").join(" | ")} | ---: |`,
    ...(["TRUE", "FALSE", "UNVERIFIABLE"] as Label[]).map(
      (l) => `| ${l} | ${answers.map((a) => s.confusion[l][a]).join(" | ")} | ${s.byLabel[l]} |`,
    ),
  ].join("\n");
}
