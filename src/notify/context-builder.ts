/**
 * Reads an incident's context (context.ts) for a notice about it, from the store as it is when the
 * notice is queued: the incident, its last results, its remediation attempts, the supervisor's
 * restarts on its timeline, and the next step as the remediation rules see it. A grouped message
 * carries the context read for its newest notice.
 */
import { restartKinds } from "../incidents/restarts.ts";
import type { NextStep } from "../remediation/next-step.ts";
import type { AttemptRow, IncidentRow, TimelineRow } from "../store/incident-store.ts";
import type { IncidentContext } from "./context.ts";
import type { Notice } from "./notice.ts";
import { clip } from "./post.ts";

/** Results on the line, and steps listed: enough to see a pattern, short enough for a phone. */
const resultsShown = 10;
const triedShown = 10;
const detailMax = 200;

export interface ContextDeps {
  incident: (id: string) => Promise<IncidentRow | undefined>;
  /** The target's open incident: a restart is told before it knows its incident's id. */
  openFor: (target: string) => IncidentRow | undefined;
  timeline: (id: string) => Promise<TimelineRow[]>;
  attempts: (id: string) => Promise<AttemptRow[]>;
  /** The target's newest results, newest first. */
  results: (target: string, limit: number) => Promise<{ ok: boolean }[]>;
  next: (incident: IncidentRow, attempts: AttemptRow[]) => NextStep;
  /** `agent.public_url`, when set. */
  publicUrl: () => string | undefined;
}

export function contextReader(d: ContextDeps): (n: Notice) => Promise<IncidentContext | undefined> {
  return async (n) => {
    const id = n.incident_id ?? n.follows;
    const incident = id
      ? await d.incident(id)
      : n.kind.startsWith("service.")
        ? d.openFor(n.target)
        : undefined;
    if (!incident) return undefined;
    const [timeline, attempts, results] = await Promise.all([
      d.timeline(incident.id),
      d.attempts(incident.id),
      d.results(incident.target, resultsShown),
    ]);
    const base = d.publicUrl()?.replace(/\/+$/, "");
    return {
      incident_id: incident.id,
      status: incident.status,
      since: incident.opened_at,
      results: results.map((r) => r.ok).reverse(),
      tried: tried(incident.target, timeline, attempts).slice(-triedShown),
      next: d.next(incident, attempts),
      ...(base ? { url: `${base}/incidents/${encodeURIComponent(incident.id)}` } : {}),
    };
  };
}

type Tried = IncidentContext["tried"][number];

/** The supervisor's restarts and the engine's attempts, oldest first, each with how it went. */
export function tried(
  target: string,
  timeline: readonly TimelineRow[],
  attempts: readonly AttemptRow[],
): Tried[] {
  const out: Tried[] = [];
  let restart: Tried | undefined;
  for (const t of timeline) {
    if (t.kind === restartKinds.restart) {
      restart = {
        at: t.ts,
        what: `automatic restart (${clip(t.detail, detailMax)})`,
        result: "waiting for its backoff",
      };
      out.push(restart);
    } else if ((t.kind === restartKinds.started || t.kind === restartKinds.failed) && restart) {
      restart.result = clip(t.detail, detailMax);
      restart = undefined;
    } else if (t.kind === restartKinds.failed) {
      out.push({ at: t.ts, what: "automatic restarts", result: clip(t.detail, detailMax) });
    }
  }
  attempts.forEach((a, i) =>
    out.push({ at: a.started_at, what: `${a.action} (attempt ${i + 1})`, result: outcome(target, a) }),
  );
  return out.sort((a, b) => a.at - b.at);
}

function outcome(target: string, a: AttemptRow): string {
  const detail = clip(a.detail, detailMax);
  switch (a.status) {
    case "running":
      return "running";
    case "waiting":
      return a.acted_at === null
        ? "waiting for a person to approve it"
        : `ran; waiting for ${target} to recover`;
    case "succeeded":
      return `succeeded: ${detail}`;
    case "failed":
      return `failed: ${detail}`;
    case "interrupted":
      return "interrupted by an agent stop";
  }
}
