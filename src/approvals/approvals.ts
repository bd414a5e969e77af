/**
 * The approval queue: requests, decisions, expiry. A person decides; who decided is the
 * authenticated token's name. A requester cannot decide its own request, `approvals: N` needs N
 * different people, a decided request answers a second decision with CONFLICT and its current state,
 * and a request nobody decides in time turns `expired`. On approval the agent mints a capability for
 * exactly what was approved and hands it to the gateway.
 *
 * Owns: approval state. Must not import: api, cli, app.
 */
import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
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
  /** Starts the approved run with its capability; resolves with the run id. */
  onApproved: (approval: ApprovalRow, token: string, decidedBy: string) => Promise<string>;
  /** Local hour of day, for the time-of-day signal. */
  hour?: (now: number) => number;
}

/** A capability lives just long enough to be handed to the gateway. */
const capabilityTtlMs = 60_000;
const sweepEveryMs = 5_000;

export class Approvals implements ApprovalQueue {
  readonly #d: ApprovalsDeps;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(deps: ApprovalsDeps) {
    this.#d = deps;
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
    await store.insertApproval(row);
    await bus.emit(
      "approval.requested",
      input.target ?? input.action,
      {
        approval_id: row.id,
        action: row.action,
        params: this.#d.redactor.params(row.action, input.params),
        target: row.target,
        reason: row.reason,
        required: row.required,
        expires_at: row.expires_at,
        assessment: assessment.level,
      },
      input.requestedBy,
    );
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
      if (status !== "pending") await tx.setApprovalStatus(id, status, now);
      return { ...current, status, decided_at: status === "pending" ? null : now };
    });
    await bus.emit(
      "approval.decided",
      row.target ?? row.action,
      { approval_id: id, decision, note, status: row.status },
      by.name,
    );
    if (row.status === "approved") row.run_id = await this.#startRun(row, by.name);
    return this.#view(row);
  }

  async #startRun(row: ApprovalRow, by: string): Promise<string> {
    const params = JSON.parse(row.params) as Record<string, string>;
    const token = await this.#d.capabilities.mint(
      { approvalId: row.id, digest: actionDigest(row.action, params, row.target) },
      capabilityTtlMs,
    );
    const runId = await this.#d.onApproved(row, token, by);
    await this.#d.store.setApprovalStatus(row.id, "approved", row.decided_at!, runId);
    return runId;
  }

  /**
   * At start: an approval the previous agent recorded but did not get to run. Run it if it was
   * decided moments ago (a capability's lifetime); an older one is expired rather than acted on
   * long after the person decided, and says so.
   */
  async resumeInterrupted(): Promise<number> {
    const { store, clock, bus } = this.#d;
    let n = 0;
    for (const row of await store.approvedWithoutRun(100)) {
      if (clock.now() - (row.decided_at ?? 0) <= capabilityTtlMs) {
        await this.#startRun(row, "vigil");
        n++;
        continue;
      }
      await store.setApprovalStatus(row.id, "expired", clock.now());
      await bus.emit("approval.expired", row.target ?? row.action, {
        approval_id: row.id,
        action: row.action,
        reason: "approved, but the agent stopped before running it; ask again",
      });
    }
    return n;
  }

  /** Turns pending requests past their time into `expired`, each audited. */
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
    return n;
  }

  /** Sweeps for expired requests every few seconds until `stop`. */
  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      void this.expireDue()
        .catch((e: unknown) => this.#d.log.error({ err: e }, "approval expiry sweep failed"))
        .finally(() => {
          if (!this.#stopped) this.#timer = this.#d.clock.setTimeout(tick, sweepEveryMs);
        });
    };
    this.#timer = this.#d.clock.setTimeout(tick, sweepEveryMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
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
    };
  }
}
