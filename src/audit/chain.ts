/**
 * The hash chain. Each row's hash covers the previous row's hash and the canonical encoding of its
 * own fields, so editing, deleting or reordering any row breaks every hash after it:
 *
 *   hash = sha256_hex(prev_hash ‖ canonical JSON of [seq, ts, actor, type, subject, payload])
 *
 * A row of an agent's own chain (a fleet on PostgreSQL, migrations/018) has `chain` appended to
 * that array, so no row can be moved from one agent's chain to another's without breaking its hash.
 *
 * `payload` is stored as canonical JSON text, so verification hashes the stored bytes directly and
 * never re-encodes what it reads. The hash alone is no proof: anyone who can write the database can
 * recompute it. Each row's MAC (key.ts) and the anchor outside the database (anchor.ts) are;
 * `verify.ts` checks all three.
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
  const chain = r.chain === undefined ? "" : `,${quote(r.chain)}`;
  const body = `[${r.seq},${r.ts},${quote(r.actor)},${quote(r.type)},${quote(r.subject)},${r.payload}${chain}]`;
  // One-shot hashing: several times faster than createHash() for inputs this small.
  return hash("sha256", prevHash + body, "hex");
}

/**
 * Seals new events onto the chain. Payloads are redacted here, the last point before anything is
 * written, so no caller can forget to. `restart` seals them as a new chain (the first row links to
 * GENESIS) that continues the seq: what `audit.reset` starts. `chain` names the agent's own chain
 * (undefined: the store's one chain); the store's tip gives the seq of the table and the hash of
 * that chain's newest row.
 */
export function makeSealer(redactor: Redactor, opts: { restart?: boolean; chain?: string | undefined } = {}) {
  const chain = opts.chain === undefined ? {} : { chain: opts.chain };
  return (tip: ChainTip | undefined, events: readonly NewEvent[]): StoredEvent[] => {
    let seq = tip?.seq ?? 0;
    let prev = opts.restart ? GENESIS : (tip?.hash ?? GENESIS);
    return events.map((e) => {
      seq += 1;
      const row = {
        seq,
        ts: e.ts,
        actor: redactor.redactString(e.actor),
        type: e.type,
        subject: redactor.redactString(e.subject),
        payload: canonicalJson(redactor.redactEvent(e.type, e.payload)),
        ...chain,
      };
      const hash = rowHash(prev, row);
      const sealed: StoredEvent = { ...row, prev_hash: prev, hash };
      prev = hash;
      return sealed;
    });
  };
}
