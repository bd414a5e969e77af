import type { Command } from "commander";
import type { JobView } from "../../jobs/jobs.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"));

/** The result column: what the last run came to, and what goes on now. */
function result(j: JobView): string {
  const now = j.running ? (j.last_result === "waiting" ? "waiting for approval" : "running") : "";
  const last = j.running ? "" : (j.last_result ?? "never ran");
  return [now || last, j.queued ? "+1 queued" : ""].filter(Boolean).join(", ");
}

export function registerJobs(program: Command, ctx: CliContext): void {
  const client = (config?: string) => new AgentClient(resolveTarget(config, ctx.env));
  const common = (c: Command) =>
    c.option("-c, --config <file>", "config file (to find the agent)").option("--json", "print JSON");
  const jobs = program.command("jobs").description("scheduled jobs: schedule, next run, last run and result");

  common(jobs.command("list", { isDefault: true }).description("every job (the default)")).action(
    verb(ctx, async (opts: { config?: string; json?: boolean }) => {
      const { jobs: list } = await client(opts.config).request<{ jobs: JobView[] }>("GET", "/api/jobs");
      if (opts.json) return void ctx.io.out(JSON.stringify(list, null, 2));
      if (list.length === 0) return void ctx.io.out("no jobs (add them under jobs: in the config)");
      ctx.io.out(
        table([
          ["NAME", "SCHEDULE", "ACTION", "NEXT RUN", "LAST RUN", "LAST RESULT", "DETAIL"],
          ...list.map((j) => [
            j.name,
            j.timezone ? `${j.cron} (${j.timezone})` : j.cron,
            j.target ? `${j.action} ${j.target}` : j.action,
            iso(j.next_run),
            iso(j.last_run),
            result(j),
            (j.last_detail ?? "-").slice(0, 80),
          ]),
        ]),
      );
    }),
  );

  common(
    jobs
      .command("run <name>")
      .description(
        "run a job now, as the job (its action's risk and approvals hold); see it with vigil jobs",
      ),
  ).action(
    verb(ctx, async (name: string, opts: { config?: string; json?: boolean }) => {
      const j = await client(opts.config).request<JobView>(
        "POST",
        `/api/jobs/${encodeURIComponent(name)}/run`,
      );
      if (opts.json) return void ctx.io.out(JSON.stringify(j, null, 2));
      ctx.io.out(`started ${j.name} (${j.action}); vigil jobs shows how it went`);
    }),
  );
}
