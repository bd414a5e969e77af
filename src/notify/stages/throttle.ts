/**
 * throttle: when each channel may hear of it. Everything waits `group_wait` for what follows it; a
 * target going down again within `group_interval` of its last message there waits for the interval,
 * so a flapping service is a summary per interval rather than a page per flip. Recoveries,
 * escalations, actions and approvals are never held longer than `group_wait`.
 */
import type { Stage } from "../stage.ts";

const heldByInterval = (kind: string): boolean => kind === "incident.opened";

export const throttle: Stage = async (flow, ctx) => {
  const { group_wait: wait, group_interval: interval } = ctx.config.notify;
  const due: Record<string, number> = {};
  for (const channel of flow.channels) {
    due[channel] = ctx.now + wait;
    if (!heldByInterval(flow.notice.kind)) continue;
    const last = await ctx.store.lastSent(channel, flow.notice.target);
    if (last !== undefined && ctx.now < last + interval)
      due[channel] = Math.max(ctx.now + wait, last + interval);
  }
  return { ...flow, due };
};
