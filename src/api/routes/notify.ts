import { z } from "zod";
import { readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";

const testBody = z.strictObject({
  channel: z
    .string({ error: 'the name of a channel under notify.channels, e.g. {"channel": "hook"}' })
    .min(1, "the name of a channel under notify.channels")
    .max(200, "at most 200 characters"),
});

export const notifyRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/notify/test",
    role: "operator",
    // A failed delivery is still a 200 with ok: false: the request was fine, the channel is not.
    handler: async (c, deps) => {
      const { channel } = await readJson(c, testBody);
      return c.json(await deps.notify.test(channel, c.principal!));
    },
  },
];
