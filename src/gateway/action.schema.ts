/**
 * The allowlist's shape: what `actions:` may declare. One kind per action, each kind found in
 * kinds/ (`run` argv, an `http` request, `cleanup` of old files ...), plus what every kind shares:
 * parameters, risk, timeout, approvals.
 */
import { z } from "zod";
import { kit } from "../config/kit.ts";
import { duration, envMap, exactlyOne, filePath, name, text } from "../config/primitives.ts";
import { actionKinds } from "./kinds/index.ts";
import { patternProblem } from "./params.ts";
import { risks } from "./risk.ts";

const param = z.strictObject({
  type: z.enum(["string", "integer"]).default("string"),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  pattern: z
    .string()
    .superRefine((p, ctx) => {
      const problem = patternProblem(p);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .describe("The whole value must match (RE2 syntax: linear time; no back-references or lookarounds)."),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Values starting with "-" are refused unless allowed: they would be read as options. */
  allow_dash: z.boolean().default(false),
  required: z.boolean().default(true),
  secret: z
    .boolean()
    .default(false)
    .describe(
      "The value is a credential: shown as [REDACTED] in runs, approvals, the audit log, logs and notifications, whatever it is, and scrubbed from the run's output.",
    ),
});

/** One optional key per action kind; what each holds is typed by its own kind. */
const kindKeys: Record<string, z.ZodOptional<z.ZodType>> = Object.fromEntries(
  actionKinds.entries().map(([type, k]) => [type, k.schema(kit).describe(k.description).optional()]),
);

export const actionSchema = z
  .strictObject({
    ...kindKeys,
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
    description: text(1_000).optional(),
  })
  .superRefine(
    exactlyOne(actionKinds.names(), "say what the action does with one of", "an action does one thing"),
  );
