/**
 * Shared checks (`run_on: any`) on a fleet: each runs on exactly one live agent among those that
 * configure it, chosen by rendezvous hashing of its name over their names, so every agent works out
 * the same owner from the agents table without asking anyone. Recomputed every third of the lease:
 * a dead agent's checks (its lease lapsed, or it stopped) are taken over by the survivors within a
 * lease and a third, and only its checks move.
 *
 * An agent cut off from the store cannot renew; once its own lease has run out by its own clock it
 * stops running every shared check (it steps back, as fleet/leader.ts does) by a timer of its own,
 * since the store calls that would tell it so may hang. The others count it dead at that same
 * moment and take its checks, so no check runs on two agents for longer than the clocks disagree.
 *
 * Owns: who runs which shared check. Must not import: app/, api/.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Ticker } from "../core/ticker.ts";
import { leaseTicker } from "./lease-ticker.ts";
import type { Roster } from "./membership.ts";
import { owner } from "./rendezvous.ts";

export interface SharedChecksOptions {
  /** This agent's name. */
  self: string;
  leaseMs: number;
  clock: Clock;
  /** The members and what the live ones published of their shared checks (Membership.roster). */
  roster: () => Promise<Roster>;
  /** Until when this agent's own lease holds, by its own clock (Membership.heldUntil). */
  heldUntil: () => number;
  /** The shared checks this agent configures now. */
  mine: () => readonly string[];
  /** Runs exactly the shared checks `owned` from now on. */
  apply: (s: Sharing) => Promise<void>;
  onError: (err: unknown) => void;
}

/** What this agent runs of the shared checks, as one pass worked it out. */
export interface Sharing {
  owned: ReadonlySet<string>;
  /** The live agents: a check's row held by one of them is not taken until it hands it over. */
  live: readonly string[];
  /** Checks taken now were left unchecked (a dead agent's): check them at once. Not at the first pass. */
  soon: boolean;
  /** Hand over in the store what is given up; not when stepping back (the store may be out of reach). */
  handOver: boolean;
}

export class SharedChecks {
  readonly #o: SharedChecksOptions;
  #ticker: Ticker | undefined;
  #watchdog: TimerHandle | undefined;
  /** Applications one at a time, in order: a step-back never interleaves with a takeover. */
  #applying: Promise<void> = Promise.resolve();
  #stopped = false;
  #passes = 0;

  constructor(opts: SharedChecksOptions) {
    this.#o = opts;
  }

  /** Shares the checks out now, then every third of the lease until stopped. */
  async start(): Promise<void> {
    this.#ticker = leaseTicker(this.#o, () => this.#tick());
    await this.#ticker.runAndStart();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watchdog?.cancel();
    await this.#ticker?.stop();
    await this.#applying;
  }

  /** Recomputes from the agents table: what this agent owns among the live agents that share each check. */
  async #tick(): Promise<void> {
    const roster = await this.#o.roster();
    const live = this.#live();
    await this.#apply({
      owned: live ? ownedBy(this.#o.self, this.#o.mine(), roster.shared) : new Set(),
      live: roster.members.filter((m) => m.state === "alive").map((m) => m.name),
      soon: this.#passes++ > 0,
      handOver: live,
    });
    this.#arm();
  }

  #live(): boolean {
    return this.#o.clock.now() < this.#o.heldUntil();
  }

  /** Steps back when the own lease runs out before a renewal extends it. */
  #arm(): void {
    this.#watchdog?.cancel();
    if (this.#stopped) return;
    const wait = Math.max(0, this.#o.heldUntil() - this.#o.clock.now());
    this.#watchdog = this.#o.clock.setTimeout(() => {
      if (this.#stopped) return;
      if (this.#live()) return this.#arm();
      this.#apply({ owned: new Set(), live: [], soon: false, handOver: false }).catch(this.#o.onError);
    }, wait + 1);
  }

  #apply(s: Sharing): Promise<void> {
    const next = this.#applying.then(() => (this.#stopped ? undefined : this.#o.apply(s)));
    this.#applying = next.catch(() => undefined);
    return next;
  }
}

/**
 * The checks of `mine` that `self` owns: for each, the candidates are the live agents that publish
 * it, and `self` (its own list is the one it runs, whatever it published last).
 */
export function ownedBy(
  self: string,
  mine: readonly string[],
  shared: ReadonlyMap<string, Readonly<Record<string, string>>>,
): Set<string> {
  const others = [...shared].filter(([agent]) => agent !== self);
  const owned = new Set<string>();
  for (const check of mine) {
    const candidates = [self];
    for (const [agent, defs] of others) if (defs[check] !== undefined) candidates.push(agent);
    if (owner(check, candidates) === self) owned.add(check);
  }
  return owned;
}
