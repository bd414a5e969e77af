/**
 * What became of a run the previous agent was in the middle of, or of the approval a job waits on:
 * still pending (the job stays busy), or an outcome to record now. Asked at start, and on a fleet
 * every poll for the approvals jobs wait on, since another agent may have decided them.
 */
import type { RunView } from "../gateway/types.ts";
import type { JobRow, JobStatus } from "../store/job-store.ts";
import { outcomeOf, rejectedDetail } from "./outcome.ts";

export interface Lookups {
  approval: (id: string) => Promise<
    | {
        status: string;
        run_id: string | null;
        decisions?: { by: string; decision: string; note: string }[];
      }
    | undefined
  >;
  run: (id: string) => Promise<RunView | undefined>;
}

export type Recovery = "busy" | { status: JobStatus; detail: string; runId?: string } | undefined;

export async function recoveryOf(row: JobRow, d: Lookups): Promise<Recovery> {
  const { status, approval_id: approvalId } = row;
  if (status === "running") {
    return {
      status: "failed",
      detail: "the agent stopped before the run finished (see action.interrupted in the audit log)",
    };
  }
  if (status !== "waiting" || approvalId === null) return undefined;
  const approval = await d.approval(approvalId);
  if (approval?.status === "pending") return "busy";
  if (approval?.status === "approved") {
    const run = approval.run_id === null ? undefined : await d.run(approval.run_id);
    if (run && run.status !== "running") {
      return {
        status: run.status === "succeeded" ? "succeeded" : "failed",
        runId: run.id,
        detail: outcomeOf(run),
      };
    }
    // Its run starts (or goes on) now; its action.finished settles the job.
    return "busy";
  }
  if (approval?.status === "rejected") {
    const no = approval.decisions?.find((x) => x.decision === "reject");
    const detail = no ? rejectedDetail(no.by, no.note) : "the approval was rejected";
    return { status: "rejected", detail };
  }
  return {
    status: "expired",
    detail: approval ? "the approval expired before anyone decided" : `approval ${approvalId} is gone`,
  };
}
