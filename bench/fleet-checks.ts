/**
 * A fleet on one PostgreSQL: three agents (separate processes and data_dirs) sharing 3,000 HTTP checks
 * every 10 s (`run_on: any`, the default for http), against a server on 127.0.0.1. Reports, over a
 * steady window: how the checks are spread, each agent's CPU share of one core and RSS, PostgreSQL's
 * CPU (every process of the server's user) and connections; then the takeover time after `kill -9`
 * of the busiest agent (until every one of its checks has a result written by another), and the
 * notifications per second through the shared outbox when every check fails at once.
 * No peer: Gatus, Uptime Kuma and Monit have no shared checks to compare with.
 *
 * BENCH_CHECKS (3000), BENCH_AGENTS (3), BENCH_SECONDS (60), BENCH_PG (postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { cpuSeconds, startBenchAgent, type BenchAgent } from "./agent-process.ts";
import { rssMB, sleep } from "./peers/common.ts";

const checks = Number(process.env.BENCH_CHECKS ?? 3000);
const agentCount = Number(process.env.BENCH_AGENTS ?? 3);
const measureS = Number(process.env.BENCH_SECONDS ?? 60);
const pgBase = process.env.BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `vigil_bench_fleet_${randomBytes(4).toString("hex")}`;
const storeUrl = `${pgBase}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

let failing = false;
let hits = 0;
const target = http.createServer((_req, res) => {
  hits++;
  res.statusCode = failing ? 500 : 200;
  res.end(failing ? "broken" : "ok");
});
target.keepAliveTimeout = 60_000;
let delivered = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    delivered++;
    res.end("ok");
  });
});
const listen = async (s: http.Server) => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as net.AddressInfo).port;
};
const targetPort = await listen(target);
const receiverPort = await listen(receiver);

const db = new pg.Client({ connectionString: pgBase });
await db.connect();
await db.query(`CREATE SCHEMA ${schema}`);
const q = async <T>(sql: string, params: unknown[] = []) =>
  (await db.query(sql.replaceAll("$schema", schema), params)).rows as T[];

function configFor(name: string, dir: string): string {
  const lines = [
    `agent: { name: ${name}, listen: 127.0.0.1:0, data_dir: ./data, log_level: warn, store: "${storeUrl}" }`,
    `notify:`,
    `  channels: { hook: { webhook: { url: "http://127.0.0.1:${receiverPort}/" } } }`,
    `  routes: [{ to: [hook] }]`,
    "checks:",
  ];
  for (let i = 0; i < checks; i++)
    lines.push(
      `  c${i}: { http: { url: "http://127.0.0.1:${targetPort}/c/${i}" }, every: 10s, fail_after: 1 }`,
    );
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** PostgreSQL's processes (postmaster, backends, background workers): their command name is postgres. */
function postgresPids(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (comm === "postgres" || comm.startsWith("postgres:")) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const cpuOf = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + cpuSeconds(pid);
    } catch {
      return sum;
    }
  }, 0);

async function spread(): Promise<Map<string, number>> {
  const rows = await q<{ agent: string | null; n: string }>(
    `SELECT agent, count(*) AS n FROM $schema.targets WHERE kind = 'check' GROUP BY agent`,
  );
  return new Map(rows.map((r) => [r.agent ?? "(none)", Number(r.n)]));
}

async function waitFor(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
  return performance.now() - t0;
}

const agents = new Map<string, BenchAgent>();
const dirs: string[] = [];
try {
  for (let i = 1; i <= agentCount; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-fleet-"));
    dirs.push(dir);
    const name = `fleet-${i}`;
    agents.set(name, await startBenchAgent(configFor(name, dir), path.join(dir, "data")));
  }
  await waitFor("every check to have its agent", 120_000, async () => {
    const s = await spread();
    return [...s.values()].reduce((a, b) => a + b, 0) === checks && s.size === agentCount && !s.has("(none)");
  });
  await sleep(22_000); // the spread-out first round, then a full one

  const pgPids = postgresPids();
  const cpu0 = new Map([...agents].map(([n, a]) => [n, cpuSeconds(a.proc.pid!)]));
  const pgCpu0 = cpuOf(pgPids);
  const hits0 = hits;
  const t0 = performance.now();
  await sleep(measureS * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const perAgent = [...agents].map(([name, a]) => ({
    name,
    cpu_pct: Math.round(((cpuSeconds(a.proc.pid!) - cpu0.get(name)!) / elapsed) * 1000) / 10,
    rss_mb: rssMB(a.proc.pid),
  }));
  const pgCpuPct = Math.round(((cpuOf(pgPids) - pgCpu0) / elapsed) * 1000) / 10;
  const [conn] = await q<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  const checksPerS = Math.round(((hits - hits0) / elapsed) * 10) / 10;
  const s = await spread();

  console.log(`${checks} shared HTTP checks every 10 s, ${agentCount} agents, ${measureS} s window:\n`);
  console.log("| agent | checks run | CPU (% of one core) | RSS (MB) |");
  console.log("| --- | --- | --- | --- |");
  for (const a of perAgent) console.log(`| ${a.name} | ${s.get(a.name) ?? 0} | ${a.cpu_pct} | ${a.rss_mb} |`);
  console.log(
    `\nPostgreSQL: ${pgCpuPct} % of one core (all its processes), ${conn?.n} connections to the database; ` +
      `checks executed: ${checksPerS}/s (expected ${checks / 10}/s)`,
  );

  // Takeover: kill -9 the busiest agent; time until each of its checks has a newer result.
  const [victim] = [...s].sort((a, b) => b[1] - a[1])[0]!;
  const names = (
    await q<{ name: string }>(`SELECT name FROM $schema.targets WHERE agent = $1`, [victim])
  ).map((r) => r.name);
  const lease = 10_000;
  const killedAt = Date.now();
  agents.get(victim)!.proc.kill("SIGKILL");
  agents.delete(victim);
  const takeoverMs = await waitFor("the dead agent's checks to run again", 6 * lease, async () => {
    const [r] = await q<{ n: string }>(
      `SELECT count(DISTINCT target) AS n FROM $schema.results WHERE target = ANY($1) AND ts > $2`,
      [names, killedAt],
    );
    return Number(r?.n) === names.length;
  });
  console.log(
    `\nTakeover after kill -9 of ${victim} (${names.length} checks, agent.lease 10s): every check ran ` +
      `again within ${(takeoverMs / 1000).toFixed(1)} s (${(takeoverMs / lease).toFixed(2)} leases)`,
  );

  // Notifications through the shared outbox: every check fails at once.
  const [before] = await q<{ n: string }>(`SELECT count(*) AS n FROM $schema.outbox WHERE status = 'sent'`);
  const sent0 = Number(before?.n);
  const delivered0 = delivered;
  failing = true;
  const failedAt = Date.now();
  let first = 0;
  let last = 0;
  let lastCount = sent0;
  await waitFor("the incident notifications to be sent", 180_000, async () => {
    const [r] = await q<{ n: string }>(`SELECT count(*) AS n FROM $schema.outbox WHERE status = 'sent'`);
    const n = Number(r?.n);
    const now = performance.now();
    if (n > sent0 && first === 0) first = now;
    if (n > lastCount) {
      last = now;
      lastCount = n;
    }
    return n - sent0 >= checks || (last > 0 && now - last > 15_000);
  });
  const rows = lastCount - sent0;
  // How long a due row waited for an agent to send it: whether the shared outbox keeps up with the
  // rate incidents open (the checks fail over one 10 s round, so that rate bounds rows/s above).
  const [lag] = await q<{ p50: string; p99: string; max: string }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY sent_at - next_at) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY sent_at - next_at) AS p99,
            max(sent_at - next_at) AS max
       FROM $schema.outbox WHERE status = 'sent' AND created_at >= $1`,
    [failedAt],
  );
  const spanS = Math.max(0.001, (last - first) / 1000);
  console.log(
    `\nNotifications: ${rows} outbox rows sent (${delivered - delivered0} webhook requests) in ${spanS.toFixed(1)} s ` +
      `from the first to the last: ${Math.round(rows / spanS)} rows/s through the shared outbox, ` +
      `${agents.size} agents sending; a due row waited p50 ${Math.round(Number(lag?.p50))} ms, ` +
      `p99 ${Math.round(Number(lag?.p99))} ms, max ${Math.round(Number(lag?.max))} ms to be sent`,
  );
  console.log(
    JSON.stringify({
      checks,
      agents: perAgent,
      pg_cpu_pct: pgCpuPct,
      pg_connections: Number(conn?.n),
      takeover_ms: Math.round(takeoverMs),
      notifications_per_s: Math.round(rows / spanS),
    }),
  );
} finally {
  await Promise.all([...agents.values()].map((a) => a.stop()));
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await db.end();
  target.close();
  receiver.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}
