/**
 * The fleet's shared checks wired to this agent: which it runs is worked out from the agents table
 * (fleet/shared-checks.ts); what it takes over carries on from the stored row and open incident.
 * Only on PostgreSQL: on SQLite, one agent, every check runs here.
 */
import type { Incidents } from "../incidents/incidents.ts";
import type { Membership } from "../fleet/membership.ts";
import { SharedChecks } from "../fleet/shared-checks.ts";
import type { Supervision } from "./supervision.ts";
import type { Wiring } from "./wiring.ts";

export async function wireSharedChecks(
  w: Wiring & { fleet: Membership; supervision: Supervision; incidents: Incidents },
): Promise<void> {
  if (w.store.db.dialect !== "postgres") return;
  const log = w.log.child({ component: "shared-checks" });
  const shared = new SharedChecks({
    self: w.config().agent.name,
    leaseMs: w.config().agent.lease,
    clock: w.clock,
    roster: () => w.fleet.roster(),
    heldUntil: () => w.fleet.heldUntil,
    mine: () => w.supervision.sharedChecks(),
    apply: async (s) => {
      const { adopted, released } = await w.supervision.share(s);
      w.incidents.release(released);
      if (adopted.length > 0) await w.incidents.adopt(adopted);
      await w.incidents.interruptOrphaned(s.live);
      if (adopted.length > 0 || released.length > 0)
        log.info(
          { took: adopted.length, gave_up: released.length },
          !s.handOver
            ? "this agent's lease ran out: it runs no shared check until it renews"
            : "shared checks moved",
        );
    },
    onError: (err) => log.warn({ err }, "shared checks not shared out; the next pass tries again"),
  });
  await shared.start();
  w.lifecycle.defer("shared checks", () => shared.stop());
}
