import fs from "node:fs/promises";
import type { Command } from "commander";
import { VigilError } from "../../core/errors.ts";
import { maxInstructionBytes } from "../../governance/instructions.ts";
import type { InstructionCheck, Verdict, VerdictName } from "../../governance/types.ts";
import { AgentClient } from "../client.ts";
import { resolveTarget } from "../target.ts";
import { type CliContext, verb } from "../verb.ts";

/** What a person reads: each missing or empty section with what to write. */
export function describeCheck(r: InstructionCheck): string {
  const found = Object.keys(r.sections).length;
  if (r.ok) return `✓ the work order has all ${found} required sections, none empty`;
  const lines = [`✗ the work order is not ready: ${r.missing.length} missing, ${r.empty.length} empty`];
  for (const s of r.missing) {
    lines.push(`  missing: ${s} — add a heading "## ${s}" or a line "${s}: ..." and say it there`);
  }
  for (const s of r.empty) {
    lines.push(`  empty:   ${s} — write what it is under it ("-", "n/a", "TBD" and blanks count as empty)`);
  }
  return lines.join("\n");
}

/** The work order's text from a file or standard input, refused past the size the agent accepts. */
async function readInstruction(file: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const handle = file === "-" ? undefined : await fs.open(file, "r");
    try {
      const stream = handle ? handle.createReadStream({ end: maxInstructionBytes }) : process.stdin;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > maxInstructionBytes) break;
      }
    } finally {
      await handle?.close();
    }
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new VigilError(
      "BAD_REQUEST",
      `check-instruction: cannot read ${file} (${why}); give the work order's path, or - to read standard input`,
    );
  }
  if (size > maxInstructionBytes) {
    throw new VigilError(
      "PAYLOAD_TOO_LARGE",
      `check-instruction: ${file} is over the ${maxInstructionBytes / 1024} KB a work order may have; check the work order itself, not its attachments`,
    );
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `vigil verify`'s exit codes: a script can branch on the verdict without parsing it. */
export const verdictExit: Record<VerdictName, number> = { TRUE: 0, FALSE: 1, UNVERIFIABLE: 4 };

/** The verdict, each check on its line (✓ held, ✗ did not, ? could not be looked at), the evidence. */
export function showVerdict(v: Verdict): string {
  const lines = [`${v.verdict}: ${v.claim}`];
  for (const c of v.checks) {
    const mark = c.ok ? "✓" : v.verdict === "UNVERIFIABLE" ? "?" : "✗";
    lines.push(`  ${mark} ${c.what}: expected ${c.expected} / observed ${c.observed}`);
  }
  lines.push(`evidence: ${v.evidence}`);
  return lines.join("\n");
}

export function registerGovernance(program: Command, ctx: CliContext): void {
  program
    .command("verify <claim>")
    .description("check a claim against the machine: exit 0 TRUE, 1 FALSE, 4 UNVERIFIABLE")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (claim: string, opts: { config?: string; json?: boolean }) => {
        const api = new AgentClient(resolveTarget(opts.config, ctx.env));
        const v = await api.request<Verdict>("POST", "/api/verify", { claim });
        ctx.io.out(opts.json ? JSON.stringify(v, null, 2) : showVerdict(v));
        return verdictExit[v.verdict];
      }),
    );
  program
    .command("check-instruction <file>")
    .description("check that a work order (a file, or - for standard input) has every required section")
    .option("-c, --config <file>", "config file (to find the agent)")
    .option("--json", "print JSON")
    .action(
      verb(ctx, async (file: string, opts: { config?: string; json?: boolean }) => {
        const instruction = await readInstruction(file);
        const r = await new AgentClient(resolveTarget(opts.config, ctx.env)).request<InstructionCheck>(
          "POST",
          "/api/check",
          { instruction },
        );
        if (opts.json) ctx.io.out(JSON.stringify(r, null, 2));
        else if (r.ok) ctx.io.out(describeCheck(r));
        else ctx.io.err(describeCheck(r));
        return r.ok ? 0 : 1;
      }),
    );
}
