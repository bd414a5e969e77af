/**
 * Reminders: an escalated incident is told again every `repeat_interval` while it stays open, and an
 * approval request once more shortly before it expires. Each reminder's key names its slot (the
 * n-th interval, the one reminder of a request), so a restart or a second pass never tells it twice.
 */
import type { Notice } from "./notice.ts";

export interface Escalation {
  incident_id: string;
  target: string;
  reason: string;
  since: number;
}

export interface WaitingApproval {
  id: string;
  action: string;
  target: string | null;
  requested_by: string;
  requested_at: number;
  expires_at: number;
}

/** How long before expiry the reminder goes: a quarter of the request's life, at most 5 minutes. */
const maxLeadMs = 5 * 60_000;

export function escalationReminders(list: readonly Escalation[], now: number, repeatMs: number): Notice[] {
  return list.flatMap((e) => {
    const n = Math.floor((now - e.since) / repeatMs);
    if (n < 1) return [];
    return [
      {
        key: `incident:${e.incident_id}:reminder:${n}`,
        kind: "incident.reminder",
        target: e.target,
        incident_id: e.incident_id,
        title: `${e.target} still needs a person`,
        text: `Escalated ${minutes(now - e.since)} ago and still open: ${e.reason}. Incident ${e.incident_id}.`,
        at: now,
      },
    ];
  });
}

export function approvalReminders(list: readonly WaitingApproval[], now: number): Notice[] {
  return list.flatMap((a) => {
    const lead = Math.min(maxLeadMs, (a.expires_at - a.requested_at) / 4);
    if (now < a.expires_at - lead || now >= a.expires_at) return [];
    return [
      {
        key: `approval:${a.id}:reminder`,
        kind: "approval.reminder",
        target: a.target ?? a.action,
        approval_id: a.id,
        title: `Still waiting: ${a.action}${a.target ? ` on ${a.target}` : ""} expires in ${minutes(a.expires_at - now)}`,
        text: `${a.requested_by} asked to run ${a.action}; nobody has decided. Approve with: vigil approve ${a.id}`,
        at: now,
      },
    ];
  });
}

function minutes(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
