/**
 * The audit log: append (hash-chained, group-committed), read, verify, export.
 *
 * Owns: the chain's rules. Must not import: api, cli, app. The code has no path that updates or
 * deletes a row; the tables refuse it too (triggers in the first migration).
 */
import type { EventSink, NewEvent, StoredEvent } from "../core/events.ts";
import type { Redactor } from "../core/redact.ts";
import type { Store } from "../store/store.ts";
import { makeSealer, verifyChain, type VerifyResult } from "./chain.ts";

interface Pending {
  event: NewEvent;
  resolve: (e: StoredEvent) => void;
  reject: (e: unknown) => void;
}

/** At most this many events in one commit, so one burst cannot build an unbounded transaction. */
const maxBatch = 1_000;

export class AuditLog implements EventSink {
  readonly #store: Store;
  readonly #seal: ReturnType<typeof makeSealer>;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;

  constructor(store: Store, redactor: Redactor) {
    this.#store = store;
    this.#seal = makeSealer(redactor);
  }

  /**
   * Appends events; resolves once they are committed. Appends that arrive while a commit is under way
   * are written together in the next one (group commit): one fsync for many events, and each caller
   * still learns only after its own events are durable.
   */
  append(events: NewEvent[]): Promise<StoredEvent[]> {
    const promises = events.map(
      (event) => new Promise<StoredEvent>((resolve, reject) => this.#queue.push({ event, resolve, reject })),
    );
    this.#flushing ??= this.#flushLoop();
    return Promise.all(promises);
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, maxBatch);
        try {
          const rows = await this.#store.appendEvents(
            batch.map((p) => p.event),
            this.#seal,
          );
          batch.forEach((p, i) => p.resolve(rows[i]!));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Resolves when every append accepted so far has been committed or refused. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** The newest `n` events, oldest first. */
  tail(n: number): Promise<StoredEvent[]> {
    return this.#store.readEvents({ limit: n, newest: true });
  }

  /** Events after `after`, oldest first: the API's paging. */
  page(after: number, limit: number): Promise<StoredEvent[]> {
    return this.#store.readEvents({ after, limit });
  }

  verify(): Promise<VerifyResult> {
    return verifyChain(this.#store.scanEvents());
  }

  /** Every event in seq order, a page at a time. */
  pages(): AsyncGenerator<StoredEvent[]> {
    return this.#store.scanEvents();
  }

  /** Every event as one JSON line each, in seq order, the payload as an object. */
  async *exportLines(): AsyncGenerator<string> {
    for await (const page of this.pages()) {
      for (const e of page) yield exportLine(e);
    }
  }
}

export function exportLine(e: StoredEvent): string {
  return `{"seq":${e.seq},"ts":${e.ts},"time":${JSON.stringify(new Date(e.ts).toISOString())},"actor":${JSON.stringify(e.actor)},"type":${JSON.stringify(e.type)},"subject":${JSON.stringify(e.subject)},"payload":${e.payload},"prev_hash":"${e.prev_hash}","hash":"${e.hash}"}`;
}
