import { VigilError } from "../../core/errors.ts";
import { pathParam } from "../body.ts";
import type { ApiDeps, RouteSpec } from "../context.ts";

/** `GET <path>/:id` [viewer]: the object, or a 404 saying what was not found. */
export function byIdRoute(
  path: string,
  what: string,
  find: (deps: ApiDeps, id: string) => Promise<unknown>,
): RouteSpec {
  return {
    method: "GET",
    path: `${path}/:id`,
    role: "viewer",
    handler: async (c, deps) => {
      const id = pathParam(c, "id");
      const found = await find(deps, id);
      if (found === undefined) throw new VigilError("NOT_FOUND", `no ${what} with id "${id}"`);
      return c.json(found);
    },
  };
}
