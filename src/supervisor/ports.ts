/**
 * Who listens on a TCP port: /proc/net/tcp{,6} give the socket inode of the listener, and the
 * process whose fd table holds that inode is the holder. No external program runs.
 */
import fs from "node:fs";
import { commandLine, isAlive, readProcText, safeReaddir, waitGone } from "../core/procfs.ts";

export interface PortHolder {
  pid: number | undefined;
  command: string;
}

const LISTEN = "0A";

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readProcText(table);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[3] === LISTEN && f[1]!.endsWith(`:${hexPort}`)) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/** The process listening on `port`, undefined when nobody does. pid is undefined when not visible. */
export function findPortHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
      let link = "";
      try {
        link = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(link)) return { pid: Number(entry), command: commandLine(Number(entry)) };
    }
  }
  return { pid: undefined, command: "a process this user cannot see" };
}

/**
 * Stops the process holding `port`: SIGTERM, then SIGKILL after 5 s. Only the process itself, never
 * its group: it is someone else's, and only an approved `free-port` gets here.
 */
export async function stopPortHolder(
  port: number,
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: boolean; detail: string }> {
  const holder = findPortHolder(port);
  if (!holder) return { ok: true, detail: `port ${port} was free` };
  if (holder.pid === undefined) {
    return { ok: false, detail: `port ${port} is held by ${holder.command}, which this agent cannot see` };
  }
  try {
    process.kill(holder.pid, "SIGTERM");
  } catch {
    // Gone already.
  }
  await waitGone(holder.pid, sleep, 5_000);
  if (isAlive(holder.pid)) {
    process.kill(holder.pid, "SIGKILL");
    await waitGone(holder.pid, sleep, 2_000);
  }
  return { ok: true, detail: `stopped pid ${holder.pid} (${holder.command}), which held port ${port}` };
}
