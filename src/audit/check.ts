/**
 * Verification of a store together with the files beside it in agent.data_dir: the key that checks
 * the MACs and the anchor that says where the chain had reached. The same check runs at start (a
 * failure stops the start), through the running agent (`GET /api/audit/verify`) and offline
 * (`vigil audit verify -c`).
 */
import path from "node:path";
import type { Store } from "../store/store.ts";
import { auditAnchorFile, readAnchor, type Anchor } from "./anchor.ts";
import type { AuditKey } from "./key.ts";
import { walkChains, type ChainResult, type KnownHead, type VerifyResult } from "./verify.ts";

export interface StoreCheck {
  result: VerifyResult;
  /** The anchor file's content, when it was there and signed by the key. */
  anchor: Anchor | undefined;
  /** The newest row of this agent's chain, whatever the chain says of it. */
  tip: { seq: number; hash: string } | undefined;
  /**
   * What stops this agent's start: the files beside the store, and breaks in the chains this agent
   * answers for (its own, and the one its anchor file holds). Another agent's broken chain is that
   * agent's to answer for, at its own start; `audit verify` reports it to everyone.
   */
  problems: string[];
}

/**
 * The chain an agent writes: on PostgreSQL, shared by a fleet, its own (named by agent.name); on
 * SQLite, one agent's file, the store's one chain as before.
 */
export function ownChain(store: Store, agentName: string): string | undefined {
  return store.db.dialect === "postgres" ? agentName : undefined;
}

/**
 * Walks the chain against the anchor file (and `also`: heads known otherwise). Files that are
 * missing or do not match are problems as much as a bad row: a deleted anchor is how a truncation
 * would hide, a deleted key how a forgery would.
 */
export async function checkStore(o: {
  store: Store;
  dataDir: string;
  key: AuditKey | undefined;
  /** This agent's chain (`ownChain`); undefined: the store's one chain. */
  own?: string | undefined;
  also?: readonly KnownHead[];
}): Promise<StoreCheck> {
  const singleWriter = o.store.db.dialect === "sqlite";
  const found = readAnchor(o.dataDir, o.key);
  const file = path.basename(auditAnchorFile(o.dataDir));
  const problems: string[] = [];
  if (found.state === "invalid") problems.push(found.problem);
  if (found.state === "missing" && o.key) {
    problems.push(
      `${auditAnchorFile(o.dataDir)} is missing, though audit.key is there: the anchor was deleted`,
    );
  }
  if (found.state !== "missing" && !o.key) {
    problems.push(`audit.key is missing from ${o.dataDir}, though ${file} is there: the key was deleted`);
  }
  const anchor = found.state === "ok" ? found.anchor : undefined;
  const vouches = found.state === "ok" && found.signature === "valid";
  const anchors: KnownHead[] = [
    ...(anchor ? [{ source: file, ...anchor, chain: anchor.chain ?? null, vouches }] : []),
    ...(o.also ?? []),
  ];
  const { result, tips } = await walkChains(() => o.store.scanEvents(), {
    key: o.key,
    singleWriter,
    own: o.own,
    anchors,
  });
  // One writer, no key, and MACed rows: the key that made them is gone. (A fleet's new agent has
  // no key yet and reads the others' MACs; that is no sign of anything.)
  if (!o.key && singleWriter && result.mac_unchecked) {
    problems.push(
      `rows of the chain carry MACs, but audit.key is missing from ${o.dataDir}: the key was deleted`,
    );
  }
  return {
    result: problems.length > 0 ? withProblems(result, problems) : result,
    anchor,
    tip: tips.get(o.own ?? null),
    problems: [
      ...problems,
      ...answeredFor(result, o.own ?? null, anchor ? (anchor.chain ?? null) : undefined),
    ],
  };
}

/** The breaks of this agent's own chain and of the chain its anchor holds, each said once. */
function answeredFor(r: VerifyResult, own: string | null, anchored: string | null | undefined): string[] {
  if (!r.chains) return r.ok ? [] : [r.reason ?? "the chain does not verify"];
  const mine = (c: ChainResult) => c.agent === own || c.agent === anchored;
  return r.chains
    .filter((c) => mine(c) && !c.ok)
    .map((c) => (c.agent === null ? `the chain from before per-agent chains: ${c.reason}` : `${c.reason}`));
}

/** `checkStore`'s verdict alone: what the API and the CLI answer. */
export async function verifyStore(o: Parameters<typeof checkStore>[0]): Promise<VerifyResult> {
  return (await checkStore(o)).result;
}

function withProblems(r: VerifyResult, problems: string[]): VerifyResult {
  return { ...r, ok: false, reason: [...problems, ...(r.reason ? [r.reason] : [])].join("; ") };
}
