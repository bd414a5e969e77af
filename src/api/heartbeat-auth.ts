/**
 * Who may post a heartbeat (`POST /api/heartbeat/{name}`): whoever holds the check's own token, so a
 * cron job needs no admin token, or an operator. The check's token is compared as a SHA-256 digest in
 * constant time, like every other token.
 */
import { timingSafeEqual } from "node:crypto";
import { VigilError } from "../core/errors.ts";
import { roleAtLeast, tokenDigest, type Principal } from "./auth.ts";

/** Who sent an accepted heartbeat: `from` for the event's payload, `actor` for its author. */
export interface HeartbeatSender {
  from: string;
  actor: string;
}

/**
 * Accepts the heartbeat of check `name` or throws UNAUTHENTICATED (no token, or one that is neither
 * the check's own nor any known token: a guess, which the route counts like any failed
 * authentication) or FORBIDDEN (a known token whose role is below operator).
 * @example
 * const { from, actor } = heartbeatSender("backup-ran", check.token, presented, tokens.lookup(presented));
 */
export function heartbeatSender(
  name: string,
  checkToken: string | undefined,
  presented: string | undefined,
  by: Principal | undefined,
): HeartbeatSender {
  const own =
    checkToken !== undefined &&
    presented !== undefined &&
    timingSafeEqual(tokenDigest(checkToken), tokenDigest(presented));
  if (own) return { from: "check token", actor: name };
  if (by && roleAtLeast(by.role, "operator")) return { from: by.name, actor: by.name };
  if (by) {
    throw new VigilError(
      "FORBIDDEN",
      `a heartbeat needs the check's own token or an operator's; ${by.name} is ${by.role}`,
    );
  }
  throw new VigilError(
    "UNAUTHENTICATED",
    presented === undefined
      ? "send Authorization: Bearer <the check's heartbeat token> (or an operator token)"
      : "the token is neither this check's heartbeat token nor one known to this agent; send Authorization: Bearer <the check's heartbeat token> (or an operator token)",
  );
}
