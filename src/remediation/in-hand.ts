/**
 * Whether something else already has a target in hand, so the engine waits and records nothing:
 * the supervisor bringing a service back (a crash, a start, a resume), a recovery its incident has
 * not caught up with yet, or a dependency that is not up, which is acted on first.
 */

export interface InHandDeps {
  /** The supervisor's phase of a service (running, backoff, ...), undefined for a check. */
  servicePhase: (target: string) => string | undefined;
  state: (target: string) => string | undefined;
  dependsOn: (target: string) => readonly string[];
}

export function inHand(incident: { target: string; failure_class: string }, d: InHandDeps): boolean {
  const t = incident.target;
  // Up again (a resume started it, it recovered by itself): its incident resolves from that same state
  // change a moment later. Acting now would restart a healthy service.
  if (d.state(t) === "up") return true;
  // A start that keeps failing on a taken port waits for free-port, not for the supervisor.
  if (incident.failure_class === "port_in_use") return false;
  const phase = d.servicePhase(t);
  // A crash its restart policy leaves down (`exited`) is nobody's to bring back: the runbook acts.
  if (phase !== undefined && phase !== "running" && phase !== "exited") return true;
  // A process started since (its restart policy's answer to a crash) that no health check has
  // judged yet: that restart is still in hand, and another would only repeat it. A process that
  // never gets healthy turns down after fail_after checks, and is acted on then.
  if (phase === "running" && d.state(t) === "starting") return true;
  return d.dependsOn(t).some((dep) => d.state(dep) !== "up");
}
