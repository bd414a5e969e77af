/** The context every verb shares, and the wrapper that turns a verb's failure into an exit code. */
import { Command } from "commander";
import { type Io, reportError } from "./output.ts";

export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Set by a verb to the code the process should exit with. */
  exitCode: number;
  /** Set by `up`: resolves when the agent has stopped. */
  running?: Promise<number>;
}

/** Wraps a verb's action so that any failure prints once and sets the right exit code. */
export function verb<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const opts = args.findLast((a) => a !== null && typeof a === "object" && !(a instanceof Command)) as
      { json?: boolean } | undefined;
    try {
      ctx.exitCode = (await fn(...args)) ?? 0;
    } catch (e) {
      ctx.exitCode = reportError(ctx.io, e, opts?.json === true);
    }
  };
}
