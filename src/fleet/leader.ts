/**
 * Work one agent of a fleet does for all (Telegram allows one poller per bot token): the agent that
 * holds the named lease does it, renewing every third of the lease; when it dies or is cut off
 * from the store, another takes the lease once it runs out and starts the work. An agent that
 * cannot renew stops the work by itself when its own lease runs out, so two never do it at once
 * for longer than the store's clock skew. On SQLite the one agent always leads.
 */
import type { Clock } from "../core/clock.ts";
import type { Ticker } from "../core/ticker.ts";
import { leaseTicker } from "./lease-ticker.ts";
import type { LeaseStore } from "../store/lease-store.ts";

export interface LeadershipOptions {
  leases: LeaseStore;
  /** The work's name: `telegram:<hash of the token>`, never the secret itself. */
  name: string;
  /** This start's fleet instance. */
  holder: string;
  leaseMs: number;
  clock: Clock;
  /** Starts the work; called once per leadership gained. */
  lead: () => void;
  /** Stops the work; called once per leadership lost, and at stop while leading. */
  follow: () => Promise<void>;
  onError: (err: unknown) => void;
}

export class Leadership {
  readonly #o: LeadershipOptions;
  #ticker: Ticker | undefined;
  #heldUntil = 0;
  #leading = false;

  constructor(opts: LeadershipOptions) {
    this.#o = opts;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Tries now, then every third of the lease until stopped. */
  async start(): Promise<void> {
    this.#ticker = leaseTicker(this.#o, () => this.#tick());
    await this.#ticker.runAndStart();
  }

  async stop(): Promise<void> {
    await this.#ticker?.stop();
    if (!this.#leading) return;
    this.#leading = false;
    await this.#o.follow();
    await this.#o.leases.release(this.#o.name, this.#o.holder);
  }

  async #tick(): Promise<void> {
    const { leases, name, holder, clock, leaseMs } = this.#o;
    const now = clock.now();
    let held: boolean;
    try {
      held = await leases.acquire(name, holder, now, now + leaseMs);
    } catch (err) {
      // Cut off from the store: lead on only while the lease already written holds.
      if (this.#leading && clock.now() >= this.#heldUntil) await this.#step(false);
      throw err;
    }
    if (held) this.#heldUntil = now + leaseMs;
    await this.#step(held);
  }

  async #step(held: boolean): Promise<void> {
    if (held === this.#leading) return;
    this.#leading = held;
    if (held) this.#o.lead();
    else await this.#o.follow();
  }
}
