/**
 * The building blocks of the config schema: durations, sizes, commands, names, paths. Each refuses bad
 * input with a message that says what was expected, so `vigil config check` can print it as is.
 */
import path from "node:path";
import { z } from "zod";
import { durationHint, parseDuration } from "../core/duration.ts";
import { splitArgv } from "./argv.ts";

/** A duration string such as `30s`, parsed to milliseconds. */
export const duration = z
  .string()
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.issues.push({
        code: "custom",
        input: text,
        message: `"${text}" is not a duration; write ${durationHint}`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: "duration: 500ms, 30s, 5m, 2h, 1d", examples: ["30s"], "x-kind": "duration" });

const sizeUnits: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** A size such as `10MB`, parsed to bytes. */
export const byteSize = z
  .string()
  .transform((text, ctx) => {
    const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(text.trim());
    if (!m) {
      ctx.issues.push({
        code: "custom",
        input: text,
        message: `"${text}" is not a size; write one such as 512KB, 10MB or 1GB`,
      });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * (sizeUnits[(m[2] ?? "B").toUpperCase()] ?? 1));
  })
  .meta({ description: "size: 512KB, 10MB, 1GB", examples: ["10MB"], "x-kind": "size" });

/** A command: a list of words, or a string split into words like a shell would, without a shell. */
export const argv = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx) => {
    let words: string[];
    if (typeof value === "string") {
      const split = splitArgv(value);
      if (!split.ok) {
        ctx.issues.push({ code: "custom", input: value, message: `the command ${split.message}` });
        return z.NEVER;
      }
      words = split.argv;
    } else words = value;
    if (words.length === 0 || words[0] === "") {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `the command is empty; give the program and its arguments, e.g. ["node", "server.js"]`,
      });
      return z.NEVER;
    }
    return words;
  })
  .meta({
    description: 'argv list ["prog", "arg"], or a string split into words without a shell',
    "x-kind": "command",
  });

/** Names of services, checks, actions and channels appear in URLs and CLI arguments. */
export const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,62}$/i,
    "use letters, digits, '-', '_' and '.', starting with a letter or digit (at most 63)",
  );

export const port = z.number().int().min(1).max(65_535);

/**
 * Free text with a bound: a name, a description, a reason. A 5 MB value is a mistake (or an attack
 * on every log line and page that repeats it), never a config.
 */
export function text(max: number) {
  return z.string().max(max, `at most ${max} characters`);
}

/** `labels: { team: web }`: routed on and shown beside a target, so short. */
export const labels = z
  .record(text(128), text(256))
  .refine((l) => Object.keys(l).length <= 64, "at most 64 labels");

export const envMap = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"),
    z.union([z.string(), z.number(), z.boolean()]),
  )
  .transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])));

let base = process.cwd();

/** Runs a parse with relative paths resolved against `dir` (the config file's folder). */
export function withBaseDir<T>(dir: string, fn: () => T): T {
  const before = base;
  base = dir;
  try {
    return fn();
  } finally {
    base = before;
  }
}

/** A file system path; relative ones resolve against the config file's folder. */
export const filePath = z
  .string()
  .min(1, "the path is empty")
  .transform((p) => path.resolve(base, p))
  .meta({ description: "relative to the config file's folder", "x-kind": "path" });

/** A list the config may also write as a single value: `to: oncall` is `to: [oncall]`. */
export function oneOrMany<T extends z.ZodType>(item: T) {
  return z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);
}

/**
 * A refinement for objects that must set exactly one of several keys (a check's type, a channel's
 * provider, an action's kind), with the message for none and the one that names the extras.
 */
export function exactlyOne(keys: readonly string[], none: string, many: string) {
  return (value: object, ctx: z.RefinementCtx): void => {
    const given = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (given.length === 1) return;
    ctx.addIssue({
      code: "custom",
      message: given.length === 0 ? `${none}: ${keys.join(", ")}` : `${many}; it has ${given.join(" and ")}`,
    });
  };
}

/** A notification's severity, lowest first: checks and services set it, routes match on it. */
export const severities = ["info", "warning", "critical"] as const;
