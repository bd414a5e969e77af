/**
 * Dashboard sessions. A browser logs in once with a token (`POST /api/session`) and from then on
 * carries a random session id in an HttpOnly, SameSite=Strict cookie, so no script on the page ever
 * holds the token. Writes made with the cookie must also send the session's CSRF token in
 * `X-CSRF-Token`: a header another site cannot set, compared with the one this session was given
 * (a synchronizer token; SameSite=Strict is the first fence, the header the second).
 *
 * Sessions live in the store (`SessionTable`), so a restarted agent keeps them and every agent on a
 * shared PostgreSQL store accepts them; a logout on one ends the session on all. The store holds a
 * digest of the session id and of the token, never either. Each request looks the principal up
 * again in the answering agent's own token registry: a config reload that removes a token or
 * changes its role applies to its sessions at once, and a session works only on agents whose
 * config knows its token. No agent caches a session: a logout elsewhere must apply on the next request.
 *
 * Sessions are capped per token, and a login only ever drops a session of its own token (expired
 * ones first, then its oldest): a viewer who logs in ten thousand times logs out nobody but itself.
 *
 * Owns: session ids, expiry, CSRF tokens. Must not import: app, store.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isVigilError, VigilError } from "../core/errors.ts";
import { tokenDigest, type Principal, type TokenRegistry } from "./auth.ts";
import type { ApiContext } from "./router.ts";

export const sessionCookie = "vigil_session";
export const csrfHeader = "X-CSRF-Token";
/** A session lasts this long from login, however busy: a stolen cookie is not good forever. */
export const defaultSessionTtlMs = 12 * 3_600_000;

/** A session as stored: digests, never the id or the token. */
export interface SessionRecord {
  /** Digest of the session id. */
  id: string;
  /** Digest of the token: whose cap the session counts against. */
  owner: string;
  csrf: string;
  expiresAt: number;
}

/** Where sessions are kept (store/session-store.ts over the agent's store). */
export interface SessionTable {
  /** Adds `row` after dropping expired sessions and the owner's oldest beyond `maxPerOwner - 1`. */
  open(row: SessionRecord, now: number, maxPerOwner: number): Promise<void>;
  /** The session with digest `id`, unless expired by `now`. */
  find(id: string, now: number): Promise<SessionRecord | undefined>;
  close(id: string): Promise<void>;
}

/** A live session as the API sees it. */
export interface SessionView {
  principal: Principal;
  csrf: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  tokens: TokenRegistry;
  table: SessionTable;
  ttlMs?: number;
  now?: () => number;
  /** Sessions of one token held at once; past it that token's oldest is dropped (its browser logs in again). */
  maxPerToken?: number;
}

/** Rows are keyed by a digest of the id, so a copy of the table shows no usable cookie. */
const key = (id: string) => createHash("sha256").update(id, "utf8").digest("base64url");
const randomId = () => randomBytes(32).toString("base64url");

export class SessionStore {
  readonly #table: SessionTable;
  readonly #tokens: TokenRegistry;
  readonly #now: () => number;
  readonly ttlMs: number;
  readonly maxPerToken: number;

  constructor(opts: SessionStoreOptions) {
    this.#table = opts.table;
    this.#tokens = opts.tokens;
    this.ttlMs = opts.ttlMs ?? defaultSessionTtlMs;
    this.#now = opts.now ?? Date.now;
    this.maxPerToken = opts.maxPerToken ?? 100;
  }

  /**
   * A new session for a presented token, or undefined when the token is not known.
   * @example const s = await sessions.open(token); if (s) c.setCookie(sessionCookie, s.id, { httpOnly: true });
   */
  async open(token: string): Promise<(SessionView & { id: string }) | undefined> {
    const digest = tokenDigest(token);
    const principal = this.#tokens.lookupDigest(digest);
    if (!principal) return undefined;
    const id = randomId();
    const now = this.#now();
    const row = {
      id: key(id),
      owner: digest.toString("base64url"),
      csrf: randomId(),
      expiresAt: now + this.ttlMs,
    };
    await storeCall(() => this.#table.open(row, now, this.maxPerToken));
    return { id, principal, csrf: row.csrf, expiresAt: row.expiresAt };
  }

  /**
   * The live session for a cookie's id: undefined when unknown, expired, or its token is not (or no
   * longer) known to this agent. Such a session stays in the store: another agent may know its token.
   */
  async find(id: string): Promise<SessionView | undefined> {
    const s = await storeCall(() => this.#table.find(key(id), this.#now()));
    const principal = s && this.#tokens.lookupDigest(Buffer.from(s.owner, "base64url"));
    return principal && { principal, csrf: s.csrf, expiresAt: s.expiresAt };
  }

  close(id: string): Promise<void> {
    return storeCall(() => this.#table.close(key(id)));
  }
}

/**
 * A store call whose failure, of whatever kind, answers 503 STORE_UNAVAILABLE rather than a 500:
 * the store's own failures already are; anything else is named by its kind only.
 */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isVigilError(e)) throw e;
    throw new VigilError(
      "STORE_UNAVAILABLE",
      `the dashboard session could not be read or written in the store (${e instanceof Error ? e.name : "error"}); retry, or use a bearer token`,
      { cause: e },
    );
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
export async function cookiePrincipal(c: ApiContext, sessions: SessionStore): Promise<Principal | undefined> {
  const id = c.req.cookie(sessionCookie);
  if (id === undefined || id === "") return undefined;
  const session = await sessions.find(id);
  if (!session) {
    throw new VigilError(
      "UNAUTHENTICATED",
      "the session has ended (expired, logged out, or its token is not known to this agent); log in again",
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
