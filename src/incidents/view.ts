/** An incident as the API, the CLI and the ops report show it: flags as booleans, the timeline trimmed. */
import type { AttemptRow, IncidentRow, IncidentStatus, TimelineRow } from "../store/incident-store.ts";

export interface IncidentView {
  id: string;
  target: string;
  failure_class: string;
  status: IncidentStatus;
  opened_at: number;
  resolved_at: number | null;
  escalated: boolean;
  escalation: string | null;
  linked_to: string | null;
  reopened: number;
  attempts?: AttemptRow[];
  timeline?: { ts: number; kind: string; detail: string }[];
}

export function view(i: IncidentRow, attempts?: AttemptRow[], timeline?: TimelineRow[]): IncidentView {
  return {
    id: i.id,
    target: i.target,
    failure_class: i.failure_class,
    status: i.status,
    opened_at: i.opened_at,
    resolved_at: i.resolved_at,
    escalated: i.escalated === 1,
    escalation: i.escalation,
    linked_to: i.linked_to,
    reopened: i.reopened,
    ...(attempts ? { attempts } : {}),
    ...(timeline ? { timeline: timeline.map((t) => ({ ts: t.ts, kind: t.kind, detail: t.detail })) } : {}),
  };
}
