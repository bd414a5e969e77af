/**
 * Many HTTP checks through the real agent, results stored: 1,000 / 5,000 / 10,000 checks every 10 s
 * against a server on 127.0.0.1. Reads the agent's scheduling lag (p99, from /health), its CPU share
 * of one core and its RSS. Goal at 10,000: p99 lag <= 50 ms, <= 30 % of a core, RSS <= 200 MB.
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { cpuSeconds, startBenchAgent } from "./agent-process.ts";
import { rssMB } from "./peers/common.ts";

const sizes = (process.env.BENCH_CHECKS ?? "1000,5000,10000").split(",").map(Number);
const measureS = Number(process.env.BENCH_SECONDS ?? 30);

const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as net.AddressInfo).port;

async function health(url: string): Promise<{ scheduler_lag_ms: number }> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as { scheduler_lag_ms: number };
}

async function run(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-checks-"));
  const lines = ["agent: { listen: 127.0.0.1:0, data_dir: ./data, log_level: warn }", "checks:"];
  for (let i = 0; i < n; i++)
    lines.push(`  c${i}: { http: { url: "http://127.0.0.1:${port}/health" }, every: 10s }`);
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  const agent = await startBenchAgent(file, path.join(dir, "data"));
  const pid = agent.proc.pid!;
  try {
    await new Promise((r) => setTimeout(r, 22_000)); // the spread-out first round, then a full one
    const lags: number[] = [];
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    let peakRss = 0;
    while (performance.now() - t0 < measureS * 1000) {
      await new Promise((r) => setTimeout(r, 2_000));
      lags.push((await health(agent.url)).scheduler_lag_ms);
      peakRss = Math.max(peakRss, rssMB(pid) ?? 0);
    }
    const cpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    lags.sort((a, b) => a - b);
    return {
      checks: n,
      lag_p99_ms_median: lags[Math.floor(lags.length / 2)] ?? 0,
      lag_p99_ms_worst: lags.at(-1) ?? 0,
      cpu_percent: Math.round(cpu * 1000) / 10,
      rss_mb_peak: peakRss,
    };
  } finally {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const n of sizes) results.push(await run(n));
server.close();
console.log(
  "| HTTP checks every 10 s | p99 lag ms (median of samples) | p99 lag ms (worst) | CPU % of a core | peak RSS MB |",
);
console.log("| --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.checks} | ${r.lag_p99_ms_median} | ${r.lag_p99_ms_worst} | ${r.cpu_percent} | ${r.rss_mb_peak} |`,
  );
}
console.log(JSON.stringify(results));
