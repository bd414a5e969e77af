/**
 * mute: silences, maintenance windows, the kill switch and `agent.features.notifications` stop a
 * notice here. Never a resolution: it clears an alert someone already has.
 */
import type { Stage } from "../stage.ts";

export const mute: Stage = async (flow, ctx) => {
  const n = flow.notice;
  if (n.follows) return flow;
  const why = ctx.config.agent.features.notifications ? ctx.muted(n.target) : "notifications are off";
  if (!why) return flow;
  ctx.log.info({ target: n.target, kind: n.kind, why }, "notification muted");
  return undefined;
};
