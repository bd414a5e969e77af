/**
 * `approvals`: the agent's own approval queue, read from its store, so "more than 10 requests wait"
 * or "one has waited an hour" is one line of config and opens an incident like any other check.
 * Provides [PENDING] (requests waiting for a decision now; one past its expiry counts no more) and
 * [OLDEST_AGE] (ms since the oldest of them was asked, 0 when none waits; conditions read it as a
 * duration: `[OLDEST_AGE] < 1h`). On a fleet's shared store every agent sees the same queue.
 */
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "approvals",
  description: "The agent's approval queue: how many requests wait for a person, and for how long.",
  schema: ({ z }) => z.strictObject({}),
  example: {},
  notHealth:
    "an approvals check watches the agent's approval queue, not a service: write it under checks:, not as a service's health",
  doctor: () => ({ skip: "it reads the running agent's approval queue; nothing to try from here" }),
  defaultExpect: ["[PENDING] <= 10"],
  provides: ["PENDING", "OLDEST_AGE"],
  async run(_cfg, ctx) {
    let stopListening = () => undefined as void;
    // A store that does not answer must not hold the check past its timeout.
    const stopped = new Promise<never>((_, reject) => {
      const abort = () => reject(new Error(`no answer from the store within ${ctx.timeoutMs} ms`));
      if (ctx.signal.aborted) return abort();
      ctx.signal.addEventListener("abort", abort, { once: true });
      stopListening = () => ctx.signal.removeEventListener("abort", abort);
    });
    try {
      const q = await Promise.race([ctx.env.approvalQueue(), stopped]);
      const now = ctx.env.clock.now();
      const oldest = q.oldestRequestedAt === null ? 0 : Math.max(0, now - q.oldestRequestedAt);
      return { values: { PENDING: q.pending, OLDEST_AGE: oldest } };
    } catch (e) {
      return {
        values: {},
        error: {
          class: ctx.signal.aborted ? "timeout" : "unknown",
          message: `cannot read the approval queue: ${e instanceof Error ? e.message : String(e)}`,
        },
      };
    } finally {
      stopListening();
    }
  },
});
