/**
 * The hash chain. Each row's hash covers the previous row's hash and the canonical encoding of its
 * own fields, so editing, deleting or reordering any row breaks every hash after it:
 *
 *   hash = sha256_hex(prev_hash ‖ canonical JSON of [seq, ts, actor, type, subject, payload])
 *
 * `payload` is stored as canonical JSON text, so verification hashes the stored bytes directly and
 * never re-encodes what it reads.
 */
import { hash } from "node:crypto";
import { canonicalJson } from "../core/canonical.ts";
import type { NewEvent, StoredEvent } from "../core/events.ts";
import type { Redactor } from "../core/redact.ts";
import type { ChainTip } from "../store/store.ts";

/** The prev_hash of the first row. */
export const GENESIS = "0".repeat(64);

/** Strings that JSON encodes as themselves in quotes: the common case, without JSON.stringify's cost. */
const plain = /^[^"\\\u0000-\u001f\u2028\u2029]*$/;
const quote = (s: string): string => (plain.test(s) ? `"${s}"` : JSON.stringify(s));

export function rowHash(prevHash: string, r: Omit<StoredEvent, "prev_hash" | "hash">): string {
  const body = `[${r.seq},${r.ts},${quote(r.actor)},${quote(r.type)},${quote(r.subject)},${r.payload}]`;
  // One-shot hashing: several times faster than createHash() for inputs this small.
  return hash("sha256", prevHash + body, "hex");
}

/**
 * Seals new events onto the chain. Payloads are redacted here, the last point before anything is
 * written, so no caller can forget to.
 */
export function makeSealer(redactor: Redactor) {
  return (tip: ChainTip | undefined, events: readonly NewEvent[]): StoredEvent[] => {
    let seq = tip?.seq ?? 0;
    let prev = tip?.hash ?? GENESIS;
    return events.map((e) => {
      seq += 1;
      const row = {
        seq,
        ts: e.ts,
        actor: redactor.redactString(e.actor),
        type: e.type,
        subject: redactor.redactString(e.subject),
        payload: canonicalJson(redactor.redact(e.payload)),
      };
      const hash = rowHash(prev, row);
      const sealed: StoredEvent = { ...row, prev_hash: prev, hash };
      prev = hash;
      return sealed;
    });
  };
}

export interface VerifyResult {
  ok: boolean;
  /** Rows checked. */
  count: number;
  /** The last seq that checked out. */
  last_seq: number;
  /** The first row that does not: edited, missing, or out of place. */
  first_bad_seq?: number;
  reason?: string;
}

/**
 * Walks pages of rows in seq order and checks each link. Stops at the first bad row: everything
 * after it is unproven anyway.
 */
export async function verifyChain(pages: AsyncIterable<StoredEvent[]>): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prev = GENESIS;
  let count = 0;
  for await (const page of pages) {
    for (const r of page) {
      let reason: string | undefined;
      if (r.seq !== expectedSeq) reason = `expected seq ${expectedSeq} but found ${r.seq}: a row is missing`;
      else if (r.prev_hash !== prev) {
        reason = `seq ${r.seq} does not link to the row before it: rows were reordered or replaced`;
      } else if (rowHash(prev, r) !== r.hash)
        reason = `seq ${r.seq} does not match its hash: the row was edited`;
      if (reason !== undefined) {
        return {
          ok: false,
          count,
          last_seq: expectedSeq - 1,
          first_bad_seq: Math.min(r.seq, expectedSeq),
          reason,
        };
      }
      prev = r.hash;
      expectedSeq += 1;
      count += 1;
    }
  }
  return { ok: true, count, last_seq: expectedSeq - 1 };
}
