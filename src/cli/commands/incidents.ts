import type { Command } from "commander";
import type { IncidentView } from "../../incidents/incidents.ts";
import type { StatRow } from "../../remediation/stats.ts";
import type { SilenceRow } from "../../store/incident-store.ts";
import { AgentClient } from "../client.ts";
import { table } from "../output.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"));

export function registerIncidents(program: Command, ctx: CliContext): void {
  const client = (config?: string) => new AgentClient(resolveTarget(config, ctx.env));
  const common = (c: Command) =>
    c.option("-c, --config <file>", "config file (to find the agent)").option("--json", "print JSON");

  common(
    program
      .command("incidents [id]")
      .description("open and recent incidents, or one with its attempts and timeline")
      .option("--open", "only open ones"),
  ).action(
    verb(ctx, async (id: string | undefined, opts: { open?: boolean; config?: string; json?: boolean }) => {
      const api = client(opts.config);
      if (id) {
        const i = await api.request<IncidentView>("GET", `/api/incidents/${encodeURIComponent(id)}`);
        if (opts.json) return void ctx.io.out(JSON.stringify(i, null, 2));
        ctx.io.out(
          `${i.id}  ${i.target}  ${i.failure_class}  ${i.status}${i.escalated ? `  ESCALATED: ${i.escalation}` : ""}`,
        );
        for (const t of i.timeline ?? []) ctx.io.out(`  ${iso(t.ts)}  ${t.kind.padEnd(14)} ${t.detail}`);
        return;
      }
      const { incidents } = await api.request<{ incidents: IncidentView[] }>(
        "GET",
        `/api/incidents${opts.open ? "?status=open" : ""}`,
      );
      if (opts.json) return void ctx.io.out(JSON.stringify(incidents, null, 2));
      if (incidents.length === 0) return void ctx.io.out("no incidents");
      ctx.io.out(
        table([
          ["ID", "TARGET", "CLASS", "STATUS", "OPENED", "RESOLVED", "ESCALATED"],
          ...incidents.map((i) => [
            i.id,
            i.target,
            i.failure_class,
            i.status,
            iso(i.opened_at),
            iso(i.resolved_at),
            i.escalated
              ? (i.escalation ?? "yes").slice(0, 60)
              : i.linked_to
                ? `held behind ${i.linked_to.slice(0, 8)}`
                : "-",
          ]),
        ]),
      );
    }),
  );

  common(
    program
      .command("stats [target]")
      .description("which action fixed which failure: attempts, successes, median time to recover"),
  ).action(
    verb(ctx, async (target: string | undefined, opts: { config?: string; json?: boolean }) => {
      const { stats } = await client(opts.config).request<{ stats: StatRow[] }>(
        "GET",
        `/api/stats${target ? `?target=${encodeURIComponent(target)}` : ""}`,
      );
      if (opts.json) return void ctx.io.out(JSON.stringify(stats, null, 2));
      if (stats.length === 0) return void ctx.io.out("no remediation has finished yet");
      ctx.io.out(
        table([
          ["TARGET", "FAILURE", "ACTION", "ATTEMPTS", "FIXED", "RATE", "MEDIAN RECOVERY"],
          ...stats.map((s) => [
            s.target,
            s.failure_class,
            s.action,
            String(s.attempts),
            String(s.successes),
            `${Math.round(s.success_rate * 100)}%`,
            s.median_recover_ms === null ? "-" : `${s.median_recover_ms} ms`,
          ]),
        ]),
      );
    }),
  );

  for (const verbName of ["pause", "resume"] as const) {
    common(
      program
        .command(verbName)
        .description(
          verbName === "pause" ? "the kill switch: no automatic action until resume" : "lift the kill switch",
        )
        .option("--reason <text>", "recorded with the switch", ""),
    ).action(
      verb(ctx, async (opts: { reason: string; config?: string; json?: boolean }) => {
        const r = await client(opts.config).request<{ paused: boolean; warning?: string }>(
          "POST",
          `/api/${verbName}`,
          { reason: opts.reason },
        );
        if (opts.json) return void ctx.io.out(JSON.stringify(r));
        // The store could not record it (a full disk): the switch holds in memory only.
        if (r.warning) ctx.io.err(`warning: ${r.warning}`);
        ctx.io.out(
          r.paused
            ? "paused: no automatic action until `vigil resume`"
            : "resumed: automatic action is back on",
        );
      }),
    );
  }

  common(
    program
      .command("silence [target] [duration]")
      .description(
        "no notifications and no remediation for a target for a while; without arguments, the active silences",
      )
      .option("--reason <text>", "recorded with the silence", "")
      .option("--delete <id>", "end a silence early"),
  ).action(
    verb(
      ctx,
      async (
        target: string | undefined,
        duration: string | undefined,
        opts: { reason: string; delete?: string; config?: string; json?: boolean },
      ) => {
        const api = client(opts.config);
        if (opts.delete) {
          await api.request("DELETE", `/api/silences/${encodeURIComponent(opts.delete)}`);
          return void ctx.io.out(`silence ${opts.delete} ended`);
        }
        if (target && duration) {
          const s = await api.request<SilenceRow>("POST", "/api/silences", {
            target,
            duration,
            reason: opts.reason,
          });
          if (opts.json) return void ctx.io.out(JSON.stringify(s, null, 2));
          return void ctx.io.out(`${s.target} silenced until ${iso(s.ends_at)} (id ${s.id})`);
        }
        const { silences } = await api.request<{ silences: SilenceRow[] }>("GET", "/api/silences");
        if (opts.json) return void ctx.io.out(JSON.stringify(silences, null, 2));
        if (silences.length === 0) return void ctx.io.out("no active silences");
        ctx.io.out(
          table([
            ["ID", "TARGET", "UNTIL", "BY", "REASON"],
            ...silences.map((s) => [s.id, s.target, iso(s.ends_at), s.created_by, s.reason || "-"]),
          ]),
        );
      },
    ),
  );
}
