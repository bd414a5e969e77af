/**
 * Failed authentications, counted in a sliding window per client address (client-address.ts) and per
 * identity the request claims. Past a key's limit, failures are answered 429 instead of 401 until the
 * window has room again.
 *
 * The limiter only ever sees failures: a valid credential is accepted before it is asked, and a
 * success resets nothing. So a lockout never stands between an operator and the kill switch, even
 * with someone guessing from the same host or proxy; and guesses interleaved with a valid request
 * still meet the limit. What makes a token unguessable is its length (16 characters at least in the
 * config, 256 bits for the admin token); what the limiter adds is that guessing is seen (metrics, one
 * log line per lockout) and a client that keeps failing is told to stop.
 *
 * Claimed identities: a bearer token names nobody but itself, so every token guess claims the one
 * identity "token" (a guesser spread over many addresses still meets a limit); a heartbeat names its
 * check in the path, so it claims "check:<name>" too. A session cookie is never counted: its id is
 * 256 random bits, and a stale one (after a restart) is a logged-out browser, not a guess.
 *
 * Owns: the counts, lockouts, their metrics and their log lines. Must not import: app, store.
 */
import type { Logger } from "../core/log.ts";

/** Why an authentication failed: the `reason` label of `vigil_auth_failures_total`. */
export const failureReasons = ["unknown_token", "malformed_header", "login", "heartbeat"] as const;
export type FailureReason = (typeof failureReasons)[number];
export type LockoutScope = "address" | "identity";

/** What the limiter reports as it counts (the metrics). */
export interface AccessObserver {
  failed(reason: FailureReason): void;
  lockedOut(scope: LockoutScope): void;
  /** One failure answered 429. */
  rateLimited(): void;
}

export interface FailedAttempt {
  /** The limiter's key for the client (`addressKey`). */
  address: string;
  /** What the request claimed to be: "token", "check:<name>". */
  identities: readonly string[];
  reason: FailureReason;
}

export interface FailureLimiterOptions {
  /** Failures per address in a window before it is locked out. */
  limit?: number;
  /** Failures per claimed identity, from all addresses together, before it is locked out. */
  identityLimit?: number;
  windowMs?: number;
  now?: () => number;
  log?: Logger;
  observer?: AccessObserver;
}

/** The identity every bearer token (and login) claims. */
export const tokenIdentity = "token";

interface KeyState {
  /** The newest failures in the window, at most `limit` of them. */
  times: number[];
  /** Until then a new lockout of this key continues the last one (no second log line). */
  episodeUntil: number;
}

/** Lockout log lines per window, whatever the number of addresses: a line per lockout, not a flood. */
const maxLogLines = 10;

/**
 * @example
 * const wait = limiter.fail({ address: clientAddress(c), identities: [tokenIdentity], reason: "unknown_token" });
 * if (wait > 0) throw new VigilError("RATE_LIMITED", `retry in ${wait}s`);
 */
export class FailureLimiter {
  /** Bounded: past `maxKeys` the least recently failing key is dropped. */
  static readonly maxKeys = 10_000;
  readonly #keys = new Map<string, KeyState>();
  readonly #limit: number;
  readonly #identityLimit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #observer: AccessObserver | undefined;
  #logged: number[] = [];
  #notLogged = 0;

  constructor(opts: FailureLimiterOptions = {}) {
    this.#limit = opts.limit ?? 10;
    this.#identityLimit = opts.identityLimit ?? this.#limit * 10;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log;
    this.#observer = opts.observer;
  }

  /**
   * Counts a failure. Returns 0 when it is answered as a failure (401), or the seconds to put in
   * Retry-After when its address or an identity it claims was already locked out (429).
   */
  fail(attempt: FailedAttempt): number {
    this.#observer?.failed(attempt.reason);
    const keys: [string, number, LockoutScope][] = [
      [`address ${attempt.address}`, this.#limit, "address"],
      ...attempt.identities.map((id): [string, number, LockoutScope] => [
        `identity ${id}`,
        this.#identityLimit,
        "identity",
      ]),
    ];
    let wait = 0;
    for (const [key, limit, scope] of keys) {
      const until = this.#count(key, limit, scope, attempt);
      if (until > 0) wait = Math.max(wait, Math.max(1, Math.ceil((until - this.#now()) / 1000)));
    }
    if (wait > 0) this.#observer?.rateLimited();
    return wait;
  }

  /** Adds a failure to one key; returns when its lockout ends if it was locked before this one, else 0. */
  #count(key: string, limit: number, scope: LockoutScope, attempt: FailedAttempt): number {
    const now = this.#now();
    const state = this.#keys.get(key) ?? { times: [], episodeUntil: 0 };
    state.times = state.times.filter((t) => t > now - this.#windowMs);
    const wasLocked = state.times.length >= limit;
    state.times.push(now);
    if (state.times.length > limit) state.times.shift();
    // Re-inserted, so the map's order is "least recently failing first" for the bound below.
    this.#keys.delete(key);
    this.#keys.set(key, state);
    if (this.#keys.size > FailureLimiter.maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
    const until = state.times.length >= limit ? state.times[0]! + this.#windowMs : 0;
    if (wasLocked) return until;
    if (until > 0) {
      if (now >= state.episodeUntil) this.#lockedOut(scope, key, attempt, until);
      // A guesser who keeps to exactly the limit stays in one lockout rather than starting one a window.
      state.episodeUntil = until + this.#windowMs;
    }
    return 0;
  }

  #lockedOut(scope: LockoutScope, key: string, attempt: FailedAttempt, until: number): void {
    this.#observer?.lockedOut(scope);
    if (!this.#log) return;
    const now = this.#now();
    this.#logged = this.#logged.filter((t) => t > now - this.#windowMs);
    if (this.#logged.length >= maxLogLines) {
      this.#notLogged++;
      return;
    }
    this.#logged.push(now);
    this.#log.warn(
      {
        scope,
        key: key.slice(key.indexOf(" ") + 1),
        address: attempt.address,
        reason: attempt.reason,
        failures: scope === "address" ? this.#limit : this.#identityLimit,
        window_s: Math.round(this.#windowMs / 1000),
        retry_after_s: Math.ceil((until - now) / 1000),
        ...(this.#notLogged > 0 ? { lockouts_not_logged: this.#notLogged } : {}),
      },
      "authentication lockout: further failures get 429 until the window has room; valid tokens still pass",
    );
    this.#notLogged = 0;
  }
}
