import { parseDuration, durationHint } from "../../core/duration.ts";
import { pathParam, queryEnum, queryInt, readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import { shape, text } from "../fields.ts";
import { byIdRoute } from "./by-id.ts";

const reasonBody = shape({ reason: text({ max: 2_000, fallback: "" }) });

/** Longest one-off silence: a week. Longer quiet is a maintenance window in the config. */
const maxSilenceMs = 7 * 86_400_000;

const silenceBody = shape({
  target: text({ min: 1, max: 200, hint: "the name of the target to silence" }),
  duration: text({
    max: 40,
    hint: `${durationHint}, at most 7d`,
    valid: (d) => {
      const ms = parseDuration(d);
      return ms !== undefined && ms > 0 && ms <= maxSilenceMs;
    },
  }),
  reason: text({ max: 2_000, fallback: "" }),
});

export const incidentRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/incidents",
    role: "viewer",
    handler: async (c, deps) => {
      const status = queryEnum(c, "status", ["open", "resolved"] as const);
      return c.json({ incidents: await deps.guard.incidents(status, queryInt(c, "limit", 100, 1_000)) });
    },
  },
  byIdRoute("/api/incidents", "incident", (deps, id) => deps.guard.incident(id)),
  {
    method: "GET",
    path: "/api/stats",
    role: "viewer",
    handler: async (c, deps) => {
      const target = c.req.query("target");
      return c.json({ stats: await deps.guard.stats(target ? target.slice(0, 200) : undefined) });
    },
  },
  {
    method: "POST",
    path: "/api/pause",
    role: "operator",
    handler: async (c, deps) => {
      const { reason } = await readJson(c, reasonBody);
      return c.json(await deps.guard.pause(c.principal!, reason));
    },
  },
  {
    method: "POST",
    path: "/api/resume",
    role: "operator",
    handler: async (c, deps) => {
      const { reason } = await readJson(c, reasonBody);
      return c.json(await deps.guard.resume(c.principal!, reason));
    },
  },
  {
    method: "GET",
    path: "/api/silences",
    role: "viewer",
    handler: async (c, deps) => c.json({ silences: await deps.guard.silences() }),
  },
  {
    method: "POST",
    path: "/api/silences",
    role: "operator",
    handler: async (c, deps) => {
      const body = await readJson(c, silenceBody);
      const s = await deps.guard.silence(
        body.target,
        parseDuration(body.duration)!,
        body.reason,
        c.principal!,
      );
      return c.json(s, 201);
    },
  },
  {
    method: "DELETE",
    path: "/api/silences/:id",
    role: "operator",
    handler: async (c, deps) => {
      await deps.guard.unsilence(pathParam(c, "id"), c.principal!);
      return c.json({ ok: true });
    },
  },
];
