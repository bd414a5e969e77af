import { gzipWanted } from "../compressed.ts";
import type { RouteSpec } from "../context.ts";

/**
 * `GET /metrics`: the Prometheus text format. Open by default (DESIGN), as scrapers expect; with
 * `agent.metrics_auth: true` it needs a viewer token (Prometheus: `authorization: { credentials }`).
 * The text is rendered at most once a second and every scrape in between gets the same bytes, so a
 * flood of unauthenticated scrapes costs writes, not renders; gzipped for scrapers that ask
 * (Prometheus does), compressed once per render.
 */
export const metricsRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/metrics",
    role: "none",
    roleFor: (deps) => (deps.metrics.authRequired() ? "viewer" : "none"),
    handler: async (c, deps) => {
      const m = await deps.metrics.scrape();
      const headers = { "content-type": m.contentType, "cache-control": "no-store", vary: "Accept-Encoding" };
      if (!gzipWanted(c, m.body.byteLength)) return c.body(m.body, 200, headers);
      return c.body(await m.gzipped(), 200, { ...headers, "content-encoding": "gzip" });
    },
  },
];
