/**
 * 200 containers watched: the agent's CPU and RSS while it reads them every 10 s through the
 * engine's API, as one `compose:` check (one line of config, 200 targets) and as 200 `container:`
 * checks, one after the other against the same containers. The engine's own CPU over the same
 * window is shown beside it: each reading is an inspect and a stats call per container, and the
 * engine does the work of answering them.
 *
 * Needs a running engine (DOCKER_HOST, else scripts/container-engine start). Containers are busybox
 * `sleep`s from localhost/busybox:test with host networking, removed at the end.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Engine } from "../src/containers/engine.ts";
import { cpuSeconds, startBenchAgent, type BenchAgent } from "./agent-process.ts";
import { readPid, rssMB, sleep } from "./peers/common.ts";

const count = Number(process.env.BENCH_CONTAINERS ?? 200);
const windowS = Number(process.env.BENCH_WINDOW_S ?? 60);
const root = path.resolve(import.meta.dirname, "..");

function dockerHost(): string {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const out = execFileSync(path.join(root, "scripts/container-engine"), ["start"], { encoding: "utf8" });
  const host = /DOCKER_HOST=(\S+)/.exec(out)?.[1];
  if (!host) throw new Error(`scripts/container-engine start: ${out}`);
  return host;
}

async function upTargets(agent: BenchAgent, want: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${agent.url}/api/targets`, {
      headers: { authorization: `Bearer ${agent.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const { targets } = (await res.json()) as { targets: { state: string }[] };
    const up = targets.filter((t) => t.state === "up").length;
    if (up >= want) return;
    if (Date.now() > until) throw new Error(`only ${up} of ${want} targets up`);
    await sleep(500);
  }
}

async function scenario(name: string, checks: string[], want: number, host: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-containers-"));
  const file = path.join(dir, "vigil.yaml");
  const agentLine = `agent: { listen: 127.0.0.1:0, data_dir: ./data, log_level: warn, docker: { host: "${host}" } }`;
  fs.writeFileSync(file, `${agentLine}\nchecks:\n${checks.join("\n")}\n`);
  const agent = await startBenchAgent(file, path.join(dir, "data"));
  const enginePid = readPid("/tmp/container-engine/service.pid");
  try {
    const started = Date.now();
    await upTargets(agent, want, 180_000);
    const allUpMs = Date.now() - started;
    const pid = agent.proc.pid!;
    const cpu0 = cpuSeconds(pid);
    const engine0 = enginePid === undefined ? undefined : cpuSeconds(enginePid);
    await sleep(windowS * 1000);
    const cpu = ((cpuSeconds(pid) - cpu0) / windowS) * 100;
    const engineCpu =
      enginePid === undefined || engine0 === undefined
        ? undefined
        : ((cpuSeconds(enginePid) - engine0) / windowS) * 100;
    return {
      scenario: name,
      containers: count,
      targets: want,
      all_up_after_s: Math.round(allUpMs / 100) / 10,
      agent_cpu_percent: Math.round(cpu * 10) / 10,
      agent_rss_mb: rssMB(pid),
      engine_cpu_percent: engineCpu === undefined ? null : Math.round(engineCpu * 10) / 10,
    };
  } finally {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const host = dockerHost();
const engine = Engine.fromHost(host);
const project = `vigil-bench-${process.pid}`;
const ids: string[] = [];
try {
  const t0 = Date.now();
  for (let i = 0; i < count; i++) {
    const id = await engine.create(`${project}-c${i}`, {
      Image: "localhost/busybox:test",
      Cmd: ["sleep", "3600"],
      Labels: { "com.docker.compose.project": project, "com.docker.compose.service": `c${i}` },
      HostConfig: { NetworkMode: "host" },
    });
    ids.push(id);
    await engine.start(id);
  }
  console.log(`${count} containers created and started in ${Math.round((Date.now() - t0) / 1000)} s`);
  const results = [
    await scenario(
      "one compose check, every 10s",
      [`  stack: { compose: { project: ${project} }, every: 10s }`],
      count + 1,
      host,
    ),
    await scenario(
      `${count} container checks, every 10s`,
      ids.map((_, i) => `  c${i}: { container: { name: ${project}-c${i} }, every: 10s }`),
      count,
      host,
    ),
  ];
  console.log(
    JSON.stringify({ node: process.version, cpus: os.cpus().length, window_s: windowS, results }, null, 2),
  );
} finally {
  for (const id of ids)
    await engine.remove(id, { force: true }, { timeoutMs: 60_000 }).catch(() => undefined);
  engine.close();
}
