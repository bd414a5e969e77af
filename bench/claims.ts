/**
 * Issue 17's goal, measured: the labelled claims corpus (test/claims/) against its real machine
 * state, each claim through POST /api/verify on the real agent. Prints the claims by label, the
 * confusion matrix, the accuracy on verifiable claims, how many claims that are not true were
 * answered TRUE (goal: none), the time per claim (p50/p95, client side), and the mismatches.
 * Goal: >= 95 % of verifiable claims right, 0 TRUE for a claim that is not true.
 */
import fs from "node:fs";
import path from "node:path";
import { startBenchAgent } from "./agent-process.ts";
import { confusionTable, mismatchTable, runCorpus, summarize } from "../test/claims/run-corpus.ts";
import { setUpMachine } from "../test/claims/state.ts";

const machine = await setUpMachine(async (yaml, dir) => {
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, yaml);
  return startBenchAgent(file, path.join(dir, "data"));
});
try {
  const started = performance.now();
  const outcomes = await runCorpus(machine);
  const wallS = (performance.now() - started) / 1000;
  const s = summarize(outcomes);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `${s.total} claims: ${s.byLabel.TRUE} TRUE, ${s.byLabel.FALSE} FALSE, ${s.byLabel.UNVERIFIABLE} UNVERIFIABLE` +
      (machine.dockerReachable
        ? ""
        : " (no container engine here: the container claims count as UNVERIFIABLE)"),
  );
  console.log(`\n${confusionTable(s)}\n`);
  console.log("| measure | result | goal |");
  console.log("| --- | --- | --- |");
  console.log(
    `| verifiable claims answered with their label | ${s.verifiableRight}/${s.verifiable} = ${pct(s.accuracy)} | >= 95 % |`,
  );
  console.log(`| TRUE for a claim labelled FALSE or UNVERIFIABLE | ${s.trueForNotTrue.length} | 0 |`);
  console.log(
    `| connections to 127.0.0.2 (a host outside verify.hosts) | ${machine.forbiddenContacts()} | 0 |`,
  );
  console.log(
    `| verify time per claim, p50 / p95 | ${s.p50ms.toFixed(1)} ms / ${s.p95ms.toFixed(1)} ms | - |`,
  );
  console.log(`| whole corpus, one claim at a time | ${wallS.toFixed(1)} s | - |`);
  const byCategory = new Map<string, number>();
  for (const o of s.mismatches) byCategory.set(o.category, (byCategory.get(o.category) ?? 0) + 1);
  console.log(
    `\nmismatches by category: ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(", ") || "none"}\n`,
  );
  console.log(mismatchTable(outcomes));
  console.log(
    JSON.stringify({
      claims: s.total,
      by_label: s.byLabel,
      confusion: s.confusion,
      accuracy: s.accuracy,
      true_for_not_true: s.trueForNotTrue.length,
      p50_ms: s.p50ms,
      p95_ms: s.p95ms,
      mismatches: Object.fromEntries(byCategory),
    }),
  );
} finally {
  await machine.teardown();
}
