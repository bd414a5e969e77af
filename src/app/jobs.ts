/**
 * Wires the job scheduler (src/jobs) to the gateway, the approvals, incidents, the kill switch and
 * the store. It stops with the agent (before the gateway drains its runs) and a reload reschedules.
 * What the API sees of it is `JobsApi`.
 */
import type { JobsApi } from "../api/context.ts";
import type { Approvals } from "../approvals/approvals.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Incidents } from "../incidents/incidents.ts";
import { Jobs } from "../jobs/jobs.ts";
import type { KillSwitch } from "../remediation/kill-switch.ts";
import { JobStore } from "../store/job-store.ts";
import type { Wiring } from "./wiring.ts";

export interface JobsWiring extends Wiring {
  gateway: Gateway;
  approvals: Approvals;
  incidents: Incidents;
  killSwitch: KillSwitch;
}

export async function wireJobs(w: JobsWiring): Promise<{ jobs: JobsApi; reload: () => Promise<void> }> {
  const jobs = new Jobs({
    store: new JobStore(w.store.db, w.config().agent.name),
    bus: w.bus,
    clock: w.clock,
    log: w.log.child({ component: "jobs" }),
    jobs: () => w.config().jobs,
    request: (action, req, by) => w.gateway.request(action, req, by),
    approval: async (id) => {
      const a = await w.approvals.get(id);
      return a && { status: a.status, run_id: a.run_id, decisions: a.decisions };
    },
    run: (id) => w.gateway.getRun(id),
    // As for restarts and remediation: nothing starts by itself while paused or observing.
    held: () =>
      w.killSwitch.paused
        ? "paused (the kill switch)"
        : w.config().agent.mode === "observe"
          ? "observe mode"
          : undefined,
    incidents: w.incidents,
    // A fleet's agents share the approvals: one decided on another agent is heard of by its poll.
    watchMs: w.store.db.dialect === "postgres" ? 1_000 : undefined,
  });
  await jobs.start();
  w.lifecycle.defer("jobs", () => jobs.stop());
  return {
    jobs: { list: () => jobs.list(), runNow: (name, by) => jobs.runNow(name, by.name) },
    reload: () => jobs.reload(),
  };
}
