import type { Command } from "commander";
import { type CliContext, verb } from "../verb.ts";

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command("up")
    .description("run the agent in the foreground (default ./vigil.yaml, or $VIGIL_CONFIG)")
    .option("-c, --config <file>", "config file")
    .option(
      "--accept-audit-reset",
      "start although the audit log does not verify (or its store vanished): begin a new chain whose first event, audit.reset, records what was found",
    )
    .action(
      verb(ctx, async (opts: { config?: string; acceptAuditReset?: boolean }) => {
        // The agent (the whole daemon) loads only for `up`: every other verb starts without it.
        const { startUp } = await import("../agent.ts");
        ctx.running = (
          await startUp(opts.config, ctx.io, ctx.env, { acceptAuditReset: opts.acceptAuditReset ?? false })
        ).stopped;
      }),
    );
}
