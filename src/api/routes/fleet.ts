import { disagreementLimit, disagreements } from "../../fleet/disagreements.ts";
import type { RouteSpec } from "../context.ts";

export const fleetRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/fleet",
    role: "viewer",
    handler: async (c, deps) => {
      const { members, shared } = await deps.fleet.roster();
      // Shared checks the live agents disagree about: defined differently, or not everywhere.
      const found = disagreements(shared);
      return c.json({
        agents: members,
        shared_checks: {
          disagreements: found.slice(0, disagreementLimit),
          more: Math.max(0, found.length - disagreementLimit),
        },
      });
    },
  },
];
