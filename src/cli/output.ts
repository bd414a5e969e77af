/** What the CLI prints, and how failures become exit codes (0 done, 1 failed, 2 usage/config, 3 unreachable). */
import { isVigilError, VigilError } from "../core/errors.ts";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
};

/** Thrown by a command to end with a code after it has printed what it needed to. */
export class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** Prints an error the way every verb does, and returns its exit code. */
export function reportError(io: Io, e: unknown, json: boolean): number {
  if (e instanceof Exit) return e.code;
  const err = isVigilError(e) ? e : new VigilError("INTERNAL", e instanceof Error ? e.message : String(e));
  if (json) {
    io.out(JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }));
  } else {
    io.err(`vigil: ${err.message}`);
    const problems = (err.details as { problems?: unknown } | undefined)?.problems;
    if (Array.isArray(problems)) for (const p of problems) io.err(`  ${String(p)}`);
  }
  return err.exitCode;
}

/** A fixed-width text table, the way `ps` and `pm2 ls` print. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
