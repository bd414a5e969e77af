/**
 * Memory with many services: 50 copies of the tiny HTTP service under Vigil (each with an HTTP health
 * check every 10 s), under PM2, and with no supervisor at all, one after the other, all on the
 * project's Node. Reports the daemon's RSS and the total (daemon + every service process), after all
 * 50 answer and 10 s of quiet. Totals are shown as summed RSS and as PSS. The unsupervised row is the
 * floor every supervisor's total sits on; what a supervisor adds over it is its overhead.
 * Goal, both halves in the same run: the agent's RSS <= PM2's daemon's, and Vigil's overhead over
 * the floor <= 0.2 x PM2's.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBenchAgent } from "./agent-process.ts";
import { freePort, readPid, run, rssMB, sleep, terminate, waitGone } from "./peers/common.ts";
import { pm2 as pm2Peer, pm2App } from "./peers/pm2.ts";

const count = Number(process.env.BENCH_SERVICES ?? 50);
const root = path.resolve(import.meta.dirname, "..");
const servicePath = path.join(root, "test/fixtures/service.js");
const node = fs.realpathSync(path.join(root, "node_modules/.bin/node"));

async function allHealthy(ports: number[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > until) throw new Error(`port ${port} never answered`);
      await sleep(100);
    }
  }
}

/** Proportional set size: shared pages (the node binary, mapped by every process) split among their users. */
function pssMB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return Number(m?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

/** RSS counts the pages 50 processes share 50 times; PSS counts them once in all. Both are shown. */
function totals(daemon: number | undefined, children: (number | undefined)[]) {
  const all = [daemon, ...children];
  return {
    daemon_mb: rssMB(daemon),
    daemon_pss_mb: round(pssMB(daemon)),
    total_rss_mb: round(all.reduce<number>((sum, p) => sum + (rssMB(p) ?? 0), 0)),
    total_pss_mb: round(all.reduce<number>((sum, p) => sum + pssMB(p), 0)),
  };
}

async function vigil(ports: number[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-fleet-"));
  const lines = ["agent: { listen: 127.0.0.1:0, data_dir: ./data, log_level: warn }", "services:"];
  ports.forEach((port, i) =>
    lines.push(
      `  s${i}: { command: [${JSON.stringify(node)}, ${JSON.stringify(servicePath)}], env: { PORT: "${port}" }, port: ${port},`,
      `          health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 10s } }`,
    ),
  );
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  const agent = await startBenchAgent(file, path.join(dir, "data"));
  try {
    await allHealthy(ports, 60_000);
    await sleep(10_000);
    const res = await fetch(`${agent.url}/api/targets`, {
      headers: { authorization: `Bearer ${agent.token}` },
    });
    const { targets } = (await res.json()) as { targets: { pid?: number | null }[] };
    const children = targets.map((t) => t.pid ?? undefined);
    // Which entry (dist or sources) and which Node flags the measured agent ran with.
    const { runtime } = (await (await fetch(`${agent.url}/health`)).json()) as { runtime: unknown };
    return { name: "Vigil", ...totals(agent.proc.pid, children), runtime };
  } finally {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pm2(ports: number[]) {
  const peer = pm2Peer();
  const why = await peer.ensure(root);
  if (why) return { name: "PM2", error: why };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-fleet-pm2-"));
  const bin = path.join(root, "node_modules/pm2/bin/pm2");
  const env = { ...process.env, PM2_HOME: home };
  const apps = ports.map((port, i) => pm2App(`s${i}`, port, servicePath, node));
  const file = path.join(home, "ecosystem.config.json");
  fs.writeFileSync(file, JSON.stringify({ apps }));
  try {
    const r = await run(process.execPath, [bin, "start", file], { env, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`pm2 start: ${r.stderr || r.stdout}`);
    await allHealthy(ports, 60_000);
    await sleep(10_000);
    const list = await run(process.execPath, [bin, "jlist"], { env, timeoutMs: 60_000 });
    const children = (JSON.parse(list.stdout.slice(list.stdout.indexOf("["))) as { pid?: number }[]).map(
      (p) => p.pid,
    );
    const daemon = readPid(path.join(home, "pm2.pid"));
    return { name: "PM2", ...totals(daemon, children) };
  } finally {
    const daemon = readPid(path.join(home, "pm2.pid"));
    await run(process.execPath, [bin, "kill"], { env, timeoutMs: 60_000 });
    await waitGone(daemon, 10_000);
    await terminate(daemon);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The same services started by hand, no supervisor: what they cost on their own. */
async function unsupervised(ports: number[]) {
  const children = ports.map((port) =>
    spawn(node, [servicePath], { env: { PORT: String(port) }, stdio: "ignore", detached: true }),
  );
  try {
    await allHealthy(ports, 60_000);
    await sleep(10_000);
    return {
      name: "no supervisor (the services alone)",
      ...totals(
        undefined,
        children.map((c) => c.pid),
      ),
    };
  } finally {
    for (const c of children) if (c.pid) await terminate(c.pid);
  }
}

const ports: number[] = [];
for (let i = 0; i < count; i++) ports.push(await freePort());
// BENCH_ONLY=vigil (or pm2, none; comma-separated) runs some: for measuring one change at a time.
const only = (process.env.BENCH_ONLY ?? "vigil,pm2,none").split(",");
const results = [
  ...(only.includes("vigil") ? [await vigil(ports)] : []),
  ...(only.includes("pm2") ? [await pm2(ports)] : []),
  ...(only.includes("none") ? [await unsupervised(ports)] : []),
];

console.log(`| ${count} services | daemon RSS MB | daemon PSS MB | total RSS MB | total PSS MB |`);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const r of results) {
  if ("error" in r) console.log(`| ${r.name} | unavailable: ${r.error} | | | |`);
  else
    console.log(
      `| ${r.name} | ${r.daemon_mb ?? "–"} | ${r.daemon_mb === undefined ? "–" : r.daemon_pss_mb} | ${r.total_rss_mb} | ${r.total_pss_mb} |`,
    );
}
const [v, p, floor] = results;
if (results.length === 3 && v && p && floor && !("error" in v) && !("error" in p) && !("error" in floor)) {
  const [agent, daemon] = [v.daemon_mb ?? 0, p.daemon_mb ?? 0];
  const [ours, theirs] = [
    round(v.total_rss_mb - floor.total_rss_mb),
    round(p.total_rss_mb - floor.total_rss_mb),
  ];
  const ratio = ours / theirs;
  const met = agent <= daemon && ratio <= 0.2;
  console.log(
    `goal ${met ? "met" : "NOT met"}: agent ${agent} MB vs PM2's daemon ${daemon} MB (${(agent / daemon).toFixed(2)}x, goal <= 1); ` +
      `overhead over the ${count} services alone (${floor.total_rss_mb} MB): Vigil ${ours} MB, PM2 ${theirs} MB (${ratio.toFixed(2)}x, goal <= 0.2)`,
  );
}
console.log(JSON.stringify({ services: count, results }));
