/**
 * Alertmanager's alerts as targets: a firing alert fails its target (`naming.ts`), which opens or
 * updates an incident on the same path as a check's (notifications, silences, maintenance, the
 * runbook of its route, audit); a resolved one lifts it once no alert of that target still fires.
 * Alertmanager resends firing alerts every `repeat_interval` and after its own restart: a fingerprint
 * already firing changes nothing and is no event, so a repeat opens nothing twice.
 *
 * The firing fingerprints are kept with the target's row, so an agent restarted between a firing
 * and its resolution resolves it correctly; the targets themselves are restored by `Targets.load`.
 *
 * Owns: turning posted alerts into target results. Must not import: api routes, app, remediation.
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { Targets } from "../targets/targets.ts";
import { agentByInstance, type FleetAgent } from "./by-instance.ts";
import { alertPolicy, alertTarget } from "./naming.ts";
import type { Alert, WebhookPayload } from "./payload.ts";
import { matchRoute } from "./routes.ts";

export interface AlertsDeps {
  targets: Targets;
  bus: EventBus;
  clock: Clock;
  /** `alertmanager.routes` as the config says now. */
  routes: () => VigilConfig["alertmanager"]["routes"];
  /** This agent's agent.name. */
  self: () => string;
  /** Hands an alert to another agent of the fleet (relay.ts); it becomes a target there. */
  forward: (agent: string, alert: Alert, receiver: string, by: string) => Promise<void>;
  /** The fleet's agents (a shared postgres:// store), for alerts whose route names no agent; absent on SQLite. */
  fleet?: () => Promise<readonly FleetAgent[]>;
}

/**
 * What a post did, per alert: the target it is and that target's state after it here, or the agent
 * it was handed to (`agent`, with `state` null: the target is that agent's).
 */
export interface AlertReceipt {
  alerts: {
    fingerprint: string;
    status: string;
    target: string;
    state: string | null;
    agent?: string;
  }[];
}

export class AlertTargets {
  readonly #d: AlertsDeps;
  /** One post at a time: two posts about one target must not interleave their read-modify-write. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: AlertsDeps) {
    this.#d = deps;
  }

  receive(payload: WebhookPayload, by: string): Promise<AlertReceipt> {
    return this.#serial(() => this.#receive(payload, by));
  }

  /** An alert another agent was posted and routed here (relay.ts): applied as if posted here. */
  applyRouted(alert: Alert, receiver: string, by: string): Promise<void> {
    return this.#serial(async () => {
      const target = alertTarget(alert.labels);
      await this.#apply(target, alert, receiver, by);
      if (this.#d.targets.has(target)) await this.#d.targets.persist(target);
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #apply(target: string, alert: Alert, receiver: string, by: string): Promise<void> {
    return alert.status === "firing"
      ? this.#firing(target, alert, receiver, by)
      : this.#resolved(target, alert, receiver, by);
  }

  async #receive(payload: WebhookPayload, by: string): Promise<AlertReceipt> {
    const out: AlertReceipt["alerts"] = [];
    const touched = new Set<string>();
    let fleet: Promise<readonly FleetAgent[]> | undefined;
    const agents = () => (fleet ??= this.#d.fleet?.() ?? Promise.resolve([]));
    for (const alert of payload.alerts) {
      const target = alertTarget(alert.labels);
      const agent = await this.#owner(target, alert, agents);
      if (agent !== undefined && agent !== this.#d.self()) {
        await this.#d.forward(agent, alert, payload.receiver, by);
        out.push({ fingerprint: alert.fingerprint, status: alert.status, target, state: null, agent });
        continue;
      }
      await this.#apply(target, alert, payload.receiver, by);
      if (this.#d.targets.has(target)) touched.add(target);
      out.push({
        fingerprint: alert.fingerprint,
        status: alert.status,
        target,
        state: this.#d.targets.state(target) ?? null,
      });
    }
    // Written before the 200: Alertmanager does not resend a resolution it was told was received.
    await Promise.all([...touched].map((t) => this.#d.targets.persist(t)));
    return { alerts: out };
  }

  /**
   * Who takes an alert: the agent its route names; else, on a fleet, the agent its `instance` names
   * (`by-instance.ts`): a live one for a firing alert, any for a resolution (a row waits for an agent
   * that is down, whose incident it closes). An alert this agent already holds firing stays here,
   * so its resolution finds it. Undefined: this agent.
   */
  async #owner(
    target: string,
    alert: Alert,
    agents: () => Promise<readonly FleetAgent[]>,
  ): Promise<string | undefined> {
    const named = matchRoute(this.#d.routes(), alert.labels)?.agent;
    if (named !== undefined || !this.#d.fleet) return named;
    if (this.#d.targets.has(target) && this.#d.targets.sources(target).length > 0) return undefined;
    const known = await agents();
    return agentByInstance(
      alert.labels.instance,
      alert.status === "firing" ? known.filter((a) => a.alive) : known,
    );
  }

  async #firing(target: string, alert: Alert, receiver: string, by: string): Promise<void> {
    const { targets } = this.#d;
    targets.push(target, alertPolicy, alert.labels);
    const sources = targets.sources(target);
    if (!sources.includes(alert.fingerprint)) {
      targets.setSources(target, [...sources, alert.fingerprint].slice(-100));
      await this.#event(target, alert, receiver, by);
    }
    await targets.result(target, {
      ts: this.#d.clock.now(),
      ok: false,
      duration_ms: 0,
      failure_class: "alert_firing",
      explanation: explain(alert),
    });
  }

  async #resolved(target: string, alert: Alert, receiver: string, by: string): Promise<void> {
    const { targets } = this.#d;
    // Nothing to resolve: a resolution of an alert this agent never saw firing.
    if (!targets.has(target)) return;
    const sources = targets.sources(target);
    if (sources.includes(alert.fingerprint)) {
      targets.setSources(
        target,
        sources.filter((f) => f !== alert.fingerprint),
      );
      await this.#event(target, alert, receiver, by);
    }
    if (targets.sources(target).length > 0) return;
    await targets.result(target, {
      ts: this.#d.clock.now(),
      ok: true,
      duration_ms: 0,
      explanation: `resolved at ${alert.endsAt}`,
    });
  }

  async #event(target: string, alert: Alert, receiver: string, by: string): Promise<void> {
    await this.#d.bus.emit(
      "alert.received",
      target,
      {
        status: alert.status,
        fingerprint: alert.fingerprint,
        alertname: alert.labels.alertname ?? "",
        receiver,
      },
      by,
    );
  }
}

/** The incident's detail: what the rule's annotations say, bounded. */
function explain(alert: Alert): string {
  const a = alert.annotations;
  const said = a.summary ?? a.description ?? a.message ?? "";
  return `firing since ${alert.startsAt}${said ? `: ${said}` : ""}`.slice(0, 500);
}
