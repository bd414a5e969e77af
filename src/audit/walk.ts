/**
 * The walk of one hash chain (verify.ts runs one per chain of the table): links, hashes, MACs,
 * resets, and the anchors that fall on its rows. What it proves and why is in verify.ts.
 */
import type { ChainRow } from "../store/store.ts";
import { GENESIS, rowHash } from "./chain.ts";
import type { AuditKey } from "./key.ts";
import type { ChainResult, KnownHead } from "./verify.ts";

const short = (h: string) => h.slice(0, 8);

export interface WalkOptions {
  key: AuditKey | undefined;
  /** Every row is the verifier's own: a row MACed by another key, or unMACed after MACed ones, is forged. */
  single: boolean;
  /** Anchors of this chain: they decide which rows need a MAC and which are proven without one. */
  own: readonly KnownHead[];
  /** Whether to let a vouching anchor prove rows without computing their MACs. */
  trustAnchors: boolean;
  /** The hash the chain's first row links to (an agent's chain: the legacy chain's newest row then). */
  firstLink: () => string;
}

export class Walk {
  readonly #key: AuditKey | undefined;
  readonly #single: boolean;
  readonly #firstLink: () => string;
  readonly #resets: NonNullable<ChainResult["resets"]> = [];
  readonly #uncheckedWhy = new Set<string>();
  /** From the anchor file: rows of the chain from this seq on must carry a MAC. */
  readonly #macRequiredFrom: number = Infinity;
  /** Rows up to here are proven by a vouching anchor (if it matches): their HMACs are not computed. */
  readonly #provenThrough: number = 0;
  /** Whether any row's HMAC was left to an anchor. */
  skippedMacs = false;
  #unchecked = 0;
  #macChecked = 0;
  #count = 0;
  /** The last row read, good or not: where the chain ends. */
  tip: { seq: number; hash: string } | undefined;
  // The chain being walked (since the last reset):
  #expectedSeq: number | undefined;
  #prev: string | undefined;
  #lastSeq = 0;
  #broken: { seq: number; reason: string } | undefined;
  #macSeen = false;
  #notMacedBefore: number | undefined;

  constructor(opts: WalkOptions) {
    this.#key = opts.key;
    this.#single = opts.single;
    this.#firstLink = opts.firstLink;
    for (const a of opts.own) {
      if (opts.trustAnchors && a.vouches && a.hash.length === 64)
        this.#provenThrough = Math.max(this.#provenThrough, a.seq);
      if (a.mac_from !== undefined) this.#macRequiredFrom = Math.min(this.#macRequiredFrom, a.mac_from);
    }
  }

  /**
   * Walks the next row of this chain. `contiguous`: the chain's seqs have no gaps (the one chain of
   * a table no agent's chain shares), so a missing seq is a missing row. `anchors` are those at its seq.
   */
  row(
    r: ChainRow,
    contiguous: boolean,
    anchors: readonly KnownHead[],
    held: (a: KnownHead, ok: boolean) => void,
  ): void {
    if (this.#prev === undefined) {
      this.#prev = this.#firstLink();
      this.#expectedSeq = contiguous ? 1 : r.seq;
    }
    if (!contiguous) this.#expectedSeq = r.seq;
    this.tip = { seq: r.seq, hash: r.hash };
    if (this.#isReset(r)) this.#startChain(r);
    if (this.#broken) return;
    const reason = this.#problem(r);
    if (reason !== undefined) {
      this.#broken = { seq: Math.min(r.seq, this.#expectedSeq!), reason };
      return;
    }
    this.#prev = r.hash;
    this.#expectedSeq = r.seq + 1;
    this.#lastSeq = r.seq;
    this.#count += 1;
    for (const a of anchors) {
      const ok = a.hash.length >= 8 && r.hash.startsWith(a.hash);
      held(a, ok);
      if (!ok && !this.#broken) {
        this.#broken = {
          seq: r.seq,
          reason: `seq ${r.seq} has hash #${short(r.hash)}, but ${a.source} says #${short(a.hash)}: the chain up to it was rewritten`,
        };
      }
    }
  }

  /**
   * An anchor past what this chain holds: the rows up to it were deleted. The first of them is the
   * seq after the chain's end when its seqs are gapless; in an agent's chain, only the anchor's is known.
   */
  cutShort(a: KnownHead, gapless: boolean): void {
    if (this.#broken) return;
    const end = this.tip?.seq ?? 0;
    this.#broken = {
      seq: gapless ? end + 1 : a.seq,
      reason:
        a.seq > end
          ? `chain ends at seq ${end}, anchor says ${a.seq} (${a.source}): the events after seq ${end} were deleted`
          : `seq ${a.seq} is not in the chain, but ${a.source} says it is: the row was deleted`,
    };
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
    if (rowHash(r.prev_hash, r) !== r.hash) return `seq ${r.seq} does not match its hash: the row was edited`;
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
    if (check === "ok") {
      this.#macChecked += 1;
      return undefined;
    }
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

  result(agent: string | null): ChainResult {
    const broken = this.#broken;
    return {
      agent,
      ok: !broken,
      count: this.#count,
      last_seq: this.#lastSeq,
      mac_checked: this.#macChecked,
      ...(broken ? { first_bad_seq: broken.seq, reason: broken.reason } : {}),
      // Without a key nothing was MACed or checked: "not MACed" would tell nothing.
      ...(this.#key && this.#notMacedBefore !== undefined ? { not_maced_before: this.#notMacedBefore } : {}),
      ...(this.#unchecked > 0
        ? { mac_unchecked: { rows: this.#unchecked, why: [...this.#uncheckedWhy] } }
        : {}),
      ...(this.#resets.length > 0 ? { resets: this.#resets } : {}),
    };
  }
}
