import { VigilError } from "../../core/errors.ts";
import { pathParam, queryEnum, queryInt } from "../body.ts";
import type { RouteSpec, TargetAction } from "../context.ts";
import type { TargetView } from "../../targets/targets.ts";

const actions: TargetAction[] = ["start", "stop", "restart", "recover"];

/**
 * Each target's JSON, kept while its view object lives: `Targets` hands out the same view until
 * something it shows changes, so a list of 2,000 targets (370 KB) re-serialises only the few that
 * changed since the last request instead of all of them, always current.
 */
const fragments = new WeakMap<TargetView, string>();

function listJson(targets: readonly TargetView[]): string {
  const parts = targets.map((t) => {
    let text = fragments.get(t);
    if (text === undefined) fragments.set(t, (text = JSON.stringify(t)));
    return text;
  });
  return `{"targets":[${parts.join(",")}]}`;
}

export const targetRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/targets",
    role: "viewer",
    handler: async (c, deps) => {
      // `agents=all`: every agent's targets of a fleet sharing the store, each with its agent.
      if (queryEnum(c, "agents", ["this", "all"]) === "all")
        return c.json({ targets: await deps.fleet.targets() });
      return c.body(listJson(deps.targets.list()), 200, { "content-type": "application/json" });
    },
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
    handler: async (c, deps) => {
      const lines = await deps.targets.logs(pathParam(c, "name"), queryInt(c, "n", 100, 10_000));
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
