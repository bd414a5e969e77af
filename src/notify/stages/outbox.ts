/**
 * outbox: the notice is written to the store before any attempt, one row per channel: on its own,
 * due when throttle said, or folded into the waiting message it joins. Delivery (`../outbox.ts`)
 * takes it from there.
 */
import { randomUUID } from "node:crypto";
import type { IncidentContext } from "../context.ts";
import { merge, messageOf, type Message } from "../message.ts";
import type { Notice } from "../notice.ts";
import type { Stage, StageContext } from "../stage.ts";
import type { Flow } from "../stage.ts";

export const outbox: Stage = async (flow, ctx) => {
  const queued: string[] = [];
  const context = await contextOf(flow.notice, ctx);
  for (const channel of flow.channels) if (await write(flow, channel, ctx, context)) queued.push(channel);
  return { ...flow, channels: queued };
};

/** The incident's context, or none: a store that cannot say more must not stop the notice itself. */
async function contextOf(n: Notice, ctx: StageContext): Promise<IncidentContext | undefined> {
  try {
    return await ctx.context?.(n);
  } catch (err) {
    ctx.log.warn({ err, target: n.target, kind: n.kind }, "incident context not read; sent without it");
    return undefined;
  }
}

async function write(
  flow: Flow,
  channel: string,
  ctx: StageContext,
  context: IncidentContext | undefined,
): Promise<boolean> {
  const { notice } = flow;
  const id = randomUUID();
  const waiting = flow.joins[channel];
  const fresh = await ctx.store.enqueue({
    id,
    channel,
    dedup_key: notice.key,
    kind: notice.kind,
    target: notice.target,
    body: JSON.stringify(messageOf(id, notice, context)),
    // The key is claimed either way: a notice told inside a group is not told again on its own.
    status: waiting ? "merged" : "pending",
    attempts: 0,
    next_at: flow.due[channel] ?? ctx.now,
    created_at: ctx.now,
    sent_at: null,
    last_error: null,
  });
  if (!fresh || !waiting) return fresh;
  const body = JSON.stringify(merge(JSON.parse(waiting.body) as Message, notice, context));
  const due = Math.min(waiting.next_at, flow.due[channel] ?? ctx.now);
  if (!(await ctx.store.regroup(waiting.id, body, due, ctx.now))) {
    // The group went out meanwhile: this notice goes on its own.
    await ctx.store.setStatus(id, "pending");
  }
  return true;
}
