import type { Command } from "commander";
import type { FleetTargetView } from "../../targets/fleet-list.ts";
import type { LastResult, TargetView } from "../../targets/targets.ts";
import { VigilError } from "../../core/errors.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

export function registerTargets(program: Command, ctx: CliContext): void {
  const client = (config?: string) => new AgentClient(resolveTarget(config, ctx.env));

  program
    .command("status")
    .description("every service and check: state, since, last result, restarts")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--all-agents", "every agent's targets of a fleet sharing the store, with the agent of each")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; json?: boolean; allAgents?: boolean }) => {
        // Both lists: `agents=all` has no pids, and an agent of null for a row older than agents.
        type Listed = FleetTargetView & { pid?: number };
        const { targets } = await client(opts.config).request<{ targets: Listed[] }>(
          "GET",
          opts.allAgents ? "/api/targets?agents=all" : "/api/targets",
        );
        if (opts.json) return void ctx.io.out(JSON.stringify(targets, null, 2));
        const now = Date.now();
        const head = ["NAME", "KIND", "STATE", "SINCE", "RESTARTS", "PID", "LAST RESULT"];
        const rows = targets.map((t) => [
          t.name,
          t.kind,
          t.state,
          ago(now - t.since),
          String(t.restarts),
          t.pid === undefined ? "-" : String(t.pid),
          lastResult(t.last_result),
        ]);
        // Another agent's pid means nothing here: the agent's name takes its column.
        if (opts.allAgents) {
          head[5] = "AGENT";
          targets.forEach((t, i) => (rows[i]![5] = t.agent ?? "-"));
        }
        ctx.io.out(table([head, ...rows]));
      }),
    );

  for (const action of ["start", "stop", "restart", "recover"] as const) {
    program
      .command(`${action} <target>`)
      .description(
        action === "recover" ? "clear a given-up state and re-arm automatic recovery" : `${action} a service`,
      )
      .option("-c, --config <file>", "config file (to find the agent)")
      .option("--json", "print JSON")
      .action(
        verb(ctx, async (name: string, opts: { config?: string; json?: boolean }) => {
          const t = await client(opts.config).request<TargetView>(
            "POST",
            `/api/targets/${encodeURIComponent(name)}/${action}`,
          );
          if (opts.json) ctx.io.out(JSON.stringify(t, null, 2));
          else ctx.io.out(`${t.name}: ${t.state}${t.pid ? ` (pid ${t.pid})` : ""}`);
        }),
      );
  }

  program
    .command("logs <service>")
    .description("the service's captured output")
    .option("-n <lines>", "how many lines", "100")
    .option("-f, --follow", "keep printing new lines")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(
        ctx,
        async (name: string, opts: { n: string; follow?: boolean; config?: string; json?: boolean }) => {
          const n = Number(opts.n);
          if (!Number.isInteger(n) || n < 1 || n > 10_000) {
            throw new VigilError(
              "VALIDATION_FAILED",
              `-n must be a whole number from 1 to 10000, got "${opts.n}"`,
            );
          }
          const c = client(opts.config);
          const path = `/api/targets/${encodeURIComponent(name)}/logs`;
          let { lines } = await c.request<{ lines: string[] }>("GET", `${path}?n=${n}`);
          if (opts.json && !opts.follow) return void ctx.io.out(JSON.stringify(lines, null, 2));
          if (lines.length > 0) ctx.io.out(lines.join("\n"));
          // Follow by polling the tail: simple, bounded, and it survives log rotation.
          for (let last = lines.at(-1); opts.follow;) {
            await new Promise((r) => setTimeout(r, 1_000));
            ({ lines } = await c.request<{ lines: string[] }>("GET", `${path}?n=200`));
            const from = last === undefined ? 0 : lines.lastIndexOf(last) + 1;
            const fresh = from > 0 ? lines.slice(from) : lines.filter((l) => l !== last);
            if (fresh.length > 0) {
              ctx.io.out(fresh.join("\n"));
              last = fresh.at(-1);
            }
          }
        },
      ),
    );
}

function lastResult(r: LastResult | null): string {
  if (!r) return "-";
  return `${r.ok ? "ok" : "FAIL"} ${r.duration_ms}ms${r.ok ? "" : ": " + r.explanation}`.slice(0, 90);
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
