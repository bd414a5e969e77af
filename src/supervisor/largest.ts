/**
 * The largest service: the running one whose process group holds the most resident memory. What
 * the runbook step `restart-largest` restarts when memory runs short.
 */
import { groupMembers, usage } from "../core/procfs.ts";

/** Resident bytes of a process and every member of its group. */
export function groupRssBytes(pid: number): number {
  return groupMembers(pid).reduce((sum, p) => sum + (usage(p)?.rssBytes ?? 0), 0);
}

/**
 * The running service with the most resident memory, in whole MB; the first named wins a tie.
 * Undefined when no service is running.
 */
export function largestService(
  services: { names(): string[]; get(name: string): { pid: number | undefined } | undefined },
  rssBytes: (pid: number) => number = groupRssBytes,
): { name: string; rssMb: number } | undefined {
  let best: { name: string; rssMb: number } | undefined;
  for (const name of services.names()) {
    const pid = services.get(name)?.pid;
    if (pid === undefined) continue;
    const rssMb = Math.round(rssBytes(pid) / 1048576);
    if (!best || rssMb > best.rssMb) best = { name, rssMb };
  }
  return best;
}
