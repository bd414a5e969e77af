import { pathParam } from "../body.ts";
import type { RouteSpec } from "../context.ts";

/** `vigil backups [action]`: each backup action's dumps with size, checksum and verify result. */
export const backupRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/backups",
    role: "viewer",
    handler: async (c, deps) => c.json({ backups: await deps.actions.backups(undefined) }),
  },
  {
    method: "GET",
    path: "/api/backups/:action",
    role: "viewer",
    handler: async (c, deps) => {
      const [view] = await deps.actions.backups(pathParam(c, "action"));
      return c.json(view);
    },
  },
];
