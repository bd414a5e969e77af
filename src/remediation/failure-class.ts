/**
 * The failure class of a target's incident, and what its description adds. What the supervisor
 * knows comes first: a start that found the port taken is `port_in_use` (naming the holder), a
 * service waiting out its backoff (or held after an exit while paused) is `process_exited`;
 * otherwise the last check result says.
 */
import { formatDuration } from "../core/duration.ts";
import { flappingClass } from "../incidents/incidents.ts";

export interface FailureDeps {
  /** The target's recent up/down changes and the flap window they are counted in. */
  flapping?: (target: string) => { changes: number; windowMs: number } | undefined;
  portConflict: (target: string) => { port: number; holder: string } | undefined;
  /** The supervisor's phase of a service, undefined for a check. */
  servicePhase: (target: string) => string | undefined;
  lastResult: (
    target: string,
  ) => { failure_class?: string | undefined; explanation: string } | null | undefined;
}

export function failureClassOf(target: string, d: FailureDeps): string {
  if (d.portConflict(target)) return "port_in_use";
  const phase = d.servicePhase(target);
  // Waiting out its backoff, or exited while automatic restarts are off (held): either way it exited.
  if (phase === "backoff" || phase === "held" || phase === "exited") return "process_exited";
  return d.lastResult(target)?.failure_class ?? "unknown";
}

/**
 * What an incident of class `cls` says beyond its class: who holds the port, how often a flapping
 * target changed, or the last result.
 */
export function failureContext(target: string, cls: string, d: FailureDeps): string | undefined {
  if (cls === flappingClass) {
    const f = d.flapping?.(target);
    const changes = f ? `${f.changes} up/down changes within ${formatDuration(f.windowMs)}; ` : "";
    return `${changes}remediation waits until it settles`;
  }
  if (cls === "port_in_use") {
    const c = d.portConflict(target);
    return c && `port ${c.port} is held by ${c.holder}`;
  }
  return d.lastResult(target)?.explanation;
}
