/**
 * Moves the counters and histograms of `metrics.ts`: from the event bus for what is audited, and from
 * the monitor for every check result (the audit log keeps only changes of outcome, so the counters
 * cannot come from events).
 *
 * Label values taken from an event are names the config declared (targets, channels, actions); any
 * other label is mapped onto a fixed list here, so an unexpected payload cannot grow the series.
 *
 * Owns: what moves which metric. Must not import: app, api, store, supervisor.
 */
import type { Counter } from "prom-client";
import type { EventBus, EventMap, EventType, StoredEvent } from "../core/events.ts";
import type { VigilMetrics } from "./metrics.ts";

/** One check result, whether or not it changed anything. */
export interface CheckSample {
  target: string;
  /** The probe type: http, tcp, command ... */
  type: string;
  ok: boolean;
  durationMs: number;
  /** From the probe's fixed list of failure classes. */
  failureClass?: string | undefined;
}

/** The label sets a config implies; `syncLabels` starts them at zero and drops the gone ones. */
export interface Declared {
  /** Targets that have a check. */
  checked: readonly string[];
  services: readonly string[];
  channels: readonly string[];
}

const restartTriggers = ["automatic", "operator"] as const;
const notificationOutcomes = ["sent", "failed", "gave_up"] as const;

const payload = <K extends EventType>(e: StoredEvent): EventMap[K] => JSON.parse(e.payload) as EventMap[K];

/** `value` when it is one of `allowed`, else "other": a label that cannot take a surprise value. */
function bounded(value: string, allowed: readonly string[]): string {
  return allowed.includes(value) ? value : "other";
}

/** Counts every check result. Called by the monitor after each check, audited or not. */
export function observeCheck(m: VigilMetrics, c: CheckSample): void {
  m.checkDuration.observe({ type: c.type }, c.durationMs / 1000);
  m.series.count(c.target, c.ok);
  if (!c.ok) m.checkFailures.inc({ type: c.type, failure_class: c.failureClass ?? "unknown" });
}

/**
 * Subscribes the counters to the bus; returns the unsubscribe.
 * @example lifecycle.defer("metrics", feedFromEvents(metrics, bus));
 */
export function feedFromEvents(m: VigilMetrics, bus: EventBus): () => void {
  const offs = [
    bus.on("*", (e) => m.auditEvents.inc({ type: e.type })),
    bus.on("service.restart_scheduled", (e) => m.restarts.inc({ target: e.subject, trigger: "automatic" })),
    bus.on("target.action", (e) => {
      if (payload<"target.action">(e).action === "restart") {
        m.restarts.inc({ target: e.subject, trigger: "operator" });
      }
    }),
    bus.on("remediation.finished", (e) => {
      const p = payload<"remediation.finished">(e);
      m.remediations.inc({ action: p.action, outcome: bounded(p.outcome, ["succeeded", "failed"]) });
      if (p.recovered_ms !== null) m.timeToRecover.observe({ action: p.action }, p.recovered_ms / 1000);
    }),
    bus.on("action.finished", (e) => {
      const p = payload<"action.finished">(e);
      m.actionRuns.inc({ action: p.action, status: bounded(p.status, ["succeeded", "failed"]) });
    }),
    bus.on("notification.sent", (e) => {
      m.notifications.inc({ channel: payload<"notification.sent">(e).channel, outcome: "sent" });
    }),
    bus.on("notification.failed", (e) => {
      const p = payload<"notification.failed">(e);
      m.notifications.inc({ channel: p.channel, outcome: p.gave_up ? "gave_up" : "failed" });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * Starts every series the config implies at zero (so `rate()` and `increase()` see the first event,
 * and a dashboard shows a 0 rather than nothing), and drops the series of targets and channels a
 * reload removed, so the series stay bounded by the current config.
 */
export async function syncLabels(m: VigilMetrics, d: Declared): Promise<void> {
  const want = <T extends string>(names: readonly string[], values: readonly T[]) =>
    names.flatMap((name) => values.map((v) => [name, v] as const));
  m.series.declare(d.checked);
  await reconcile(m.restarts, "target", new Set(d.services), want(d.services, restartTriggers), (t, r) => ({
    target: t,
    trigger: r,
  }));
  await reconcile(
    m.notifications,
    "channel",
    new Set(d.channels),
    want(d.channels, notificationOutcomes),
    (c, o) => ({ channel: c, outcome: o }),
  );
}

type Labels = Record<string, string>;

/** Removes the series whose `key` label is no longer declared, then adds the missing ones at zero. */
async function reconcile(
  counter: Counter<string>,
  key: string,
  keep: ReadonlySet<string>,
  wanted: readonly (readonly [string, string])[],
  labels: (name: string, value: string) => Labels,
): Promise<void> {
  for (const v of (await counter.get()).values) {
    if (!keep.has(String(v.labels[key]))) counter.remove(v.labels);
  }
  for (const [name, value] of wanted) counter.inc(labels(name, value), 0);
}
