import { VigilError } from "../../core/errors.ts";
import { historyWindows } from "../../targets/history.ts";
import { pathParam, queryEnum } from "../body.ts";
import { compressedJson } from "../compressed.ts";
import type { RouteSpec } from "../context.ts";

/** What the dashboard reads to draw (added): one request for the whole list, one per target chart. */
export const historyRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/overview",
    role: "viewer",
    handler: async (c, deps) => {
      const overview = await deps.history.overview();
      return compressedJson(c, { ...overview, pause: deps.guard.pauseState() });
    },
  },
  {
    method: "GET",
    path: "/api/targets/:name/history",
    role: "viewer",
    handler: async (c, deps) => {
      const name = pathParam(c, "name");
      const view = await deps.history.history(name, queryEnum(c, "window", historyWindows) ?? "24h");
      if (!view) throw new VigilError("NOT_FOUND", `no target named "${name}"`);
      return compressedJson(c, view);
    },
  },
];
