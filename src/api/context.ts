/** What routes may use. The API reaches the rest of the agent only through this. */
import type { AlertReceipt } from "../alertmanager/alerts.ts";
import type { WebhookPayload } from "../alertmanager/payload.ts";
import type { ApprovalView } from "../approvals/approvals.ts";
import type { BackupsView } from "../backups/manifest.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Logger } from "../core/log.ts";
import type { ActionRequest, RequestOutcome, RunView } from "../gateway/types.ts";
import type { InstructionCheck } from "../governance/types.ts";
import type { IncidentView } from "../incidents/incidents.ts";
import type { JobView } from "../jobs/jobs.ts";
import type { MemberView, Roster } from "../fleet/membership.ts";
import type { DigestPreview } from "../digest/preview.ts";
import type { ChannelTestResult } from "../notify/test-message.ts";
import type { PauseState } from "../remediation/kill-switch.ts";
import type { StatRow } from "../remediation/stats.ts";
import type { ApprovalStatus } from "../store/action-store.ts";
import type { IncidentStatus, SilenceRow } from "../store/incident-store.ts";
import type { HistoryWindow, Overview, TargetHistoryView } from "../targets/history.ts";
import type { TargetView } from "../targets/targets.ts";
import type { FleetTargetView } from "../targets/fleet-list.ts";
import type { ClaimVerifier } from "../governance/types.ts";
import type { FailureLimiter, Principal, RouteRole, TokenRegistry } from "./auth.ts";
import type { ApiContext, Reply } from "./router.ts";
import type { SessionStore } from "./sessions.ts";

export type TargetAction = "start" | "stop" | "restart" | "recover";

/** What the API may ask of services and checks. */
export interface TargetsApi {
  list(): TargetView[];
  get(name: string): TargetView | undefined;
  /** Runs an operator's action; rejects with CONFLICT when it does not apply to the target. */
  act(name: string, action: TargetAction, by: Principal): Promise<TargetView>;
  /** The newest lines of a service's log, or undefined when no such service. */
  /** A process service's log file, or a container service's output read from the engine. */
  logs(name: string, lines: number): Promise<string[] | undefined>;
  /** Records a heartbeat when the token is the check's own (or `by` is an operator). */
  heartbeat(name: string, token: string | undefined, by: Principal | undefined): Promise<void>;
}

/** One declared (or built-in) action, as listed to people and assistants. */
export interface ActionInfo {
  name: string;
  kind: string;
  risk: string;
  params: Record<string, unknown>;
  approvals: number;
  agent_auto: boolean;
  description?: string | undefined;
  /** Built-ins: whether it acts on the service named by `target`. */
  needs_target?: boolean;
}

/** The gateway, as the API may use it. */
export interface ActionsApi {
  list(): ActionInfo[];
  request(name: string, req: ActionRequest, by: Principal): Promise<RequestOutcome>;
  getRun(id: string): Promise<RunView | undefined>;
  /** The newest runs of every action, newest first (added: the dashboard's action history). */
  runs(limit: number): Promise<RunView[]>;
  /** Each backup action's dumps with checksum and verify result; NOT_FOUND for a name that is none. */
  backups(action: string | undefined): Promise<BackupsView[]>;
}

/** The approval queue, as the API may use it. */
export interface ApprovalsApi {
  list(status: ApprovalStatus | undefined, limit: number): Promise<ApprovalView[]>;
  get(id: string): Promise<ApprovalView | undefined>;
  decide(id: string, by: Principal, decision: "approve" | "reject", note: string): Promise<ApprovalView>;
}

/** Incidents, statistics, the kill switch and silences, as the API may use them. */
export interface GuardApi {
  incidents(status: IncidentStatus | undefined, limit: number): Promise<IncidentView[]>;
  incident(id: string): Promise<IncidentView | undefined>;
  stats(target?: string): Promise<StatRow[]>;
  pause(by: Principal, reason: string): Promise<{ paused: boolean }>;
  resume(by: Principal, reason: string): Promise<{ paused: boolean }>;
  silences(): Promise<SilenceRow[]>;
  silence(target: string, durationMs: number, reason: string, by: Principal): Promise<SilenceRow>;
  unsilence(id: string, by: Principal): Promise<void>;
  /** The kill switch: whether it is on, who turned it on, why and since when. */
  pauseState(): PauseState;
}

/** Scheduled jobs, as the API may use them. */
export interface JobsApi {
  list(): JobView[];
  /** Starts a run now (a person's): NOT_FOUND for no such job, CONFLICT while one is in progress. */
  runNow(name: string, by: Principal): JobView;
}

/** The fleet's members and every agent's targets, as the API may show them. */
export interface FleetApi {
  view(): Promise<MemberView[]>;
  /** Every agent's targets in the store (on SQLite, this agent's). */
  targets(): Promise<FleetTargetView[]>;
  /** The members with what the live ones published of their shared checks. */
  roster(): Promise<Roster>;
}

/** Notification channels, as the API may use them. */
export interface NotifyApi {
  /** Sends a test message through a configured channel (audited); rejects with NOT_FOUND for an unknown one. */
  test(channel: string, by: Principal): Promise<ChannelTestResult>;
}

/** Claim verification and instruction checks, as the API may use them. */
export interface GovernanceApi {
  /** Checks a work order against governance.instruction_sections (audited with who asked). */
  check(instruction: string, by: Principal): Promise<InstructionCheck>;
  /** Checks a claim against the machine (audited; a FALSE one notified): built.governance.verifier. */
  verifier: ClaimVerifier;
}

export interface HealthInfo {
  /** "degraded" (HTTP 503) while the store cannot write. */
  status: "ok" | "degraded";
  /** While degraded: why the store fails ("database or disk is full (SQLITE_FULL)"), and since when. */
  store_error?: string;
  store_failing_since?: number;
  version: string;
  mode: string;
  paused: boolean;
  store: string;
  scheduler_lag_ms: number;
  event_loop_lag_ms: number;
  /** Open `GET /api/events` streams (added). */
  event_streams: number;
}

/** The live event stream (`GET /api/events`), as the API may use it. */
export interface EventsApi {
  /**
   * One server-sent-events body: the stored events after `after` (when given), then live ones,
   * filtered to `types` (exact names, or `prefix.*`) when any. Throws RATE_LIMITED when too many
   * streams are open, or `owner` (a token's name) holds too many of them.
   */
  open(opts: {
    after: number | undefined;
    types: readonly string[];
    owner?: string;
  }): ReadableStream<Uint8Array>;
  /** Streams open now. */
  readonly count: number;
}

/** The Prometheus metrics (`GET /metrics`), as the API may use them. */
export interface MetricsApi {
  /**
   * The text exposition of every metric: rendered at most once a second, and the same bytes (and
   * gzipped bytes, compressed once) for every scrape in between.
   */
  scrape(): Promise<{ contentType: string; body: Uint8Array; gzipped(): Promise<Uint8Array> }>;
  /** `agent.metrics_auth`: read at each request, so a reload applies at once. */
  authRequired(): boolean;
}

/** Uptime and latency history (added: what the dashboard draws). */
export interface HistoryApi {
  /** Every target with uptime over 24 h and 7 d and its newest latencies, in one answer. */
  overview(): Promise<Overview>;
  /** One target's buckets over the window, or undefined when there is no such target. */
  history(name: string, window: HistoryWindow): Promise<TargetHistoryView | undefined>;
}

/** What the MCP tools need beyond what the routes use (added). */
export interface McpApi {
  /** The agent's version, as MCP's server info names it. */
  version: string;
  /** Records one tool call as `mcp.called`, with the caller's name as actor. */
  called(
    by: Principal,
    subject: string,
    payload: { tool: string; ok: boolean; error: string | null; duration_ms: number },
  ): Promise<void>;
  /** Text the agent hands an assistant (a service's log line), with every configured secret replaced. */
  redact(text: string): string;
}

export type ReloadOutcome = { ok: true } | { ok: false; problems: string[] };

export interface AlertmanagerApi {
  receive(payload: WebhookPayload, by: string): Promise<AlertReceipt>;
}

/** The daily digest of a day, made now and sent nowhere (`vigil digest --preview`). */
export interface DigestApi {
  /** Yesterday in the digest's time zone without `date`; VALIDATION_FAILED for a bad or future one. */
  preview(date: string | undefined): Promise<DigestPreview>;
}

export interface ApiDeps {
  audit: AuditLog;
  targets: TargetsApi;
  actions: ActionsApi;
  approvals: ApprovalsApi;
  guard: GuardApi;
  notify: NotifyApi;
  digest: DigestApi;
  governance: GovernanceApi;
  jobs: JobsApi;
  fleet: FleetApi;
  events: EventsApi;
  metrics: MetricsApi;
  history: HistoryApi;
  mcp: McpApi;
  /** Alertmanager's webhook (`POST /api/alertmanager`); absent, the route answers 404. */
  alertmanager?: AlertmanagerApi;
  /** The dashboard's login sessions (cookie + CSRF token), beside bearer tokens. */
  sessions: SessionStore;
  tokens: TokenRegistry;
  limiter: FailureLimiter;
  log: Logger;
  health(): Promise<HealthInfo>;
  /** `agent.public_ops_report`: read at each request, so a reload applies at once. */
  publicOpsReport?(): boolean;
  reload(by: Principal): Promise<ReloadOutcome>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Where the built dashboard is (added); web/dist in the checkout by default. */
  webDir?: string;
}

/** One route: the table that the server registers and that the role tests walk. */
export interface RouteSpec {
  method: "GET" | "POST" | "DELETE";
  path: string;
  role: RouteRole;
  /** When the role follows the config (`agent.metrics_auth`): asked per request, over `role`. */
  roleFor?: (deps: ApiDeps) => RouteRole;
  /** Answered at once, never waiting for its turn behind other handlers (turns.ts): `/health`. */
  urgent?: true;
  handler: (c: ApiContext, deps: ApiDeps) => Reply | Promise<Reply>;
}
