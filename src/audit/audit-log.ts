/**
 * The audit log: append (hash-chained, MACed, group-committed), read, verify, export.
 *
 * Owns: the chain's rules, its key and its anchor. Must not import: api, cli, app. The code has no
 * path that updates or deletes a row; the tables refuse it too (triggers in the first migration).
 * `trail.ts` opens it at start, refusing a chain that does not verify.
 */
import type { EventSink, NewEvent, StoredEvent } from "../core/events.ts";
import type { Redactor } from "../core/redact.ts";
import type { ChainRow, Macer, Store } from "../store/store.ts";
import { anchorText, type AnchorKeeper } from "./anchor.ts";
import { makeSealer } from "./chain.ts";
import type { AuditKey } from "./key.ts";
import { verifyStore } from "./check.ts";
import { verifyChain, type VerifyResult } from "./verify.ts";

interface Pending {
  event: NewEvent;
  resolve: (e: StoredEvent) => void;
  reject: (e: unknown) => void;
}

/** At most this many events in one commit, so one burst cannot build an unbounded transaction. */
const maxBatch = 1_000;

export interface AuditLogOptions {
  /** MACs every row, and verify checks them. Without it (tests, tools) rows carry no MAC. */
  key?: AuditKey | undefined;
  /** Where verify reads the anchor file, and the keeper that follows this agent's head. */
  anchor?: { dataDir: string; keeper: AnchorKeeper } | undefined;
  /** This agent's own chain in a fleet's shared table (`ownChain`); undefined: the store's one chain. */
  chain?: string | undefined;
}

type Head = { seq: number; hash: string; chain?: string | undefined };

export class AuditLog implements EventSink {
  readonly #store: Store;
  readonly #redactor: Redactor;
  readonly #seal: ReturnType<typeof makeSealer>;
  readonly #key: AuditKey | undefined;
  readonly #mac: Macer | undefined;
  readonly #anchor: AuditLogOptions["anchor"];
  readonly #chain: string | undefined;
  /** The newest row this agent appended: what it knows its chain reached, whatever the database says. */
  #head: Head | undefined;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #verifying: Promise<VerifyResult> | undefined;

  constructor(store: Store, redactor: Redactor, opts: AuditLogOptions = {}) {
    this.#store = store;
    this.#redactor = redactor;
    this.#chain = opts.chain;
    this.#seal = makeSealer(redactor, { chain: opts.chain });
    this.#key = opts.key;
    const key = opts.key;
    this.#mac = key ? (r) => key.mac(r.hash) : undefined;
    this.#anchor = opts.anchor;
    const head = opts.anchor?.keeper.head;
    if (head && head.seq > 0) this.#head = { seq: head.seq, hash: head.hash, chain: head.chain };
  }

  /** The newest row this agent appended (or found at start), if any. */
  get head(): Head | undefined {
    return this.#head;
  }

  /** `seq 1372 #ab12cd34`: the head, for notifications, so people outside hold recent anchors. */
  anchorText(): string | undefined {
    return this.#head ? anchorText(this.#head) : undefined;
  }

  /**
   * Appends `event` as the first row of a new chain (linked to GENESIS, the seq continued): the
   * `audit.reset` that `--accept-audit-reset` writes before anything else.
   */
  async appendReset(event: NewEvent<"audit.reset">): Promise<StoredEvent> {
    await this.drain();
    const [row] = await this.#store.appendEvents(
      [event],
      makeSealer(this.#redactor, { restart: true, chain: this.#chain }),
      this.#mac,
      this.#chain,
    );
    this.#noteHead(row!);
    return row!;
  }

  #noteHead(row: StoredEvent): void {
    if (this.#head && row.seq <= this.#head.seq) return;
    this.#head = { seq: row.seq, hash: row.hash, chain: row.chain };
    this.#anchor?.keeper.note(this.#head);
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
            this.#mac,
            this.#chain,
          );
          this.#noteHead(rows.at(-1)!);
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

  /**
   * Walks every chain: hashes, MACs, and the anchors (the file, and this agent's own head, which
   * no one can edit from outside). Callers while a walk is under way share it: a walk reads the
   * whole log (8 s for a million events), and a client asking again, or giving up and asking again,
   * must not start one more each time.
   */
  verify(): Promise<VerifyResult> {
    this.#verifying ??= this.#walk().finally(() => (this.#verifying = undefined));
    return this.#verifying;
  }

  #walk(): Promise<VerifyResult> {
    const singleWriter = this.#store.db.dialect === "sqlite";
    const own = this.#chain;
    if (!this.#anchor)
      return verifyChain(() => this.#store.scanEvents(), { key: this.#key, singleWriter, own });
    const head = this.#head;
    const memory = head
      ? [{ source: "the running agent's memory", ...head, chain: head.chain ?? null, vouches: true }]
      : [];
    return verifyStore({
      store: this.#store,
      dataDir: this.#anchor.dataDir,
      key: this.#key,
      own,
      also: memory,
    });
  }

  /** Every event of every chain in seq order, a page at a time (with each row's MAC). */
  pages(): AsyncGenerator<ChainRow[]> {
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
  const chain = e.chain === undefined ? "" : `"chain":${JSON.stringify(e.chain)},`;
  return `{"seq":${e.seq},${chain}"ts":${e.ts},"time":${JSON.stringify(new Date(e.ts).toISOString())},"actor":${JSON.stringify(e.actor)},"type":${JSON.stringify(e.type)},"subject":${JSON.stringify(e.subject)},"payload":${e.payload},"prev_hash":"${e.prev_hash}","hash":"${e.hash}"}`;
}
