/**
 * Starting with a huge config: `vigil up` with 100,000 HTTP checks (every 60 s, against a server on
 * 127.0.0.1), from a fresh data dir. Measures the time to "agent up", the CPU the agent used to get
 * there and the CPU of its config loader (a child process: the kernel counts it for the agent once
 * it has been waited for), then how slowly `/health` answers while the first round of checks comes
 * in (every check's first result is a state change). `BENCH_START_CHECKS` changes the size.
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { startBenchAgent } from "./agent-process.ts";
import { rssMB } from "./peers/common.ts";

const checks = Number(process.env.BENCH_START_CHECKS ?? 100_000);
/** How long `/health` is watched after the start. */
const watchMs = 30_000;

const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as net.AddressInfo).port;

/** CPU seconds of a process itself, and of the children it has waited for. */
function cpu(pid: number): { self: number; children: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const s = (i: number) => Number(f[i]) / 100;
  return { self: s(11) + s(12), children: s(13) + s(14) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-start-"));
const lines = ["agent: { listen: 127.0.0.1:0, data_dir: ./data, log_level: warn }", "checks:"];
for (let i = 0; i < checks; i++)
  lines.push(`  c${i}: { http: { url: "http://127.0.0.1:${port}/health" }, every: 60s }`);
const file = path.join(dir, "vigil.yaml");
fs.writeFileSync(file, `${lines.join("\n")}\n`);

const t0 = performance.now();
const agent = await startBenchAgent(file, path.join(dir, "data"), 600_000);
const upS = (performance.now() - t0) / 1000;
const pid = agent.proc.pid!;
const atUp = cpu(pid);
const rssAtUp = rssMB(pid) ?? 0;
try {
  const base = new URL(agent.url);
  const latencies: number[] = [];
  const end = performance.now() + watchMs;
  while (performance.now() < end) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      const req = http.get({
        host: base.hostname,
        port: base.port,
        path: "/health",
        headers: { host: base.host },
      });
      req.on("response", (res) => res.resume().on("end", () => resolve()));
      req.setTimeout(30_000, () => req.destroy());
      req.on("error", () => resolve());
    });
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  latencies.sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  const result = {
    checks,
    config_mb: r(fs.statSync(file).size / 1024 / 1024),
    up_s: r(upS),
    agent_cpu_s: r(atUp.self),
    config_loader_cpu_s: r(atUp.children),
    rss_mb_at_up: rssAtUp,
    health_p50_ms: r(latencies[Math.floor(latencies.length / 2)] ?? 0),
    health_max_ms: r(latencies.at(-1) ?? 0),
  };
  console.log(
    `| checks | config | to "agent up" | agent CPU | config loader CPU | RSS at up | /health p50, max over the next ${watchMs / 1000} s |`,
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${checks} | ${result.config_mb} MB | ${result.up_s} s | ${result.agent_cpu_s} s | ${result.config_loader_cpu_s} s | ${rssAtUp} MB | ${result.health_p50_ms} ms, ${result.health_max_ms} ms |`,
  );
  console.log(JSON.stringify(result));
} finally {
  const killer = setTimeout(() => agent.proc.kill("SIGKILL"), 60_000);
  await agent.stop();
  clearTimeout(killer);
  server.close();
  server.closeAllConnections();
  fs.rmSync(dir, { recursive: true, force: true });
}
