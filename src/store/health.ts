/**
 * Whether the store can write right now. Every call through `watchDb` reports its failures here: a
 * STORE_UNAVAILABLE failure (a full disk, an I/O error, a server gone) turns the store "failing".
 * Only a probe turns it back: a write of some size, tried every few seconds while it fails. Other
 * calls that succeed meanwhile prove nothing (an UPDATE of no row, a write that fit in room the WAL
 * already had), and taking them as a recovery made the state flap. `/health` reads it (degraded,
 * 503), and the app tells people on both transitions.
 *
 * Owns: the store's up/down state. Must not import: anything outside core/ and store/.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { isVigilError, type VigilError } from "../core/errors.ts";
import type { Db, Row, SqlValue } from "./db.ts";
import { failureDetails } from "./failure.ts";

/** The store has been failing since `since` (ms epoch), for `cause`; `failures` calls failed so far. */
export interface StoreOutage {
  since: number;
  cause: string;
  failures: number;
}

export interface StoreHealthOptions {
  clock: Clock;
  /** How long after a failure the store is tried again; 5 s by default. */
  retryMs?: number;
}

type Listener = (outage: StoreOutage) => void;

export class StoreHealth {
  readonly #clock: Clock;
  readonly #retryMs: number;
  #outage: StoreOutage | undefined;
  #probe: (() => Promise<void>) | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  readonly #onFailing = new Set<Listener>();
  readonly #onRecovered = new Set<Listener>();

  constructor(opts: StoreHealthOptions) {
    this.#clock = opts.clock;
    this.#retryMs = opts.retryMs ?? 5_000;
  }

  /** The current outage, or undefined while the store writes. */
  get outage(): Readonly<StoreOutage> | undefined {
    return this.#outage;
  }

  /** A small write that proves the store works again (the app sets one once the store is open). */
  set probe(fn: () => Promise<void>) {
    this.#probe = fn;
  }

  /** `fn` runs once when the store starts failing, with the first cause. */
  onFailing(fn: Listener): () => void {
    this.#onFailing.add(fn);
    return () => this.#onFailing.delete(fn);
  }

  /** `fn` runs once when it writes again, with the outage that ended (its `failures` counted). */
  onRecovered(fn: Listener): () => void {
    this.#onRecovered.add(fn);
    return () => this.#onRecovered.delete(fn);
  }

  /** A call failed because the store cannot be used. */
  failed(cause: string): void {
    if (this.#outage) {
      this.#outage.failures++;
      return;
    }
    this.#outage = { since: this.#clock.now(), cause, failures: 1 };
    for (const fn of this.#onFailing) fn({ ...this.#outage });
    this.#scheduleProbe();
  }

  /** The store took a probe write: it works again. */
  #recovered(): void {
    const ended = this.#outage;
    if (!ended) return;
    this.#outage = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const fn of this.#onRecovered) fn({ ...ended });
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #scheduleProbe(): void {
    if (this.#stopped || this.#timer || !this.#outage) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      // A failed probe has already counted itself through the watched Db; whatever it throws, the
      // retries go on until one succeeds or the agent stops.
      const probe = this.#probe;
      if (!probe) return this.#scheduleProbe();
      probe().then(
        () => this.#recovered(),
        () => this.#scheduleProbe(),
      );
    }, this.#retryMs);
  }
}

/** The cause of a STORE_UNAVAILABLE error in a few words ("database or disk is full (SQLITE_FULL)"). */
function causeOf(e: VigilError): string {
  const d = failureDetails(e);
  return d ? `${d.reason} (${d.cause})` : e.message;
}

/** `db`, reporting every STORE_UNAVAILABLE failure of any call to `health`. */
export function watchDb(db: Db, health: StoreHealth): Db {
  const watch = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      if (isVigilError(e, "STORE_UNAVAILABLE")) health.failed(causeOf(e));
      throw e;
    }
  };
  return {
    dialect: db.dialect,
    all: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => watch(db.all<T>(sql, params)),
    allArrays: (sql, params) => watch(db.allArrays(sql, params)),
    get: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => watch(db.get<T>(sql, params)),
    run: (sql, params) => watch(db.run(sql, params)),
    exec: (sql) => watch(db.exec(sql)),
    transaction: <T>(lock: string, fn: (tx: Db) => Promise<T>) => watch(db.transaction(lock, fn)),
    close: () => db.close(),
  };
}
