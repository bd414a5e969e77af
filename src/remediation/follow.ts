/**
 * Following a step that waited for a person: its approval first, then the run the approval started.
 * A rejected or expired approval is refused (naming who rejected it); an approved one is pending
 * until its run has finished, and then the run's outcome is the step's.
 */
import type { Followed } from "./engine.ts";

export interface FollowDeps {
  approval: (id: string) => Promise<
    | {
        status: string;
        decisions: readonly { by: string; decision: string }[];
        run_id: string | null;
      }
    | undefined
  >;
  run: (id: string) => Promise<{ id: string; status: string; finished_at: number | null } | undefined>;
  now: () => number;
}

export async function follow(approvalId: string | null, d: FollowDeps): Promise<Followed> {
  if (!approvalId) return { kind: "refused", detail: "nothing to follow" };
  const a = await d.approval(approvalId);
  if (!a) return { kind: "refused", detail: `approval ${approvalId} is gone` };
  if (a.status === "pending") return { kind: "pending" };
  if (a.status !== "approved") {
    const who = a.decisions.find((x) => x.decision === "reject")?.by;
    return { kind: "refused", detail: `approval ${a.status}${who ? ` by ${who}` : ""}` };
  }
  if (!a.run_id) return { kind: "pending" };
  const run = await d.run(a.run_id);
  if (!run || run.status === "running") return { kind: "pending" };
  return {
    kind: "ran",
    ok: run.status === "succeeded",
    runId: run.id,
    detail: `run ${run.id} ${run.status}`,
    at: run.finished_at ?? d.now(),
  };
}
