import type { Command } from "commander";
import { startUp } from "../agent.ts";
import { type CliContext, verb } from "../verb.ts";

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command("up")
    .description("run the agent in the foreground (default ./vigil.yaml, or $VIGIL_CONFIG)")
    .option("-c, --config <file>", "config file")
    .action(
      verb(ctx, async (opts: { config?: string }) => {
        ctx.running = (await startUp(opts.config, ctx.io, ctx.env)).stopped;
      }),
    );
}
