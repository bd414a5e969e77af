/**
 * An incident's change and the event that announces it are two writes: the change goes to the store
 * with the event it is to be announced with, the event goes to the audit log (and from there to the
 * notifications), and then the store forgets it. A `kill -9` between the two would leave an incident
 * that opened, escalated or resolved without anyone told, and the agent would never say it again:
 * at start, each announcement still in the store is looked for among the newest events, emitted if
 * it is not there, and forgotten.
 */
import type { EventBus, EventMap, EventType, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { Announcement, IncidentRow, IncidentStore } from "../store/incident-store.ts";

/**
 * How far back an announcement is looked for: only what the agent was doing when it stopped lies
 * between a change and its event, and the notifications catch up no further than this either.
 */
const lookBack = 10_000;

export interface AnnounceDeps {
  store: IncidentStore;
  bus: EventBus;
  log: Logger;
  /** The newest `limit` events, oldest first. */
  recentEvents: (limit: number) => Promise<StoredEvent[]>;
}

/** The announcement to write with a change, `at` the time of the write (the event comes after it). */
export function announcement<K extends EventType>(type: K, payload: EventMap[K], at: number): Announcement {
  return { type, payload: payload as Record<string, unknown>, at };
}

/** Emits the event of a change written with `announcement`, then clears it from the store. */
export async function announce<K extends EventType>(
  d: Pick<AnnounceDeps, "store" | "bus">,
  incident: IncidentRow,
  type: K,
  payload: EventMap[K],
): Promise<void> {
  await d.bus.emit(type, incident.target, payload);
  await d.store.announced(incident.id);
}

/** Announces what a stop left unannounced; returns how many it emitted. */
export async function announceLeftovers(d: AnnounceDeps): Promise<number> {
  const pending = await d.store.unannounced();
  if (pending.length === 0) return 0;
  const recent = (await d.recentEvents(lookBack)).filter((e) => e.type.startsWith("incident."));
  let emitted = 0;
  for (const { incident, announce: a } of pending) {
    const already = recent.some(
      (e) =>
        e.type === a.type &&
        e.subject === incident.target &&
        e.ts >= a.at &&
        (JSON.parse(e.payload) as { incident_id?: string }).incident_id === incident.id,
    );
    if (!already) {
      d.log.warn(
        { incident: incident.id, event: a.type },
        "announcing an incident change a stop left untold",
      );
      await d.bus.emit(a.type as EventType, incident.target, a.payload as EventMap[EventType]);
      emitted += 1;
    }
    await d.store.announced(incident.id);
  }
  return emitted;
}
