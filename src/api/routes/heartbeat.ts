import { isVigilError } from "../../core/errors.ts";
import { bearerToken, refuse } from "../authenticate.ts";
import { pathParam } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import { tokenIdentity } from "../failure-limiter.ts";

/**
 * `POST /api/heartbeat/{name}`: the check's own token or an operator's (heartbeat-auth.ts decides), so
 * a cron job needs no admin token. The route is open to the router because the check's token is no
 * bearer token of the registry; a wrong token is counted by the failure limiter here, as on every
 * route, claiming both "a token" and this check.
 */
export const heartbeatRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/heartbeat/:name",
    role: "none",
    handler: async (c, deps) => {
      const name = pathParam(c, "name");
      const header = c.req.header("authorization");
      const token = bearerToken(header);
      const principal = token === undefined ? undefined : deps.tokens.lookup(token);
      try {
        await deps.targets.heartbeat(name, token, principal);
      } catch (e) {
        // No header at all is a request to be told what to send, not a guess.
        if (isVigilError(e, "UNAUTHENTICATED") && header !== undefined) {
          refuse(deps, c, {
            reason: "heartbeat",
            identities: [tokenIdentity, `check:${name}`],
            message: e.message,
          });
        }
        throw e;
      }
      return c.json({ ok: true });
    },
  },
];
