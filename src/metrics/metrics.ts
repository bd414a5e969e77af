/**
 * Every metric Vigil exposes on `GET /metrics`, in one Prometheus registry together with the
 * process metrics, but for the series per target (`target-series.ts`, rendered in slices: at
 * 100,000 checks they are most of the text). `feed.ts` moves the counters; the gauges here read
 * their sources at render time, so a scrape shows the present and nothing polls in between.
 *
 * Labels are bounded: `target`, `channel` and `action` are names from the config (or a built-in
 * action), every other label comes from a fixed list. Never an id, a message, an error or a parameter.
 *
 * Owns: metric names, help, labels and buckets. Must not import: app, api, store, supervisor.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "./prom.ts";
import { TargetSeries } from "./target-series.ts";

/** The part of a target a scrape reads (a `TargetView` has it). */
export interface TargetSample {
  name: string;
  kind: string;
  state: string;
  last_result: { duration_ms: number } | null;
}

/** Where the scrape-time gauges read from; every function is called once per scrape. */
export interface ScrapeSources {
  targets(): readonly TargetSample[];
  /** p99 of the recent scheduling lags, in ms. */
  schedulerLagMs(): number;
  paused(): boolean;
  approvalsPending(): Promise<number>;
  /** Notifications waiting in the outbox, per channel. */
  outboxDepth(): Promise<Record<string, number>>;
  /** The configured channels: each shows a depth, 0 when nothing waits. */
  channels(): readonly string[];
  info(): { version: string; mode: string };
  /** The audit chain's head as this agent knows it (undefined before the first event). */
  auditHead?(): { seq: number; hash: string } | undefined;
}

/** Probe durations: a local port answers in a millisecond, a slow HTTP check takes seconds. */
const checkBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** From a remediation's action to the target being healthy again: seconds to an hour. */
const recoverBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * prom-client's default metrics include three gauges named `*_total`, which promtool rejects
 * ("non-counter metrics should not have _total suffix"); `sum(nodejs_active_handles)` (by type) and
 * its siblings say the same.
 */
const misnamedDefaults = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/**
 * Builds the registry. Call once per agent: metric names are unique within a registry.
 * @example const m = defineMetrics(sources); res.end((await m.render()).join(""));
 */
export function defineMetrics(src: ScrapeSources) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics(registry);
  for (const name of misnamedDefaults) registry.removeSingleMetric(name);
  const series = new TargetSeries();
  const renders = new Counter({
    name: "vigil_metrics_renders_total",
    help: "Times the /metrics text was rendered; scrapes within a second of a render share it.",
    registers,
  });

  return {
    registry,

    /** `vigil_target_up`, `vigil_check_last_duration_seconds`, `vigil_check_results_total`. */
    series,

    renders,

    /** The whole text exposition, UTF-8 in pieces: the registry's, then the per-target series. */
    async render(): Promise<Buffer[]> {
      renders.inc();
      const head = Buffer.from(`${await registry.metrics()}\n`);
      return [head, ...(await series.render(src.targets()))];
    },

    info: new Gauge({
      name: "vigil_info",
      help: "Always 1; the labels say which version runs and in which mode (auto or observe).",
      labelNames: ["version", "mode"] as const,
      registers,
      collect() {
        this.reset();
        this.set(src.info(), 1);
      },
    }),

    targets: new Gauge({
      name: "vigil_targets",
      help: "Targets per state (starting, up, degraded, down, flapping, failed, stopped ...).",
      labelNames: ["state"] as const,
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const t of src.targets()) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    }),

    /*
     * Check durations: a histogram per check type, and only the last duration per target. At
     * 10,000 targets a per-target histogram is 10,000 x 15 series for one metric, more than the
     * rest of the agent put together; the type histogram answers "are HTTP checks getting slower",
     * and `vigil_check_last_duration_seconds` (target-series.ts) "which target is slow".
     */
    checkDuration: new Histogram({
      name: "vigil_check_duration_seconds",
      help: "How long each check took, by check type (http, tcp, command ...).",
      labelNames: ["type"] as const,
      buckets: checkBuckets,
      registers,
    }),

    checkFailures: new Counter({
      name: "vigil_check_failures_total",
      help: "Failed check results by check type and failure class (timeout, http_5xx ...).",
      labelNames: ["type", "failure_class"] as const,
      registers,
    }),

    restarts: new Counter({
      name: "vigil_restarts_total",
      help: "Service restarts: automatic (a crash or a failing health check) or by an operator.",
      labelNames: ["target", "trigger"] as const,
      registers,
    }),

    remediations: new Counter({
      name: "vigil_remediation_actions_total",
      help: "Finished remediation attempts by action and outcome (succeeded or failed).",
      labelNames: ["action", "outcome"] as const,
      registers,
    }),

    timeToRecover: new Histogram({
      name: "vigil_time_to_recover_seconds",
      help: "From a remediation action to its target being healthy again, by action.",
      labelNames: ["action"] as const,
      buckets: recoverBuckets,
      registers,
    }),

    actionRuns: new Counter({
      name: "vigil_action_runs_total",
      help: "Finished gateway runs of allowlisted actions by action and status (succeeded or failed).",
      labelNames: ["action", "status"] as const,
      registers,
    }),

    approvalsPending: new Gauge({
      name: "vigil_approvals_pending",
      help: "Approval requests waiting for a decision.",
      registers,
      async collect() {
        this.set(await src.approvalsPending());
      },
    }),

    notifications: new Counter({
      name: "vigil_notifications_total",
      help: "Delivery attempts by channel and outcome: sent, failed (will retry), gave_up.",
      labelNames: ["channel", "outcome"] as const,
      registers,
    }),

    outboxDepth: new Gauge({
      name: "vigil_outbox_depth",
      help: "Notifications waiting in the outbox for delivery, per channel.",
      labelNames: ["channel"] as const,
      registers,
      async collect() {
        const depth = await src.outboxDepth();
        this.reset();
        for (const channel of src.channels()) this.set({ channel }, 0);
        // A channel removed from the config can still hold pending rows: they are shown too.
        for (const [channel, n] of Object.entries(depth)) this.set({ channel }, n);
      },
    }),

    schedulerLag: new Gauge({
      name: "vigil_scheduler_lag_seconds",
      help: "p99 of how late the recent checks started against their schedule.",
      registers,
      collect() {
        this.set(src.schedulerLagMs() / 1000);
      },
    }),

    auditEvents: new Counter({
      name: "vigil_audit_events_total",
      help: "Events appended to the audit log, by event type; the append rate is rate() of it.",
      labelNames: ["type"] as const,
      registers,
    }),

    // The head in every scrape: a Prometheus server keeps a history of anchors off this host.
    auditHeadSeq: new Gauge({
      name: "vigil_audit_head_seq",
      help: "The seq of the newest audit event: a chain that later ends below it was cut short.",
      registers,
      collect() {
        this.set(src.auditHead?.()?.seq ?? 0);
      },
    }),

    auditHeadInfo: new Gauge({
      name: "vigil_audit_head_info",
      help: "Always 1; hash is the first 8 hex of the newest audit event's hash, seq its seq.",
      labelNames: ["seq", "hash"] as const,
      registers,
      collect() {
        // One series at a time: the old head's goes when the head moves.
        this.reset();
        const head = src.auditHead?.();
        if (head) this.set({ seq: String(head.seq), hash: head.hash.slice(0, 8) }, 1);
      },
    }),

    authFailures: new Counter({
      name: "vigil_auth_failures_total",
      help: "Failed authentications by reason: unknown_token, malformed_header, login (the dashboard's), heartbeat.",
      labelNames: ["reason"] as const,
      registers,
    }),

    authLockouts: new Counter({
      name: "vigil_auth_lockouts_total",
      help: "Lockouts begun: an address, or a claimed identity from any address, reached its failure limit.",
      labelNames: ["scope"] as const,
      registers,
    }),

    authRateLimited: new Counter({
      name: "vigil_auth_rate_limited_total",
      help: "Failed authentications answered 429 because their address or identity was locked out.",
      registers,
    }),

    paused: new Gauge({
      name: "vigil_paused",
      help: "1 while the kill switch holds every automatic action, else 0.",
      registers,
      collect() {
        this.set(src.paused() ? 1 : 0);
      },
    }),
  };
}

export type VigilMetrics = ReturnType<typeof defineMetrics>;
