/**
 * `memory`: host memory ([USED_PERCENT] [FREE_BYTES]) from /proc/meminfo, or with `service:` the
 * resident memory and CPU of that managed service's whole process group ([RSS_MB] [CPU_PERCENT]).
 */
import fs from "node:fs/promises";
import { usage } from "../core/procfs.ts";
import { defineProbe } from "./probe.ts";

/** Clock ticks per second on Linux (USER_HZ), which /proc/<pid>/stat counts CPU time in. */
const ticksPerSecond = 100;
/** CPU% needs two readings: the previous one per check. */
const previous = new Map<string, { at: number; ticks: number }>();

export default defineProbe({
  type: "memory",
  description: "Host memory, or with `service:` the memory and CPU of that managed service's process group.",
  schema: ({ z, duration, name }) =>
    z.strictObject({ service: name.optional(), timeout: duration.optional() }),
  example: {},
  services: (cfg) => (cfg.service === undefined ? [] : [{ field: "memory.service", name: cfg.service }]),
  doctor: (cfg) =>
    cfg.service === undefined
      ? { try: true }
      : { skip: "a service's memory is read by the running agent; not tried" },
  // Resource pressure: over 80 % is a problem, noticed within 30 s and rechecked every 10 s while it lasts.
  defaultExpect: ["[USED_PERCENT] < 80"],
  defaultEveryFailingMs: 10_000,
  provides: ["USED_PERCENT", "FREE_BYTES", "TOTAL_BYTES", "RSS_MB", "CPU_PERCENT"],
  async run(cfg, ctx) {
    if (cfg.service) {
      const pids = ctx.env.servicePids(cfg.service);
      if (pids.length === 0)
        return {
          values: {},
          error: { class: "process_exited", message: `service ${cfg.service} is not running` },
        };
      let rss = 0;
      let ticks = 0;
      for (const pid of pids) {
        const u = usage(pid);
        if (u) {
          rss += u.rssBytes;
          ticks += u.cpuTicks;
        }
      }
      const now = performance.now();
      const prev = previous.get(ctx.target);
      previous.set(ctx.target, { at: now, ticks });
      const cpu =
        prev && now > prev.at ? ((ticks - prev.ticks) / ticksPerSecond / ((now - prev.at) / 1000)) * 100 : 0;
      return {
        values: {
          RSS_MB: Math.round((rss / 1048576) * 10) / 10,
          CPU_PERCENT: Math.max(0, Math.round(cpu * 10) / 10),
        },
      };
    }
    try {
      const info = parseMeminfo(await fs.readFile("/proc/meminfo", "utf8"));
      const total = info.MemTotal ?? 0;
      const avail = info.MemAvailable ?? info.MemFree ?? 0;
      return {
        values: {
          USED_PERCENT: total > 0 ? Math.round(((total - avail) / total) * 10000) / 100 : 0,
          FREE_BYTES: avail,
          TOTAL_BYTES: total,
        },
      };
    } catch (e) {
      return { values: {}, error: { class: "unknown", message: `cannot read /proc/meminfo: ${String(e)}` } };
    }
  },
});

/** /proc/meminfo in bytes by key. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (line.includes("kB") ? 1024 : 1);
  }
  return out;
}
