/**
 * The child_process boundary: the only place (with the supervisor, which spawns services) that
 * starts a program. It takes an argv array and never a shell, so `;`, `|`, `$( )` and newlines in an
 * argument are just characters of that argument. Every run has a timeout that kills the whole
 * process group, an explicit environment, and output capped in memory.
 *
 * Owns: spawning and reaping short-lived programs. Must not import: api, cli, app.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { signalGroup } from "../core/procfs.ts";

export interface ExecRequest {
  /** The program and its arguments; `argv[0]` is looked up on PATH of `env`. */
  argv: readonly string[];
  cwd?: string;
  /** The child's complete environment: nothing is inherited that is not listed here. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes of stdout and of stderr kept; the rest is counted and dropped. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Optional credentials to run as (needs the agent to run as root). */
  uid?: number;
  gid?: number;
}

export interface ExecResult {
  /** null when the program was killed or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when either stream went past the cap. */
  truncated: boolean;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES ...). */
  spawnError?: string;
  durationMs: number;
}

const defaultCap = 64 * 1024;
/** After SIGTERM to the group on timeout, how long before SIGKILL. */
const killGraceMs = 2_000;

/**
 * Who is told of each program started, by the async context it starts in: the gateway runs an action
 * inside `observeSpawns`, so every program any action kind starts through here is recorded with its
 * run, and no kind has to remember to report it.
 */
const spawnObserver = new AsyncLocalStorage<(pid: number) => void>();

/**
 * Runs `fn`, calling `onSpawn` with the pid (a process-group leader) of every program `execArgv`
 * starts within it, right after the start.
 * @example await observeSpawns((pid) => record(pid), () => kind.perform(settings, ctx));
 */
export function observeSpawns<T>(onSpawn: (pid: number) => void, fn: () => Promise<T>): Promise<T> {
  return spawnObserver.run(onSpawn, fn);
}

/** The minimal environment a child gets by default: a PATH and a locale, nothing secret. */
export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: process.env.LANG ?? "C.UTF-8",
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
  };
}

/**
 * Runs a program to completion. Never throws: a program that cannot start, times out or is aborted
 * comes back as a result that says so.
 * @example const r = await execArgv({ argv: ["df", "-h", "/"], env: baseEnv(), timeoutMs: 5000 });
 */
export function execArgv(req: ExecRequest): Promise<ExecResult> {
  const started = performance.now();
  const cap = req.maxOutputBytes ?? defaultCap;
  return new Promise((resolve) => {
    if (req.argv.length === 0 || req.argv[0] === "") {
      return resolve(result({ spawnError: "empty command" }));
    }
    if (req.signal?.aborted) return resolve(result({ spawnError: "aborted before start" }));
    const child = spawn(req.argv[0]!, req.argv.slice(1), {
      cwd: req.cwd,
      env: req.env,
      shell: false,
      detached: true, // its own process group, so a timeout kills grandchildren too
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
      ...(req.uid === undefined ? {} : { uid: req.uid }),
      ...(req.gid === undefined ? {} : { gid: req.gid }),
    });
    if (child.pid !== undefined) {
      try {
        spawnObserver.getStore()?.(child.pid);
      } catch {
        // The observer records; the run goes on whatever it does.
      }
    }
    const out = new Capture(cap);
    const err = new Capture(cap);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = () => {
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), killGraceMs);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, req.timeoutMs);
    const onAbort = () => killGroup();
    req.signal?.addEventListener("abort", onAbort, { once: true });

    let spawnError: string | undefined;
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = `${req.argv[0]}: ${e.code ?? e.message}`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      req.signal?.removeEventListener("abort", onAbort);
      // The leader exited; stragglers it left in its group must not outlive the run.
      signalGroup(child.pid, "SIGKILL");
      resolve(
        result({
          exitCode: spawnError ? null : code,
          signal,
          stdout: out.text(),
          stderr: err.text(),
          truncated: out.truncated || err.truncated,
          timedOut,
          ...(spawnError ? { spawnError } : {}),
        }),
      );
    });
  });

  function result(r: Partial<ExecResult>): ExecResult {
    return {
      exitCode: null,
      signal: null,
      stdout: "",
      stderr: "",
      truncated: false,
      timedOut: false,
      ...r,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

class Capture {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;
  readonly #cap: number;

  constructor(cap: number) {
    this.#cap = cap;
  }

  push(d: Buffer): void {
    const room = this.#cap - this.#size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = d.length > room ? d.subarray(0, room) : d;
    if (part.length < d.length) this.truncated = true;
    this.#chunks.push(part);
    this.#size += part.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}
