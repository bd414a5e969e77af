/**
 * A crash loop (exit 1 after 50 ms) through the real agent, ten times: it must reach `failed` after
 * the same number of starts and at about the same moment in every run (the backoff's jitter is
 * seeded, so a loop does not behave one way today and another tomorrow). The hung-service case is
 * in supervision.ts, side by side with the peers.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBenchAgent, type BenchAgent } from "./agent-process.ts";

const fixture = path.resolve(import.meta.dirname, "../test/fixtures/service.js");
const runs = Number(process.env.BENCH_RUNS ?? 10);

async function withAgent<T>(yaml: string, fn: (agent: BenchAgent) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-restarts-"));
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, yaml);
  const agent = await startBenchAgent(file, path.join(dir, "data"));
  try {
    return await fn(agent);
  } finally {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function crashLoop(): Promise<{ starts: number; ms_to_failed: number }> {
  const yaml = `agent: { listen: "127.0.0.1:0", data_dir: ./data, log_level: warn }
services:
  loop:
    command: ["${process.execPath}", "${fixture}"]
    env: { CRASH_AFTER: "50" }
    restart: { backoff: { initial: 100ms, factor: 2, max: 1s }, max_restarts: 5, window: 1m, retry_after_failed: false }
`;
  return withAgent(yaml, async (agent) => {
    const auth = { authorization: `Bearer ${agent.token}` };
    for (let t = 0; t < 300; t++) {
      const res = await fetch(`${agent.url}/api/audit?limit=1000`, {
        headers: auth,
        signal: AbortSignal.timeout(5_000),
      });
      const { events } = (await res.json()) as { events: { type: string; subject: string; ts: number }[] };
      const mine = events.filter((e) => e.subject === "loop");
      const gaveUp = mine.find((e) => e.type === "service.gave_up");
      if (gaveUp) {
        const starts = mine.filter((e) => e.type === "service.started");
        return { starts: starts.length, ms_to_failed: gaveUp.ts - (starts[0]?.ts ?? gaveUp.ts) };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the crash loop never reached failed");
  });
}

const loops: { starts: number; ms_to_failed: number }[] = [];
for (let i = 0; i < runs; i++) loops.push(await crashLoop());
const starts = new Set(loops.map((l) => l.starts));
const times = loops.map((l) => l.ms_to_failed);

console.log(`| measure | runs | median | min | max |`);
console.log(`| --- | --- | --- | --- | --- |`);
console.log(
  `| crash loop: starts until failed | ${runs} | ${median(loops.map((l) => l.starts))} | ${Math.min(...starts)} | ${Math.max(...starts)} |`,
);
console.log(
  `| crash loop: ms from first start to failed | ${runs} | ${median(times)} | ${Math.min(...times)} | ${Math.max(...times)} |`,
);
console.log(
  `crash loop identical in ${loops.filter((l) => l.starts === loops[0]?.starts).length} of ${runs} runs (starts)`,
);
console.log(JSON.stringify({ crash_loops: loops }));
