/**
 * The approval queue: requests, decisions, expiry. A person decides; who decided is the
 * authenticated token's name. A requester cannot decide its own request, `approvals: N` needs N
 * different people, a decided request answers a second decision with CONFLICT and its current state,
 * and a request nobody decides in time turns `expired`. On approval the agent mints a capability for
 * exactly what was approved and hands it to the gateway.
 *
 * Agents of a fleet share the queue, and a request may be decided on any of them; it runs on the
 * agent that asked for it (its target, its gateway, its capability key). Decided elsewhere, it waits
 * `approved` with no run until that agent's next poll (`runQueued`, every second on a fleet) takes it.
 *
 * Owns: approval state. Must not import: api, cli, app.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { Ticker } from "../core/ticker.ts";
import { VigilError } from "../core/errors.ts";
import { announce, announcement, announceLeftovers } from "../core/announce.ts";
import type { EventBus, StoredEvent } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { Redactor } from "../core/redact.ts";
import type { ActionStore, ApprovalRow, ApprovalStatus, DecisionRow } from "../store/action-store.ts";
import { actionDigest, type Capabilities } from "../gateway/capability.ts";
import type { ApprovalQueue } from "../gateway/types.ts";
import { assess, type Assessment } from "./assess.ts";
import { refusalFor } from "./may-decide.ts";

export interface ApprovalView {
  id: string;
  action: string;
  params: Record<string, string>;
  target: string | null;
  reason: string;
  requested_by: string;
  requested_at: number;
  expires_at: number;
  required: number;
  status: ApprovalStatus;
  assessment: Assessment;
  decisions: { by: string; decision: "approve" | "reject"; note: string; at: number }[];
  run_id: string | null;
  /** The agent that asked for it and runs it once approved (null: a request from before agents were named). */
  agent: string | null;
  /** Approved: `queued` until its agent starts the run, then `started` (see `run_id`); otherwise null. */
  run_state: "queued" | "started" | null;
}

export interface Decider {
  name: string;
}

export interface ApprovalsDeps {
  store: ActionStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  capabilities: Capabilities;
  /** Hides secret parameters in every view and event; the stored request keeps them for the run. */
  redactor: Redactor;
  ttlMs: () => number;
  /** Starts the approved run with its capability under `runId` (the run goes on in the background). */
  onApproved: (approval: ApprovalRow, token: string, decidedBy: string, runId: string) => Promise<unknown>;
  /** Local hour of day, for the time-of-day signal. */
  hour?: (now: number) => number;
  /** The newest `limit` events, oldest first: where a start looks for the requests it announced. */
  recentEvents: (limit: number) => Promise<StoredEvent[]>;
}

/** A capability lives just long enough to be handed to the gateway. */
const capabilityTtlMs = 60_000;
/** Expiry sweeps, and (on a fleet) the poll for requests approved on other agents. */
const defaultSweepMs = 5_000;

export class Approvals implements ApprovalQueue {
  readonly #d: ApprovalsDeps;
  #ticker: Ticker | undefined;

  constructor(deps: ApprovalsDeps) {
    this.#d = deps;
  }

  /** At start: announces the requests a stop left untold (core/announce.ts). */
  async announceLeftovers(): Promise<number> {
    const { store } = this.#d;
    return announceLeftovers(this.#d, {
      key: "approval_id",
      unannounced: () => store.unannouncedApprovals(),
      announced: (id) => store.approvalAnnounced(id),
    });
  }

  async request(input: Parameters<ApprovalQueue["request"]>[0]): Promise<ApprovalRow> {
    const { store, clock, bus } = this.#d;
    const now = clock.now();
    const assessment = assess({
      action: input.action,
      risk: input.risk,
      targets: input.target ? 1 : 0,
      recent: await store.recentRuns(input.action, 20),
      now,
      hour: (this.#d.hour ?? ((t) => new Date(t).getHours()))(now),
    });
    const row: ApprovalRow = {
      id: randomUUID(),
      action: input.action,
      params: JSON.stringify(input.params),
      target: input.target,
      reason: input.reason,
      requested_by: input.requestedBy,
      requested_at: now,
      expires_at: now + this.#d.ttlMs(),
      required: input.required,
      status: "pending",
      assessment: JSON.stringify(assessment),
      run_id: null,
      decided_at: null,
    };
    const requested = {
      approval_id: row.id,
      action: row.action,
      params: this.#d.redactor.params(row.action, input.params),
      target: row.target,
      reason: row.reason,
      required: row.required,
      expires_at: row.expires_at,
      assessment: assessment.level,
    };
    const told = announcement("approval.requested", requested, now, input.requestedBy);
    await store.insertApproval(row, told);
    await announce(bus, input.target ?? input.action, told, () => store.approvalAnnounced(row.id));
    return row;
  }

  async get(id: string): Promise<ApprovalView | undefined> {
    await this.expireDue();
    const row = await this.#d.store.getApproval(id);
    return row ? this.#view(row) : undefined;
  }

  async list(status: ApprovalStatus | undefined, limit: number): Promise<ApprovalView[]> {
    await this.expireDue();
    const rows = await this.#d.store.listApprovals(status, limit);
    return Promise.all(rows.map((r) => this.#view(r)));
  }

  /** Records one person's decision; approves, rejects or waits for more approvers. */
  async decide(id: string, by: Decider, decision: "approve" | "reject", note: string): Promise<ApprovalView> {
    const { store, clock, bus } = this.#d;
    await this.expireDue();
    const now = clock.now();
    const row = await store.transaction(async (tx) => {
      const current = await tx.getApproval(id);
      if (!current) throw new VigilError("NOT_FOUND", `no approval request with id "${id.slice(0, 80)}"`);
      const earlier = await tx.decisions(id);
      const refusal = refusalFor(
        current,
        earlier.map((d) => d.decided_by),
        by.name,
      );
      if (refusal === "not_pending") {
        throw new VigilError("CONFLICT", `the request is already ${current.status}`, {
          details: { approval: await this.#view(current, tx) },
        });
      }
      if (refusal === "requester") {
        throw new VigilError(
          "FORBIDDEN",
          `${by.name} asked for this run and cannot decide it; another person must`,
        );
      }
      if (refusal === "decided_already") {
        throw new VigilError(
          "CONFLICT",
          `${by.name} already decided this request; it needs ${current.required} different people`,
          { details: { approval: await this.#view(current, tx) } },
        );
      }
      await tx.insertDecision({ approval_id: id, decided_by: by.name, decision, note, at: now });
      const approvals =
        earlier.filter((d) => d.decision === "approve").length + (decision === "approve" ? 1 : 0);
      const status: ApprovalStatus =
        decision === "reject" ? "rejected" : approvals >= current.required ? "approved" : "pending";
      if (status !== "pending") await tx.settleApproval(id, status, now);
      return { ...current, status, decided_at: status === "pending" ? null : now, decided_on: store.agent };
    });
    const runsOn = ownerOf(row, store.agent);
    await bus.emit(
      "approval.decided",
      row.target ?? row.action,
      { approval_id: id, decision, note, status: row.status, agent: store.agent, runs_on: runsOn },
      by.name,
    );
    // Another agent's request waits for that agent's poll: this one has neither its target nor its key.
    if (row.status === "approved" && runsOn === store.agent)
      row.run_id = (await this.#startRun(row, by.name)) ?? (await store.getApproval(id))?.run_id ?? null;
    return this.#view(row);
  }

  /**
   * Claims the run of an approved request of this agent and starts it; null when it was claimed
   * already. A run that cannot start gives the request up as expired (audited) rather than leave it
   * to be tried again every poll.
   */
  async #startRun(row: ApprovalRow, by: string): Promise<string | null> {
    const { store, clock, bus } = this.#d;
    const runId = randomUUID();
    if (!(await store.claimApprovalRun(row.id, runId))) return null;
    try {
      const params = JSON.parse(row.params) as Record<string, string>;
      const token = await this.#d.capabilities.mint(
        { approvalId: row.id, digest: actionDigest(row.action, params, row.target) },
        capabilityTtlMs,
      );
      await this.#d.onApproved(row, token, by, runId);
      return runId;
    } catch (e) {
      if (await store.expireApproved(row.id, clock.now(), runId))
        await bus.emit("approval.expired", row.target ?? row.action, {
          approval_id: row.id,
          action: row.action,
          reason: `approved, but ${store.agent} could not start it: ${(e as Error).message.slice(0, 200)}`,
        });
      throw e;
    }
  }

  /**
   * Runs this agent's approved requests that have not started: decided on another agent of the
   * fleet, or left behind when this agent stopped between a decision and its run. One decided
   * elsewhere runs while its request has not expired (a capability's lifetime after the decision at
   * least), so an agent that was down when it was approved runs it when it is back in time. One
   * decided here and left behind runs only if it was decided moments ago (a capability's lifetime);
   * an older one is expired rather than acted on long after the person decided, and says so.
   */
  async runQueued(): Promise<number> {
    const { store, clock, bus, log } = this.#d;
    let n = 0;
    for (const row of await store.queuedApprovals(100)) {
      const now = clock.now();
      const elsewhere = row.decided_on != null && row.decided_on !== store.agent;
      const fresh = elsewhere
        ? now < Math.max(row.expires_at, (row.decided_at ?? 0) + capabilityTtlMs)
        : now - (row.decided_at ?? 0) <= capabilityTtlMs;
      if (fresh) {
        try {
          if (await this.#startRun(row, "vigil")) n++;
        } catch (err) {
          log.error({ err, approval: row.id }, "an approved run could not start");
        }
        continue;
      }
      if (await store.expireApproved(row.id, now))
        await bus.emit("approval.expired", row.target ?? row.action, {
          approval_id: row.id,
          action: row.action,
          reason: elsewhere
            ? `approved on ${row.decided_on}, but ${store.agent} was not running before the request expired; ask again`
            : "approved, but the agent stopped before running it; ask again",
        });
    }
    return n;
  }

  /**
   * Turns pending requests past their time into `expired`, each audited; and approved ones whose
   * agent did not start them in time (it is down), whichever agent's they are.
   */
  async expireDue(): Promise<number> {
    const { store, clock, bus } = this.#d;
    const now = clock.now();
    const due = await store.duePending(now, 100);
    let n = 0;
    for (const a of due) {
      const changed = await store.transaction(async (tx) => {
        const cur = await tx.getApproval(a.id);
        if (cur?.status !== "pending") return false;
        await tx.setApprovalStatus(a.id, "expired", now);
        return true;
      });
      if (!changed) continue;
      n++;
      await bus.emit("approval.expired", a.target ?? a.action, {
        approval_id: a.id,
        action: a.action,
        reason: "nobody decided in time",
      });
    }
    for (const a of await store.staleApproved(now, now - capabilityTtlMs, 100)) {
      if (!(await store.expireApproved(a.id, now))) continue;
      n++;
      await bus.emit("approval.expired", a.target ?? a.action, {
        approval_id: a.id,
        action: a.action,
        reason: `approved, but ${a.agent ?? "its agent"} did not run it before the request expired; ask again`,
      });
    }
    return n;
  }

  /**
   * Every `everyMs` until `stop`: the expiry sweep, then this agent's queued approved requests (a
   * fleet polls every second, so a request approved on another agent starts here promptly).
   */
  start(everyMs = defaultSweepMs): void {
    this.#ticker = new Ticker(
      this.#d.clock,
      everyMs,
      async () => {
        await this.expireDue();
        await this.runQueued();
      },
      (err) => this.#d.log.error({ err }, "approval sweep failed; the next one tries again"),
    );
    this.#ticker.start();
  }

  async stop(): Promise<void> {
    await this.#ticker?.stop();
  }

  async #view(row: ApprovalRow, store: ActionStore = this.#d.store): Promise<ApprovalView> {
    const decisions: DecisionRow[] = await store.decisions(row.id);
    return {
      id: row.id,
      action: row.action,
      params: this.#d.redactor.params(row.action, JSON.parse(row.params) as Record<string, string>),
      target: row.target,
      reason: row.reason,
      requested_by: row.requested_by,
      requested_at: row.requested_at,
      expires_at: row.expires_at,
      required: row.required,
      status: row.status,
      assessment: JSON.parse(row.assessment) as Assessment,
      decisions: decisions.map((d) => ({ by: d.decided_by, decision: d.decision, note: d.note, at: d.at })),
      run_id: row.run_id,
      agent: row.agent ?? null,
      run_state: row.status !== "approved" ? null : row.run_id ? "started" : "queued",
    };
  }
}

/** The agent that runs an approved request: the one that asked (a request from before agents were named: this one). */
function ownerOf(row: ApprovalRow, self: string): string {
  return row.agent || self;
}
