/**
 * The claim verifier every surface reaches (the API, the claims watcher, MCP): checks a claim,
 * audits the verdict (`claim.verified`), and for a FALSE one emits `claim.false`, which people are
 * notified of, at most once per claim text per hour: an assistant repeating the same false claim
 * in a loop pages nobody twice.
 *
 * Owns: verdicts as events. Must not import: app, api, cli, notify.
 */
import type { Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import { checkClaim, maxClaimChars, type ClaimSources } from "./claims/index.ts";
import type { ClaimOrigin, ClaimVerifier, Verdict } from "./types.ts";

/** A FALSE claim's text is told once in this window. */
export const falseNoticeWindowMs = 60 * 60 * 1000;
/** Claim texts remembered for the window; past this the oldest is forgotten (and may be told again). */
export const maxRemembered = 10_000;

export interface VerifierDeps {
  bus: EventBus;
  clock: Clock;
  sources: ClaimSources;
  /** `governance.verify.timeout`, read per claim so a reload applies. */
  timeoutMs: () => number;
  /** Aborted when the agent stops: a claim in progress ends UNVERIFIABLE. */
  signal?: AbortSignal;
  /** Claim texts remembered for the once-an-hour rule (`maxRemembered` by default). */
  remember?: number;
}

export class Verifier implements ClaimVerifier {
  readonly #d: VerifierDeps;
  /** Claim text (normalised) → when it was last told. Insertion order is age order. */
  readonly #told = new Map<string, number>();

  constructor(deps: VerifierDeps) {
    this.#d = deps;
  }

  /**
   * Checks a claim, audits the verdict and notifies a FALSE one. Throws VALIDATION_FAILED for an
   * empty or too long claim (naming the `claim` field).
   *
   * @example const v = await verifier.verify("Port 5432 is listening", { by: "claude", source: "api" });
   */
  async verify(claim: string, origin: ClaimOrigin): Promise<Verdict> {
    if (claim.trim() === "")
      throw new VigilError(
        "VALIDATION_FAILED",
        'claim: give the claim\'s text, e.g. "Port 5432 is listening"',
      );
    if (claim.length > maxClaimChars)
      throw new VigilError(
        "VALIDATION_FAILED",
        `claim: at most ${maxClaimChars} characters (got ${claim.length}); send one claim at a time`,
      );
    const verdict = await checkClaim(claim, this.#d.sources, {
      timeoutMs: this.#d.timeoutMs(),
      ...(this.#d.signal ? { signal: this.#d.signal } : {}),
    });
    const payload = {
      ...verdict,
      claim: withoutUserinfo(verdict.claim),
      source: origin.source,
      by: origin.by,
    };
    await this.#d.bus.emit("claim.verified", "claim", payload, origin.by);
    if (verdict.verdict === "FALSE" && this.#firstInWindow(claim)) {
      await this.#d.bus.emit("claim.false", "claim", payload, origin.by);
    }
    return verdict;
  }

  #firstInWindow(claim: string): boolean {
    const key = claim.trim().replace(/\s+/g, " ").toLowerCase();
    const now = this.#d.clock.now();
    const last = this.#told.get(key);
    if (last !== undefined && now - last < falseNoticeWindowMs) return false;
    this.#told.delete(key);
    this.#told.set(key, now);
    for (const [k, at] of this.#told) {
      if (this.#told.size <= (this.#d.remember ?? maxRemembered) && now - at < falseNoticeWindowMs) break;
      this.#told.delete(k);
    }
    return true;
  }
}

/** `https://user:secret@host/` as `https://***@host/`: a claim is audited, a password in it is not. */
function withoutUserinfo(text: string): string {
  return text.replace(/(\bhttps?:\/\/)[^\s/@]+@/gi, "$1***@");
}
