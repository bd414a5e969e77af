import type { Command } from "commander";
import { VigilError } from "../../core/errors.ts";
import type { DigestPreview } from "../../digest/preview.ts";
import { AgentClient } from "../client.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

/** `vigil digest --preview`: the daily digest of a day as the running agent makes it, sent nowhere. */
export function registerDigest(program: Command, ctx: CliContext): void {
  program
    .command("digest")
    .description("the daily digest (notify.digest): --preview prints it without sending it")
    .option("--preview", "print the digest the agent would send, without sending it")
    .option("--date <YYYY-MM-DD>", "the day it covers (default: yesterday in the digest's time zone)")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { preview?: boolean; date?: string; config?: string; json?: boolean }) => {
        if (!opts.preview)
          throw new VigilError(
            "BAD_REQUEST",
            "vigil digest: add --preview to print the digest (the agent sends it by itself at notify.digest.at)",
          );
        const query = opts.date === undefined ? "" : `?date=${encodeURIComponent(opts.date)}`;
        const api = new AgentClient(resolveTarget(opts.config, ctx.env));
        const p = await api.request<DigestPreview>("GET", `/api/digest${query}`);
        if (opts.json) return void ctx.io.out(JSON.stringify(p, null, 2));
        ctx.io.out(`${p.title}\n\n${p.text}`);
        if (!p.configured)
          ctx.io.err(`notify.digest is not set: this is a preview for ${p.timezone}, and no digest is sent`);
      }),
    );
}
