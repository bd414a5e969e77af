/**
 * One line of an AI worker's claims file, read: the claim and who made it, or why the line is skipped;
 * and the budget that keeps a file full of garbage from filling the audit log with warnings.
 *
 * Must not import: anything of the agent but core.
 */
import type { Clock } from "../core/clock.ts";
import { maxClaimChars } from "./claims/index.ts";

/** Longest line read as a claim, in bytes; a longer one is skipped. */
export const maxLineBytes = 16 * 1024;
/** Longest worker name kept. */
const maxWorkerChars = 100;

export type ClaimLine = { claim: string; by: string } | { skip: string } | { blank: true };

/**
 * Reads one line: a JSON object whose `field` is the claim and whose `byField` names the worker
 * ("unknown" when it does not). Never throws.
 */
export function readClaimLine(bytes: Uint8Array, field: string, byField: string): ClaimLine {
  if (bytes.length > maxLineBytes) return { skip: `longer than ${maxLineBytes / 1024} KB` };
  const text = Buffer.from(bytes).toString("utf8").trim();
  if (text === "") return { blank: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { skip: "not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { skip: "not a JSON object" };
  }
  const o = value as Record<string, unknown>;
  const claim = o[field];
  if (typeof claim !== "string" || claim.trim() === "") {
    return { skip: `no text in "${field}" (governance.claims.field)` };
  }
  if (claim.length > maxClaimChars) return { skip: `"${field}" is over ${maxClaimChars} characters` };
  const by = o[byField];
  const worker = typeof by === "string" && by.trim() !== "" ? by.trim().slice(0, maxWorkerChars) : "unknown";
  return { claim: claim.trim(), by: worker };
}

/**
 * At most `limit` warnings per `windowMs`; the ones held back are counted and the next warning
 * says how many there were.
 */
export class WarningBudget {
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #windowMs: number;
  #windowStart = -Infinity;
  #used = 0;
  #held = 0;

  constructor(clock: Clock, limit = 20, windowMs = 10 * 60_000) {
    this.#clock = clock;
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Undefined when this warning is held back; else how many were held back before it. */
  take(): { held: number } | undefined {
    const now = this.#clock.monotonic();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used >= this.#limit) {
      this.#held++;
      return undefined;
    }
    this.#used++;
    const held = this.#held;
    this.#held = 0;
    return { held };
  }
}
