/**
 * What every part of the agent is wired with: the store, the event bus, the clock, a logger, the
 * lifecycle that stops it, and the config as it is now (a function: a reload replaces it).
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { Store } from "../store/store.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { ActionsApi, DigestApi, GuardApi, JobsApi } from "../api/context.ts";
import type { Approvals } from "../approvals/approvals.ts";
import type { KillSwitch } from "../remediation/kill-switch.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { Governance } from "./governance.ts";
import type { Supervision } from "./supervision.ts";
import type { Membership } from "../fleet/membership.ts";
import type { AlertTargets } from "../alertmanager/alerts.ts";

export interface Wiring {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  config: () => VigilConfig;
}

/** What everything else records through: the store, the audit log over it, the event bus into it. */
export interface Core {
  store: Store;
  audit: AuditLog;
  bus: EventBus;
  /** This agent's place in the fleet, joined before anything is written. */
  fleet: Membership;
}

/** What the start has built by the time notifications and the API are wired. */
export interface Built {
  supervision: Supervision;
  killSwitch: KillSwitch;
  metrics: AgentMetrics;
  actions: ActionsApi;
  approvals: Approvals;
  guard: GuardApi;
  muted: (target: string) => string | undefined;
  jobs: JobsApi;
  fleet: Membership;
  /** Claim verification: the API, the claims watcher and MCP verify through `governance.verifier`. */
  governance: Governance;
  /** Alertmanager's alerts (`POST /api/alertmanager`) and those other agents route here. */
  alerts: AlertTargets;
  /** The daily digest's preview; its sender queues it into the outbox once a day. */
  digest: DigestApi;
}
