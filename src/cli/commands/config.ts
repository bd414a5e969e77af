import type { Command } from "commander";
import { formatProblem } from "../../config/result.ts";
import { type CliContext, verb } from "../verb.ts";
import { configPath } from "../up-args.ts";

export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program.command("config").description("validate the config, or print its JSON Schema");
  config
    .command("check")
    .description("validate a config file; prints file:line:col key.path: message per problem")
    .option("-c, --config <file>", "config file")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; json?: boolean }) => {
        const file = configPath(opts.config, ctx.env);
        const { loadConfig } = await import("../../config/load.ts");
        const result = await loadConfig(file, ctx.env);
        if (!result.ok) {
          if (opts.json) ctx.io.out(JSON.stringify({ ok: false, file, problems: result.problems }, null, 2));
          else for (const p of result.problems) ctx.io.err(formatProblem(p));
          return 2;
        }
        const c = result.config;
        const counts = {
          services: Object.keys(c.services).length,
          checks: Object.keys(c.checks).length,
          actions: Object.keys(c.actions).length,
          channels: Object.keys(c.notify.channels).length,
        };
        if (opts.json) ctx.io.out(JSON.stringify({ ok: true, file, ...counts }, null, 2));
        else
          ctx.io.out(
            `${file}: ok (${counts.services} services, ${counts.checks} checks, ${counts.actions} actions, ${counts.channels} channels)`,
          );
        return 0;
      }),
    );
  config
    .command("schema")
    .description("print the JSON Schema of vigil.yaml")
    .action(
      verb(ctx, async () => {
        const { configJsonSchema } = await import("../../config/json-schema.ts");
        ctx.io.out(JSON.stringify(configJsonSchema(), null, 2));
      }),
    );
}
