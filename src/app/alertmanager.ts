/**
 * Alertmanager's alerts: the targets they become here, and the relay that hands an alert routed to
 * another agent of the fleet over the shared store and takes the ones routed here (src/alertmanager).
 */
import { AlertTargets } from "../alertmanager/alerts.ts";
import { AlertRelay } from "../alertmanager/relay.ts";
import { RoutedAlerts } from "../store/routed-alert-store.ts";
import type { Supervision } from "./supervision.ts";
import type { Wiring } from "./wiring.ts";

export function wireAlertmanager(w: Wiring & { supervision: Supervision }): AlertTargets {
  const self = () => w.config().agent.name;
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
  });
  // SQLite is one agent: nothing is ever routed to it, so it does not poll for rows.
  if (w.store.db.dialect === "postgres") {
    relay.start(alerts);
    w.lifecycle.defer("alert relay", () => relay.stop());
  }
  return alerts;
}
