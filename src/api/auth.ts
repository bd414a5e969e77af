/**
 * Bearer tokens and roles. Tokens are kept only as SHA-256 digests and compared in constant time;
 * a token never appears in a log line, an audit entry or an error. Repeated failures are counted by
 * `failure-limiter.ts` (re-exported here), and who a request is by `authenticate.ts`.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export { FailureLimiter } from "./failure-limiter.ts";

export const roles = ["viewer", "agent", "operator", "admin"] as const;
export type Role = (typeof roles)[number];
/** `none` marks routes anyone may call. */
export type RouteRole = Role | "none";

export interface Principal {
  name: string;
  role: Role;
}

export function roleAtLeast(have: Role, need: RouteRole): boolean {
  return need === "none" || roles.indexOf(have) >= roles.indexOf(need);
}

const digest = (token: string) => createHash("sha256").update(token, "utf8").digest();

/** A token's SHA-256 digest: what a session keeps instead of the token (see sessions.ts). */
export const tokenDigest = digest;

export class TokenRegistry {
  #entries: { digest: Buffer; principal: Principal }[] = [];

  constructor(tokens: readonly { name: string; role: Role; token: string }[]) {
    this.replace(tokens);
  }

  /** Swaps the whole set (config reload) in one step. */
  replace(tokens: readonly { name: string; role: Role; token: string }[]): void {
    this.#entries = tokens.map((t) => ({
      digest: digest(t.token),
      principal: { name: t.name, role: t.role },
    }));
  }

  /** The principal for a presented token. Compares against every entry so timing says nothing. */
  lookup(token: string): Principal | undefined {
    return this.lookupDigest(digest(token));
  }

  /** The principal for a token's digest, as of now: a session re-checks it so a reload revokes it. */
  lookupDigest(d: Buffer): Principal | undefined {
    let found: Principal | undefined;
    for (const e of this.#entries) if (timingSafeEqual(e.digest, d)) found ??= e.principal;
    return found;
  }
}
