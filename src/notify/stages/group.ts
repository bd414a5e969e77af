/**
 * group: a notice joins the message of its target still waiting on a channel, if there is one, so
 * a crash and its recovery a second later are one message. The group is settled when the notice is
 * queued, so every retry of the message has the same content and idempotency key. Approval requests
 * carry their own buttons and are never grouped.
 */
import type { OutboxRow } from "../../store/outbox-store.ts";
import type { Stage } from "../stage.ts";

export const groupable = (kind: string): boolean => !kind.startsWith("approval.");

export const group: Stage = async (flow, ctx) => {
  if (!groupable(flow.notice.kind)) return flow;
  const joins: Record<string, OutboxRow> = {};
  for (const channel of flow.channels) {
    const waiting = await ctx.store.openGroup(channel, flow.notice.target, ctx.now);
    if (waiting) joins[channel] = waiting;
  }
  return { ...flow, joins };
};
