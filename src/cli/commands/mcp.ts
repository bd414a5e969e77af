import type { Command } from "commander";
import { version } from "../../app/version.ts";
import { parseDuration } from "../../core/duration.ts";
import { VigilError } from "../../core/errors.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

/** The longest a forwarded call may be given: an action's own timeout is the gateway's business. */
const maxTimeoutMs = 30 * 60_000;

/**
 * `vigil mcp`: an MCP server over stdio for an AI assistant's client, forwarding to the agent's
 * `/mcp` (src/mcp/bridge.ts). Standard output is the protocol's: nothing else is printed there.
 */
export function registerMcp(program: Command, ctx: CliContext): void {
  program
    .command("mcp")
    .description("an MCP server over stdio for AI assistants: the agent's /mcp tools, with $VIGIL_TOKEN")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--timeout <duration>", "how long one call to the agent may take", "60s")
    .action(
      verb(ctx, async (opts: { config?: string; timeout: string }) => {
        const timeoutMs = parseDuration(opts.timeout);
        if (timeoutMs === undefined || timeoutMs < 1_000 || timeoutMs > maxTimeoutMs) {
          throw new VigilError(
            "VALIDATION_FAILED",
            `--timeout: a duration from 1s to 30m, e.g. 60s; got "${opts.timeout.slice(0, 40)}"`,
          );
        }
        const target = resolveTarget(opts.config, ctx.env);
        // Never the admin token from data_dir: an assistant holds a token made for it, named in the audit log.
        const token = ctx.env.VIGIL_TOKEN;
        if (!token) {
          throw new VigilError(
            "VALIDATION_FAILED",
            "vigil mcp: set VIGIL_TOKEN to the assistant's own token (role agent, in auth.tokens); it never uses the admin token",
          );
        }
        const { runBridge } = await import("../../mcp/bridge.ts");
        await runBridge({ url: target.url, token, timeoutMs, version });
        return 0;
      }),
    );
}
