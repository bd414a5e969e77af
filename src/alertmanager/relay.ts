/**
 * Alerts between agents of a fleet: the agent Alertmanager posted to writes an alert whose route
 * names another agent into the shared store (`routed_alerts`); every agent takes the rows named for
 * it every `pollMs`, in order, applies each as if it had been posted there (its target, incident
 * and runbook are that agent's) and deletes it. A row whose agent is down waits for it: Alertmanager
 * was answered 200 once the row was written.
 *
 * Owns: handing alerts over. Must not import: api routes, app.
 */
import type { Clock } from "../core/clock.ts";
import { Ticker } from "../core/ticker.ts";
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { RoutedAlerts } from "../store/routed-alert-store.ts";
import type { AlertTargets } from "./alerts.ts";
import type { Alert } from "./payload.ts";

const pollMs = 1_000;
/** Rows taken per poll: a backlog drains a batch a second, never all at once. */
const batch = 100;
/**
 * A row older than this is dropped, so an agent named by mistake (or gone for good) cannot grow the
 * table without end; a firing alert comes back with Alertmanager's next resend (`repeat_interval`).
 */
const maxAgeMs = 24 * 3_600_000;

export interface RelayDeps {
  rows: RoutedAlerts;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  self: () => string;
}

export class AlertRelay {
  readonly #d: RelayDeps;
  #ticker: Ticker | undefined;

  constructor(deps: RelayDeps) {
    this.#d = deps;
  }

  /** Writes `alert` for `agent`, audited here as `alert.routed`. */
  async forward(agent: string, alert: Alert, receiver: string, by: string): Promise<void> {
    await this.#d.rows.add({
      agent,
      alert: JSON.stringify(alert),
      receiver,
      sentBy: by,
      fromAgent: this.#d.self(),
      createdAt: this.#d.clock.now(),
    });
    await this.#d.bus.emit(
      "alert.routed",
      `alert:${alert.fingerprint}`,
      {
        agent,
        status: alert.status,
        fingerprint: alert.fingerprint,
        alertname: alert.labels.alertname ?? "",
      },
      by,
    );
  }

  /** Takes this agent's rows every second into `alerts`, until `stop` (a pass never overlaps itself). */
  start(alerts: AlertTargets): void {
    this.#ticker = new Ticker(
      this.#d.clock,
      pollMs,
      () => this.#take(alerts),
      (err) => this.#d.log.error({ err }, "taking routed alerts failed; the next poll tries again"),
    );
    this.#ticker.start();
  }

  async stop(): Promise<void> {
    await this.#ticker?.stop();
  }

  async #take(alerts: AlertTargets): Promise<void> {
    const dropped = await this.#d.rows.expire(this.#d.clock.now() - maxAgeMs);
    if (dropped > 0) this.#d.log.warn({ dropped }, "routed alerts no agent took within a day were dropped");
    for (const row of await this.#d.rows.pending(this.#d.self(), batch)) {
      if (this.#ticker?.stopped) return;
      let alert: Alert | undefined;
      try {
        alert = JSON.parse(row.alert) as Alert;
      } catch {
        this.#d.log.error({ seq: row.seq }, "a routed alert is not JSON; dropped");
      }
      if (alert) await alerts.applyRouted(alert, row.receiver, `${row.sentBy} via ${row.fromAgent}`);
      await this.#d.rows.remove(row.seq);
    }
  }
}
