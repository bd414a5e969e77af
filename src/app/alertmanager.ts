/**
 * Alertmanager's alerts: the targets they become here, and the relay that hands an alert routed to
 * another agent of the fleet over the shared store and takes the ones routed here (src/alertmanager).
 */
import { AlertTargets } from "../alertmanager/alerts.ts";
import { AlertRelay } from "../alertmanager/relay.ts";
import type { FleetAgent } from "../alertmanager/by-instance.ts";
import { AgentStore } from "../store/agent-store.ts";
import { RoutedAlerts } from "../store/routed-alert-store.ts";
import type { Supervision } from "./supervision.ts";
import type { Wiring } from "./wiring.ts";

export function wireAlertmanager(w: Wiring & { supervision: Supervision }): AlertTargets {
  const self = () => w.config().agent.name;
  const members = new AgentStore(w.store.db);
  const relay = new AlertRelay({
    rows: new RoutedAlerts(w.store.db),
    bus: w.bus,
    clock: w.clock,
    log: w.log.child({ component: "alertmanager" }),
    self,
  });
  const alerts = new AlertTargets({
    targets: w.supervision.targets,
    bus: w.bus,
    clock: w.clock,
    routes: () => w.config().alertmanager.routes,
    self,
    forward: (agent, alert, receiver, by) => relay.forward(agent, alert, receiver, by),
    ...(w.store.db.dialect === "postgres" ? { fleet: () => fleetAgents(members, w.clock.now()) } : {}),
  });
  // SQLite is one agent: nothing is ever routed to it, so it does not poll for rows.
  if (w.store.db.dialect === "postgres") {
    relay.start(alerts);
    w.lifecycle.defer("alert relay", () => relay.stop());
  }
  return alerts;
}

/** Every agent that ever joined, alive or not: an alert's resolution goes to its agent even while it is down. */
async function fleetAgents(members: AgentStore, now: number): Promise<FleetAgent[]> {
  return (await members.list()).map((r) => ({ name: r.name, host: r.host, alive: r.lease_until > now }));
}
