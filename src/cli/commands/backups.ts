import type { Command } from "commander";
import type { BackupsView } from "../../backups/manifest.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** `vigil backups [action]`: what each backup action has on disk, newest first, and whether it is good. */
export function registerBackups(program: Command, ctx: CliContext): void {
  program
    .command("backups [action]")
    .description("backups with their size, checksum and verify result")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (action: string | undefined, opts: { config?: string; json?: boolean }) => {
        const api = new AgentClient(resolveTarget(opts.config, ctx.env));
        const views = action
          ? [await api.request<BackupsView>("GET", `/api/backups/${encodeURIComponent(action)}`)]
          : (await api.request<{ backups: BackupsView[] }>("GET", "/api/backups")).backups;
        if (opts.json) return void ctx.io.out(JSON.stringify(action ? views[0] : views, null, 2));
        if (views.length === 0) return void ctx.io.out("no backup actions are configured");
        for (const v of views) {
          ctx.io.out(`${v.action}  ${v.to}  (checked by ${v.check})`);
          if (v.backups.length === 0) {
            ctx.io.out("  no backups yet");
            continue;
          }
          ctx.io.out(
            table([
              ["FILE", "MADE", "SIZE", "SHA256", "VERIFY"],
              ...v.backups.map((b) => [
                b.file,
                iso(b.created_at),
                size(b.size),
                b.sha256 ? `${b.sha256.slice(0, 12)}…` : "-",
                b.good
                  ? `good (verified ${iso(b.verify?.at ?? b.created_at)})`
                  : `BAD: ${(b.problem ?? "").slice(0, 100)}`,
              ]),
            ]).replace(/^/gm, "  "),
          );
        }
      }),
    );
}
