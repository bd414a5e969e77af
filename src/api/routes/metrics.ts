import type { RouteSpec } from "../context.ts";

/**
 * `GET /metrics`: the Prometheus text format. Open by default (DESIGN), as scrapers expect; with
 * `agent.metrics_auth: true` it needs a viewer token (Prometheus: `authorization: { credentials }`).
 */
export const metricsRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/metrics",
    role: "none",
    roleFor: (deps) => (deps.metrics.authRequired() ? "viewer" : "none"),
    handler: async (c, deps) => {
      const { contentType, body } = await deps.metrics.scrape();
      return c.body(body, 200, { "content-type": contentType, "cache-control": "no-store" });
    },
  },
];
