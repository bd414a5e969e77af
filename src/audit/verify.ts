/**
 * Verification: walks the rows in seq order and holds them to the three proofs. The hash chain shows
 * that no row was edited, dropped or moved without recomputing the hashes after it; each row's MAC
 * shows that whoever recomputed them held the audit key; the anchors (where the chain is known to
 * have reached: the anchor file, the running agent's memory) show that nothing was cut off the end.
 *
 * A row at or before an anchor that vouches for its full hash (the signed anchor file, the agent's
 * memory) needs no MAC check of its own: the hash chain ties it to the anchored hash, which no one
 * without the key could have produced. So the MAC (an HMAC, twice the cost of a row's hash) is
 * computed only for the rows after the newest such anchor, and a start does not pay for a full
 * MAC walk of a long chain. Should the walk fail, it runs again checking every MAC, to name the row.
 *
 * An `audit.reset` row starts a new chain (it links to GENESIS): what was wrong before it was
 * accepted by whoever started the agent with `--accept-audit-reset`, and the result lists every
 * reset with what it found, so a reset is never quiet. Only the chain since the last reset decides
 * `ok`.
 */
import type { ChainRow } from "../store/store.ts";
import { GENESIS, rowHash } from "./chain.ts";
import type { AuditKey } from "./key.ts";

/** A point the chain is known to have reached, and who says so. */
export interface KnownHead {
  /** "audit.anchor", "the running agent", ...: named in a problem. */
  source: string;
  seq: number;
  /** The row's hash, or its first hex digits (at least 8) as a notification carries it. */
  hash: string;
  /** The anchor file's: rows of the chain from this seq on must carry a MAC. */
  mac_from?: number;
  /**
   * A full hash from a source no one without the key can forge (the signed anchor file, the running
   * agent's memory): rows up to it are proven by the chain, without checking each MAC.
   */
  vouches?: boolean;
}

export interface VerifyOptions {
  /** Without a key, MACs are not checked, and the result says so. */
  key?: AuditKey | undefined;
  /**
   * One writer (SQLite): every row is this agent's, so a row MACed by another key, or without a MAC
   * after MACed ones, is forged. Several (PostgreSQL): the other agents' rows carry their own keys,
   * or none from an older version: those rows are counted as unchecked, not as tampering.
   */
  singleWriter?: boolean;
  anchors?: readonly KnownHead[];
}

export interface VerifyResult {
  ok: boolean;
  /** Rows that checked out. */
  count: number;
  /** The last seq that checked out. */
  last_seq: number;
  /** The first row that does not (edited, missing, out of place, forged), or the first one missing at the end. */
  first_bad_seq?: number;
  reason?: string;
  /** Rows before this seq were written before the audit key existed: they verify by hash only. */
  not_maced_before?: number;
  /** Rows whose MAC this verifier could not check, and why. */
  mac_unchecked?: { rows: number; why: string[] };
  /** Each anchor held against the chain, and whether it matched. */
  anchors?: { source: string; seq: number; hash: string; ok: boolean }[];
  /** Where a new chain began, what its `audit.reset` found, and what this walk found before it. */
  resets?: { seq: number; ts: number; found: string[]; before?: string }[];
}

/**
 * Walks every page of `scan()` and returns what it found; stops checking a chain at its first bad
 * row. `scan` is called a second time only when a walk that relied on anchors fails.
 */
export async function verifyChain(
  scan: () => AsyncIterable<ChainRow[]>,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const walk = new Walk(opts, true);
  for await (const page of scan()) for (const r of page) walk.row(r);
  const result = walk.result();
  if (result.ok || !walk.skippedMacs) return result;
  const full = new Walk(opts, false);
  for await (const page of scan()) for (const r of page) full.row(r);
  return full.result();
}

const short = (h: string) => h.slice(0, 8);

class Walk {
  readonly #key: AuditKey | undefined;
  readonly #single: boolean;
  readonly #anchors = new Map<number, KnownHead[]>();
  readonly #anchorResults: NonNullable<VerifyResult["anchors"]> = [];
  readonly #resets: NonNullable<VerifyResult["resets"]> = [];
  readonly #uncheckedWhy = new Set<string>();
  /** From the anchor file: rows of the chain from this seq on must carry a MAC. */
  readonly #macRequiredFrom: number = Infinity;
  /** Rows up to here are proven by a vouching anchor (if it matches): their HMACs are not computed. */
  readonly #provenThrough: number = 0;
  /** Whether any row's HMAC was left to an anchor. */
  skippedMacs = false;
  #unchecked = 0;
  #count = 0;
  /** The last row read, good or not: where the table ends. */
  #tip = 0;
  // The chain being walked (since the last reset):
  #expectedSeq = 1;
  #prev = GENESIS;
  #lastSeq = 0;
  #broken: { seq: number; reason: string } | undefined;
  #macSeen = false;
  #notMacedBefore: number | undefined;

  constructor(opts: VerifyOptions, trustAnchors: boolean) {
    this.#key = opts.key;
    this.#single = opts.singleWriter ?? true;
    for (const a of opts.anchors ?? []) {
      if (a.seq > 0) this.#anchors.set(a.seq, [...(this.#anchors.get(a.seq) ?? []), a]);
      if (trustAnchors && a.vouches && a.hash.length === 64)
        this.#provenThrough = Math.max(this.#provenThrough, a.seq);
      if (a.mac_from !== undefined) this.#macRequiredFrom = Math.min(this.#macRequiredFrom, a.mac_from);
    }
  }

  row(r: ChainRow): void {
    this.#tip = r.seq;
    if (this.#isReset(r)) this.#startChain(r);
    if (this.#broken) return;
    const reason = this.#problem(r);
    if (reason !== undefined) {
      this.#broken = { seq: Math.min(r.seq, this.#expectedSeq), reason };
      return;
    }
    this.#prev = r.hash;
    this.#expectedSeq = r.seq + 1;
    this.#lastSeq = r.seq;
    this.#count += 1;
    for (const a of this.#anchors.get(r.seq) ?? []) {
      const ok = a.hash.length >= 8 && r.hash.startsWith(a.hash);
      this.#anchorResults.push({ source: a.source, seq: a.seq, hash: a.hash, ok });
      if (!ok && !this.#broken) {
        this.#broken = {
          seq: r.seq,
          reason: `seq ${r.seq} has hash #${short(r.hash)}, but ${a.source} says #${short(a.hash)}: the chain up to it was rewritten`,
        };
      }
    }
  }

  /** An `audit.reset` that links to GENESIS, is intact, and carries a MAC that holds (or cannot be checked here). */
  #isReset(r: ChainRow): boolean {
    if (r.type !== "audit.reset" || r.prev_hash !== GENESIS || r.mac === null) return false;
    if (rowHash(GENESIS, r) !== r.hash) return false;
    if (!this.#key) return true;
    const mac = this.#key.check(r.mac, r.hash);
    return mac === "ok" || (mac === "other-key" && !this.#single);
  }

  #startChain(r: ChainRow): void {
    let found: string[] = [];
    try {
      const p = JSON.parse(r.payload) as { found?: unknown };
      if (Array.isArray(p.found)) found = p.found.filter((f): f is string => typeof f === "string");
    } catch {
      // The hash and MAC held, so the payload is what the agent wrote; a non-object just has no list.
    }
    const before = this.#broken?.reason;
    this.#resets.push({ seq: r.seq, ts: r.ts, found, ...(before ? { before } : {}) });
    this.#expectedSeq = r.seq;
    this.#prev = GENESIS;
    this.#broken = undefined;
    this.#macSeen = false;
    this.#notMacedBefore = undefined;
  }

  #problem(r: ChainRow): string | undefined {
    if (r.seq !== this.#expectedSeq)
      return `expected seq ${this.#expectedSeq} but found ${r.seq}: a row is missing`;
    if (r.prev_hash !== this.#prev)
      return `seq ${r.seq} does not link to the row before it: rows were reordered or replaced`;
    if (rowHash(this.#prev, r) !== r.hash) return `seq ${r.seq} does not match its hash: the row was edited`;
    return r.mac === null ? this.#noMac(r) : this.#macProblem(r, r.mac);
  }

  #noMac(r: ChainRow): string | undefined {
    const required = this.#macRequiredFrom;
    if (r.seq >= required || this.#macSeen) {
      if (!this.#single)
        return this.#uncheck("rows without a MAC (written by an agent of an older version?)");
      return r.seq >= required
        ? `seq ${r.seq} has no MAC, but the anchor says rows from seq ${required} on carry one: the row was replaced`
        : `seq ${r.seq} has no MAC, though the rows before it have one: the row was replaced`;
    }
    // Written before the key existed (an upgraded store): the hash still holds it.
    this.#notMacedBefore = r.seq + 1;
    return undefined;
  }

  #macProblem(r: ChainRow, mac: string): string | undefined {
    this.#macSeen = true;
    if (!this.#key) return this.#uncheck("no audit key at hand (agent.data_dir/audit.key)");
    let check = this.#key.check(mac, r.hash, r.seq > this.#provenThrough);
    if (check === "unchecked") {
      this.skippedMacs = true;
      check = "ok";
    }
    if (check === "ok") return undefined;
    if (check === "mismatch")
      return `seq ${r.seq} does not match its MAC: the row was rewritten and its hashes recomputed by someone without audit.key`;
    const id = mac.slice(0, mac.indexOf(":"));
    if (!this.#single) return this.#uncheck(`MACed by another agent's key (${id})`);
    return `seq ${r.seq} is MACed by key ${id}, not by this agent's audit.key (${this.#key.id}): the key was replaced, or the row forged`;
  }

  #uncheck(why: string): undefined {
    this.#unchecked += 1;
    this.#uncheckedWhy.add(why);
    return undefined;
  }

  result(): VerifyResult {
    let broken = this.#broken;
    if (!broken) {
      // Rows cut off the end leave a chain valid in itself: only an anchor past its end shows it.
      const past = [...this.#anchors.values()].flat().filter((a) => a.seq > this.#tip);
      for (const a of past)
        this.#anchorResults.push({ source: a.source, seq: a.seq, hash: a.hash, ok: false });
      const furthest = past.sort((a, b) => b.seq - a.seq)[0];
      if (furthest) {
        broken = {
          seq: this.#tip + 1,
          reason: `chain ends at seq ${this.#tip}, anchor says ${furthest.seq} (${furthest.source}): the events after seq ${this.#tip} were deleted`,
        };
      }
    }
    return {
      ok: !broken,
      count: this.#count,
      last_seq: this.#lastSeq,
      ...(broken ? { first_bad_seq: broken.seq, reason: broken.reason } : {}),
      // Without a key nothing was MACed or checked: "not MACed" would tell nothing.
      ...(this.#key && this.#notMacedBefore !== undefined ? { not_maced_before: this.#notMacedBefore } : {}),
      ...(this.#unchecked > 0
        ? { mac_unchecked: { rows: this.#unchecked, why: [...this.#uncheckedWhy] } }
        : {}),
      ...(this.#anchorResults.length > 0 ? { anchors: this.#anchorResults } : {}),
      ...(this.#resets.length > 0 ? { resets: this.#resets } : {}),
    };
  }
}
