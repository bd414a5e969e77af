/**
 * What a job must agree with before the agent schedules it: a cron expression and time zone croner
 * reads, an action that exists and may run, the parameters that action declares, and the target a
 * built-in needs. Each is refused here, with its place in the file, rather than failing every night.
 */
import { cronProblem, knownTimeZone } from "../core/cron-schedule.ts";
import { builtinActions } from "../gateway/builtins.ts";
import { validateParams } from "../gateway/params.ts";
import type { VigilConfig } from "./schema.ts";

type Add = (path: (string | number)[], message: string) => void;

const list = (names: string[]) => (names.length === 0 ? "none" : names.join(", "));

export function jobProblems(c: VigilConfig, add: Add): void {
  const declared = Object.keys(c.actions);
  const targets = [...Object.keys(c.services), ...Object.keys(c.checks)];
  for (const [name, job] of Object.entries(c.jobs)) {
    const at = (...key: string[]) => ["jobs", name, ...key];
    if (job.timezone !== undefined && !knownTimeZone(job.timezone)) {
      add(at("timezone"), cronProblem(job.cron, job.timezone)!);
    } else {
      const problem = cronProblem(job.cron, job.timezone);
      if (problem) add(at("cron"), problem);
    }

    if (job.target !== undefined && !targets.includes(job.target))
      add(at("target"), `"${job.target}" is not a service or check here (targets: ${list(targets)})`);

    const action = c.actions[job.action];
    if (action) {
      if (action.risk === "deny")
        add(at("action"), `the action "${job.action}" has risk: deny; nothing may run it, a job neither`);
      try {
        validateParams(job.action, action.params, job.params);
      } catch (e) {
        add(at("params"), `${(e as Error).message} (as the action "${job.action}" declares them)`);
      }
      continue;
    }
    const builtin = builtinActions.find((b) => b.name === job.action);
    if (!builtin) {
      add(
        at("action"),
        `the job runs "${job.action}", which is not defined under actions: (defined: ${list(declared)}; built in: ${list(builtinActions.map((b) => b.name))})`,
      );
      continue;
    }
    if (builtin.needs_target && job.target === undefined)
      add(at("target"), `the built-in "${job.action}" acts on a service: name it with target:`);
    else if (builtin.needs_target && job.target !== undefined && job.target in c.checks)
      add(at("target"), `the built-in "${job.action}" acts on a service, and "${job.target}" is a check`);
    if (Object.keys(job.params).length > 0)
      add(at("params"), `the built-in "${job.action}" takes no parameters`);
  }
}
