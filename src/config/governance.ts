/**
 * `governance:`: what claim verification may read, the JSON-lines file of AI workers' claims that
 * the agent follows, and the sections a work order must have (src/governance).
 */
import { z } from "zod";
import { duration, filePath, name, text } from "./primitives.ts";

/** The seeds' ten sections of a work order. */
export const defaultInstructionSections = [
  "DELIVERABLES",
  "SUCCESS_CRITERIA",
  "BOUNDARIES",
  "DEPENDENCIES",
  "MITIGATION",
  "TEST_PROCESS",
  "TEST_RESULTS_FORMAT",
  "RESOURCE_REQUIREMENTS",
  "RISK_ASSESSMENT",
  "QUALITY_METRICS",
];

const verify = z.strictObject({
  paths: z
    .array(filePath)
    .max(100)
    .default([])
    .describe("Folders whose files claims may be checked against, besides agent.data_dir; none by default."),
  hosts: z
    .array(text(253).min(1))
    .max(100)
    .default(["127.0.0.1", "::1", "localhost"])
    .describe("Hosts a claim's URL or port may be checked on; anything else is UNVERIFIABLE."),
  timeout: duration.prefault("5s").describe("The time one claim's checks may take, all parts together."),
});

const claims = z.strictObject({
  file: filePath.describe("A JSON-lines file AI workers append their claims to; followed from its end."),
  field: name.default("claim").describe("The field of each line that holds the claim's text."),
  by: name.default("worker").describe("The field that names the worker, shown in the verdict and the alert."),
});

export const governance = z.strictObject({
  verify: verify.prefault({}),
  claims: claims.optional(),
  instruction_sections: z
    .array(text(100).min(1))
    .min(1)
    .max(50)
    .default(defaultInstructionSections)
    .describe("The sections a work order must have, each present and not empty (vigil check-instruction)."),
});
