import type { Command } from "commander";
import type { MemberView } from "../../fleet/membership.ts";
import { describeDisagreement, type SharedDisagreement } from "../../fleet/disagreements.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

/** "12s ago", "3m ago": how long since an agent last renewed its lease. */
function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

const count = (n: number | null) => (n === null ? "-" : String(n));

export function registerFleet(program: Command, ctx: CliContext): void {
  program
    .command("fleet")
    .description("the agents sharing this agent's store: state, last seen, targets, open incidents")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; json?: boolean }) => {
        const client = new AgentClient(resolveTarget(opts.config, ctx.env));
        const { agents, shared_checks } = await client.request<{
          agents: MemberView[];
          shared_checks?: { disagreements: SharedDisagreement[]; more: number };
        }>("GET", "/api/fleet");
        if (opts.json) return void ctx.io.out(JSON.stringify(agents, null, 2));
        const now = Date.now();
        ctx.io.out(
          table([
            ["NAME", "STATE", "HOST", "VERSION", "LAST SEEN", "TARGETS", "OPEN INCIDENTS"],
            ...agents.map((a) => [
              a.self ? `${a.name} (this one)` : a.name,
              a.state,
              `${a.host} (pid ${a.pid})`,
              a.version,
              ago(a.last_seen, now),
              count(a.targets),
              count(a.open_incidents),
            ]),
          ]),
        );
        // Shared checks the live agents disagree about, one line each.
        for (const d of shared_checks?.disagreements ?? [])
          ctx.io.out(`shared check ${d.check}: ${describeDisagreement(d)}`);
        if (shared_checks?.more) ctx.io.out(`... and ${shared_checks.more} more shared checks`);
      }),
    );
}
