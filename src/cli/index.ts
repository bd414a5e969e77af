/**
 * The `vigil` command. `up` runs the agent; every other verb talks to a running agent over its API,
 * except `config` (local files), `doctor` (from the config) and `audit verify -c` (offline on the store).
 *
 * Owns: argument parsing, printing, exit codes. Must not import: api internals, store internals
 * beyond opening a store read-only.
 */
import { Command, CommanderError } from "commander";
import { version } from "../app/version.ts";
import { registerActions } from "./commands/actions.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerBackups } from "./commands/backups.ts";
import { registerIncidents } from "./commands/incidents.ts";
import { registerJobs } from "./commands/jobs.ts";
import { registerFleet } from "./commands/fleet.ts";
import { registerConfig } from "./commands/config.ts";
import { registerDigest } from "./commands/digest.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerGovernance } from "./commands/governance.ts";
import { registerMcp } from "./commands/mcp.ts";
import { registerNotify } from "./commands/notify.ts";
import { registerPlanned } from "./commands/planned.ts";
import { registerTargets } from "./commands/targets.ts";
import { registerUp } from "./commands/up.ts";
import { processIo, reportError, type Io } from "./output.ts";
import type { CliContext } from "./verb.ts";

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("vigil")
    .description(
      "Vigil: keeps services alive, heals inside guardrails, asks first, tells once, keeps an audit log.",
    )
    .version(version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  registerUp(program, ctx);
  registerConfig(program, ctx);
  registerDoctor(program, ctx);
  registerTargets(program, ctx);
  registerAudit(program, ctx);
  registerActions(program, ctx);
  registerBackups(program, ctx);
  registerIncidents(program, ctx);
  registerJobs(program, ctx);
  registerFleet(program, ctx);
  registerNotify(program, ctx);
  registerDigest(program, ctx);
  registerGovernance(program, ctx);
  registerMcp(program, ctx);
  registerPlanned(program, ctx);
  return program;
}

/** Runs the CLI; resolves with the exit code (for `up`, once the agent has stopped). */
export async function run(argv: string[], io: Io = processIo, env = process.env): Promise<number> {
  const ctx: CliContext = { io, env, exitCode: 0 };
  try {
    await buildProgram(ctx).parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      const shown = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(e.code);
      return shown ? 0 : 2;
    }
    return reportError(io, e, false);
  }
  return ctx.running ? ctx.running : ctx.exitCode;
}
