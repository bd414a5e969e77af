import { exportLine } from "../../audit/audit-log.ts";
import { queryInt } from "../body.ts";
import type { RouteSpec } from "../context.ts";

/** Stored events with the payload decoded, as the API shows them. */
const view = (e: { payload: string }) => ({ ...e, payload: JSON.parse(e.payload) as unknown });

export const auditRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/audit",
    role: "viewer",
    handler: async (c, deps) => {
      const limit = queryInt(c, "limit", 100, 1000);
      const tail = c.req.query("after") === undefined && c.req.query("tail") !== undefined;
      const events = tail
        ? await deps.audit.tail(queryInt(c, "tail", 20, 1000))
        : await deps.audit.page(queryInt(c, "after", 0, Number.MAX_SAFE_INTEGER), limit);
      return c.json({ events: events.map(view), next_after: events.at(-1)?.seq ?? null });
    },
  },
  {
    method: "GET",
    path: "/api/audit/verify",
    role: "viewer",
    handler: async (c, deps) => c.json(await deps.audit.verify()),
  },
  {
    method: "GET",
    path: "/api/audit/export",
    role: "viewer",
    handler: (c, deps) => {
      async function* lines() {
        for await (const page of deps.audit.pages()) yield page.map((e) => exportLine(e) + "\n").join("");
      }
      return c.body(lines(), 200, { "content-type": "application/x-ndjson" });
    },
  },
];
