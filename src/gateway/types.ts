/** The gateway's vocabulary: who asks, what is asked, what a run produced, what it needs of others. */
import type { VerifyRecord } from "../backups/manifest.ts";
import type { ApprovalRow, RunRow } from "../store/action-store.ts";
import type { Risk } from "./risk.ts";

/** Who asks: the authenticated token's name and role. */
export interface Requester {
  name: string;
  role: "viewer" | "agent" | "operator" | "admin";
}

export interface ActionRequest {
  params: Record<string, unknown>;
  reason: string;
  target?: string | undefined;
  dryRun?: boolean | undefined;
}

/** What the gateway needs of the supervisor for the built-ins. */
export interface ServiceControl {
  isService(name: string): boolean;
  isTarget(name: string): boolean;
  /** A check that reads a container (a `container:` check, a compose member): restart, start and stop act on it. */
  readsContainer?(name: string): boolean;
  act(name: string, action: "restart" | "start" | "stop", by: string): Promise<{ state: string }>;
  /** The running managed service with the most resident memory (its whole process group). */
  largest(): { name: string; rssMb: number } | undefined;
  /** Doubles the service's start period (its health grace after a start), then restarts it. */
  longerStart(name: string, by: string): Promise<{ ok: boolean; detail: string }>;
  /** Stops whatever holds the service's port (never the agent's business without approval) and starts it. */
  freePort(name: string, by: string): Promise<{ ok: boolean; detail: string }>;
}

/** Where approve-tier requests go: the approvals queue. */
export interface ApprovalQueue {
  request(input: {
    action: string;
    params: Record<string, string>;
    target: string | null;
    reason: string;
    requestedBy: string;
    required: number;
    risk: Risk;
  }): Promise<ApprovalRow>;
}

export interface RunView {
  id: string;
  action: string;
  params: Record<string, string>;
  target: string | null;
  requested_by: string;
  reason: string;
  approval_id: string | null;
  status: RunRow["status"];
  started_at: number;
  finished_at: number | null;
  result: RunResult | null;
  /** The agent that ran it (a fleet's agents share the runs). */
  agent?: string | null;
}

/** What a run produced. Output is capped and redacted before it is stored or shown. */
export interface RunResult {
  ok: boolean;
  duration_ms: number;
  exit_code?: number | null;
  signal?: string | null;
  timed_out?: boolean;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  http_status?: number | null;
  body?: string;
  files?: string[];
  count?: number;
  bytes?: number;
  dry_run?: boolean;
  state?: string;
  /** A `backup` run: the dump it wrote, its checksum and restore test, what rotation removed. */
  backup?: {
    file: string | null;
    sha256: string | null;
    good: boolean;
    verify: VerifyRecord | null;
    removed: string[];
    warnings?: string;
  };
  error?: string;
}

export type RequestOutcome = { kind: "ran"; run: RunView } | { kind: "queued"; approval: ApprovalRow };
