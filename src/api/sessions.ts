/**
 * Dashboard sessions. A browser logs in once with a token (`POST /api/session`) and from then on
 * carries a random session id in an HttpOnly, SameSite=Strict cookie, so no script on the page ever
 * holds the token. Writes made with the cookie must also send the session's CSRF token in
 * `X-CSRF-Token`: a header another site cannot set, compared with the one this session was given
 * (a synchronizer token; SameSite=Strict is the first fence, the header the second).
 *
 * A session keeps the token's SHA-256 digest, never the token, and looks its principal up again on
 * every request: a config reload that removes a token or changes its role applies to its sessions
 * at once. Sessions live in memory only: a restarted agent asks everyone to log in again.
 *
 * Sessions are capped per token, and a login only ever drops a session of its own token (its expired
 * ones first, then its oldest): a viewer who logs in ten thousand times logs out nobody but itself.
 * The total is bounded by the configured tokens times the cap.
 *
 * Owns: session ids, expiry, CSRF tokens. Must not import: app, store.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { VigilError } from "../core/errors.ts";
import { tokenDigest, type Principal, type TokenRegistry } from "./auth.ts";
import type { ApiContext } from "./router.ts";

export const sessionCookie = "vigil_session";
export const csrfHeader = "X-CSRF-Token";
/** A session lasts this long from login, however busy: a stolen cookie is not good forever. */
export const defaultSessionTtlMs = 12 * 3_600_000;

interface Session {
  digest: Buffer;
  /** The token's digest as a map key: whose cap the session counts against. */
  owner: string;
  csrf: string;
  expiresAt: number;
}

/** A live session as the API sees it. */
export interface SessionView {
  principal: Principal;
  csrf: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  tokens: TokenRegistry;
  ttlMs?: number;
  now?: () => number;
  /** Sessions of one token held at once; past it that token's oldest is dropped (its browser logs in again). */
  maxPerToken?: number;
}

/** The map is keyed by a digest of the id, so a heap snapshot shows no usable cookie. */
const key = (id: string) => createHash("sha256").update(id, "utf8").digest("base64url");
const randomId = () => randomBytes(32).toString("base64url");

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  /** Each token's session keys, oldest first. */
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #tokens: TokenRegistry;
  readonly #now: () => number;
  readonly ttlMs: number;
  readonly maxPerToken: number;
  #nextSweep = 0;

  constructor(opts: SessionStoreOptions) {
    this.#tokens = opts.tokens;
    this.ttlMs = opts.ttlMs ?? defaultSessionTtlMs;
    this.#now = opts.now ?? Date.now;
    this.maxPerToken = opts.maxPerToken ?? 100;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * A new session for a presented token, or undefined when the token is not known.
   * @example const s = sessions.open(token); if (s) c.setCookie(sessionCookie, s.id, { httpOnly: true });
   */
  open(token: string): (SessionView & { id: string }) | undefined {
    const digest = tokenDigest(token);
    const principal = this.#tokens.lookupDigest(digest);
    if (!principal) return undefined;
    const owner = digest.toString("base64url");
    this.#makeRoom(owner);
    const id = randomId();
    const session = { digest, owner, csrf: randomId(), expiresAt: this.#now() + this.ttlMs };
    const k = key(id);
    this.#sessions.set(k, session);
    const mine = this.#byOwner.get(owner) ?? new Set<string>();
    this.#byOwner.set(owner, mine.add(k));
    return { id, principal, csrf: session.csrf, expiresAt: session.expiresAt };
  }

  /** The live session for a cookie's id: undefined when unknown, expired, or its token was revoked. */
  find(id: string): SessionView | undefined {
    const k = key(id);
    const s = this.#sessions.get(k);
    if (!s) return undefined;
    const principal = s.expiresAt > this.#now() ? this.#tokens.lookupDigest(s.digest) : undefined;
    if (!principal) {
      this.#drop(k);
      return undefined;
    }
    return { principal, csrf: s.csrf, expiresAt: s.expiresAt };
  }

  close(id: string): void {
    this.#drop(key(id));
  }

  /**
   * Below the cap for `owner`: its expired sessions go first, then its oldest. Now and then every
   * expired session goes too, so a token removed by a reload does not keep its sessions' memory.
   */
  #makeRoom(owner: string): void {
    const now = this.#now();
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + this.ttlMs / 12;
      for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#drop(k);
    }
    const mine = this.#byOwner.get(owner);
    if (!mine) return;
    for (const k of mine) if (this.#sessions.get(k)!.expiresAt <= now) this.#drop(k);
    while (mine.size >= this.maxPerToken) this.#drop(mine.values().next().value!);
  }

  #drop(k: string): void {
    const s = this.#sessions.get(k);
    if (!s) return;
    this.#sessions.delete(k);
    const mine = this.#byOwner.get(s.owner);
    mine?.delete(k);
    if (mine?.size === 0) this.#byOwner.delete(s.owner);
  }
}

/** Compares in constant time; a missing or differently sized header is simply wrong. */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Methods that change nothing; everything else needs the CSRF header when the cookie authenticates. */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The principal a request's session cookie stands for, or undefined when it has no cookie. Throws
 * UNAUTHENTICATED for a dead session and FORBIDDEN for a write without the session's CSRF token.
 */
export function cookiePrincipal(c: ApiContext, sessions: SessionStore): Principal | undefined {
  const id = c.req.cookie(sessionCookie);
  if (id === undefined || id === "") return undefined;
  const session = sessions.find(id);
  if (!session) {
    throw new VigilError(
      "UNAUTHENTICATED",
      "the session has ended (expired, logged out, or the agent restarted); log in again",
    );
  }
  if (!safeMethods.has(c.req.method) && !csrfMatches(session.csrf, c.req.header(csrfHeader))) {
    throw new VigilError(
      "FORBIDDEN",
      `a write with the session cookie needs the ${csrfHeader} header with the csrf_token that POST /api/session returned`,
    );
  }
  return session.principal;
}

/**
 * Whether the browser reached the agent over HTTPS. The agent serves plain HTTP, so that is through a
 * TLS-terminating proxy, which says so.
 */
export function overHttps(c: ApiContext): boolean {
  return c.req.header("x-forwarded-proto") === "https";
}
