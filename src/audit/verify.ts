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
 *
 * A fleet's table holds one chain per agent (migrations/018), walked side by side in one pass in seq
 * order; each is reported on its own, so a break names the agent whose chain it is in. The verifier
 * holds its own chain to its key strictly; the other agents' rows carry their own keys, so their
 * MACs are counted as unchecked, and their links, hashes and (through their own agents) anchors hold them.
 */
import type { ChainRow } from "../store/store.ts";
import { GENESIS } from "./chain.ts";
import type { AuditKey } from "./key.ts";
import { Walk } from "./walk.ts";

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
   * The chain the head is in: an agent's name, or null for the chain without one. Undefined (an
   * anchor given by hand): whichever chain holds that seq, as a seq names one row of the table.
   */
  chain?: string | null | undefined;
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
  /** The verifier's own chain in a fleet (agent.name): held to its key as strictly as one writer's. */
  own?: string | undefined;
  anchors?: readonly KnownHead[];
}

/** One chain's verdict: `agent` null is the chain without one (SQLite's, or a fleet's rows from before per-agent chains). */
export interface ChainResult {
  agent: string | null;
  ok: boolean;
  count: number;
  last_seq: number;
  /** Rows whose MAC this verifier's key checked (or its signed anchor proved). */
  mac_checked: number;
  first_bad_seq?: number;
  reason?: string;
  not_maced_before?: number;
  mac_unchecked?: { rows: number; why: string[] };
  resets?: { seq: number; ts: number; found: string[]; before?: string }[];
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
  /** Each chain on its own, when the table holds agents' chains (a fleet on PostgreSQL). */
  chains?: ChainResult[];
}

/** What one pass found: the verdict, and where each chain ends (good or not). */
export interface ChainsWalked {
  result: VerifyResult;
  tips: Map<string | null, { seq: number; hash: string }>;
}

/**
 * Walks every page of `scan()` and returns what it found; stops checking a chain at its first bad
 * row. `scan` is called a second time only when a walk that relied on anchors fails.
 */
export async function verifyChain(
  scan: () => AsyncIterable<ChainRow[]>,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  return (await walkChains(scan, opts)).result;
}

/** `verifyChain`, and where each chain ends. */
export async function walkChains(
  scan: () => AsyncIterable<ChainRow[]>,
  opts: VerifyOptions = {},
): Promise<ChainsWalked> {
  const first = await walkOnce(scan, opts, true);
  if (first.result.ok || !first.skippedMacs) return first;
  return walkOnce(scan, opts, false);
}

async function walkOnce(
  scan: () => AsyncIterable<ChainRow[]>,
  opts: VerifyOptions,
  trustAnchors: boolean,
): Promise<ChainsWalked & { skippedMacs: boolean }> {
  const anchors = opts.anchors ?? [];
  const bySeq = new Map<number, KnownHead[]>();
  for (const a of anchors) if (a.seq > 0) bySeq.set(a.seq, [...(bySeq.get(a.seq) ?? []), a]);
  const held: NonNullable<VerifyResult["anchors"]> = [];
  const seen = new Set<KnownHead>();
  const walks = new Map<string | null, Walk>();
  // The one chain's newest row so far: what an agent's first row links to (migrations/018).
  let legacyTip = GENESIS;
  let agentRows = false;
  const walkOf = (chain: string | null): Walk => {
    let w = walks.get(chain);
    if (!w) {
      const link = chain === null ? GENESIS : legacyTip;
      w = new Walk({
        key: opts.key,
        single: chain === null ? (opts.singleWriter ?? true) : chain === opts.own,
        own: anchors.filter((a) => (a.chain ?? null) === chain),
        trustAnchors,
        firstLink: () => link,
      });
      walks.set(chain, w);
    }
    return w;
  };
  for await (const page of scan()) {
    for (const r of page) {
      const chain = r.chain ?? null;
      const at = bySeq.get(r.seq) ?? [];
      at.forEach((a) => seen.add(a));
      walkOf(chain).row(r, chain === null && !agentRows, at, (a, ok) =>
        held.push({ source: a.source, seq: a.seq, hash: a.hash, ok }),
      );
      if (chain === null) legacyTip = r.hash;
      else agentRows = true;
    }
  }
  // Rows cut off the end leave a chain valid in itself: only an anchor past its end shows it.
  const past = anchors.filter((a) => a.seq > 0 && !seen.has(a)).sort((x, y) => y.seq - x.seq);
  for (const a of past) {
    held.push({ source: a.source, seq: a.seq, hash: a.hash, ok: false });
    const chain = a.chain !== undefined ? a.chain : agentRows ? undefined : null;
    // A hand-given anchor of a seq no row has: in a fleet's table, which chain lost it is unknown.
    const into = chain === undefined ? (opts.own ?? null) : chain;
    walkOf(into).cutShort(a, into === null && !agentRows);
  }
  const tips = new Map<string | null, { seq: number; hash: string }>();
  for (const [chain, w] of walks) if (w.tip) tips.set(chain, w.tip);
  // The chain from before per-agent chains first, then the agents by name.
  const chains = [...walks]
    .sort(([x], [y]) => (x === null ? -1 : y === null ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([chain, w]) => w.result(chain));
  const result = summary(chains, agentRows || chains.some((c) => c.agent !== null), held);
  return { result, tips, skippedMacs: [...walks.values()].some((w) => w.skippedMacs) };
}

const chainName = (c: ChainResult) =>
  c.agent === null ? "the chain from before per-agent chains" : `agent ${c.agent}'s chain`;

/** One chain: its verdict as it always was. Several: every chain listed, the verdict all of theirs. */
function summary(
  chains: ChainResult[],
  fleet: boolean,
  held: NonNullable<VerifyResult["anchors"]>,
): VerifyResult {
  const anchors = held.length > 0 ? { anchors: held } : {};
  if (!fleet) {
    const one = chains[0];
    const {
      agent: _a,
      mac_checked: _m,
      ...r
    } = one ?? { agent: null, ok: true, count: 0, last_seq: 0, mac_checked: 0 };
    const { resets, ...rest } = r;
    return { ...rest, ...anchors, ...(resets ? { resets } : {}) };
  }
  const bad = chains.filter((c) => !c.ok);
  const legacy = chains.find((c) => c.agent === null);
  const unchecked = chains.filter((c) => c.mac_unchecked);
  const resets = chains.flatMap((c) => c.resets ?? []);
  return {
    ok: bad.length === 0,
    count: chains.reduce((n, c) => n + c.count, 0),
    last_seq: Math.max(0, ...chains.map((c) => c.last_seq)),
    ...(bad.length > 0
      ? {
          first_bad_seq: Math.min(...bad.map((c) => c.first_bad_seq ?? Infinity)),
          reason: bad.map((c) => `${chainName(c)}: ${c.reason}`).join("; "),
        }
      : {}),
    ...(legacy?.not_maced_before !== undefined ? { not_maced_before: legacy.not_maced_before } : {}),
    ...(unchecked.length > 0
      ? {
          mac_unchecked: {
            rows: unchecked.reduce((n, c) => n + c.mac_unchecked!.rows, 0),
            why: [...new Set(unchecked.flatMap((c) => c.mac_unchecked!.why))],
          },
        }
      : {}),
    ...anchors,
    ...(resets.length > 0 ? { resets: resets.sort((x, y) => x.seq - y.seq) } : {}),
    chains,
  };
}
