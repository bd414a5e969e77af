import { VigilError } from "../../core/errors.ts";
import { pathParam, queryInt } from "../body.ts";
import type { RouteSpec, TargetAction } from "../context.ts";

const actions: TargetAction[] = ["start", "stop", "restart", "recover"];

export const targetRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/targets",
    role: "viewer",
    handler: (c, deps) => c.json({ targets: deps.targets.list() }),
  },
  {
    method: "GET",
    path: "/api/targets/:name",
    role: "viewer",
    handler: (c, deps) => {
      const t = deps.targets.get(pathParam(c, "name"));
      if (!t) throw new VigilError("NOT_FOUND", `no target named "${pathParam(c, "name")}"`);
      return c.json(t);
    },
  },
  {
    method: "GET",
    path: "/api/targets/:name/logs",
    role: "operator",
    handler: (c, deps) => {
      const lines = deps.targets.logs(pathParam(c, "name"), queryInt(c, "n", 100, 10_000));
      if (!lines) throw new VigilError("NOT_FOUND", `no service named "${pathParam(c, "name")}"`);
      return c.json({ lines });
    },
  },
  ...actions.map((action): RouteSpec => ({
    method: "POST",
    path: `/api/targets/:name/${action}`,
    role: "operator",
    handler: async (c, deps) => c.json(await deps.targets.act(pathParam(c, "name"), action, c.principal!)),
  })),
];
