import { VigilError } from "../../core/errors.ts";
import type { RouteSpec } from "../context.ts";

export const systemRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/health",
    role: "none",
    handler: async (c, deps) => c.json(await deps.health()),
  },
  {
    method: "POST",
    path: "/api/reload",
    role: "admin",
    handler: async (c, deps) => {
      const outcome = await deps.reload(c.principal!);
      if (!outcome.ok) {
        throw new VigilError("CONFIG_INVALID", "the new config is invalid; the running config is unchanged", {
          details: { problems: outcome.problems },
        });
      }
      return c.json({ ok: true });
    },
  },
];
