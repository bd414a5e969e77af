/**
 * SIGKILL → healthy again: the same tiny HTTP service under Vigil, PM2, supervisord and Monit, each
 * at its fastest documented settings, side by side in one run; and the bare service's own start as
 * the floor no supervisor can beat. Also each supervisor daemon's idle RSS after the runs.
 * Peers that are missing are installed (apt-get, npm); one that still cannot run is skipped.
 *
 * All supervisors run at once and the kills go round-robin, one at a time: whatever else the
 * machine is doing then falls on every peer alike rather than on whichever ran during it.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { alive, freePort, listenerPid, rssMB, sleep, terminate, type Peer } from "./peers/common.ts";
import { monit } from "./peers/monit.ts";
import { pm2 } from "./peers/pm2.ts";
import { supervisord } from "./peers/supervisord.ts";
import { vigil } from "./peers/vigil.ts";

const RUNS = 20;
/** Hung-service runs; a supervisor without health checks shows it after one. */
const HUNG_RUNS = 10;
const HUNG_TIMEOUT_MS = 10_000;
const SAMPLE_TIMEOUT_MS = 15_000;
// Longer than Vigil's min_uptime (1s) and PM2's default one, so every kill hits a run counted as stable.
const SETTLE_MS = 1_200;
// Monit checks once a second and supervisord's loop wakes once a second: a random extra wait lands
// each kill at a random point of that cycle, as a real crash would, instead of at one fixed phase.
const PHASE_JITTER_MS = 1_000;
const POLL_MS = 5;

const root = path.resolve(import.meta.dirname, "..");
const servicePath = path.join(root, "test/fixtures/service.js");
const pinned = path.join(root, "node_modules/.bin/node");
// Resolved, so every supervisor runs the very same binary and none has a symlink to follow.
const node = fs.existsSync(pinned) ? fs.realpathSync(pinned) : process.execPath;

interface Result {
  name: string;
  samples_ms: number[];
  failures: number;
  median?: number;
  p90?: number;
  min?: number;
  max?: number;
  daemon_rss_mb?: number;
  error?: string;
}

interface Running {
  hung: number[];
  hungFailures: number;
  peer: Peer;
  dir: string;
  port: number;
  /** Every service pid seen, so none outlives the bench whatever its supervisor does. */
  seen: Set<number>;
  samples: number[];
  failures: number;
  lastPid?: number;
  healthySince: number;
  error?: string;
}

/** The pid that answered GET /health with 200, or undefined; a fresh connection each time. */
function health(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/health", agent: false, timeout: 200 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve((JSON.parse(body) as { pid?: number }).pid);
        } catch {
          resolve(undefined);
        }
      });
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
  });
}

/** Polls until a 200 from a pid other than `not`; the time is read as soon as it answers. */
async function healthyFrom(port: number, not: number | undefined, timeoutMs: number) {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const pid = await health(port);
    if (pid !== undefined && pid !== not) return { pid, at: performance.now() };
    await sleep(POLL_MS);
  }
  return undefined;
}

/** Waits for a 200 from the very pid the supervisor names, so a kill never hits a stray process. */
async function agreedPid(peer: Peer, port: number): Promise<number | undefined> {
  const until = performance.now() + SAMPLE_TIMEOUT_MS;
  while (performance.now() < until) {
    const served = await health(port);
    if (served !== undefined && served === (await peer.servicePid())) return served;
    await sleep(50);
  }
  return undefined;
}

/** The floor: spawn to first 200, no supervisor in between. */
async function floorSample(port: number): Promise<number | undefined> {
  const t0 = performance.now();
  const child = spawn(node, [servicePath], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  const up = await healthyFrom(port, undefined, SAMPLE_TIMEOUT_MS);
  child.kill("SIGKILL");
  await exited;
  return up && up.pid === child.pid ? up.at - t0 : undefined;
}

async function killSample(r: Running): Promise<void> {
  const pid = await agreedPid(r.peer, r.port);
  if (pid === undefined) {
    r.error = "service not healthy under its supervisor within 15 s; gave up on it";
    r.failures = RUNS - r.samples.length;
    return;
  }
  if (pid !== r.lastPid) r.healthySince = performance.now();
  r.seen.add(pid);
  await sleep(Math.max(0, r.healthySince + SETTLE_MS - performance.now()) + Math.random() * PHASE_JITTER_MS);
  // A kill now would race the teardown: the supervisor could restart what is being stopped.
  if (stopping) return;
  process.kill(pid, "SIGKILL");
  const t0 = performance.now();
  const up = await healthyFrom(r.port, pid, SAMPLE_TIMEOUT_MS);
  if (up) recovered(r, r.samples, up, t0);
  else r.failures++;
}

/** Records a recovery: its time, and the new process as the one to watch next. */
function recovered(r: Running, into: number[], up: { pid: number; at: number }, t0: number): void {
  into.push(up.at - t0);
  r.seen.add(up.pid);
  r.lastPid = up.pid;
  r.healthySince = up.at;
}

/** GET /hang blocks the service's event loop: alive, port open, never answering. */
async function hungSample(r: Running): Promise<void> {
  const pid = await agreedPid(r.peer, r.port);
  if (pid === undefined) {
    r.hungFailures++;
    return;
  }
  r.seen.add(pid);
  await sleep(SETTLE_MS + Math.random() * PHASE_JITTER_MS);
  if (stopping) return;
  await new Promise<void>((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port: r.port, path: "/hang", agent: false, timeout: 500 },
      (res) => {
        res.resume();
        res.on("end", resolve);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve());
  });
  const t0 = performance.now();
  const up = await healthyFrom(r.port, pid, HUNG_TIMEOUT_MS);
  if (up) recovered(r, r.hung, up, t0);
  else {
    r.hungFailures++;
    // Never restarted: unstick it by hand so the teardown and later peers are not disturbed.
    process.kill(pid, "SIGKILL");
  }
}

function summarize(name: string, samples: number[], failures: number, extra: Partial<Result> = {}): Result {
  const s = [...samples].sort((a, b) => a - b);
  const r1 = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10) / 10);
  // Nearest rank: a value that was really measured, not an interpolation between two.
  const rank = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)];
  return {
    name,
    samples_ms: samples.map((x) => r1(x)!),
    failures,
    median: r1(rank(0.5)),
    p90: r1(rank(0.9)),
    min: r1(s[0]),
    max: r1(s[s.length - 1]),
    ...extra,
  };
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function teardown(r: Running): Promise<void> {
  await r.peer.stop();
  // Whatever a supervisor left behind: the port's listener and every pid seen, if still a service.
  const left = [listenerPid(r.port), ...r.seen].filter(
    (p): p is number => p !== undefined && alive(p) && readCmdline(p).includes(servicePath),
  );
  await Promise.all(left.map((p) => terminate(p, 2_000)));
  fs.rmSync(r.dir, { recursive: true, force: true });
}

function table(results: Result[], rss = true): string {
  const cell = (v: number | undefined) => (v === undefined ? "–" : String(v));
  const lines = [
    `| supervisor | median ms | p90 ms | min | max | failures |${rss ? " daemon RSS MB |" : ""}`,
    `| --- | ---: | ---: | ---: | ---: | ---: |${rss ? " ---: |" : ""}`,
  ];
  for (const r of results) {
    const cols = [r.median, r.p90, r.min, r.max].map(cell);
    lines.push(
      `| ${r.name} | ${cols.join(" | ")} | ${r.failures} |${rss ? ` ${cell(r.daemon_rss_mb)} |` : ""}`,
    );
  }
  return lines.join("\n");
}

const running: Running[] = [];
let stopping = false;
// Interrupted or not, nothing may outlive the bench.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    stopping = true;
    void Promise.allSettled(running.map(teardown)).then(() => process.exit(130));
  });
}

const results: Result[] = [];
const hungResults: Result[] = [];
const floor = { samples: [] as number[], failures: 0 };
try {
  for (const peer of [vigil(), pm2(), supervisord(), monit()]) {
    const why = await peer.ensure(root).catch((e: Error) => e.message);
    if (why) {
      console.log(`peer ${peer.name} unavailable: ${why}`);
      results.push({ ...summarize(peer.name, [], 0), error: `unavailable: ${why}` });
      continue;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-bench-${peer.name.toLowerCase()}-`));
    const r: Running = {
      peer,
      dir,
      port: await freePort(),
      seen: new Set(),
      samples: [],
      failures: 0,
      hung: [],
      hungFailures: 0,
      healthySince: 0,
    };
    running.push(r);
    await peer.start(dir, r.port, servicePath, node).catch((e: Error) => {
      r.error = `start failed: ${e.message.slice(0, 300)}`;
      r.failures = RUNS;
    });
  }

  const floorPort = await freePort();
  for (let i = 0; i < RUNS && !stopping; i++) {
    const ms = await floorSample(floorPort);
    if (ms === undefined) floor.failures++;
    else floor.samples.push(ms);
    for (const r of running) if (!r.error) await killSample(r);
  }
  for (let i = 0; i < HUNG_RUNS && !stopping; i++) {
    for (const r of running) {
      // One unanswered hang is enough to show a supervisor that has no health check.
      if (!r.error && (r.hung.length > 0 || r.hungFailures === 0)) await hungSample(r);
    }
  }
  hungResults.push(...running.map((r) => summarize(r.peer.name, r.hung, r.hungFailures)));
  // Idle: each daemon has had nothing to do but watch a service that has been up a while.
  await sleep(SETTLE_MS);
  results.unshift(
    ...running.map((r) =>
      summarize(r.peer.name, r.samples, r.failures, {
        daemon_rss_mb: rssMB(r.peer.daemonPid()),
        ...(r.error ? { error: r.error } : {}),
      }),
    ),
  );
} finally {
  await Promise.allSettled(running.map(teardown));
}

results.unshift(summarize("node start (floor)", floor.samples, floor.failures));
for (const r of results)
  if (r.error && !r.error.startsWith("unavailable")) console.error(`${r.name}: ${r.error}`);
console.log("SIGKILL → healthy again:\n");
console.log(table(results));
console.log(
  `\nA live but hung service → healthy again (a failure = not restarted within ${HUNG_TIMEOUT_MS / 1000} s):\n`,
);
console.log(table(hungResults, false));
console.log(JSON.stringify({ runs: RUNS, hung_runs: HUNG_RUNS, node, results, hung: hungResults }));
process.exit((results.find((r) => r.name === "Vigil")?.samples_ms.length ?? 0) > 0 ? 0 : 1);
