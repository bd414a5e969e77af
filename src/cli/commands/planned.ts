import type { Command } from "commander";
import { plannedVerbMessage, plannedVerbs } from "../../config/planned.ts";
import type { CliContext } from "../verb.ts";

/**
 * The design's verbs this version does not have yet (src/config/planned.ts): each says so plainly and
 * exits 2, instead of "unknown command" with a guess at a verb that does something else. Hidden from
 * the help, which lists what runs.
 */
export function registerPlanned(program: Command, ctx: CliContext): void {
  for (const { verb } of plannedVerbs) {
    program
      .command(verb, { hidden: true })
      .argument("[args...]")
      .allowUnknownOption()
      .helpOption(false)
      .action(() => {
        ctx.io.err(plannedVerbMessage(verb) ?? `vigil ${verb}: not supported by this version yet`);
        ctx.exitCode = 2;
      });
  }
}
