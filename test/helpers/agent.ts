/**
 * The real daemon for black-box tests: `vigil up` (bin/vigil.js, which runs the build in dist/ when it
 * is current and the sources otherwise) as a child process on 127.0.0.1 with
 * a free port and a temp data dir; and the real CLI as a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "./tmp.ts";

const root = path.resolve(import.meta.dirname, "../..");
const main = path.join(root, "bin/vigil.js");

export interface RunningAgent {
  url: string;
  dir: string;
  configFile: string;
  token: string;
  proc: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

/**
 * Writes `yaml` to a temp dir and starts the agent. The yaml must set `agent.listen`, to
 * `127.0.0.1:0` unless the test holds a free port itself: the default, 127.0.0.1:7070, is where
 * `npm start` listens, and a test never takes a fixed port.
 */
export async function startAgent(
  yaml: string,
  opts: { dir?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningAgent> {
  if (!/\blisten\s*:/.test(yaml)) throw new Error('startAgent: set agent.listen, e.g. listen: "127.0.0.1:0"');
  const dir = opts.dir ?? tempDir("vigil-e2e-");
  const configFile = path.join(dir, "vigil.yaml");
  fs.writeFileSync(configFile, yaml);
  const proc = spawn(process.execPath, [main, "up", "-c", configFile], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, VIGIL_LOG_LEVEL: "info", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let url: string | undefined;
  while (!url) {
    url = /agent up at (http:\/\/\S+?) /.exec(out)?.[1];
    if (url) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`agent did not start (exit ${proc.exitCode}):\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const dataDir = /admin token in (\S+?)\)/.exec(out)?.[1] ?? path.join(dir, ".vigil/admin.token");
  return {
    url,
    dir,
    configFile,
    token: fs.readFileSync(dataDir, "utf8").trim(),
    proc,
    output: () => out,
    stop: (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vigil <args>` as a real process. */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [main, ...args], {
      cwd: opts.cwd ?? root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** fetch with a bearer token and a timeout. */
export function api(
  agent: { url: string; token: string },
  p: string,
  init: RequestInit & { token?: string | null } = {},
) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? agent.token : init.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  return fetch(agent.url + p, { ...init, headers, signal: AbortSignal.timeout(10_000) });
}

/**
 * Stops an agent with SIGTERM and returns what it left running in its folder (nothing, when it
 * stops cleanly). SIGTERM, not SIGKILL: a killed agent leaves its services behind.
 */
export async function stopCleanly(agent: RunningAgent | undefined): Promise<{ pid: number; cmd: string }[]> {
  if (!agent) return [];
  await agent.stop("SIGTERM");
  return processesIn(agent.dir);
}

/** Processes whose working folder is inside `dir`: what an agent that stopped cleanly leaves there is a leak. */
export function processesIn(dir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`).replace(/ \(deleted\)$/, "");
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      out.push({
        pid: Number(entry),
        cmd: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim(),
      });
    } catch {
      // gone, or not readable
    }
  }
  return out;
}
