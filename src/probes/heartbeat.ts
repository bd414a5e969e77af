/**
 * `heartbeat`: something pushes `POST /api/heartbeat/{name}`; the check fails when nothing arrived
 * `within` its window. Watching starts when the agent starts, so a fresh agent does not call a
 * nightly job missed at boot. Provides [LAST_SEEN] (ms ago, or -1 when never).
 */
import type { z } from "zod";
import type { Probe } from "./probe.ts";
import type { schema } from "./heartbeat.schema.ts";

type HeartbeatConfig = z.output<typeof schema>;

export const heartbeatProbe: Probe<HeartbeatConfig> = {
  type: "heartbeat",
  defaultExpect: [],
  provides: ["LAST_SEEN"],
  async run(cfg, ctx) {
    const now = ctx.env.clock.now();
    const last = ctx.env.lastHeartbeat(ctx.target);
    const since = Math.max(last ?? 0, ctx.env.watchingSince(ctx.target));
    const values = { LAST_SEEN: last === undefined ? -1 : now - last };
    if (now - since > cfg.within) {
      const what =
        last === undefined ? "no heartbeat yet" : `last heartbeat ${Math.round((now - last) / 1000)}s ago`;
      return {
        values,
        error: {
          class: "heartbeat_missed",
          message: `${what}; expected one within ${Math.round(cfg.within / 1000)}s`,
        },
      };
    }
    return { values };
  },
};
