/**
 * throttle: when each channel may hear of it. Everything waits `group_wait` for what follows it; a
 * target going down again, or restarted again, within `group_interval` of its last message there
 * waits for the interval, so a flapping or crash-looping target is a summary per interval rather
 * than a page per flip or per restart. Recoveries, escalations, actions and approvals are never held
 * longer than `group_wait`, but news of a going-down that is in the message still waiting (its
 * recovery, the remediation steps taken on it, its escalation) waits with it, as nobody has heard of
 * that going-down yet (Alertmanager's group_interval holds a group's new alerts and resolutions the
 * same way): otherwise a check no runbook step applies to, escalated at each fall, is a page per
 * fall. News of a going-down that was told is never held, nor the supervisor giving up.
 */
import type { Message } from "../message.ts";
import type { Notice } from "../notice.ts";
import type { Stage } from "../stage.ts";
import type { OutboxRow } from "../../store/outbox-store.ts";

const heldByInterval = (kind: string): boolean =>
  kind === "incident.opened" || kind === "service.restart_scheduled";

export const throttle: Stage = async (flow, ctx) => {
  const { group_wait: wait, group_interval: interval } = ctx.config.notify;
  const due: Record<string, number> = {};
  for (const channel of flow.channels) {
    due[channel] = ctx.now + wait;
    const waiting = flow.joins[channel];
    if (waiting && untold(waiting, flow.notice)) due[channel] = Math.max(due[channel], waiting.next_at);
    if (!heldByInterval(flow.notice.kind)) continue;
    const last = await ctx.store.lastSent(channel, flow.notice.target);
    if (last !== undefined && ctx.now < last + interval)
      due[channel] = Math.max(ctx.now + wait, last + interval);
  }
  return { ...flow, due };
};

/** News of an incident, held with its opening while that waits; never what is urgent. */
const newsOf = (n: Notice): string | undefined =>
  n.urgent ? undefined : (n.follows ?? (heldWithOpening.has(n.kind) ? n.incident_id : undefined));
const heldWithOpening = new Set(["incident.escalated", "remediation.decided", "remediation.finished"]);

/** Whether the waiting message holds the opening this notice is news of: nobody has heard of it yet. */
function untold(waiting: OutboxRow, n: Notice): boolean {
  const incident = newsOf(n);
  if (!incident) return false;
  const m = JSON.parse(waiting.body) as Message;
  return (m.items ?? [m]).some((i) => i.kind === "incident.opened" && i.incident_id === incident);
}
