/**
 * `alertmanager:`: which runbook answers which of Alertmanager's alerts (`POST /api/alertmanager`,
 * src/alertmanager). The first route whose `match` labels all equal the alert's runs its steps.
 */
import { z } from "zod";
import { name, text } from "./primitives.ts";
import { remediateStep } from "./remediate-step.ts";

const route = z.strictObject({
  match: z
    .record(
      z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/, "a Prometheus label name, e.g. alertname"),
      text(1024),
    )
    .refine((m) => Object.keys(m).length >= 1, "name at least one label, e.g. { alertname: DiskFull }")
    .refine((m) => Object.keys(m).length <= 32, "at most 32 labels")
    .describe("Labels the alert must have, each with exactly this value: { alertname: DiskFull }."),
  remediate: z
    .array(remediateStep)
    .min(1, "name at least one action")
    .max(20)
    .describe("The runbook: run on a firing alert, with the guardrails and approvals of a check's."),
  agent: name
    .optional()
    .describe(
      "The agent (agent.name) whose target the alert becomes and whose runbook runs, another agent of the fleet on the shared postgres:// store or this one. Absent: on a fleet, the live agent whose name or host the alert's instance label names (port stripped), else the agent that received it.",
    ),
});

/** What `maintenance.targets` holds: a service's or check's name, or an alert's target (`alertmanager/naming.ts`). */
export const targetName = z
  .string()
  .regex(
    /^(?:[a-z0-9][a-z0-9_.-]{0,62}|alert\/[a-z0-9_.:@-]{1,100}(?:\/[a-z0-9_.:@-]{1,100})?)$/i,
    "a service's or check's name (letters, digits, '-', '_', '.'), or an alert's target alert/<alertname>[/<instance>]",
  );

export const alertmanager = z.strictObject({
  routes: z.array(route).max(200).default([]),
});
