/**
 * Opening the audit log at start. The agent refuses to start on a chain that does not verify, on a
 * store that vanished (an anchor or a key in agent.data_dir, but the events gone), or when the key or
 * the anchor was deleted; appending onto such a chain would make the damage look like history.
 * `--accept-audit-reset` starts anyway: the first row it writes is `audit.reset`, the start of a
 * new chain, naming what was found, so the reset itself is on the record.
 */
import os from "node:os";
import type { Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { StoredEvent } from "../core/events.ts";
import type { Redactor } from "../core/redact.ts";
import type { Store } from "../store/store.ts";
import { AnchorKeeper, type Anchor } from "./anchor.ts";
import { AuditLog } from "./audit-log.ts";
import { GENESIS } from "./chain.ts";
import { checkStore, ownChain } from "./check.ts";
import { createAuditKey, readAuditKey } from "./key.ts";

export interface TrailOptions {
  store: Store;
  dataDir: string;
  /** agent.name: on PostgreSQL, the name of this agent's own chain (`ownChain`). */
  agent: string;
  redactor: Redactor;
  clock: Clock;
  /** `vigil up --accept-audit-reset`: start a new chain instead of refusing. */
  acceptReset: boolean;
  /** A failed anchor write on the timer (the next one tries again). */
  onAnchorError: (err: unknown) => void;
}

export interface Trail {
  audit: AuditLog;
  keeper: AnchorKeeper;
  /** The `audit.reset` row, when the start began a new chain. */
  reset?: StoredEvent | undefined;
  /** `--accept-audit-reset` was given, but the chain was sound: nothing was reset. */
  resetNotNeeded?: boolean;
}

/**
 * Checks the chain against its key and anchor, then opens the log over it: refuses (AUDIT_TAMPERED,
 * every problem named) or, with `acceptReset`, writes `audit.reset` first. The anchor file is written
 * before this returns, and then follows the head on a timer; `keeper.stop()` writes it a last time.
 */
export async function openAuditTrail(o: TrailOptions): Promise<Trail> {
  const existingKey = readAuditKey(o.dataDir);
  const own = ownChain(o.store, o.agent);
  const { result, anchor, tip, problems } = await checkStore({
    store: o.store,
    dataDir: o.dataDir,
    key: existingKey,
    own,
  });
  const found = problems;
  if (found.length > 0 && !o.acceptReset) {
    throw new VigilError(
      "AUDIT_TAMPERED",
      `the audit log of ${o.store.description} cannot be trusted: ${found.join("; ")}. The agent did not start. ` +
        `Keep a copy of ${o.dataDir} and of the database to find out what happened; then, to start a new chain ` +
        `whose first event records this, run: vigil up --accept-audit-reset`,
      { details: { problems: found, first_bad_seq: result.first_bad_seq ?? null } },
    );
  }
  const key = existingKey ?? createAuditKey(o.dataDir);
  const keeper = new AnchorKeeper({
    dataDir: o.dataDir,
    key,
    clock: o.clock,
    head: { ...startHead(anchor, tip, own, found.length === 0), at: o.clock.now() },
    onError: o.onAnchorError,
  });
  const audit = new AuditLog(o.store, o.redactor, {
    key,
    chain: own,
    anchor: { dataDir: o.dataDir, keeper },
  });
  let reset: StoredEvent | undefined;
  if (found.length > 0) {
    reset = await audit.appendReset({
      type: "audit.reset",
      subject: "audit",
      actor: "vigil",
      ts: o.clock.now(),
      payload: {
        found,
        previous_tip_seq: tip?.seq ?? 0,
        anchor_seq: anchor?.seq ?? null,
        accepted_by: `${userName()} (vigil up --accept-audit-reset)`,
      },
    });
  }
  await keeper.flush();
  keeper.start();
  return { audit, keeper, reset, resetNotNeeded: o.acceptReset && found.length === 0 };
}

/**
 * Where the anchor starts: the head of this agent's chain. A sound anchor carries where MACs begin;
 * without one (the first start, or a store from before the key), MACs begin with the next row. An
 * agent of a fleet that has not written to its own chain yet keeps holding what its anchor held
 * (the chain from before per-agent chains, after an upgrade) until its first row.
 */
function startHead(
  anchor: Omit<Anchor, "at"> | undefined,
  tip: { seq: number; hash: string } | undefined,
  own: string | undefined,
  sound: boolean,
): Omit<Anchor, "at"> {
  if (sound && anchor && !tip && anchor.chain !== own) return anchor;
  // Every row of an agent's own chain carries a MAC: the key exists before its first row.
  const fresh = own === undefined ? (tip?.seq ?? 0) + 1 : 0;
  const macFrom = sound && anchor && anchor.chain === own ? anchor.mac_from : fresh;
  return { chain: own, seq: tip?.seq ?? 0, hash: tip?.hash ?? GENESIS, mac_from: macFrom };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}
