import path from "node:path";
import type { Command } from "commander";
import { AuditLog, exportLine } from "../../audit/audit-log.ts";
import type { VerifyResult } from "../../audit/chain.ts";
import type { StoredEvent } from "../../core/events.ts";
import { Redactor } from "../../core/redact.ts";
import { VigilError } from "../../core/errors.ts";
import { formatProblem } from "../../config/result.ts";
import { openStore } from "../../store/open.ts";
import { AgentClient } from "../client.ts";
import { type CliContext, verb } from "../verb.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { configPath } from "../up-args.ts";

type ApiEvent = Omit<StoredEvent, "payload"> & { payload: unknown };

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command("audit").description("the hash-chained audit log");

  audit
    .command("verify")
    .description(
      "walk the hash chain; exit 1 naming the first bad seq. With -c, offline on that config's store",
    )
    .option("-c, --config <file>", "verify offline on the store this config names")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; json?: boolean }) => {
        const result = opts.config
          ? await verifyOffline(configPath(opts.config, ctx.env), ctx.env)
          : await new AgentClient(resolveTarget(undefined, ctx.env)).request<VerifyResult>(
              "GET",
              "/api/audit/verify",
            );
        if (opts.json) ctx.io.out(JSON.stringify(result, null, 2));
        else if (result.ok)
          ctx.io.out(`audit log intact: ${result.count} events, last seq ${result.last_seq}`);
        else ctx.io.err(`audit log TAMPERED at seq ${result.first_bad_seq}: ${result.reason}`);
        return result.ok ? 0 : 1;
      }),
    );

  audit
    .command("tail")
    .description("the newest audit events")
    .option("-n <count>", "how many", "20")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { n: string; config?: string; json?: boolean }) => {
        const n = Number(opts.n);
        if (!Number.isInteger(n) || n < 1 || n > 1000) {
          throw new VigilError(
            "VALIDATION_FAILED",
            `-n must be a whole number from 1 to 1000, got "${opts.n}"`,
          );
        }
        const client = new AgentClient(resolveTarget(opts.config, ctx.env));
        const { events } = await client.request<{ events: ApiEvent[] }>("GET", `/api/audit?tail=${n}`);
        if (opts.json) return void ctx.io.out(JSON.stringify(events, null, 2));
        const rows = events.map((e) => [
          String(e.seq),
          new Date(e.ts).toISOString(),
          e.actor,
          e.type,
          e.subject,
          JSON.stringify(e.payload).slice(0, 80),
        ]);
        ctx.io.out(table([["SEQ", "TIME", "ACTOR", "TYPE", "SUBJECT", "PAYLOAD"], ...rows]));
      }),
    );

  audit
    .command("export")
    .description("every audit event as JSON lines, oldest first")
    .option("-c, --config <file>", "export offline from the store this config names")
    .action(
      verb(ctx, async (opts: { config?: string }) => {
        if (opts.config) {
          await withOfflineLog(configPath(opts.config, ctx.env), ctx.env, async (log) => {
            for await (const page of log.pages()) ctx.io.out(page.map(exportLine).join("\n"));
          });
          return;
        }
        const res = await new AgentClient(resolveTarget(undefined, ctx.env)).raw("GET", "/api/audit/export");
        if (!res.ok || !res.body) throw new VigilError("INTERNAL", `export failed with HTTP ${res.status}`);
        const decoder = new TextDecoder();
        let pending = "";
        for await (const chunk of res.body) {
          pending += decoder.decode(chunk as Uint8Array, { stream: true });
          const cut = pending.lastIndexOf("\n");
          if (cut >= 0) {
            ctx.io.out(pending.slice(0, cut));
            pending = pending.slice(cut + 1);
          }
        }
        if (pending) ctx.io.out(pending);
      }),
    );
}

async function withOfflineLog<T>(
  file: string,
  env: NodeJS.ProcessEnv,
  fn: (log: AuditLog) => Promise<T>,
): Promise<T> {
  const { loadConfig } = await import("../../config/load.ts");
  const loaded = await loadConfig(file, env);
  if (!loaded.ok) {
    throw new VigilError("CONFIG_INVALID", `${path.basename(file)} has problems`, {
      details: { problems: loaded.problems.map(formatProblem) },
    });
  }
  const store = await openStore({
    store: loaded.config.agent.store,
    dataDir: loaded.config.agent.data_dir,
    readOnly: true,
  });
  try {
    return await fn(new AuditLog(store, new Redactor()));
  } finally {
    await store.close();
  }
}

function verifyOffline(file: string, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  return withOfflineLog(file, env, (log) => log.verify());
}
