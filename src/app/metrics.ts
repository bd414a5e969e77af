/**
 * Wires the Prometheus metrics: the registry reads the agent's present state at scrape time, the bus
 * and the monitor move the counters, and a reload re-declares the label sets. Nothing here runs on a
 * timer of its own.
 */
import type { MetricsApi } from "../api/context.ts";
import { failureReasons, type AccessObserver } from "../api/failure-limiter.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { VigilConfig } from "../config/schema.ts";
import { ExpositionCache } from "../metrics/exposition.ts";
import { feedFromEvents, observeCheck, syncLabels, type Declared } from "../metrics/feed.ts";
import { defineMetrics, type TargetSample } from "../metrics/metrics.ts";
import { ActionStore } from "../store/action-store.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import type { Store } from "../store/store.ts";
import type { CheckSpec } from "../targets/monitor.ts";
import type { LastResult } from "../targets/targets.ts";
import { version } from "./version.ts";

export interface AgentMetrics extends MetricsApi {
  /** For the monitor: every check result. */
  check(spec: CheckSpec, r: LastResult): void;
  /** For the API's failure limiter: failed authentications and lockouts. */
  access: AccessObserver;
}

/** The label sets the config implies (see `syncLabels`). */
function declared(config: VigilConfig): Declared {
  const services = Object.entries(config.services);
  return {
    checked: [...Object.keys(config.checks), ...services.filter(([, s]) => s.health).map(([n]) => n)],
    services: services.map(([n]) => n),
    channels: Object.keys(config.notify.channels),
  };
}

export async function wireMetrics(w: {
  store: Store;
  bus: EventBus;
  lifecycle: Lifecycle;
  config: () => VigilConfig;
  targets: () => readonly TargetSample[];
  schedulerLagMs: () => number;
  paused: () => boolean;
  auditHead: () => { seq: number; hash: string } | undefined;
}): Promise<AgentMetrics> {
  const actions = new ActionStore(w.store.db);
  const outbox = new OutboxStore(w.store.db);
  const m = defineMetrics({
    targets: w.targets,
    schedulerLagMs: w.schedulerLagMs,
    paused: w.paused,
    approvalsPending: () => actions.pendingCount(),
    outboxDepth: () => outbox.depth(),
    channels: () => Object.keys(w.config().notify.channels),
    info: () => ({ version, mode: w.config().agent.mode }),
    auditHead: w.auditHead,
  });
  await syncLabels(m, declared(w.config()));
  // Shown at 0 from the start, so rate() and alerts work before the first failure.
  for (const reason of failureReasons) m.authFailures.inc({ reason }, 0);
  for (const scope of ["address", "identity"] as const) m.authLockouts.inc({ scope }, 0);
  const offEvents = feedFromEvents(m, w.bus);
  // Rendered at most once a second, and served from that: a scrape never renders per request.
  const exposition = new ExpositionCache({
    render: () => m.render(),
    contentType: m.registry.contentType,
    now: Date.now,
  });
  const offReload = w.bus.on("config.reloaded", () => {
    exposition.invalidate();
    return syncLabels(m, declared(w.config()));
  });
  w.lifecycle.defer("metrics", () => {
    offReload();
    offEvents();
  });
  return {
    check: (spec, r) =>
      observeCheck(m, {
        target: spec.target,
        type: spec.probe.type,
        ok: r.ok,
        durationMs: r.duration_ms,
        failureClass: r.failure_class,
      }),
    access: {
      failed: (reason) => m.authFailures.inc({ reason }),
      lockedOut: (scope) => m.authLockouts.inc({ scope }),
      rateLimited: () => m.authRateLimited.inc(),
    },
    scrape: () => exposition.get(),
    authRequired: () => w.config().agent.metrics_auth,
  };
}
