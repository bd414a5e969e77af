/**
 * What Linux's /proc says about a process: is it alive, when did it start (to tell a pid from a
 * recycled one), which processes share its group, how much memory and CPU they use. Reads only.
 */
import fs from "node:fs";

/**
 * /proc files report a size of 0, so `readFileSync` reads each into a fresh 64 KiB buffer. The boot
 * scan of every process's environment (once per service) churned ~175 MB through malloc that way and
 * left glibc's heap ~12 MB larger for good (BENCHMARKS.md). One scratch buffer serves every read
 * here instead; it never leaves this file, and it goes back to its first size after a large file.
 */
const scratchBytes = 64 * 1024;
/** A /proc file past this is cut short: no environment, stat or socket table of a sane host is near it. */
const maxProcBytes = 16 * 1024 * 1024;
let scratch = Buffer.allocUnsafeSlow(scratchBytes);

/** Reads a /proc file and hands its bytes to `use`, which must not keep them. Throws as fs does. */
function withProcFile<T>(file: string, use: (bytes: Buffer) => T): T {
  const fd = fs.openSync(file, "r");
  try {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        if (n >= maxProcBytes) break;
        const bigger = Buffer.allocUnsafeSlow(n * 2);
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const read = fs.readSync(fd, scratch, n, scratch.length - n, null);
      if (read === 0) break;
      n += read;
    }
    return use(scratch.subarray(0, n));
  } finally {
    fs.closeSync(fd);
    if (scratch.length > scratchBytes) scratch = Buffer.allocUnsafeSlow(scratchBytes);
  }
}

/** A /proc file as text. Throws as `fs.readFileSync` does (the process is gone, or not ours to read). */
export function readProcText(file: string): string {
  return withProcFile(file, (bytes) => bytes.toString("utf8"));
}

/** The value of `name` in a NUL-separated environment block, or undefined. */
function envIn(environ: Buffer, key: Buffer): string | undefined {
  let at = environ.indexOf(key);
  // Only a whole name: `XVIGIL_SERVICE=` is not `VIGIL_SERVICE=`.
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(key, at + 1);
  if (at < 0) return undefined;
  const start = at + key.length;
  const end = environ.indexOf(0, start);
  return environ.toString("utf8", start, end < 0 ? environ.length : end);
}

/** The value of `name` in a process's environment; undefined when unset, gone, or not ours to read. */
export function envValue(pid: number, name: string): string | undefined {
  try {
    return withProcFile(`/proc/${pid}/environ`, (bytes) => envIn(bytes, Buffer.from(`${name}=`)));
  } catch {
    return undefined;
  }
}

/**
 * The fields of /proc/<pid>/stat from the state (field 3) on: `[0]` the state, `[2]` the process
 * group, `[11]`/`[12]` user and system ticks, `[19]` the start time, `[21]` resident pages. Throws
 * when the process is gone.
 */
function statFields(pid: number | string): string[] {
  const stat = readProcText(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
export function startTicks(pid: number): string | undefined {
  try {
    const rest = statFields(pid);
    if (rest[0] === "Z") return undefined; // a zombie is as good as gone
    return rest[19];
  } catch {
    return undefined;
  }
}

/** True when `pid` runs and is the same process that started at `ticks`. */
export function isSameProcess(pid: number, ticks: string): boolean {
  return startTicks(pid) === ticks;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return startTicks(pid) !== undefined;
  } catch {
    return false;
  }
}

/** Pids whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const rest = statFields(entry);
      if (Number(rest[2]) === pgid && rest[0] !== "Z") out.push(Number(entry));
    } catch {
      // Gone between readdir and read.
    }
  }
  return out;
}

/** Resident memory in bytes and CPU time in clock ticks (user + system) of one process. */
export function usage(pid: number): { rssBytes: number; cpuTicks: number } | undefined {
  try {
    const rest = statFields(pid);
    const pageSize = 4096;
    return { cpuTicks: Number(rest[11]) + Number(rest[12]), rssBytes: Number(rest[21]) * pageSize };
  } catch {
    return undefined;
  }
}

/** The command line of a process, for messages ("port 8001 is held by pid 42: python3 -m http.server"). */
export function commandLine(pid: number): string {
  try {
    return readProcText(`/proc/${pid}/cmdline`).split("\0").filter(Boolean).join(" ").slice(0, 200);
  } catch {
    return "?";
  }
}

export function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Process-group leaders whose environment sets `name`, by its value, in one pass over /proc: how the
 * agent recognises its own services after a crash, even one that happened before it could record
 * the pid. One pass for every service, not one per service.
 */
export function groupLeadersByEnv(name: string): Map<string, number[]> {
  const key = Buffer.from(`${name}=`);
  const out = new Map<string, number[]>();
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const value = withProcFile(`/proc/${entry}/environ`, (bytes) => envIn(bytes, key));
      if (value === undefined) continue;
      const rest = statFields(entry);
      if (Number(rest[2]) !== Number(entry) || rest[0] === "Z") continue;
      out.set(value, [...(out.get(value) ?? []), Number(entry)]);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

/** Signals a whole process group (a service and its grandchildren), or the lone pid if it has none. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Waits (polling every 20 ms, at most `maxMs`) until a pid is gone; a zombie counts as gone. */
export async function waitGone(
  pid: number,
  sleep: (ms: number) => Promise<void>,
  maxMs: number,
): Promise<void> {
  for (let waited = 0; waited < maxMs && isAlive(pid); waited += 20) await sleep(20);
}
