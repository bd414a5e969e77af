/**
 * The audit log over the open store and the event bus that writes through it: what every other
 * part records with. Opened right after the store (and the fleet's membership), before anything
 * that emits; the stop is the last event.
 */
import { openAuditTrail } from "../audit/trail.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Clock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { Redactor } from "../core/redact.ts";
import type { Store } from "../store/store.ts";

export interface AuditWiring {
  store: Store;
  dataDir: string;
  /** agent.name: a fleet's agents each append to a chain of their own. */
  agent: string;
  redactor: Redactor;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  /** `vigil up --accept-audit-reset`. */
  acceptReset: boolean;
  /** Why the agent stops, for the `agent.stopped` event. */
  stopReason: () => string;
}

export async function openAuditedBus(w: AuditWiring): Promise<{ audit: AuditLog; bus: EventBus }> {
  const { lifecycle, log } = w;
  // Refuses a chain that does not verify (or writes audit.reset first, when told to accept it).
  const { audit, keeper, reset } = await openAuditTrail({
    store: w.store,
    dataDir: w.dataDir,
    agent: w.agent,
    redactor: w.redactor,
    clock: w.clock,
    acceptReset: w.acceptReset,
    onAnchorError: (err) => log.error({ err }, "audit anchor not written; the next tick tries again"),
  });
  // Runs after the last append has drained: the anchor's final write holds the final head.
  lifecycle.defer("audit anchor", () => keeper.stop());
  lifecycle.defer("audit", () => audit.drain());
  if (reset) log.warn({ seq: reset.seq, payload: reset.payload }, "audit chain reset (--accept-audit-reset)");
  const bus = new EventBus({
    sink: audit,
    clock: w.clock,
    onListenerError: (err, event) => log.error({ err, event: event.type }, "event listener failed"),
  });
  // Registered before everything that emits, so it runs after them all: the stop is the last event.
  lifecycle.defer("record stop", async () => {
    await bus.emit("agent.stopped", "agent", { reason: w.stopReason() });
  });
  return { audit, bus };
}
