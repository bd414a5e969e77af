/**
 * Membership of the fleet: every agent registers itself in the store under `agent.name` and renews
 * a lease (`agent.lease`). An agent whose lease lapsed is dead to the fleet; a start with a live
 * agent's name is refused, and SQLite, being one agent's file, refuses any second agent. The lease
 * is the fleet's only notion of "alive": PostgreSQL holds it, nothing here votes.
 *
 * Owns: joining, renewing, leaving, and the fleet as `GET /api/fleet` shows it.
 * Must not import: app/, api/ (they hand it the store and what the agent says of itself).
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { Ticker } from "../core/ticker.ts";
import { leaseTicker } from "./lease-ticker.ts";
import type { AgentRow, AgentStore } from "../store/agent-store.ts";

/** What an agent tells the fleet of itself at each renewal. */
export interface MemberInfo {
  targets: number;
  open_incidents: number;
  /** Its shared checks (`run_on: any`), each by a hash of its definition (fleet/shared-config.ts). */
  shared?: Record<string, string>;
}

export interface MemberView {
  name: string;
  host: string;
  pid: number;
  version: string;
  /** alive: its lease holds; dead: it lapsed (crashed, or cut off from the store); stopped: a clean stop. */
  state: "alive" | "dead" | "stopped";
  started_at: number;
  last_seen: number;
  lease_until: number;
  /** The agent that answers. */
  self: boolean;
  targets: number | null;
  open_incidents: number | null;
  /** How many shared checks it configures. */
  shared_checks: number | null;
}

/** The members, and what each live one published of its shared checks (by agent name). */
export interface Roster {
  members: MemberView[];
  shared: Map<string, Record<string, string>>;
}

export interface MembershipOptions {
  store: AgentStore;
  name: string;
  version: string;
  leaseMs: number;
  clock: Clock;
  /** Where the store lives, for the message that refuses a second agent on one SQLite file. */
  storeDescription: string;
  info: () => MemberInfo;
  /** Another instance took the name while this one could not renew: it must step back. */
  onLost: (holder: string) => void;
  onError: (err: unknown) => void;
}

export class Membership {
  readonly #o: MembershipOptions;
  readonly #instance = randomUUID();
  readonly #host = os.hostname();
  #ticker: Ticker | undefined;
  #lost = false;
  #heldUntil = 0;

  constructor(opts: MembershipOptions) {
    this.#o = opts;
  }

  /** This start's id in the fleet: what its claims (outbox rows) are held under. */
  get instance(): string {
    return this.#instance;
  }

  /**
   * Until when this agent's own lease holds by its own clock: the start of its last successful
   * renewal plus the lease. Past it, the fleet may count this agent dead and hand its work to others.
   */
  get heldUntil(): number {
    return this.#lost ? 0 : this.#heldUntil;
  }

  /** Takes the name, or throws AGENT_NAME_TAKEN saying who holds it and what to change. */
  async join(): Promise<void> {
    const { store, name, version, leaseMs, clock } = this.#o;
    const now = clock.now();
    const me: AgentRow = {
      name,
      instance: this.#instance,
      host: this.#host,
      pid: process.pid,
      version,
      started_at: now,
      renewed_at: now,
      lease_until: now + leaseMs,
      info: JSON.stringify(this.#o.info()),
    };
    const r = await store.join(me, now, (h) => this.#isGone(h));
    if (!r.ok) throw this.#refusal(r.holder, r.why);
    this.#heldUntil = now + leaseMs;
  }

  /** Renews every third of the lease until stopped. */
  start(): void {
    this.#ticker = leaseTicker(this.#o, () => this.renew());
    this.#ticker.start();
  }

  async renew(): Promise<void> {
    if (this.#lost) return;
    const { store, name, clock, leaseMs } = this.#o;
    const now = clock.now();
    const held = await store.renew(name, this.#instance, now, now + leaseMs, JSON.stringify(this.#o.info()));
    if (held) {
      this.#heldUntil = Math.max(this.#heldUntil, now + leaseMs);
      return;
    }
    this.#lost = true;
    const holder = (await store.list()).find((r) => r.name === name);
    this.#o.onLost(holder ? `${holder.host} (pid ${holder.pid})` : "nobody");
  }

  /** Stops renewing and frees the name at once, unless another instance holds it now. */
  async stop(): Promise<void> {
    await this.#ticker?.stop();
    if (!this.#lost) await this.#o.store.leave(this.#o.name, this.#instance);
  }

  async view(): Promise<MemberView[]> {
    return (await this.roster()).members;
  }

  async roster(): Promise<Roster> {
    const now = this.#o.clock.now();
    const shared = new Map<string, Record<string, string>>();
    const members = (await this.#o.store.list()).map((r): MemberView => {
      const info = parseInfo(r.info);
      const state = r.lease_until === 0 ? "stopped" : r.lease_until > now ? "alive" : "dead";
      // An agent that publishes no `shared` (an older version) runs none of the fleet's shared checks.
      if (state === "alive" && info?.shared) shared.set(r.name, info.shared);
      return {
        name: r.name,
        host: r.host,
        pid: r.pid,
        version: r.version,
        state,
        started_at: r.started_at,
        last_seen: r.renewed_at,
        lease_until: r.lease_until,
        self: r.instance === this.#instance,
        targets: info?.targets ?? null,
        open_incidents: info?.open_incidents ?? null,
        shared_checks: info?.shared ? Object.keys(info.shared).length : null,
      };
    });
    return { members, shared };
  }

  /** A holder on this host whose process is gone: an earlier start of this agent that was killed. */
  #isGone(h: AgentRow): boolean {
    if (h.host !== this.#host || h.pid === process.pid) return false;
    try {
      process.kill(h.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  }

  #refusal(h: AgentRow, why: "name" | "sqlite"): VigilError {
    const who = `on host ${h.host} (pid ${h.pid}, version ${h.version}, last seen ${iso(h.renewed_at)})`;
    const message =
      why === "name"
        ? `agent.name "${h.name}" is taken: an agent with that name is alive ${who}; ` +
          "give this agent its own agent.name, or stop that one"
        : `the store ${this.#o.storeDescription} is in use by agent "${h.name}" ${who}; SQLite is one ` +
          "agent: give this agent its own agent.data_dir, or share a postgres:// store for a fleet";
    return new VigilError("AGENT_NAME_TAKEN", message, {
      details: { holder: h.name, host: h.host, pid: h.pid, lease_until: h.lease_until },
    });
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function parseInfo(text: string): Partial<MemberInfo> | undefined {
  try {
    return JSON.parse(text) as Partial<MemberInfo>;
  } catch {
    return undefined;
  }
}
