/** What the supervision bench needs from each supervisor, and the small process helpers they share. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Peer {
  readonly name: string;
  /** Installs the peer if it is missing; returns why it cannot run here, or undefined when it can. */
  ensure(root: string): Promise<string | undefined>;
  /** Starts the supervisor with the service on `port`; resolves once the supervisor has been told to run it. */
  start(dir: string, port: number, servicePath: string, node: string): Promise<void>;
  /** The pid the supervisor itself believes it is running, asked the supervisor's own way. */
  servicePid(): Promise<number | undefined>;
  daemonPid(): number | undefined;
  /** Stops the supervisor and its service; never throws. */
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a missing binary or a timeout comes back as a non-zero code, not a throw. */
export function run(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (err?.message ?? "") });
      },
    );
  });
}

export function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir, bin);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

let apt: Promise<string | undefined> | undefined;

/**
 * One apt-get for every Debian-packaged peer, however many ask. tini comes along so Monit's
 * daemonized service has a reaper that reaps at once, as systemd would (see monit.ts).
 */
export function aptInstall(): Promise<string | undefined> {
  apt ??= (async () => {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const args = ["install", "-y", "-qq", "supervisor", "monit", "tini"];
    let r = await run("apt-get", args, { env, timeoutMs: 300_000 });
    if (r.code !== 0) {
      // A stale or empty package list is the usual cause; refreshing it costs time, so only now.
      await run("apt-get", ["update", "-qq"], { env, timeoutMs: 300_000 });
      r = await run("apt-get", args, { env, timeoutMs: 300_000 });
    }
    return r.code === 0 ? undefined : `apt-get install failed: ${r.stderr.trim().split("\n").pop() ?? ""}`;
  })();
  return apt;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie: a killed child whose parent has not reaped it yet still answers kill(0). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 20,
) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > until) return undefined;
    await sleep(everyMs);
  }
}

export const waitGone = (pid: number | undefined, timeoutMs: number) =>
  waitFor(() => (pid === undefined || !alive(pid) ? true : undefined), timeoutMs);

/** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function terminate(pid: number | undefined, graceMs = 5_000): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  if ((await waitGone(pid, graceMs)) === undefined) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Whoever listens on 127.0.0.1:port, from /proc/net/tcp's socket inode: finds a service no peer admits to. */
export function listenerPid(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let inode: string | undefined;
  for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === `0100007F:${hexPort}` && f[3] === "0A") inode = f[9];
  }
  if (!inode) return undefined;
  const target = `socket:[${inode}]`;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of fs.readdirSync(`/proc/${entry}/fd`)) {
        if (fs.readlinkSync(`/proc/${entry}/fd/${fd}`) === target) return Number(entry);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

export function rssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}
