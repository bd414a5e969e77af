/**
 * The claims watcher, wired: it follows `governance.claims.file` when one is set, verifies through
 * the agent's claim verifier, keeps its position in the store and asks the audit log whether a claim
 * left in doubt by a crash was verified. A reload that changes the setting follows the new one.
 */
import type { StoredEvent } from "../core/events.ts";
import { ClaimsWatcher, type PositionKeeper, type WatchPosition } from "../governance/claims-watcher.ts";
import type { ClaimVerifier } from "../governance/types.ts";
import type { Core, Wiring } from "./wiring.ts";

const positionKey = "governance.claims.position";
/** Audit entries looked through for a claim left in doubt: a crash leaves it a few entries back. */
const doubtScanLimit = 10_000;

export interface ClaimsWatcherWiring extends Wiring {
  core: Core;
  verifier: ClaimVerifier;
}

/** Starts the watcher when configured; returns what a reload calls. */
export async function wireClaimsWatcher(w: ClaimsWatcherWiring): Promise<{ reload: () => Promise<void> }> {
  let current: { key: string; watcher: ClaimsWatcher } | undefined;
  const follow = async () => {
    const claims = w.config().governance.claims;
    const key = JSON.stringify(claims ?? null);
    if (current?.key === key) return;
    await current?.watcher.stop();
    current = undefined;
    if (!claims) return;
    const watcher = new ClaimsWatcher({
      ...claims,
      verifier: w.verifier,
      positions: storePositions(w),
      auditHead: () => w.core.audit.head?.seq ?? 0,
      verifiedSince: (seq, claim, by) => verifiedSince(w, seq, claim, by),
      skipped: async (s) => void (await w.bus.emit("claims.line_skipped", "claims", { ...s }, "watcher")),
      clock: w.clock,
      log: w.log.child({ component: "claims-watcher" }),
    });
    current = { key, watcher };
    await watcher.start();
  };
  w.lifecycle.defer("claims watcher", () => current?.watcher.stop());
  await follow();
  return { reload: follow };
}

function storePositions({ store }: Wiring): PositionKeeper {
  return {
    load: async () => {
      const raw = await store.getMeta(positionKey);
      try {
        return raw === undefined ? undefined : (JSON.parse(raw) as WatchPosition);
      } catch {
        return undefined;
      }
    },
    save: (p) => store.setMeta(positionKey, JSON.stringify(p)),
  };
}

/** Whether the audit log holds this claim, by this worker, from the watcher, after `seq`. */
async function verifiedSince(
  w: ClaimsWatcherWiring,
  seq: number,
  claim: string,
  by: string,
): Promise<boolean> {
  let after = seq;
  for (let seen = 0; seen < doubtScanLimit;) {
    const page: StoredEvent[] = await w.core.audit.page(after, 500);
    if (page.length === 0) return false;
    for (const e of page) {
      if (e.type !== "claim.verified") continue;
      const p = JSON.parse(e.payload) as { claim?: unknown; by?: unknown; source?: unknown };
      if (p.claim === claim && p.by === by && p.source === "watcher") return true;
    }
    seen += page.length;
    after = page.at(-1)!.seq;
  }
  return false;
}
