/**
 * Issue 17's goal, measured: the labelled claims corpus (test/claims/) against its real machine
 * state, each claim through POST /api/verify on the real agent. Prints, for each set and for all:
 * claims by label, verifiable claims answered with their label, and claims not true answered TRUE
 * (goal: none); then the confusion matrix, the time per claim (p50/p95, client side) and the
 * mismatches. Goal: >= 95 % of verifiable claims right, 0 TRUE for a claim
 * that is not true.
 */
import fs from "node:fs";
import path from "node:path";
import { startBenchAgent } from "./agent-process.ts";
import {
  confusionTable,
  mismatchTable,
  runCorpus,
  summarize,
  type Outcome,
} from "../test/claims/run-corpus.ts";
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
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const sets: [string, Outcome[]][] = [
    ["first", outcomes.filter((o) => o.set === "first")],
    ["held-out", outcomes.filter((o) => o.set === "held-out")],
    ["held-out-2", outcomes.filter((o) => o.set === "held-out-2")],
    ["held-out-3", outcomes.filter((o) => o.set === "held-out-3")],
    ["all", outcomes],
  ];
  if (!machine.dockerReachable)
    console.log("No container engine here: the container claims count as UNVERIFIABLE.\n");
  console.log("| set | claims | TRUE / FALSE / UNVERIFIABLE | verifiable right | TRUE for not true |");
  console.log("| --- | ---: | --- | --- | ---: |");
  for (const [name, list] of sets) {
    const s = summarize(list);
    const labels = `${s.byLabel.TRUE} / ${s.byLabel.FALSE} / ${s.byLabel.UNVERIFIABLE}`;
    const right = `${s.verifiableRight}/${s.verifiable} = ${pct(s.accuracy)}`;
    console.log(`| ${name} | ${s.total} | ${labels} | ${right} | ${s.trueForNotTrue.length} |`);
  }
  const s = summarize(outcomes);
  console.log(`\nAll sets, label by verdict:\n\n${confusionTable(s)}\n`);
  console.log(`connections to 127.0.0.2 (a host outside verify.hosts): ${machine.forbiddenContacts()}`);
  console.log(`verify time per claim: p50 ${s.p50ms.toFixed(1)} ms, p95 ${s.p95ms.toFixed(1)} ms`);
  console.log(`whole corpus, one claim at a time: ${wallS.toFixed(1)} s`);
  const byCategory = new Map<string, number>();
  for (const o of s.mismatches) byCategory.set(o.category, (byCategory.get(o.category) ?? 0) + 1);
  console.log(
    `\nmismatches by category: ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(", ") || "none"}\n`,
  );
  console.log(mismatchTable(outcomes));
  console.log(
    JSON.stringify(
      Object.fromEntries(
        sets.map(([name, list]) => {
          const x = summarize(list);
          return [
            name,
            {
              claims: x.total,
              by_label: x.byLabel,
              confusion: x.confusion,
              accuracy: x.accuracy,
              true_for_not_true: x.trueForNotTrue.length,
              p50_ms: x.p50ms,
              p95_ms: x.p95ms,
            },
          ];
        }),
      ),
    ),
  );
} finally {
  await machine.teardown();
}
