/**
 * What a killed agent's action runs leave behind. Each program an action starts leads its own
 * process group; its pid, start time and the machine's boot id are recorded with the run, so that at
 * the next start the agent can tell its own leftovers from a recycled pid (another start time) or a
 * pid of another boot or host (another boot id), and stop them: SIGTERM to the group, SIGKILL after a
 * grace. Without this a run's group was reparented to init and ran to its end with no timeout.
 */
import { groupMembers, isSameProcess, readProcText, signalGroup, startTicks } from "../core/procfs.ts";

/** One program a run started, as recorded with the run. */
export interface RunProcess {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat), or null when it was already gone. */
  ticks: string | null;
  /** /proc/sys/kernel/random/boot_id: ticks and pids mean something only within one boot. */
  boot: string | null;
}

/** What was found of a run's processes at start and what was done to them, for the audit. */
export interface LeftoverOutcome {
  found: string;
  done: string;
}

let cachedBoot: string | null | undefined;

/** This boot's id, or null where /proc does not say (then nothing recorded is ever signalled). */
export function bootId(): string | null {
  if (cachedBoot === undefined) {
    try {
      cachedBoot = readProcText("/proc/sys/kernel/random/boot_id").trim() || null;
    } catch {
      cachedBoot = null;
    }
  }
  return cachedBoot;
}

/** The record of a program just started. */
export function processRecord(pid: number): RunProcess {
  return { pid, ticks: startTicks(pid) ?? null, boot: bootId() };
}

/** Parses a run's `processes` column; anything malformed counts as nothing recorded. */
export function parseProcesses(raw: string | null | undefined): RunProcess[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter(
      (p): p is RunProcess =>
        typeof p === "object" &&
        p !== null &&
        Number.isInteger((p as RunProcess).pid) &&
        (p as RunProcess).pid > 1 &&
        ((p as RunProcess).ticks === null || typeof (p as RunProcess).ticks === "string") &&
        ((p as RunProcess).boot === null || typeof (p as RunProcess).boot === "string"),
    );
  } catch {
    return [];
  }
}

/**
 * The members of a recorded group that are still the run's: the leader itself when it runs with its
 * recorded start time; else, when the leader is gone and its pid is not reused, the processes left in
 * its group (a pid that still names a process group cannot be handed to a new process).
 */
function leftoversOf(p: RunProcess): number[] {
  if (p.ticks === null || p.boot === null || p.boot !== bootId()) return [];
  if (isSameProcess(p.pid, p.ticks)) {
    const members = groupMembers(p.pid);
    return members.length > 0 ? members : [p.pid];
  }
  if (startTicks(p.pid) !== undefined) return []; // the pid now names another process: the group is empty
  return groupMembers(p.pid);
}

/**
 * Stops what is left of a run's recorded processes: SIGTERM to each group, then SIGKILL to what is
 * still there after `graceMs`. Bounded: at most `graceMs` plus one second of waiting.
 */
export async function stopLeftovers(
  processes: readonly RunProcess[],
  sleep: (ms: number) => Promise<void>,
  graceMs: number,
): Promise<LeftoverOutcome> {
  if (processes.length === 0) return { found: "no process recorded", done: "nothing to stop" };
  const groups = processes.filter((p) => leftoversOf(p).length > 0);
  if (groups.length === 0) {
    const pids = processes.map((p) => p.pid).join(", ");
    return { found: `its processes (pid ${pids}) had already ended`, done: "nothing to stop" };
  }
  const count = groups.reduce((n, p) => n + leftoversOf(p).length, 0);
  const found = `process group ${groups.map((p) => p.pid).join(", ")} still running (${count} process${count === 1 ? "" : "es"})`;
  for (const p of groups) signalGroup(p.pid, "SIGTERM");
  const left = await waitEmpty(groups, sleep, graceMs);
  if (left.length === 0) return { found, done: "stopped with SIGTERM" };
  for (const p of left) signalGroup(p.pid, "SIGKILL");
  const still = await waitEmpty(left, sleep, 1_000);
  const done = `SIGTERM, then SIGKILL after ${Math.round(graceMs / 100) / 10} s`;
  return still.length === 0
    ? { found, done }
    : { found, done: `${done}; pid ${still.map((p) => p.pid).join(", ")} still there` };
}

async function waitEmpty(
  groups: readonly RunProcess[],
  sleep: (ms: number) => Promise<void>,
  maxMs: number,
): Promise<RunProcess[]> {
  let left = groups.filter((p) => leftoversOf(p).length > 0);
  for (let waited = 0; left.length > 0 && waited < maxMs; waited += 50) {
    await sleep(50);
    left = left.filter((p) => leftoversOf(p).length > 0);
  }
  return left;
}
