/**
 * What Linux's /proc says about a process: is it alive, when did it start (to tell a pid from a
 * recycled one), which processes share its group, how much memory and CPU they use. Reads only.
 */
import fs from "node:fs";

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
export function startTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
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
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
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
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pageSize = 4096;
    return { cpuTicks: Number(rest[11]) + Number(rest[12]), rssBytes: Number(rest[21]) * pageSize };
  } catch {
    return undefined;
  }
}

/** The command line of a process, for messages ("port 8001 is held by pid 42: python3 -m http.server"). */
export function commandLine(pid: number): string {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter(Boolean)
      .join(" ")
      .slice(0, 200);
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
 * Pids of process-group leaders whose environment carries `NAME=value`: how the agent recognises its
 * own services after a crash, even one that happened before it could record the pid.
 */
export function findByEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const out: number[] = [];
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`);
      if (environ.indexOf(needle) === -1) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(rest[2]) === Number(entry) && rest[0] !== "Z") out.push(Number(entry));
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
