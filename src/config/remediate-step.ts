/** One step of a runbook (`remediate:`), shared by checks, services and `alertmanager.routes`. */
import { z } from "zod";
import { failureClasses } from "../probes/probe.ts";
import { name, text } from "./primitives.ts";

export const remediateStep = z.union([
  name,
  z.strictObject({
    action: name,
    when: z.array(z.enum(failureClasses)).min(1).optional().describe("Only for these failure classes."),
    params: z.record(name, z.union([text(4096), z.number()])).default({}),
  }),
]);
export type RemediateStep = z.output<typeof remediateStep>;
