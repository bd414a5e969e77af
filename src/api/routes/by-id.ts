import { VigilError } from "../../core/errors.ts";
import { pathParam } from "../body.ts";
import type { Principal } from "../auth.ts";
import type { ApiDeps, RouteSpec } from "../context.ts";

/** `GET <path>/:id` [viewer]: the object, or a 404 saying what was not found. */
export function byIdRoute(
  path: string,
  what: string,
  /** `by`: who asks, for what depends on the caller (an approval's `can_decide`). */
  find: (deps: ApiDeps, id: string, by: Principal) => Promise<unknown>,
): RouteSpec {
  return {
    method: "GET",
    path: `${path}/:id`,
    role: "viewer",
    handler: async (c, deps) => {
      const id = pathParam(c, "id");
      const found = await find(deps, id, c.principal!);
      if (found === undefined) throw new VigilError("NOT_FOUND", `no ${what} with id "${id}"`);
      return c.json(found);
    },
  };
}
