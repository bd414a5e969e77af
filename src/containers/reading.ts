/**
 * A container as the `container` and `compose` checks read it: inspect (and, while it runs, one
 * stats sample) turned into placeholder values. CPU is a rate, so it needs two samples: Docker
 * sends its previous one with a one-shot reading, Podman's compat API does not, so the last sample
 * of each container is kept here (bounded), and a container seen for the first time is sampled
 * twice. (The average since its start is no answer: its first counters include the runtime's own
 * setup in its cgroup, which made a young container read 390 %.)
 *
 * Owns: placeholder values of a container. Must not import: anything but core and containers.
 */
import { isEngineError, type ContainerInfo, type ContainerStats, type Engine } from "./engine.ts";

export const containerPlaceholders = [
  "RUNNING",
  "STATUS",
  "HEALTH",
  "EXIT_CODE",
  "OOM_KILLED",
  "RESTART_COUNT",
  "CPU_PERCENT",
  "MEMORY_MB",
  "UPTIME",
] as const;

/**
 * Running, and healthy when the image or container defines a HEALTHCHECK: `[HEALTH]` is `none`
 * without one, so one condition says both.
 */
export const containerDefaultExpect = ["[RUNNING] == true", "[HEALTH] == any(healthy, none)"] as const;

export type ContainerValues = Record<(typeof containerPlaceholders)[number], unknown>;

/** What a reading failed on: the engine (cannot be checked) or the container (it is not there). */
export interface ReadingError {
  class: "engine_unreachable" | "container_missing" | "timeout" | "unknown";
  message: string;
}

const lastSamples = new Map<string, { cpuTotal: number; systemCpu: number; readAt: number }>();
const maxSamples = 10_000;

/**
 * The engine a probe is lent, or why there is none: a DOCKER_HOST that is not a unix socket is
 * said as the check's error, not thrown.
 */
export function lentEngine(get: () => Engine): Engine | ReadingError {
  try {
    return get();
  } catch (e) {
    return { class: "engine_unreachable", message: e instanceof Error ? e.message : "no container engine" };
  }
}

/** Placeholder values of a container that was inspected (stats read while it runs). */
export async function readContainer(
  engine: Engine,
  nameOrId: string,
  signal: AbortSignal,
): Promise<{ values: Partial<ContainerValues>; error?: ReadingError }> {
  let info: ContainerInfo;
  try {
    info = await engine.inspect(nameOrId, { signal });
  } catch (e) {
    if (isEngineError(e, "not_found")) {
      return {
        values: { RUNNING: false, STATUS: "missing" },
        error: {
          class: "container_missing",
          message: `no container named "${nameOrId}" on the engine at ${engine.socket}`,
        },
      };
    }
    return { values: {}, error: readingError(e, engine) };
  }
  let stats: ContainerStats | undefined;
  if (info.running) {
    try {
      stats = await engine.stats(info.id, { signal });
      if (stats.preSystemCpu === 0 && !lastSamples.has(info.id)) {
        remember(info.id, stats);
        stats = await engine.stats(info.id, { signal });
      }
    } catch (e) {
      // Inspect answered: the container's state is known even if its counters are not.
      if (!isEngineError(e, "not_found") && !isEngineError(e, "status")) {
        return { values: valuesOf(info, undefined), error: readingError(e, engine) };
      }
    }
  }
  return { values: valuesOf(info, stats) };
}

export function valuesOf(info: ContainerInfo, stats: ContainerStats | undefined): ContainerValues {
  const now = Date.now();
  return {
    // the engine counts a paused container as running; it serves nothing, so here it is not
    RUNNING: info.running && !info.paused,
    STATUS: info.status,
    HEALTH: info.hasHealthcheck ? (info.health ?? "starting") : "none",
    EXIT_CODE: info.exitCode,
    OOM_KILLED: info.oomKilled,
    RESTART_COUNT: info.restartCount,
    CPU_PERCENT: stats ? cpuPercent(info, stats) : 0,
    MEMORY_MB: stats ? Math.round((stats.memoryBytes / 1048576) * 10) / 10 : 0,
    UPTIME: info.running && info.startedAt !== undefined ? Math.max(0, now - info.startedAt) : 0,
  };
}

/** Percent of one CPU, as `docker stats` shows it (200 is two CPUs busy). */
function cpuPercent(info: ContainerInfo, s: ContainerStats): number {
  const prev =
    s.preSystemCpu > 0 ? { cpuTotal: s.preCpuTotal, systemCpu: s.preSystemCpu } : lastSamples.get(info.id);
  remember(info.id, s);
  // no interval to measure over (or counters that went back: a restarted container): 0
  if (!prev || s.systemCpu <= prev.systemCpu || s.cpuTotal < prev.cpuTotal) return 0;
  const pct = ((s.cpuTotal - prev.cpuTotal) / (s.systemCpu - prev.systemCpu)) * s.onlineCpus * 100;
  return Math.round(Math.max(0, pct) * 10) / 10;
}

function remember(id: string, s: ContainerStats): void {
  lastSamples.delete(id);
  if (lastSamples.size >= maxSamples) lastSamples.delete(lastSamples.keys().next().value!);
  lastSamples.set(id, { cpuTotal: s.cpuTotal, systemCpu: s.systemCpu, readAt: s.readAt });
}

export function readingError(e: unknown, engine: Engine): ReadingError {
  if (isEngineError(e, "unreachable")) return { class: "engine_unreachable", message: e.message };
  if (isEngineError(e, "timeout")) return { class: "timeout", message: e.message };
  if (isEngineError(e)) return { class: "unknown", message: e.message };
  return {
    class: "unknown",
    message: `the engine at ${engine.socket}: ${e instanceof Error ? e.message : "unexpected error"}`,
  };
}
