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
import { verifyChain, type KnownHead, type VerifyResult } from "./verify.ts";

export interface StoreCheck {
  result: VerifyResult;
  /** The anchor file's content, when it was there and signed by the key. */
  anchor: Anchor | undefined;
  /** The newest row in the table, whatever the chain says of it. */
  tip: { seq: number; hash: string } | undefined;
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
  const anchors: KnownHead[] = [...(anchor ? [{ source: file, ...anchor, vouches }] : []), ...(o.also ?? [])];
  const result = await verifyChain(() => o.store.scanEvents(), { key: o.key, singleWriter, anchors });
  // One writer, no key, and MACed rows: the key that made them is gone. (A fleet's new agent has
  // no key yet and reads the others' MACs; that is no sign of anything.)
  if (!o.key && singleWriter && result.mac_unchecked) {
    problems.push(
      `rows of the chain carry MACs, but audit.key is missing from ${o.dataDir}: the key was deleted`,
    );
  }
  const [tip] = await o.store.readEvents({ limit: 1, newest: true });
  return {
    result: problems.length > 0 ? withProblems(result, problems) : result,
    anchor,
    tip: tip ? { seq: tip.seq, hash: tip.hash } : undefined,
  };
}

/** `checkStore`'s verdict alone: what the API and the CLI answer. */
export async function verifyStore(o: Parameters<typeof checkStore>[0]): Promise<VerifyResult> {
  return (await checkStore(o)).result;
}

function withProblems(r: VerifyResult, problems: string[]): VerifyResult {
  return { ...r, ok: false, reason: [...problems, ...(r.reason ? [r.reason] : [])].join("; ") };
}
