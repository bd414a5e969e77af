import { checkPayload } from "../../alertmanager/payload.ts";
import { VigilError } from "../../core/errors.ts";
import { readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";

/**
 * `POST /api/alertmanager`: Alertmanager's webhook (payload version 4), sent with an operator's
 * token in `http_config.authorization`. Each alert becomes a target; the answer says which, and its
 * state after the post.
 */
export const alertmanagerRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/alertmanager",
    role: "operator",
    handler: async (c, deps) => {
      if (!deps.alertmanager) throw new VigilError("NOT_FOUND", "this agent takes no Alertmanager alerts");
      const payload = await readJson(c, checkPayload);
      return c.json(await deps.alertmanager.receive(payload, c.principal!.name));
    },
  },
];
