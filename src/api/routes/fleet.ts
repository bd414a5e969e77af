import type { RouteSpec } from "../context.ts";

export const fleetRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/fleet",
    role: "viewer",
    handler: async (c, deps) => c.json({ agents: await deps.fleet.view() }),
  },
];
