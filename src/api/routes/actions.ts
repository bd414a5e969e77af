import { pathParam, queryInt, readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import { flag, map, shape, text } from "../fields.ts";
import { byIdRoute } from "./by-id.ts";

const runBody = shape({
  params: map(),
  reason: text({ max: 2_000, fallback: "" }),
  target: text({ min: 1, max: 200, optional: true, hint: "a target's name" }),
  dry_run: flag(false),
});

export const actionRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/actions",
    role: "viewer",
    handler: (c, deps) => c.json({ actions: deps.actions.list() }),
  },
  {
    method: "POST",
    path: "/api/actions/:name/run",
    role: "agent",
    handler: async (c, deps) => {
      const name = pathParam(c, "name");
      const body = await readJson(c, runBody);
      const outcome = await deps.actions.request(
        name,
        { params: body.params, reason: body.reason, target: body.target, dryRun: body.dry_run },
        c.principal!,
      );
      if (outcome.kind === "ran") return c.json(outcome.run, 200);
      const a = outcome.approval;
      return c.json(
        { approval_id: a.id, status: a.status, required: a.required, expires_at: a.expires_at },
        202,
      );
    },
  },
  {
    method: "GET",
    path: "/api/actions/runs",
    role: "viewer",
    handler: async (c, deps) => c.json({ runs: await deps.actions.runs(queryInt(c, "limit", 100, 1_000)) }),
  },
  byIdRoute("/api/actions/runs", "action run", (deps, id) => deps.actions.getRun(id)),
];
