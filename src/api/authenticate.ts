/**
 * Who is calling: a bearer token, else the dashboard's session cookie. A valid credential is accepted
 * whatever the failure limiter holds against its address; only a credential that fails is counted,
 * and answered 429 instead of 401 once its address or claimed identity is locked out
 * (failure-limiter.ts says why it is built that way round).
 *
 * Owns: reading credentials, counting the failures. Must not import: app, store.
 */
import { VigilError } from "../core/errors.ts";
import { roleAtLeast, type Principal } from "./auth.ts";
import { clientAddress } from "./client-address.ts";
import type { ApiDeps, RouteSpec } from "./context.ts";
import { tokenIdentity, type FailureReason } from "./failure-limiter.ts";
import type { ApiContext } from "./router.ts";
import { cookiePrincipal } from "./sessions.ts";

/** The token of an `Authorization: Bearer <token>` header; undefined for any other header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
}

/**
 * Sets `c.principal` for a route that needs a role, or throws the 401, 403 or 429 the caller gets
 * (503 when the store cannot say whether a session cookie is live). A route open to anyone, or a
 * request with a bearer token, never waits on the store.
 */
export async function authenticate(deps: ApiDeps, route: RouteSpec, c: ApiContext): Promise<void> {
  const role = route.roleFor?.(deps) ?? route.role;
  if (role === "none") return;
  const header = c.req.header("authorization");
  let principal: Principal | undefined;
  if (header === undefined) {
    // The dashboard's session cookie (with its CSRF header on writes) stands in for a missing header.
    principal = await cookiePrincipal(c, deps.sessions);
    if (!principal) throw new VigilError("UNAUTHENTICATED", "send Authorization: Bearer <token>");
  } else {
    const token = bearerToken(header);
    principal = token === undefined ? undefined : deps.tokens.lookup(token);
    if (!principal) {
      refuse(deps, c, {
        reason: token === undefined ? "malformed_header" : "unknown_token",
        identities: [tokenIdentity],
        message:
          token === undefined
            ? "send Authorization: Bearer <token>"
            : "the bearer token is not known to this agent",
      });
    }
  }
  if (!roleAtLeast(principal.role, role)) {
    throw new VigilError(
      "FORBIDDEN",
      `${route.method} ${route.path} needs role ${role}; ${principal.name} is ${principal.role}`,
    );
  }
  c.principal = principal;
}

/**
 * The caller on a route anyone may call, for what it shows only to a token holder (`/health`'s store).
 * A wrong token is counted like anywhere else, but the request is still served, as to anyone; so is
 * a cookie the store cannot look up (a failing store is what `/health` must still report).
 */
export async function identify(deps: ApiDeps, c: ApiContext): Promise<Principal | undefined> {
  const header = c.req.header("authorization");
  if (header === undefined) {
    try {
      return await cookiePrincipal(c, deps.sessions);
    } catch {
      return undefined;
    }
  }
  const token = bearerToken(header);
  const principal = token === undefined ? undefined : deps.tokens.lookup(token);
  if (!principal) {
    deps.limiter.fail({
      address: clientAddress(c),
      identities: [tokenIdentity],
      reason: token === undefined ? "malformed_header" : "unknown_token",
    });
  }
  return principal;
}

/**
 * Counts a failed credential and throws what the client gets: UNAUTHENTICATED with `message`, or
 * RATE_LIMITED with a Retry-After once its address or a claimed identity is locked out.
 */
export function refuse(
  deps: ApiDeps,
  c: ApiContext,
  failure: { reason: FailureReason; identities: readonly string[]; message: string },
): never {
  const wait = deps.limiter.fail({
    address: clientAddress(c),
    identities: failure.identities,
    reason: failure.reason,
  });
  if (wait > 0) {
    c.header("Retry-After", String(wait));
    throw new VigilError(
      "RATE_LIMITED",
      `${failure.message}; too many failed authentications, retry in ${wait}s (a valid token is accepted meanwhile)`,
    );
  }
  throw new VigilError("UNAUTHENTICATED", failure.message);
}
