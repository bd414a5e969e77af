/**
 * `heartbeat`: something pushes `POST /api/heartbeat/{name}`; the check fails when nothing arrived
 * `within` its window. Watching starts when the agent starts, so a fresh agent does not call a
 * nightly job missed at boot. Provides [LAST_SEEN] (ms ago, or -1 when never).
 */
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "heartbeat",
  description: "Pushed: fails when no `POST /api/heartbeat/<check>` arrived within its window.",
  schema: ({ z, duration }) =>
    z.strictObject({
      within: duration,
      token: z
        .string()
        .min(16, "at least 16 characters; generate one with `openssl rand -hex 24`")
        .optional()
        .describe("Lets the job push with this token instead of an operator's."),
      timeout: duration.optional(),
    }),
  example: { within: "1h" },
  doctor: () => ({ skip: "a heartbeat is pushed by the job itself; nothing to try from here" }),
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
});
