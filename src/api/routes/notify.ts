import { readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import { shape, text } from "../fields.ts";

const testBody = shape({
  channel: text({
    min: 1,
    max: 200,
    hint: 'the name of a channel under notify.channels, e.g. {"channel": "hook"}',
  }),
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
