import type { Command } from "commander";
import type { ChannelTestResult } from "../../notify/test-message.ts";
import { AgentClient } from "../client.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

/** One line saying how the test went: what failed and whether the outbox would retry it. */
export function describeTest(r: ChannelTestResult): string {
  const name = `${r.channel} (${r.type})`;
  if (r.ok) return `sent a test message to ${name} in ${r.duration_ms} ms`;
  const wait = r.retry_after_ms ? `; the receiver asked to wait ${Math.ceil(r.retry_after_ms / 1000)} s` : "";
  return r.permanent
    ? `${name}: ${r.error} — the receiver refused it; retrying will not help (permanent)`
    : `${name}: ${r.error} — notifications to it would be retried by the outbox (transient)${wait}`;
}

export function registerNotify(program: Command, ctx: CliContext): void {
  const notify = program.command("notify").description("notification channels");
  notify
    .command("test <channel>")
    .description("send a test message through a configured channel and report exactly what failed")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (channel: string, opts: { config?: string; json?: boolean }) => {
        const r = await new AgentClient(resolveTarget(opts.config, ctx.env)).request<ChannelTestResult>(
          "POST",
          "/api/notify/test",
          { channel },
        );
        if (opts.json) ctx.io.out(JSON.stringify(r, null, 2));
        else if (r.ok) ctx.io.out(describeTest(r));
        else ctx.io.err(describeTest(r));
        return r.ok ? 0 : 1;
      }),
    );
}
