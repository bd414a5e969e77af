/**
 * The allowlist's shape: what `actions:` may declare. One kind per action: `run` (argv), `http`
 * (a request) or the built-in `cleanup` (delete or compress old files under declared folders).
 */
import { z } from "zod";
import { argv, duration, envMap, exactlyOne, filePath, name } from "../config/primitives.ts";
import { actionKinds, risks, type ActionKind } from "./action-kinds.ts";

const param = z.strictObject({
  type: z.enum(["string", "integer"]).default("string"),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  pattern: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Values starting with "-" are refused unless allowed: they would be read as options. */
  allow_dash: z.boolean().default(false),
  required: z.boolean().default(true),
});

const kinds = {
  http: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
  }),
  cleanup: z.strictObject({
    paths: z.array(filePath).min(1, "name at least one folder to clean"),
    older_than: duration,
    compress: z
      .boolean()
      .default(false)
      .describe("Compress matching files with gzip instead of deleting them."),
    pattern: z.string().default("*"),
  }),
} satisfies Record<Exclude<ActionKind, "run">, z.ZodType>; // every kind but `run` (a bare argv)

export const actionSchema = z
  .strictObject({
    run: argv.optional(),
    http: kinds.http.optional(),
    cleanup: kinds.cleanup.optional(),
    cwd: filePath
      .optional()
      .describe(
        "For `run`: its working folder and the environment it gets (nothing else is inherited but PATH).",
      ),
    env: envMap.prefault({}),
    params: z.record(name, param).default({}),
    risk: z.enum(risks).default("approve"),
    timeout: duration.prefault("5m"),
    approvals: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe("How many different people must approve an approve-tier run."),
    agent_auto: z
      .boolean()
      .default(false)
      .describe(
        "Let a token with role `agent` run it without a person (otherwise what an agent asks for needs approval).",
      ),
    uid: z.number().int().min(0).optional(),
    gid: z.number().int().min(0).optional(),
    description: z.string().optional(),
  })
  .superRefine(exactlyOne(actionKinds, "say what the action does with one of", "an action does one thing"));
