import path from "node:path";
import type { Command } from "commander";
import { App } from "../../app/app.ts";
import { adminTokenFile } from "../../app/admin-token.ts";
import { handleSignals } from "../../app/signals.ts";
import { type CliContext, verb } from "../verb.ts";
import { reportError } from "../output.ts";
import { configPath } from "../target.ts";

export function registerUp(program: Command, ctx: CliContext): void {
  program
    .command("up")
    .description("run the agent in the foreground (default ./vigil.yaml, or $VIGIL_CONFIG)")
    .option("-c, --config <file>", "config file")
    .action(
      verb(ctx, async (opts: { config?: string }) => {
        const file = configPath(opts.config, ctx.env);
        const app = await App.load({ configFile: file, env: ctx.env });
        await app.start();
        ctx.io.err(
          `vigil: agent up at ${app.url} (config ${path.relative(process.cwd(), file) || file}; ` +
            `admin token in ${adminTokenFile(app.config.agent.data_dir)})`,
        );
        ctx.running = new Promise<number>((resolve) => {
          handleSignals(app, resolve);
        }).catch((e: unknown) => reportError(ctx.io, e, false));
      }),
    );
}
