import { pathParam } from "../body.ts";
import type { RouteSpec } from "../context.ts";

export const jobRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/jobs",
    role: "viewer",
    handler: (c, deps) => c.json({ jobs: deps.jobs.list() }),
  },
  {
    method: "POST",
    path: "/api/jobs/:name/run",
    role: "operator",
    // Started, not waited for: a job may run for its whole timeout. GET /api/jobs shows how it went.
    handler: (c, deps) => c.json(deps.jobs.runNow(pathParam(c, "name"), c.principal!), 202),
  },
];
