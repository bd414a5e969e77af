/**
 * Every fact the agent learns or causes is one typed event. Components talk through these events and
 * the store, not by reaching into each other. Every event is appended to the audit log (durably,
 * through the sink) before any listener sees it, so a listener never acts on a fact that a crash
 * could lose.
 */
import type { Clock } from "./clock.ts";

/** A claim's verdict as audited: the verdict, each check, and who claimed it through what. */
export interface ClaimVerifiedPayload {
  verdict: "TRUE" | "FALSE" | "UNVERIFIABLE";
  claim: string;
  checks: { what: string; expected: string; observed: string; ok: boolean }[];
  evidence: string;
  source: "api" | "watcher" | "mcp";
  by: string;
}

/** Payload of each event type. Later features add their types here, one line each. */
export interface EventMap {
  "agent.started": {
    version: string;
    mode: string;
    pid: number;
    config_file: string;
    store: string;
    /** What runs: api/routes/system.ts `runtimeInfo()`, as `GET /health` reports it. */
    runtime: { entry: "dist" | "sources"; flags: string[]; node: string };
  };
  "agent.stopped": { reason: string };
  /** Another start of this agent's name took it while this one could not renew: it stops. */
  "agent.lease_lost": { holder: string };
  "config.reloaded": { config_file: string };
  "config.reload_failed": { config_file: string; problems: string[] };
  "audit.verified": { ok: boolean; count: number; first_bad_seq?: number | undefined };
  /** `vigil up --accept-audit-reset`: the first row of a new chain, naming what was wrong with the old. */
  "audit.reset": {
    found: string[];
    previous_tip_seq: number;
    anchor_seq: number | null;
    accepted_by: string;
  };
  /** A check's outcome flipped (ok ↔ failing) or its failure changed; repeats are not events. */
  "check.result": {
    ok: boolean;
    failure_class?: string | undefined;
    explanation: string;
    duration_ms: number;
  };
  "target.state": { from: string; to: string; reason: string };
  "service.started": { pid: number; adopted: boolean };
  "service.exited": { code: number | null; signal: string | null; uptime_ms: number; expected: boolean };
  "service.restart_scheduled": { delay_ms: number; reason: string };
  /** The escalation: the restart budget is spent and automatic restarts stop. */
  "service.gave_up": { restarts: number; window_ms: number };
  "service.port_conflict": { port: number; holder: string };
  "service.spawn_failed": { error: string };
  "target.action": { action: "start" | "stop" | "restart" | "recover"; result: string };
  "heartbeat.received": { from: string };
  /** Alertmanager posted an alert that changes its target: new firing, or resolved (repeats are not events). */
  "alert.received": { status: string; fingerprint: string; alertname: string; receiver: string };
  /** An alert whose route names another agent, written to the shared store for it (alertmanager/relay.ts). */
  "alert.routed": { agent: string; status: string; fingerprint: string; alertname: string };
  /** A run begins: after validation, risk and (for approve-tier) a valid capability. */
  "action.requested": {
    action: string;
    run_id: string;
    params: Record<string, string>;
    target: string | null;
    risk: string;
    approval_id: string | null;
    reason: string;
    /** The agent that runs it. */
    agent: string;
  };
  /**
   * A run the previous agent left unfinished (it was killed mid-run): what was found of its processes
   * at this start and what was done to them. The run is marked failed.
   */
  "action.interrupted": { run_id: string; action: string; found: string; done: string };
  "action.finished": {
    action: string;
    run_id: string;
    status: string;
    risk: string;
    exit_code: number | null;
    duration_ms: number;
    /** A bounded, redacted excerpt; the run record keeps the capped output. */
    output: string;
  };
  "approval.requested": {
    approval_id: string;
    action: string;
    params: Record<string, string>;
    target: string | null;
    reason: string;
    required: number;
    expires_at: number;
    assessment: string;
  };
  /** `agent`: where it was decided; `runs_on`: the agent that asked for it and runs it once approved. */
  "approval.decided": {
    approval_id: string;
    decision: "approve" | "reject";
    note: string;
    status: string;
    agent: string;
    runs_on: string;
  };
  "approval.expired": { approval_id: string; action: string; reason: string };
  /** `detail`: what the failure looked like, when known (who holds the port, what the connection said). */
  "incident.opened": { incident_id: string; failure_class: string; reopened: boolean; detail: string | null };
  "incident.resolved": { incident_id: string; duration_ms: number };
  /**
   * Automatic action stops and a person is needed: once per episode of an incident. `gave_up`: the
   * supervisor stopped restarting the service, which stays down (told at once).
   */
  "incident.escalated": { incident_id: string; reason: string; gave_up?: true };
  /** Many dependents down behind one failed dependency: one call for the whole storm. */
  "incident.storm": { incident_id: string; dependents: string[] };
  /** What remediation chose and why; `executed: false` in observe mode (or while paused). */
  "remediation.decided": {
    incident_id: string;
    action: string;
    attempt: number;
    executed: boolean;
    explanation: string;
  };
  "remediation.finished": {
    incident_id: string;
    action: string;
    outcome: "succeeded" | "failed";
    detail: string;
    recovered_ms: number | null;
  };
  "notification.sent": {
    notification_id: string;
    channel: string;
    kind: string;
    attempts: number;
    incident_id: string | null;
    /** Each fact the message told: one, or several when it was a group. */
    told: { kind: string; incident_id: string | null }[];
  };
  "notification.failed": {
    notification_id: string;
    channel: string;
    error: string;
    attempts: number;
    gave_up: boolean;
  };
  /** `vigil notify test`: one test message straight through a channel, outside the outbox. */
  "notification.tested": { channel: string; type: string; ok: boolean; error: string | null };
  /** A work order checked (`POST /api/check`): what it lacks, never its text. */
  "instruction.checked": { ok: boolean; missing: string[]; empty: string[] };
  /** A line of governance.claims.file that is no claim; `held`: warnings held back before this one. */
  "claims.line_skipped": { file: string; offset: number; reason: string; held: number };
  /** Someone not allowed to tried a Telegram command or button; nothing ran. */
  "telegram.refused": {
    user_id: number | null;
    username: string | null;
    chat_id: number | null;
    command: string;
    reason: string;
  };
  /** `at`: when the switch took effect, when the store could not record it then (so this is late). */
  "agent.paused": { reason: string; at?: number | undefined };
  "agent.resumed": { reason: string; at?: number | undefined };
  /** Recorded once the store writes again: from `since` to `until` it could not, for `cause`. */
  "store.unavailable": { since: number; until: number; cause: string; failed_calls: number };
  "silence.created": { silence_id: string; until: number; reason: string };
  "silence.deleted": { silence_id: string };
  /**
   * Scheduled jobs (subject `job:<name>`). A run begins: by its schedule, a catch-up at start, the one
   * queued behind a run that overlapped, or a person (`manual`, the actor says who).
   */
  "job.started": {
    action: string;
    trigger: "schedule" | "catch_up" | "queued" | "manual";
    scheduled_at: number | null;
  };
  /** What the run came to: succeeded, failed, or rejected or expired when it waited for approval. */
  "job.finished": {
    action: string;
    status: string;
    run_id: string | null;
    approval_id: string | null;
    detail: string;
  };
  /** A scheduled time that did not run: still running (`overlap: skip`), paused, observe mode. */
  "job.skipped": { scheduled_at: number; reason: string };
  /** A scheduled time that waits behind the running one (`overlap: queue`, one at most). */
  "job.queued": { scheduled_at: number };
  /**
   * At start: times the schedule named while the agent was down (`count` stops at `cap`), and
   * whether the job runs once for them (`catch_up: once`).
   */
  "job.missed": { count: number; cap: number; first: number; last: number; catch_up: "none" | "once" };
  /** An AI assistant called an MCP tool (subject: what it was about); `error` is the catalog code. */
  "mcp.called": { tool: string; ok: boolean; error: string | null; duration_ms: number };
  /** A claim checked (POST /api/verify, the claims watcher, MCP); subject `claim`, actor who asked. */
  "claim.verified": ClaimVerifiedPayload;
  /** A claim found FALSE, at most once per claim text per hour: what a person is told of. */
  "claim.false": ClaimVerifiedPayload;
  /** An expired, replayed, forged or mismatched capability token was presented. */
  "capability.refused": { approval_id: string; reason: string };
}

export type EventType = keyof EventMap;

/** An event as emitted, before it has a place in the chain. */
export interface NewEvent<K extends EventType = EventType> {
  type: K;
  subject: string;
  actor: string;
  payload: EventMap[K];
  ts: number;
}

/** An event as stored in the audit log. `payload` is kept as canonical JSON text. */
export interface StoredEvent {
  seq: number;
  ts: number;
  actor: string;
  type: string;
  subject: string;
  payload: string;
  prev_hash: string;
  hash: string;
  /**
   * The agent whose hash chain the row is in (agents sharing a PostgreSQL store each have one);
   * absent on the store's one chain (SQLite's, or a fleet's rows from before per-agent chains).
   */
  chain?: string;
}

export interface EventSink {
  /** Durably appends events in order; resolves with their stored form. */
  append(events: NewEvent[]): Promise<StoredEvent[]>;
}

export type Listener = (event: StoredEvent) => void | Promise<void>;

export interface EventBusOptions {
  sink: EventSink;
  clock: Clock;
  /** Called when a listener throws or rejects; the bus itself never throws for a listener. */
  onListenerError: (error: unknown, event: StoredEvent) => void;
}

export class EventBus {
  readonly #opts: EventBusOptions;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(opts: EventBusOptions) {
    this.#opts = opts;
  }

  /**
   * Appends the event to the audit log and then tells the listeners.
   * @example await bus.emit("agent.stopped", "agent", { reason: "SIGTERM" });
   */
  async emit<K extends EventType>(
    type: K,
    subject: string,
    payload: EventMap[K],
    actor = "vigil",
  ): Promise<StoredEvent> {
    const [stored] = await this.#opts.sink.append([
      { type, subject, actor, payload, ts: this.#opts.clock.now() },
    ]);
    this.#dispatch(stored!);
    return stored!;
  }

  /** Subscribes to one type, or to every type with "*"; returns the unsubscribe function. */
  on(type: EventType | "*", listener: Listener): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  #dispatch(event: StoredEvent): void {
    for (const key of [event.type, "*"]) {
      for (const listener of this.#listeners.get(key) ?? []) {
        try {
          const r = listener(event);
          if (r instanceof Promise) r.catch((e: unknown) => this.#opts.onListenerError(e, event));
        } catch (e) {
          this.#opts.onListenerError(e, event);
        }
      }
    }
  }
}
