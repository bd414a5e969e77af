import { identify } from "../authenticate.ts";
import type { RouteSpec } from "../context.ts";
import { buildOpsReport, publicOpsReport } from "../ops-report.ts";

/** More open incidents than this are not one report's business; `/api/incidents` pages them. */
const maxIncidents = 1_000;

export const reportRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/ops-report",
    role: "viewer",
    // `agent.public_ops_report`: an uptime checker without a token gets the status and the overall line.
    roleFor: (deps) => (deps.publicOpsReport?.() ? "none" : "viewer"),
    handler: async (c, deps) => {
      const now = Date.now();
      const [incidents, silences] = await Promise.all([
        deps.guard.incidents("open", maxIncidents),
        deps.guard.silences(),
      ]);
      const report = buildOpsReport({
        now,
        targets: deps.targets.list(),
        incidents,
        pause: deps.guard.pauseState(),
        silences: silences.filter((s) => s.starts_at <= now && s.ends_at > now),
      });
      // A load balancer or an uptime checker reads the status alone: 503 when anything needs a person.
      c.header("Cache-Control", "no-store");
      const status = report.overall_ok ? 200 : 503;
      const full = c.principal ?? (deps.publicOpsReport?.() ? await identify(deps, c) : undefined);
      return c.json(full ? report : publicOpsReport(report), status);
    },
  },
];
