/**
 * `/health` while the API is under attack: the real agent (`vigil up`) watching 2,000 HTTP checks
 * every 10 s (100 of them failing, so incidents are open and `/ops-report` has something to say),
 * while 1,000 concurrent keep-alive clients in another process hammer every route for 30 s
 * (`load-clients.ts`: open and authorised routes, the event stream, bad tokens, a 404). A client
 * of its own, in this process, asks `/health` one request at a time and times each answer; the
 * agent's CPU and RSS are read from /proc. Goal: `/health` p99 < 100 ms.
 *
 * `BENCH_LOAD_CHECKS`, `BENCH_LOAD_CLIENTS` and `BENCH_SECONDS` change the sizes. Everything it
 * starts stops by itself: the hammer after its seconds, each request after 10 s, the whole run
 * after a deadline.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { cpuSeconds, startBenchAgent } from "./agent-process.ts";
import type { HammerPlan, RouteTally } from "./load-clients.ts";
import { rssMB } from "./peers/common.ts";

const checks = Number(process.env.BENCH_LOAD_CHECKS ?? 2000);
const failing = Math.round(checks / 20);
const clients = Number(process.env.BENCH_LOAD_CLIENTS ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
/** Pause between two `/health` requests of the measuring client. */
const probeGapMs = 20;
const probeTimeoutMs = 10_000;
const viewerToken = "bench-viewer-token-0123456789";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Open incidents, as a viewer sees them; 0 when the agent does not answer in time. */
async function openIncidents(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/api/incidents?status=open&limit=1000`, {
      headers: { authorization: `Bearer ${viewerToken}` },
      signal: AbortSignal.timeout(10_000),
    });
    return ((await res.json()) as { incidents: unknown[] }).incidents.length;
  } catch {
    return 0;
  }
}

/** The checked service: answers every check at once. */
const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as net.AddressInfo).port;
/** A port nothing listens on, for the failing checks. */
const closedPort = await new Promise<number>((resolve) => {
  const s = http.createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

function writeConfig(dir: string): string {
  const lines = [
    "agent: { listen: 127.0.0.1:0, data_dir: ./data, log_level: warn }",
    "auth:",
    "  tokens:",
    `    - { name: bench-viewer, role: viewer, token: ${viewerToken} }`,
    "checks:",
  ];
  for (let i = 0; i < checks; i++) {
    const p = i < failing ? closedPort : port;
    lines.push(`  c${i}: { http: { url: "http://127.0.0.1:${p}/health", timeout: 2s }, every: 10s }`);
  }
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** `/health` one request at a time on one keep-alive connection, until `until`; every latency in ms. */
async function probeHealth(url: string, until: () => boolean): Promise<{ ms: number[]; failed: number }> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let failed = 0;
  while (!until()) {
    const t0 = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(
        { agent, host: base.hostname, port: base.port, path: "/health", headers: { host: base.host } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode === 200));
          res.on("error", () => resolve(false));
        },
      );
      req.setTimeout(probeTimeoutMs, () => req.destroy());
      req.on("error", () => resolve(false));
    });
    if (ok) ms.push(performance.now() - t0);
    else failed++;
    await sleep(probeGapMs);
  }
  agent.destroy();
  return { ms, failed };
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: round(pct(s, 50)), p99: round(pct(s, 99)), max: round(s.at(-1) ?? 0) };
};

/** Runs the hammer in its own process; resolves with its tally. */
function runHammer(plan: HammerPlan): Promise<Record<string, RouteTally>> {
  const proc = spawn(
    process.execPath,
    [path.join(import.meta.dirname, "load-clients.ts"), JSON.stringify(plan)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = setTimeout(() => proc.kill("SIGKILL"), (plan.seconds + 60) * 1000);
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => {
      clearTimeout(deadline);
      if (code === 0) resolve(JSON.parse(out) as Record<string, RouteTally>);
      else reject(new Error(`the hammer exited with ${code}`));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-load-"));
const agent = await startBenchAgent(writeConfig(dir), path.join(dir, "data"));
const pid = agent.proc.pid!;
try {
  // Load comes once the start has settled: every failing check has its incident (after fail_after
  // results), so the incidents' own writes are not what the quiet minute measures.
  const settleStart = performance.now();
  while ((await openIncidents(agent.url)) < failing && performance.now() - settleStart < 120_000) {
    await sleep(1_000);
  }
  const settledS = Math.round((performance.now() - settleStart) / 100) / 10;
  await sleep(2_000);
  let quietDone = false;
  setTimeout(() => (quietDone = true), 5_000);
  const quiet = await probeHealth(agent.url, () => quietDone);

  let loadDone = false;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let peakRss = rssMB(pid) ?? 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMB(pid) ?? 0)), 500);
  const hammered = runHammer({
    url: agent.url,
    clients,
    seconds,
    viewerToken,
    adminToken: agent.token,
    target: `c${failing}`,
  }).finally(() => (loadDone = true));
  const [loaded, tally] = await Promise.all([probeHealth(agent.url, () => loadDone), hammered]);
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(rssTimer);
  const cpu = (cpuSeconds(pid) - cpu0) / elapsed;

  const total = Object.values(tally).reduce((n, t) => n + t.requests, 0);
  const q = summary(quiet.ms);
  const l = summary(loaded.ms);
  console.log(
    `${checks} HTTP checks every 10 s (${failing} failing: their incidents open ${settledS} s after the start)`,
  );
  console.log(`${clients} clients for ${seconds} s; ${total} requests`);
  console.log(
    `(${Math.round(total / elapsed)}/s), agent ${round(cpu * 100)} % of a core, peak RSS ${peakRss} MB\n`,
  );
  console.log("| /health | answers | p50 | p99 | max | failed |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  console.log(`| quiet, 5 s before | ${q.n} | ${q.p50} ms | ${q.p99} ms | ${q.max} ms | ${quiet.failed} |`);
  console.log(`| under load | ${l.n} | ${l.p50} ms | ${l.p99} ms | ${l.max} ms | ${loaded.failed} |\n`);
  console.log("| route | requests | answers |");
  console.log("| --- | ---: | --- |");
  for (const [name, t] of Object.entries(tally)) {
    const statuses = Object.entries(t.statuses)
      .sort((a, b) => b[1] - a[1])
      .map(([s, n]) => `${s} × ${n}`)
      .join(", ");
    console.log(`| ${name} | ${t.requests} | ${statuses} |`);
  }
  console.log(
    JSON.stringify({
      checks,
      clients,
      seconds,
      requests: total,
      settled_s: settledS,
      health_quiet: q,
      health_loaded: { ...l, failed: loaded.failed },
      cpu_percent: round(cpu * 100),
      rss_mb_peak: peakRss,
      routes: tally,
    }),
  );
} finally {
  const killer = setTimeout(() => agent.proc.kill("SIGKILL"), 30_000);
  await agent.stop();
  clearTimeout(killer);
  server.close();
  server.closeAllConnections();
  fs.rmSync(dir, { recursive: true, force: true });
}
