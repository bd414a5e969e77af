import type { Command } from "commander";
import type { ApprovalView } from "../../approvals/approvals.ts";
import { VigilError } from "../../core/errors.ts";
import type { RunView } from "../../gateway/types.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

interface Queued {
  approval_id: string;
  status: string;
  required: number;
  expires_at: number;
}

/** `key=value` words into a params object; the value is taken literally, whatever it holds. */
export function parseParams(words: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    const key = eq > 0 ? word.slice(0, eq) : "";
    if (!/^\w{1,64}$/.test(key)) {
      throw new VigilError(
        "VALIDATION_FAILED",
        `parameters are key=value, got ${JSON.stringify(word.slice(0, 60))}; e.g. vigil run reindex table=users`,
      );
    }
    if (Object.hasOwn(params, key))
      throw new VigilError("VALIDATION_FAILED", `parameter ${key} is given twice`);
    params[key] = word.slice(eq + 1);
  }
  return params;
}

export function registerActions(program: Command, ctx: CliContext): void {
  const client = (config?: string) => new AgentClient(resolveTarget(config, ctx.env));

  program
    .command("run <action> [params...]")
    .description("ask for an action; runs it or queues it for approval by its risk (params as key=value)")
    .option("--reason <text>", "why, recorded with the request", "")
    .option("--target <name>", "the service or check it is for (required by restart, start, stop)")
    .option("--dry-run", "cleanup actions: list what would be removed, change nothing")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(
        ctx,
        async (
          action: string,
          words: string[],
          opts: { reason: string; target?: string; dryRun?: boolean; config?: string; json?: boolean },
        ) => {
          const body = {
            params: parseParams(words),
            reason: opts.reason,
            ...(opts.target === undefined ? {} : { target: opts.target }),
            ...(opts.dryRun ? { dry_run: true } : {}),
          };
          const res = await client(opts.config).request<RunView | Queued>(
            "POST",
            `/api/actions/${encodeURIComponent(action)}/run`,
            body,
          );
          if (opts.json) ctx.io.out(JSON.stringify(res, null, 2));
          if (!("id" in res)) {
            if (!opts.json)
              ctx.io.out(
                `${action}: waits for approval (${res.required} person${res.required > 1 ? "s" : ""}); id ${res.approval_id}\n  approve with: vigil approve ${res.approval_id}`,
              );
            return 0;
          }
          if (!opts.json) printRun(ctx, res);
          return res.status === "succeeded" ? 0 : 1;
        },
      ),
    );

  program
    .command("approvals")
    .description("the approval queue (pending unless --all or --status)")
    .option("--all", "every request, not only pending ones")
    .option("--status <status>", "pending, approved, rejected or expired")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { all?: boolean; status?: string; config?: string; json?: boolean }) => {
        const status = opts.status ?? (opts.all ? "" : "pending");
        const { approvals } = await client(opts.config).request<{ approvals: ApprovalView[] }>(
          "GET",
          `/api/approvals${status ? `?status=${encodeURIComponent(status)}` : ""}`,
        );
        if (opts.json) return void ctx.io.out(JSON.stringify(approvals, null, 2));
        if (approvals.length === 0)
          return void ctx.io.out(`no ${status || ""} approval requests`.replace("  ", " "));
        const now = Date.now();
        const rows = approvals.map((a) => [
          a.id,
          a.action,
          Object.entries(a.params)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(" ")
            .slice(0, 40) || "-",
          a.target ?? "-",
          a.requested_by,
          a.status,
          `${a.decisions.filter((d) => d.decision === "approve").length}/${a.required}`,
          a.assessment.level,
          a.status === "pending" ? `${Math.max(0, Math.round((a.expires_at - now) / 60_000))}m` : "-",
          age(now - a.requested_at),
        ]);
        ctx.io.out(
          table([
            ["ID", "ACTION", "PARAMS", "TARGET", "BY", "STATUS", "APPROVED", "RISK", "EXPIRES", "ASKED"],
            ...rows,
          ]),
        );
      }),
    );

  for (const decision of ["approve", "reject"] as const) {
    program
      .command(`${decision} <id>`)
      .description(`${decision} an approval request`)
      .option("--note <text>", "recorded with the decision", "")
      .option("-c, --config <file>", "config file (to find the agent)")
      .option("--json", "print JSON")
      .action(
        verb(ctx, async (id: string, opts: { note: string; config?: string; json?: boolean }) => {
          const a = await client(opts.config).request<ApprovalView>(
            "POST",
            `/api/approvals/${encodeURIComponent(id)}/${decision}`,
            { note: opts.note },
          );
          if (opts.json) return void ctx.io.out(JSON.stringify(a, null, 2));
          const more = a.required - a.decisions.filter((d) => d.decision === "approve").length;
          ctx.io.out(
            a.status === "approved" && a.run_id === null
              ? `${a.id}: approved; ${a.action} is queued on agent ${a.agent}, which runs it (GET /api/approvals/${a.id} shows its run)`
              : a.status === "approved"
                ? `${a.id}: approved; ${a.action} started as run ${a.run_id} (GET /api/actions/runs/${a.run_id})`
                : a.status === "pending"
                  ? `${a.id}: recorded; ${more} more approval${more > 1 ? "s" : ""} needed`
                  : `${a.id}: ${a.status}`,
          );
        }),
      );
  }
}

/** How long ago, in the largest whole unit: `40s ago`, `12m ago`, `3h ago`, `2d ago`. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7_200) return `${Math.floor(s / 60)}m ago`;
  if (s < 172_800) return `${Math.floor(s / 3_600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

function printRun(ctx: CliContext, run: RunView): void {
  const r = run.result;
  ctx.io.out(
    `${run.action}: ${run.status}${r ? ` in ${r.duration_ms} ms` : ""}${r?.exit_code != null ? ` (exit ${r.exit_code})` : ""}`,
  );
  if (!r) return;
  if (r.error) ctx.io.err(`  ${r.error}`);
  if (r.files) for (const f of r.files) ctx.io.out(`  ${r.dry_run ? "would clean" : "cleaned"} ${f}`);
  if (r.stdout) ctx.io.out(r.stdout.trimEnd());
  if (r.stderr) ctx.io.err(r.stderr.trimEnd());
  if (r.body) ctx.io.out(r.body.trimEnd());
}
