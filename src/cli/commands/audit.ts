import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { AuditLog, exportLine } from "../../audit/audit-log.ts";
import { ownChain, verifyStore } from "../../audit/check.ts";
import { auditKeyFile, readAuditKey } from "../../audit/key.ts";
import { readAnchor } from "../../audit/anchor.ts";
import type { KnownHead, VerifyResult } from "../../audit/verify.ts";
import type { StoredEvent } from "../../core/events.ts";
import { Redactor } from "../../core/redact.ts";
import { VigilError } from "../../core/errors.ts";
import { formatProblem } from "../../config/result.ts";
import { openStore } from "../../store/open.ts";
import type { Store } from "../../store/store.ts";
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
      "walk the hash chain, check each row's MAC and the anchor; exit 1 naming what is wrong. With -c, offline on that config's store",
    )
    .option("-c, --config <file>", "verify offline on the store this config names")
    .option(
      "--anchor <seq #hash>",
      'also hold the chain to an anchor kept elsewhere, as a notification carries it: "seq 1372 #ab12cd34" (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (opts: { config?: string; anchor: string[]; json?: boolean }) => {
        const given = opts.anchor.map(parseAnchor);
        let result: VerifyResult;
        if (opts.config) {
          result = await verifyOffline(configPath(opts.config, ctx.env), ctx.env, given);
        } else {
          const client = new AgentClient(resolveTarget(undefined, ctx.env));
          result = await client.request<VerifyResult>("GET", "/api/audit/verify");
          result = await holdToAnchors(client, result, given);
        }
        if (opts.json) ctx.io.out(JSON.stringify(result, null, 2));
        else if (result.ok) {
          ctx.io.out(`audit log intact: ${result.count} events, last seq ${result.last_seq}`);
          for (const line of [...chainLines(result), ...notes(result)]) ctx.io.out(line);
        } else {
          const at = result.first_bad_seq === undefined ? "" : ` at seq ${result.first_bad_seq}`;
          ctx.io.err(`audit log TAMPERED${at}: ${result.reason}`);
          for (const line of [...chainLines(result), ...notes(result)]) ctx.io.err(line);
        }
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
        // A fleet's agents each append to a chain of their own: say whose each event is.
        const fleet = events.some((e) => e.chain !== undefined);
        const rows = events.map((e) => [
          String(e.seq),
          new Date(e.ts).toISOString(),
          ...(fleet ? [e.chain ?? ""] : []),
          e.actor,
          e.type,
          e.subject,
          JSON.stringify(e.payload).slice(0, 80),
        ]);
        const head = ["SEQ", "TIME", ...(fleet ? ["CHAIN"] : []), "ACTOR", "TYPE", "SUBJECT", "PAYLOAD"];
        ctx.io.out(table([head, ...rows]));
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

/** `seq 1372 #ab12cd34` (the `#` optional), as notifications and `/metrics` give it. */
function parseAnchor(text: string): KnownHead {
  const m = /^\s*seq\s+(\d{1,15})\s+#?([0-9a-f]{8,64})\s*$/i.exec(text);
  if (!m) {
    throw new VigilError(
      "VALIDATION_FAILED",
      `--anchor must look like "seq 1372 #ab12cd34" (a seq and at least 8 hex digits of its hash), got ${JSON.stringify(text)}`,
    );
  }
  return { source: `--anchor "${text.trim()}"`, seq: Number(m[1]), hash: m[2]!.toLowerCase() };
}

/**
 * Anchors given on the command line, held to the chain the running agent serves: the row at each
 * seq must be there with that hash (the agent's own verify has walked every link up to it).
 */
async function holdToAnchors(
  client: AgentClient,
  r: VerifyResult,
  given: KnownHead[],
): Promise<VerifyResult> {
  const anchors = [...(r.anchors ?? [])];
  const problems: string[] = [];
  for (const a of given) {
    const { events } = await client.request<{ events: ApiEvent[] }>(
      "GET",
      `/api/audit?after=${a.seq - 1}&limit=1`,
    );
    const row = events[0]?.seq === a.seq ? events[0] : undefined;
    const ok = row !== undefined && row.hash.startsWith(a.hash);
    anchors.push({ source: a.source, seq: a.seq, hash: a.hash, ok });
    if (!row)
      problems.push(`chain has no seq ${a.seq}, anchor says ${a.seq} (${a.source}): events were deleted`);
    else if (!ok) {
      problems.push(
        `seq ${a.seq} has hash #${row.hash.slice(0, 8)}, but ${a.source} says #${a.hash.slice(0, 8)}: the chain up to it was rewritten`,
      );
    }
  }
  if (given.length === 0) return r;
  if (problems.length === 0) return { ...r, anchors };
  const reason = [...(r.reason ? [r.reason] : []), ...problems].join("; ");
  return { ...r, ok: false, anchors, reason };
}

/** A fleet's table: one line per agent's chain, its verdict and how many of its MACs were checked. */
function chainLines(r: VerifyResult): string[] {
  if (!r.chains) return [];
  const rows = r.chains.map((c) => [
    c.agent ?? "(before per-agent chains)",
    String(c.count),
    String(c.mac_checked),
    c.ok ? "ok" : `TAMPERED at seq ${c.first_bad_seq}: ${c.reason}`,
  ]);
  return table([["CHAIN", "EVENTS", "MAC-CHECKED", "VERDICT"], ...rows]).split("\n");
}

/** What a person should know besides the verdict: rows checked by hash only, resets, anchors held. */
function notes(r: VerifyResult): string[] {
  const lines: string[] = [];
  if (r.not_maced_before !== undefined) {
    lines.push(
      `not MACed before seq ${r.not_maced_before}: written before audit.key existed, checked by their hashes only`,
    );
  }
  if (r.mac_unchecked)
    lines.push(`MACs not checked on ${r.mac_unchecked.rows} rows: ${r.mac_unchecked.why.join("; ")}`);
  for (const x of r.resets ?? []) {
    const found = x.found.length > 0 ? x.found.join("; ") : "nothing named";
    lines.push(
      `chain reset at seq ${x.seq} (${new Date(x.ts).toISOString()}, --accept-audit-reset): it found ${found}`,
    );
    if (x.before) lines.push(`  before that reset: ${x.before}`);
  }
  for (const a of r.anchors ?? []) {
    if (a.source.startsWith("--anchor")) lines.push(`${a.source}: ${a.ok ? "matches" : "does NOT match"}`);
  }
  return lines;
}

async function withOfflineLog<T>(
  file: string,
  env: NodeJS.ProcessEnv,
  fn: (log: AuditLog, dataDir: string, store: Store, agentName: string) => Promise<T>,
): Promise<T> {
  const { loadConfig } = await import("../../config/load.ts");
  const loaded = await loadConfig(file, env);
  if (!loaded.ok) {
    throw new VigilError("CONFIG_INVALID", `${path.basename(file)} has problems`, {
      details: { problems: loaded.problems.map(formatProblem) },
    });
  }
  const { agent } = loaded.config;
  if (agent.store === "sqlite") refuseVanished(agent.data_dir);
  const store = await openStore({ store: agent.store, dataDir: agent.data_dir, readOnly: true });
  try {
    return await fn(new AuditLog(store, new Redactor()), agent.data_dir, store, agent.name);
  } finally {
    await store.close();
  }
}

/**
 * A database file that is gone or empty beside an anchor or a key: the store vanished. Said here,
 * since a read-only open of what is left has no tables to walk.
 */
function refuseVanished(dataDir: string): void {
  const file = path.join(dataDir, "vigil.db");
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > 0) return;
  const anchor = readAnchor(dataDir, undefined);
  const seq = anchor.state === "ok" ? anchor.anchor.seq : undefined;
  if (seq === undefined && !fs.existsSync(auditKeyFile(dataDir))) return;
  throw new VigilError(
    "AUDIT_TAMPERED",
    `${file} is ${size === undefined ? "missing" : "empty"}, but ${dataDir} holds the audit ${seq === undefined ? "key" : `anchor (chain ends at seq 0, anchor says ${seq})`}: the store vanished`,
  );
}

/** The same check the agent makes at start, with the key and anchor from the config's data_dir. */
function verifyOffline(file: string, env: NodeJS.ProcessEnv, given: KnownHead[]): Promise<VerifyResult> {
  return withOfflineLog(file, env, (_log, dataDir, store, agentName) => {
    let key;
    try {
      key = readAuditKey(dataDir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EACCES") throw e;
      throw new VigilError(
        "VALIDATION_FAILED",
        `cannot read ${path.join(dataDir, "audit.key")} (EACCES): verify offline as the user the agent runs as`,
      );
    }
    return verifyStore({ store, dataDir, key, own: ownChain(store, agentName), also: given });
  });
}
