/**
 * `run` actions: a program and its arguments as argv, never a shell. A parameter is substituted into
 * an argument as one literal word (`params.ts`), so a value cannot add an argument or a command. The
 * program gets only the declaration's `env` over a minimal base, its `cwd`, and, when declared, a
 * uid and gid; its process group is killed at the timeout and when the agent stops.
 */
import { defineActionKind } from "../action-kind.ts";
import { baseEnv, execArgv } from "../exec.ts";
import { substituteArgv } from "../params.ts";

export default defineActionKind({
  type: "run",
  description: "A program and its arguments (argv, no shell); {name} in an argument is a parameter.",
  schema: ({ argv }) => argv,
  example: ["true"],
  dryRun: false,
  doctor: (argv, decl) =>
    /[{}]/.test(argv[0] ?? "")
      ? { skip: "its program is chosen by a parameter; not checked" }
      : { program: { argv, ...(decl.cwd ? { cwd: decl.cwd } : {}), env: decl.env, field: "run" } },
  async perform(argv, ctx) {
    const { decl } = ctx;
    const x = await execArgv({
      argv: substituteArgv(argv, ctx.params),
      cwd: decl.cwd ?? ctx.defaultCwd,
      env: { ...baseEnv(), ...decl.env },
      timeoutMs: decl.timeout,
      maxOutputBytes: ctx.outputCap,
      signal: ctx.signal,
      ...(decl.uid === undefined ? {} : { uid: decl.uid }),
      ...(decl.gid === undefined ? {} : { gid: decl.gid }),
    });
    return {
      ok: x.exitCode === 0,
      duration_ms: Math.round(x.durationMs),
      exit_code: x.exitCode,
      signal: x.signal,
      timed_out: x.timedOut,
      stdout: x.stdout,
      stderr: x.stderr,
      truncated: x.truncated,
      ...(x.spawnError ? { error: x.spawnError } : {}),
    };
  },
});
