/**
 * The scheduler under load: how late checks start (lag p50/p99/max) and what it costs (CPU, RSS).
 * (a) 10,000 checks every second whose run is a no-op: the timer structure's own overhead.
 * (b) 1,000 real HTTP checks every second through the http probe against a server on 127.0.0.1.
 */
import http from "node:http";
import type net from "node:net";
import { systemClock } from "../src/core/clock.ts";
import { execArgv } from "../src/gateway/exec.ts";
import { kit } from "../src/config/kit.ts";
import httpProbe from "../src/probes/http.ts";
import { Scheduler } from "../src/scheduler/scheduler.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function scenario(name: string, jobs: number, run: (signal: AbortSignal) => Promise<void>) {
  let runs = 0;
  let errors = 0;
  const scheduler = new Scheduler({
    clock: systemClock,
    concurrency: 256,
    collectLags: true,
    onError: () => errors++,
  });
  for (let i = 0; i < jobs; i++) {
    scheduler.add({
      id: `check-${i}`,
      interval: () => 1_000,
      jitterMs: 50,
      timeoutMs: 2_000,
      run: async (signal) => {
        runs++;
        await run(signal);
      },
    });
  }
  scheduler.start();
  await new Promise((r) => setTimeout(r, 1_500)); // past the first spread-out round
  scheduler.takeLags();
  runs = 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  const elapsed = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const lags = scheduler.takeLags().sort((a, b) => a - b);
  const result = {
    scenario: name,
    checks: jobs,
    runs_per_s: Math.round(runs / elapsed),
    lag_p50_ms: Math.round(percentile(lags, 50) * 10) / 10,
    lag_p99_ms: Math.round(percentile(lags, 99) * 10) / 10,
    lag_max_ms: Math.round((lags.at(-1) ?? 0) * 10) / 10,
    cpu_percent: Math.round(((used.user + used.system) / 1e6 / elapsed) * 1000) / 10,
    rss_mb: Math.round(process.memoryUsage.rss() / 1e5) / 10,
    errors,
  };
  await scheduler.stop();
  return result;
}

const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as net.AddressInfo).port;

const env = {
  clock: systemClock,
  lastHeartbeat: () => undefined,
  watchingSince: () => Date.now(),
  servicePids: () => [],
  exec: execArgv,
  engine: () => {
    throw new Error("the scheduler bench reads no container");
  },
  approvalQueue: () => Promise.reject(new Error("the scheduler bench reads no approval queue")),
};
const cfg = httpProbe.schema(kit).parse({ url: `http://127.0.0.1:${port}/health` });

const results = [
  await scenario("no-op", 10_000, async () => {}),
  await scenario("http", 1_000, async (signal) => {
    const r = await httpProbe.run(cfg, { target: "x", timeoutMs: 2_000, signal, env });
    if (r.error) throw new Error(r.error.message);
  }),
];
server.close();

console.log(
  "| scenario | checks | runs/s | lag p50 ms | lag p99 ms | lag max ms | CPU % | RSS MB | errors |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.checks} | ${r.runs_per_s} | ${r.lag_p50_ms} | ${r.lag_p99_ms} | ${r.lag_max_ms} | ${r.cpu_percent} | ${r.rss_mb} | ${r.errors} |`,
  );
}
console.log(JSON.stringify(results));
