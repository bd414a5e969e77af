import type { Command } from "commander";
import { formatProblem } from "../../config/result.ts";
import { Redactor } from "../../core/redact.ts";
import { formatFinding } from "../../doctor/finding.ts";
import { resolveTarget } from "../target.ts";
import { configPath } from "../up-args.ts";
import { type CliContext, verb } from "../verb.ts";

/** `vigil doctor`: offline, from the config (a running agent is noticed, not needed). */
export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command("doctor")
    .description(
      "try every configured target, command, port, host and channel once; print what is wrong and how to fix it (no agent needed)",
    )
    .option("-c, --config <file>", "config file")
    .option(
      "--send",
      "send a real test message through every channel (by default only their servers are reached)",
    )
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; json?: boolean; send?: boolean }) => {
        const file = configPath(opts.config, ctx.env);
        // The config modules (and zod) load only for the commands that read a config here, never for `up`.
        const { loadConfig } = await import("../../config/load.ts");
        const loaded = await loadConfig(file, ctx.env);
        if (!loaded.ok) {
          if (opts.json) ctx.io.out(JSON.stringify({ ok: false, file, problems: loaded.problems }, null, 2));
          else for (const p of loaded.problems) ctx.io.err(formatProblem(p));
          return 2;
        }
        // Loaded here, not with the CLI: it brings every provider's client, which `vigil up` should not carry.
        const { diagnose } = await import("../../doctor/doctor.ts");
        const report = await diagnose({
          config: loaded.config,
          agentUrl: resolveTarget(opts.config, ctx.env).url,
          send: opts.send === true,
          env: ctx.env,
        });
        // A finding may quote what a server said; it must not quote a configured secret back.
        const redactor = new Redactor().addSecrets(loaded.secrets);
        const findings = report.findings.map((f) => ({
          ...f,
          what: redactor.redactString(f.what),
          ...(f.fix === undefined ? {} : { fix: redactor.redactString(f.fix) }),
        }));
        if (opts.json) {
          ctx.io.out(JSON.stringify({ ok: report.ok, file, problems: report.problems, findings }, null, 2));
        } else {
          ctx.io.out(findings.map(formatFinding).join("\n"));
          const passed = findings.filter((f) => f.verdict === "ok").length;
          const skippedCount = findings.length - passed - report.problems;
          ctx.io.out(
            report.ok
              ? `no problems (${passed} ok, ${skippedCount} not tried)`
              : `${report.problems} problem(s), ${passed} ok, ${skippedCount} not tried`,
          );
        }
        return report.ok ? 0 : 1;
      }),
    );
}
