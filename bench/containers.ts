/**
 * Container services on the real engine (Podman's Docker-compatible API, or Docker at DOCKER_HOST):
 *
 * 1. From a container's `die` to running again: a container supervised by Vigil and one with the
 *    engine's own `restart: always` policy, side by side in one run, the kills going round-robin.
 *    Each kill is SIGKILL to the container's main process from the host, as the OOM killer would
 *    kill it: the engine's kill API would not do, since an engine restarts nothing a user killed.
 *    Both times are the engine's own, from its `/events` stream: `die` to the next `start`.
 * 2. 200 containers watched as container services: the agent's RSS and CPU while nothing happens,
 *    and how long it took to adopt them all.
 *
 * The engine is started by scripts/container-engine when DOCKER_HOST does not answer.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Engine, type EngineEvent } from "../src/containers/engine.ts";
import { cpuSeconds, startBenchAgent, type BenchAgent } from "./agent-process.ts";
import { rssMB, sleep } from "./peers/common.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WATCHED = Number(process.env.BENCH_CONTAINERS ?? 200);
/** Past Vigil's min_uptime (1 s below), so every kill hits a run counted as stable: no backoff. */
const SETTLE_MS = 1_500;
const QUIET_MS = Number(process.env.BENCH_QUIET_MS ?? 30_000);
const IMAGE = process.env.BENCH_IMAGE ?? "localhost/busybox:test";
const LABEL = "vigil.bench";
const root = path.resolve(import.meta.dirname, "..");
/** Runs until stopped; SIGTERM ends it at once (PID 1 ignores what it does not trap). */
const FOREVER = ["sh", "-c", 'trap "exit 143" TERM; while :; do sleep 3600 & wait $!; done'];

async function engineHost(): Promise<string> {
  const given = process.env.DOCKER_HOST;
  if (given?.startsWith("unix://")) {
    const e = Engine.fromHost(given);
    try {
      await e.ping({ timeoutMs: 3_000 });
      return given;
    } catch {
      // not answering: start ours
    } finally {
      e.close();
    }
  }
  const out = await new Promise<string>((resolve, reject) =>
    execFile(path.join(root, "scripts/container-engine"), ["start"], { timeout: 600_000 }, (err, stdout) =>
      err ? reject(new Error(`scripts/container-engine start: ${err.message}`)) : resolve(stdout),
    ),
  );
  const found = /DOCKER_HOST=(\S+)/.exec(out)?.[1];
  if (!found) throw new Error(`scripts/container-engine start: no DOCKER_HOST in ${out}`);
  return found;
}

const host = await engineHost();
process.env.DOCKER_HOST = host;
const engine = Engine.fromHost(host);
const tag = `b${process.pid}`;
const made: string[] = [];

async function container(name: string, restart: "no" | "always"): Promise<string> {
  const id = await engine.create(name, {
    Image: IMAGE,
    Cmd: FOREVER,
    Labels: { [LABEL]: tag },
    HostConfig: { NetworkMode: "host", RestartPolicy: { Name: restart } },
  });
  made.push(id);
  return id;
}

async function withAgent<T>(services: string[], fn: (agent: BenchAgent) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-containers-"));
  const lines = [
    `agent: { listen: "127.0.0.1:0", data_dir: ./data, log_level: warn, docker: { host: "${host}" } }`,
  ];
  lines.push("services:");
  for (const name of services) {
    lines.push(
      `  ${name}: { container: { name: ${name} }, restart: { backoff: { initial: 0ms, max: 1s }, min_uptime: 1s, max_restarts: 1000, window: 1m } }`,
    );
  }
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  const agent = await startBenchAgent(file, path.join(dir, "data"));
  try {
    return await fn(agent);
  } finally {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? NaN;
const round = (x: number) => Math.round(x * 10) / 10;

/** Part 1: die → start, Vigil and the engine's restart policy, the kills alternating. */
async function restartRace() {
  const vigilName = `${tag}-vigil`;
  const policyName = `${tag}-policy`;
  const ids = { vigil: await container(vigilName, "no"), policy: await container(policyName, "always") };
  await engine.start(ids.policy);
  const seen: EngineEvent[] = [];
  /** How late each die reached a client of the stream (this bench's; Vigil's is another like it). */
  const delivery: number[] = [];
  const stream = new AbortController();
  const opened = new Promise<void>((resolve, reject) => {
    engine
      .events(
        // Podman filters on its own event names ("died"), Docker on "die".
        { filters: { type: ["container"], event: ["die", "died", "start"], label: [`${LABEL}=${tag}`] } },
        (e) => {
          seen.push(e);
          if (e.action === "die" || e.action === "died") delivery.push(Date.now() - e.time);
        },
        stream.signal,
        { onOpen: resolve },
      )
      .catch(reject);
  });
  await opened;
  const samples: Record<"vigil" | "policy", number[]> = { vigil: [], policy: [] };
  const failures: Record<"vigil" | "policy", number> = { vigil: 0, policy: 0 };
  try {
    return await withAgent([vigilName], async () => {
      // The agent starts its container at boot.
      for (let i = 0; i < 600 && !(await engine.inspect(ids.vigil)).running; i++) await sleep(50);
      for (let run = 0; run < RUNS; run++) {
        for (const who of ["vigil", "policy"] as const) {
          const id = ids[who];
          const before = await engine.inspect(id);
          if (!before.running) throw new Error(`${who}: not running before kill ${run + 1}`);
          await sleep(SETTLE_MS);
          const from = seen.length;
          process.kill(before.pid, "SIGKILL");
          const until = Date.now() + 15_000;
          let died: EngineEvent | undefined;
          let started: EngineEvent | undefined;
          while (Date.now() < until && !started) {
            const mine = seen.slice(from).filter((e) => e.id === id);
            died ??= mine.find((e) => e.action === "die" || e.action === "died");
            if (died) started = mine.find((e) => e.action === "start" && e.time >= died!.time);
            if (!started) await sleep(5);
          }
          if (died && started) samples[who].push(started.time - died.time);
          else failures[who]++;
          // Running again as the engine says, before the other one's turn.
          for (let i = 0; i < 300 && !(await engine.inspect(id)).running; i++) await sleep(50);
        }
      }
      const row = (name: string, xs: number[], failed: number) => ({
        name,
        samples: xs.length,
        failures: failed,
        median_ms: round(median(xs)),
        p90_ms: round(p90(xs)),
        min_ms: round(Math.min(...xs)),
        max_ms: round(Math.max(...xs)),
      });
      return {
        rows: [
          row("Vigil (container service, die event → API start)", samples.vigil, failures.vigil),
          row("the engine's own restart: always", samples.policy, failures.policy),
        ],
        die_event_delivery_ms: {
          median: round(median(delivery)),
          p90: round(p90(delivery)),
          samples: delivery.length,
        },
      };
    });
  } finally {
    stream.abort();
  }
}

/** Part 2: many container services, nothing happening: what watching them costs the agent. */
async function watchMany(count: number) {
  const names: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < count; i++) {
    const name = `${tag}-${count}-w${i}`;
    await engine.start(await container(name, "no"));
    names.push(name);
  }
  const createMs = Date.now() - t0;
  const started = Date.now();
  return withAgent(names, async (agent) => {
    const headers = { authorization: `Bearer ${agent.token}` };
    let up = 0;
    for (let i = 0; i < 1_200 && up < count; i++) {
      const res = await fetch(`${agent.url}/api/targets`, { headers, signal: AbortSignal.timeout(10_000) });
      const { targets } = (await res.json()) as { targets: { state: string }[] };
      up = targets.filter((t) => t.state === "up").length;
      if (up < count) await sleep(250);
    }
    const allUpMs = Date.now() - started;
    const pid = agent.proc.pid!;
    const rssAfterStart = rssMB(pid);
    const cpu0 = cpuSeconds(pid);
    const q0 = performance.now();
    await sleep(QUIET_MS);
    const cpuPercent = ((cpuSeconds(pid) - cpu0) / ((performance.now() - q0) / 1000)) * 100;
    return {
      containers: count,
      up,
      containers_created_in_s: round(createMs / 1000),
      agent_start_to_all_up_s: round(allUpMs / 1000),
      agent_rss_mb_all_up: rssAfterStart,
      agent_rss_mb_after_quiet: rssMB(pid),
      agent_cpu_percent_quiet: round(cpuPercent),
      quiet_s: QUIET_MS / 1000,
    };
  });
}

try {
  const race = await restartRace();
  console.log(`\nFrom a container's die to its next start (engine event times), ${RUNS} kills each:\n`);
  console.log("| restarted by | median ms | p90 ms | min ms | max ms | failures |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of race.rows) {
    console.log(`| ${r.name} | ${r.median_ms} | ${r.p90_ms} | ${r.min_ms} | ${r.max_ms} | ${r.failures} |`);
  }
  const d = race.die_event_delivery_ms;
  console.log(
    `\nA die reached a client of /events ${d.median} ms (median; p90 ${d.p90}) after the engine's time of it.`,
  );
  // One first: the agent's own cost, which the 200 are measured against.
  const many = [await watchMany(1), await watchMany(WATCHED)];
  console.log("\nContainer services, nothing happening:\n");
  console.log(
    "| container services | adopted, all up in s | agent RSS MB, all up | after the quiet | agent CPU % (quiet) |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const m of many) {
    console.log(
      `| ${m.containers} | ${m.agent_start_to_all_up_s} | ${m.agent_rss_mb_all_up} | ${m.agent_rss_mb_after_quiet} | ${m.agent_cpu_percent_quiet} over ${m.quiet_s} s |`,
    );
  }
  console.log(JSON.stringify({ race, many, engine: host, cpus: os.cpus().length, load: os.loadavg() }));
} finally {
  // Every container this run made, whatever happened above.
  for (let i = 0; i < made.length; i += 20) {
    await Promise.all(
      made
        .slice(i, i + 20)
        .map((id) => engine.remove(id, { force: true }, { timeoutMs: 60_000 }).catch(() => undefined)),
    );
  }
  engine.close();
}
