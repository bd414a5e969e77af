/**
 * throttle: when each channel may hear of it. Everything waits `group_wait` for what follows it; a
 * target going down again, or restarted again, within `group_interval` of its last message there
 * waits for the interval, so a flapping or crash-looping target is a summary per interval rather
 * than a page per flip or per restart. Recoveries, escalations, actions and approvals are never held
 * longer than `group_wait`, but one: a recovery whose going-down is in the message still waiting
 * waits with it, as nobody has heard of that going-down yet (Alertmanager's group_interval holds a
 * group's resolutions the same way); a recovery from a down that was told is never held.
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

/** Whether the waiting message holds the opening this resolution follows: nobody has heard of it yet. */
function untold(waiting: OutboxRow, n: Notice): boolean {
  if (!n.follows) return false;
  const m = JSON.parse(waiting.body) as Message;
  return (m.items ?? [m]).some((i) => i.kind === "incident.opened" && i.incident_id === n.follows);
}
