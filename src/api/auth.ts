/**
 * Bearer tokens and roles. Tokens are kept only as SHA-256 digests and compared in constant time;
 * a token never appears in a log line, an audit entry or an error. Repeated failures from one
 * address are slowed down.
 */
import { createHash, timingSafeEqual } from "node:crypto";

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

/**
 * Failed authentications per address in a sliding window; past the limit the address waits. Bounded:
 * the map never holds more than `maxAddresses` entries, oldest dropped first.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  static readonly maxAddresses = 10_000;

  constructor(opts: { limit?: number; windowMs?: number; now?: () => number } = {}) {
    this.#limit = opts.limit ?? 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfter(address: string): number {
    const times = this.#recent(address);
    if (times.length < this.#limit) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.#windowMs - this.#now()) / 1000));
  }

  fail(address: string): void {
    const times = this.#recent(address);
    times.push(this.#now());
    this.#failures.delete(address);
    this.#failures.set(address, times.slice(-this.#limit));
    if (this.#failures.size > FailureLimiter.maxAddresses) {
      this.#failures.delete(this.#failures.keys().next().value!);
    }
  }

  succeed(address: string): void {
    this.#failures.delete(address);
  }

  #recent(address: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    return (this.#failures.get(address) ?? []).filter((t) => t > cutoff);
  }
}
