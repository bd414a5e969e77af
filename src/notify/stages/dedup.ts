/**
 * dedup: a fact already queued for a channel (its key is its place in the audit log, or its
 * reminder slot) is not queued there again: a replay after a restart, a second reminder pass. The
 * store's unique (channel, key) holds the line if two get past this at once.
 */
import type { Stage } from "../stage.ts";

export const dedup: Stage = async (flow, ctx) => {
  const told = new Set(await ctx.store.channelsWithKey(flow.notice.key));
  return { ...flow, channels: flow.channels.filter((c) => !told.has(c)) };
};
