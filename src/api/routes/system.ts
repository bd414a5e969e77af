import { VigilError } from "../../core/errors.ts";
import { identify } from "../authenticate.ts";
import type { RouteSpec } from "../context.ts";

/** What runs: the built JavaScript or the TypeScript sources, with which Node flags, on which Node. */
export interface RuntimeInfo {
  entry: "dist" | "sources";
  /** `process.execArgv`: for `vigil up`, the flags of bin/runtime.js (or an operator's own). */
  flags: string[];
  node: string;
}

/** Reported by `GET /health` and the `agent.started` event. This module's own file says which entry runs. */
export function runtimeInfo(): RuntimeInfo {
  return {
    entry: import.meta.url.endsWith(".ts") ? "sources" : "dist",
    flags: [...process.execArgv],
    node: process.version,
  };
}

export const systemRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/health",
    role: "none",
    urgent: true,
    // Anyone may ask; only a token holder learns where the store is (a path, or a database URL).
    handler: async (c, deps) => {
      const health = await deps.health();
      const store = (await identify(deps, c)) ? health.store : health.store.replace(/:.*$/s, "");
      // 503 while degraded, so a load balancer or uptime check sees that this agent cannot record.
      return c.json({ ...health, store, runtime: runtimeInfo() }, health.status === "ok" ? 200 : 503);
    },
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
