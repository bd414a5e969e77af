/**
 * `command`: runs a program through the gateway's execution module (argv, no shell, timeout, capped
 * output). Provides [EXIT_CODE] [STDOUT] [RESPONSE_TIME].
 */
import { baseEnv } from "../gateway/exec.ts";
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "command",
  shared: "allowed",
  description: "Runs a program (argv, no shell) and reads its exit code and output.",
  schema: ({ z, argv, duration, envMap, filePath }) =>
    z.strictObject({
      run: argv,
      cwd: filePath.optional(),
      env: envMap.prefault({}),
      timeout: duration.optional(),
    }),
  example: { run: ["true"] },
  doctor: (cfg) => ({
    program: { argv: cfg.run, ...(cfg.cwd ? { cwd: cfg.cwd } : {}), env: cfg.env, field: "command" },
  }),
  defaultExpect: ["[EXIT_CODE] == 0"],
  provides: ["EXIT_CODE", "STDOUT", "STDERR", "RESPONSE_TIME"],
  async run(cfg, ctx) {
    const r = await ctx.env.exec({
      argv: cfg.run,
      ...(cfg.cwd ? { cwd: cfg.cwd } : {}),
      env: { ...baseEnv(), ...cfg.env },
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      maxOutputBytes: 64 * 1024,
    });
    const values = {
      EXIT_CODE: r.exitCode ?? -1,
      STDOUT: r.stdout.trim(),
      STDERR: r.stderr.trim(),
      RESPONSE_TIME: r.durationMs,
    };
    if (r.spawnError) return { values, error: { class: "unknown", message: `cannot run: ${r.spawnError}` } };
    if (r.timedOut || ctx.signal.aborted)
      return { values, error: { class: "timeout", message: `timed out after ${ctx.timeoutMs}ms` } };
    return { values };
  },
});
