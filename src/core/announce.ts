/**
 * A change and the event that announces it are two writes: the change goes to the store with the
 * event it is to be announced with, the event goes to the audit log (and from there to the
 * notifications), and then the store forgets it. A `kill -9` between the two would leave a change
 * nobody was told of (an incident opened or escalated, an approval requested), and the agent would
 * never say it again: at start, each announcement still in the store is looked for among the newest
 * events, emitted if it is not there, and forgotten.
 */
import type { EventBus, EventMap, EventType, StoredEvent } from "./events.ts";
import type { Logger } from "./log.ts";

/** The event a stored change is still to be announced with. */
export interface Announcement {
  type: string;
  payload: Record<string, unknown>;
  /** When the change was written: its event, if it was emitted, is no older. */
  at: number;
  /** Who the event names as its actor, when not the agent. */
  actor?: string;
}

/** A stored row whose announcement is still there: `id` is what its event's payload names it by. */
export interface Unannounced {
  id: string;
  subject: string;
  announce: Announcement;
}

/** What a store keeps of announcements: `key` is the payload field holding a row's id. */
export interface AnnouncementStore {
  key: string;
  unannounced(): Promise<Unannounced[]>;
  announced(id: string): Promise<void>;
}

/**
 * How far back an announcement is looked for: only what the agent was doing when it stopped lies
 * between a change and its event, and the notifications catch up no further than this either.
 */
const lookBack = 10_000;

export interface AnnounceDeps {
  bus: EventBus;
  log: Logger;
  /** The newest `limit` events, oldest first. */
  recentEvents: (limit: number) => Promise<StoredEvent[]>;
}

/** The announcement to write with a change, `at` the time of the write (the event comes after it). */
export function announcement<K extends EventType>(
  type: K,
  payload: EventMap[K],
  at: number,
  actor?: string,
): Announcement {
  return { type, payload: payload as Record<string, unknown>, at, ...(actor ? { actor } : {}) };
}

/** Emits the event of a change written with `a`, then has the store forget it. */
export async function announce(
  bus: EventBus,
  subject: string,
  a: Announcement,
  forget: () => Promise<void>,
): Promise<void> {
  await bus.emit(a.type as EventType, subject, a.payload as EventMap[EventType], a.actor);
  await forget();
}

/** Announces what a stop left unannounced in `store`; returns how many it emitted. */
export async function announceLeftovers(d: AnnounceDeps, store: AnnouncementStore): Promise<number> {
  const pending = await store.unannounced();
  if (pending.length === 0) return 0;
  const recent = await d.recentEvents(lookBack);
  let emitted = 0;
  for (const { id, subject, announce: a } of pending) {
    const already = recent.some(
      (e) =>
        e.type === a.type &&
        e.subject === subject &&
        e.ts >= a.at &&
        (JSON.parse(e.payload) as Record<string, unknown>)[store.key] === id,
    );
    if (already) {
      await store.announced(id);
      continue;
    }
    d.log.warn({ id, event: a.type }, "announcing a change a stop left untold");
    await announce(d.bus, subject, a, () => store.announced(id));
    emitted += 1;
  }
  return emitted;
}
