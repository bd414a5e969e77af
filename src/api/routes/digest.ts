import type { RouteSpec } from "../context.ts";

export const digestRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/digest",
    role: "viewer",
    // Made now and sent nowhere: the same facts and text the daily message carries.
    handler: async (c, deps) => c.json(await deps.digest.preview(c.req.query("date"))),
  },
];
