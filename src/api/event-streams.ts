/**
 * `GET /api/events`: the audit log as server-sent events. A stream replays the stored events after
 * the client's `Last-Event-ID`, then carries on with live ones, with no gap and no duplicate: it
 * subscribes first and holds what arrives while the replay reads, then sends what the replay did
 * not cover (by seq). Every stream is bounded: at most `maxReplay` events replayed per connection
 * (then it says where to resume and ends, and the client reconnects from there), at most
 * `maxQueuedBytes` waiting for a slow client (past that it is disconnected, and resumes by its
 * Last-Event-ID), at most `maxStreams` open at once, and at most `maxPerOwner` of them for one token,
 * so one token holder cannot take every stream from everyone else.
 *
 * Owns: SSE framing, resumption, per-connection bounds. Must not import: app, store internals.
 */
import { exportLine } from "../audit/audit-log.ts";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { EventsApi } from "./context.ts";

/** Where the events come from: the bus for live ones, the audit log for the stored ones. */
export interface EventFeed {
  /** Every event once it is durable; returns the unsubscribe function. */
  subscribe(listener: (e: StoredEvent) => void): () => void;
  /** Stored events after `after`, oldest first. */
  page(after: number, limit: number): Promise<StoredEvent[]>;
}

export interface EventStreamsOptions {
  feed: EventFeed;
  clock: Clock;
  log: Logger;
  /** Streams open at once; one more is refused with RATE_LIMITED (429). */
  maxStreams?: number;
  /** Streams one owner (a token's name) may hold at once, below `maxStreams`. */
  maxPerOwner?: number;
  /** A comment line this often keeps proxies and clients from timing the stream out. */
  heartbeatMs?: number;
  /** Stored events replayed per connection before it says where to resume and ends. */
  maxReplay?: number;
  /** Bytes waiting for one client before it counts as too slow and is disconnected. */
  maxQueuedBytes?: number;
}

const defaults = {
  maxStreams: 100,
  maxPerOwner: 10,
  heartbeatMs: 15_000,
  maxReplay: 10_000,
  maxQueuedBytes: 4 * 1024 * 1024,
};

/** The replay reads this many at a time, and reads the next page only when the client has room. */
const pageSize = 500;
/** Queue size under which the replay reads on: enough to keep a socket busy, small enough to pace. */
const paceBytes = 64 * 1024;
/** Live events held while a replay runs; a flood larger than this ends the stream (the client resumes). */
const maxPending = 20_000;
/** How long a client waits before reconnecting after the stream ends (SSE `retry:`). */
const retryMs = 2_000;

const encoder = new TextEncoder();

/** Whether an event type is wanted: no filter, an exact name, or `prefix.*`. */
function matcher(types: readonly string[]): (type: string) => boolean {
  if (types.length === 0 || types.includes("*")) return () => true;
  const exact = new Set(types.filter((t) => !t.endsWith(".*")));
  const prefixes = types.filter((t) => t.endsWith(".*")).map((t) => t.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

/** One event as SSE: `id` is its seq, so `Last-Event-ID` is where to resume. */
export function frame(e: StoredEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${exportLine(e)}\n\n`;
}

export class EventStreams implements EventsApi {
  readonly #o: Required<EventStreamsOptions>;
  readonly #open = new Set<EventStream>();
  readonly #perOwner = new Map<string, number>();
  #closed = false;

  constructor(opts: EventStreamsOptions) {
    this.#o = { ...defaults, ...opts };
  }

  get count(): number {
    return this.#open.size;
  }

  /**
   * @example const body = streams.open({ after: 41, types: ["incident.*"], owner: "alice" }); return c.body(body);
   */
  open(opts: {
    after: number | undefined;
    types: readonly string[];
    owner?: string;
  }): ReadableStream<Uint8Array> {
    if (this.#closed) throw new VigilError("CONFLICT", "the agent is stopping; reconnect in a moment");
    if (this.#open.size >= this.#o.maxStreams) {
      throw new VigilError(
        "RATE_LIMITED",
        `${this.#o.maxStreams} event streams are open, the most this agent serves; close one, or retry later`,
      );
    }
    const owner = opts.owner;
    const held = owner === undefined ? 0 : (this.#perOwner.get(owner) ?? 0);
    if (owner !== undefined && held >= this.#o.maxPerOwner) {
      throw new VigilError(
        "RATE_LIMITED",
        `${owner} holds ${held} event streams, the most one token may; close one (a browser tab), or retry later`,
      );
    }
    if (owner !== undefined) this.#perOwner.set(owner, held + 1);
    const stream = new EventStream(this.#o, matcher(opts.types), () => {
      this.#open.delete(stream);
      if (owner === undefined) return;
      const left = (this.#perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.#perOwner.set(owner, left);
      else this.#perOwner.delete(owner);
    });
    this.#open.add(stream);
    stream.start(opts.after);
    return stream.body;
  }

  /** Ends every open stream (the agent is stopping) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const s of [...this.#open]) s.finish();
  }
}

class EventStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly #o: Required<EventStreamsOptions>;
  readonly #wanted: (type: string) => boolean;
  readonly #onEnd: () => void;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #ended = false;
  #replaying = false;
  #pending: StoredEvent[] = [];
  #unsubscribe: () => void = () => undefined;
  #heartbeat: TimerHandle | undefined;
  #room: (() => void) | undefined;

  constructor(o: Required<EventStreamsOptions>, wanted: (type: string) => boolean, onEnd: () => void) {
    this.#o = o;
    this.#wanted = wanted;
    this.#onEnd = onEnd;
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // The client read enough that the queue is below paceBytes: the replay may read on.
        pull: () => this.#wake(),
        // The client went away (or the server closed the socket).
        cancel: () => this.#end(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: paceBytes }),
    );
  }

  start(after: number | undefined): void {
    // Subscribed before the replay reads, so nothing committed meanwhile falls between the two.
    this.#unsubscribe = this.#o.feed.subscribe((e) => this.#live(e));
    this.#write(`retry: ${retryMs}\n: vigil event stream\n\n`);
    this.#beat();
    if (after === undefined) return;
    this.#replaying = true;
    this.#replay(after).catch((err: unknown) => {
      this.#o.log.error({ err }, "event stream replay failed");
      this.#fail("the replay of stored events failed");
    });
  }

  /** Ends the stream cleanly: what is queued is still delivered. */
  finish(): void {
    if (this.#ended) return;
    this.#end();
    try {
      this.#controller.close();
    } catch {
      // already closed or errored
    }
  }

  #live(e: StoredEvent): void {
    if (this.#ended) return;
    if (!this.#replaying) return this.#send(e);
    this.#pending.push(e);
    if (this.#pending.length > maxPending) this.#fail("too many events arrived while replaying");
  }

  async #replay(after: number): Promise<void> {
    let cursor = after;
    let scanned = 0;
    for (;;) {
      await this.#hasRoom();
      if (this.#ended) return;
      const limit = Math.min(pageSize, this.#o.maxReplay - scanned);
      const page = await this.#o.feed.page(cursor, limit);
      if (this.#ended) return;
      for (const e of page) this.#send(e);
      scanned += page.length;
      cursor = page.at(-1)?.seq ?? cursor;
      if (page.length < limit) break;
      if (scanned >= this.#o.maxReplay) {
        // Its id moves the client's Last-Event-ID past what a type filter skipped, so it resumes there.
        const data = {
          after: cursor,
          limit: this.#o.maxReplay,
          message: `replayed ${scanned} events, the most one connection replays; reconnect with Last-Event-ID: ${cursor} for the rest`,
        };
        this.#write(`id: ${cursor}\nevent: replay.limit\ndata: ${JSON.stringify(data)}\n\n`);
        this.finish();
        return;
      }
    }
    // Caught up. Live events keep going to `pending` until the client has room again; then what the
    // replay already sent is dropped by seq, with no await from there on, so nothing slips in between.
    await this.#hasRoom();
    if (this.#ended) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#replaying = false;
    for (const e of pending) if (e.seq > cursor) this.#send(e);
  }

  #send(e: StoredEvent): void {
    if (this.#wanted(e.type)) this.#write(frame(e));
  }

  #write(text: string): void {
    if (this.#ended) return;
    this.#controller.enqueue(encoder.encode(text));
    // The replay paces itself by the queue; only live events can outrun a client.
    const queued = paceBytes - (this.#controller.desiredSize ?? 0);
    if (!this.#replaying && queued > this.#o.maxQueuedBytes)
      this.#fail(`the client is too slow: ${queued} bytes waiting`);
  }

  #beat(): void {
    this.#heartbeat = this.#o.clock.setTimeout(() => {
      this.#write(": keepalive\n\n");
      if (!this.#ended) this.#beat();
    }, this.#o.heartbeatMs);
  }

  #hasRoom(): Promise<void> {
    if (this.#ended || (this.#controller.desiredSize ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => (this.#room = resolve));
  }

  #wake(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }

  /** Drops the connection: a client that resumes by its Last-Event-ID loses nothing. */
  #fail(reason: string): void {
    if (this.#ended) return;
    this.#o.log.warn({ reason }, "event stream dropped");
    this.#end();
    this.#controller.error(new Error(reason));
  }

  /** Every way a stream ends comes here once: the listener, the timer and the slot are released. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unsubscribe();
    this.#heartbeat?.cancel();
    this.#pending = [];
    this.#wake();
    this.#onEnd();
  }
}
