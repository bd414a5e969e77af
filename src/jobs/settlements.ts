/**
 * How a job waiting on an approval hears, on this agent's bus, that it is settled: its approved run
 * finished, the approval was rejected, or it expired. (Settled on another agent of a fleet, it is
 * read from the store instead: recover.ts.)
 */
import type { EventBus, EventMap, StoredEvent } from "../core/events.ts";
import type { JobStatus } from "../store/job-store.ts";
import { finishedOutcome, rejectedDetail } from "./outcome.ts";

/** Records the job's outcome. */
export type Settle = (status: JobStatus, r: { detail: string; runId?: string | null }) => void;

export interface Waiting {
  /** The waiting job of that name, if it waits. */
  job: (name: string) => Settle | undefined;
  /** The job waiting on that approval, if one does. */
  approval: (id: string) => Settle | undefined;
}

/** Listens for what settles a waiting job; returns the unsubscribe functions. */
export function listenForSettlements(bus: EventBus, waiting: Waiting): (() => void)[] {
  const on = (
    type: "action.finished" | "approval.decided" | "approval.expired",
    fn: (e: StoredEvent) => void,
  ) => bus.on(type, fn);
  return [
    on("action.finished", (ev) => {
      // A run that went straight through is recorded by the job itself; this is an approved one.
      if (!ev.actor.startsWith("job:")) return;
      const p = JSON.parse(ev.payload) as EventMap["action.finished"];
      const settle = waiting.job(ev.actor.slice(4));
      settle?.(p.status === "succeeded" ? "succeeded" : "failed", {
        runId: p.run_id,
        detail: finishedOutcome(p),
      });
    }),
    on("approval.decided", (ev) => {
      const p = JSON.parse(ev.payload) as EventMap["approval.decided"];
      if (p.status === "rejected")
        waiting.approval(p.approval_id)?.("rejected", { detail: rejectedDetail(ev.actor, p.note) });
    }),
    on("approval.expired", (ev) => {
      const p = JSON.parse(ev.payload) as EventMap["approval.expired"];
      waiting.approval(p.approval_id)?.("expired", { detail: `the approval expired: ${p.reason}` });
    }),
  ];
}
