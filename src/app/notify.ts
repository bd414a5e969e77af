/**
 * Wires the notification pipeline and the durable outbox to the event stream and the store, and
 * the Telegram command bots (./telegram.ts).
 */
import type { Incidents } from "../incidents/incidents.ts";
import { contextReader } from "../notify/context-builder.ts";
import { Outbox } from "../notify/outbox.ts";
import { NotifyPipeline } from "../notify/pipeline.ts";
import type { CommandDeps } from "../notify/telegram-commands.ts";
import { ActionStore } from "../store/action-store.ts";
import { IncidentStore } from "../store/incident-store.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import { startTelegramBots } from "./telegram.ts";
import type { RemediationWired } from "./remediation.ts";
import type { Wiring } from "./wiring.ts";

/** What an incident's message reads of the live incidents and the remediation engine. */
export interface IncidentsForNotify {
  incidents: Pick<Incidents, "openFor">;
  next: RemediationWired["next"];
}

/**
 * The last event this agent's notification pipeline handled, in the store's meta table: one per
 * agent name, since agents sharing a PostgreSQL store each tell what they saw.
 */
const cursorKeyOf = (agent: string) => `notify.cursor:${agent}`;

export async function wireNotify(
  w: Wiring &
    IncidentsForNotify & {
      muted: (target: string) => string | undefined;
      commands: CommandDeps;
      /** The audit chain's head as `seq N #hash8`, carried by every outgoing message. */
      auditAnchor: () => string | undefined;
      /** This start's fleet instance, which holds the outbox rows it delivers. */
      claimer: string;
    },
): Promise<void> {
  const store = new OutboxStore(w.store.db);
  const log = w.log.child({ component: "notify" });
  const outbox = new Outbox({
    store,
    bus: w.bus,
    clock: w.clock,
    log,
    config: () => w.config().notify,
    auditAnchor: w.auditAnchor,
    claimer: w.claimer,
  });
  outbox.start();
  w.lifecycle.defer("outbox", () => outbox.stop());
  const cursorKey = cursorKeyOf(w.config().agent.name);
  const incidents = new IncidentStore(w.store.db);
  const actions = new ActionStore(w.store.db);
  const pipeline = new NotifyPipeline({
    bus: w.bus,
    clock: w.clock,
    log,
    store,
    config: w.config,
    muted: w.muted,
    cursor: {
      get: async () => {
        const v = await w.store.getMeta(cursorKey);
        return v === undefined ? undefined : Number(v);
      },
      set: (seq) => w.store.setMeta(cursorKey, String(seq)),
    },
    events: (q) => w.store.readEvents(q),
    escalations: async () =>
      (await incidents.escalatedOpen()).map((i) => ({
        incident_id: i.id,
        target: i.target,
        reason: i.escalation,
        since: i.since,
      })),
    waitingApprovals: () => actions.listApprovals("pending", 1_000),
    context: contextReader({
      incident: (id) => incidents.getIncident(id),
      openFor: (t) => w.incidents.openFor(t),
      timeline: (id) => incidents.timeline(id),
      attempts: (id) => incidents.attempts(id),
      results: (t, limit) => w.store.recentLatencies(t, limit),
      next: w.next,
      publicUrl: () => w.config().agent.public_url,
    }),
  });
  await pipeline.start();
  w.lifecycle.defer("notify pipeline", () => pipeline.stop());

  await startTelegramBots({ ...w, log });
}
