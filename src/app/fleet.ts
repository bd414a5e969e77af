/**
 * The agent's place in the fleet: joined right after the store opens, before the audit log or any
 * child process, so a second agent with a live agent's name changes nothing before it is refused.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import { type MemberInfo, Membership } from "../fleet/membership.ts";
import { sharedDefinitions } from "../fleet/shared-config.ts";
import { AgentStore } from "../store/agent-store.ts";
import { PostgresDb } from "../store/postgres/db.ts";
import type { Store } from "../store/store.ts";
import type { TargetView } from "../targets/targets.ts";
import { version } from "./version.ts";

/** Hashes of the shared checks' definitions, once per config (a reload makes a new one). */
const definitions = new WeakMap<VigilConfig, Record<string, string>>();

/**
 * What this agent tells the fleet of itself at each renewal; on PostgreSQL, with the shared checks
 * it configures (the others work out from them who runs which, and see where configs disagree).
 */
export function memberInfo(
  targets: readonly TargetView[],
  fleet?: { config: VigilConfig; secrets: readonly string[] },
): MemberInfo {
  const info: MemberInfo = {
    targets: targets.length,
    open_incidents: targets.filter((t) => t.incident_id !== null).length,
  };
  if (!fleet) return info;
  let shared = definitions.get(fleet.config);
  if (!shared) definitions.set(fleet.config, (shared = sharedDefinitions(fleet.config, fleet.secrets)));
  return { ...info, shared };
}

export interface FleetWiring {
  store: Store;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  /** The config now (a reload replaces it); agent.name and agent.lease are read at the join. */
  config: () => VigilConfig;
  /** The config's secrets, as its loader found them: masked in what this agent publishes. */
  secrets: () => readonly string[];
  /** This agent's targets, counted in what it publishes. */
  targets: () => readonly TargetView[];
  /** Once the store is open and audited (the lease is lost only later). */
  bus: () => EventBus | undefined;
  /** Stops the agent, which then exits 1. */
  fail: (reason: string) => void;
}

/** Refused when a live agent holds agent.name; calls `fail` when another start takes it. */
export async function joinFleet(w: FleetWiring): Promise<Membership> {
  const { name, lease } = w.config().agent;
  const log = w.log.child({ component: "fleet" });
  // The lease on a connection of its own: a renewal queued behind a burst of writes (300 checks
  // coming up at start) could outlast the lease, and the fleet would count a busy agent dead.
  const db = w.store.db instanceof PostgresDb ? w.store.db.sibling(1) : w.store.db;
  if (db !== w.store.db) w.lifecycle.defer("fleet connection", () => db.close());
  const membership = new Membership({
    store: new AgentStore(db),
    name,
    version,
    leaseMs: lease,
    clock: w.clock,
    storeDescription: w.store.description,
    info: () =>
      memberInfo(
        w.targets(),
        w.store.db.dialect === "postgres" ? { config: w.config(), secrets: w.secrets() } : undefined,
      ),
    // Another start took the name while this one could not reach the store: this one steps back.
    onLost: (holder) => {
      log.error({ holder }, "another agent took this agent's name while the store was out of reach");
      const told = w.bus()?.emit("agent.lease_lost", "agent", { holder }) ?? Promise.resolve();
      void told.catch(() => undefined).finally(() => w.fail(`lease lost to ${holder}`));
    },
    onError: (err) => log.warn({ err }, "lease not renewed; the next renewal tries again"),
  });
  await membership.join();
  membership.start();
  // Runs before the store closes: the name is free the moment this agent is gone.
  w.lifecycle.defer("fleet", () => membership.stop());
  return membership;
}
