/**
 * A target's runbook: the steps of its `remediate:`. A service's runbook also answers a taken port:
 * a restart cannot help there, so a plain `restart` step skips `port_in_use`, and `free-port`
 * (approve-tier: a person decides) is added for a service with a port unless the runbook names it.
 */
import type { RemediateStep, VigilConfig } from "../config/schema.ts";
import { failureClasses } from "../probes/probe.ts";
import { groupOf } from "../targets/targets.ts";
import type { Step } from "./choose.ts";

/** Every failure class but a taken port: what a plain `restart` of a service answers. */
const notPort = failureClasses.filter((c) => c !== "port_in_use");

export function toStep(s: RemediateStep): Step {
  return typeof s === "string"
    ? { action: s, params: {} }
    : { action: s.action, params: s.params, when: s.when };
}

/** The steps for `target`, as the config says now; none for an unknown target. */
export function runbookOf(config: Pick<VigilConfig, "services" | "checks">, target: string): Step[] {
  const service = config.services[target];
  // a group's member (`prd/api`) follows its check's runbook
  const check = config.checks[target] ?? config.checks[groupOf(target) ?? ""];
  const steps = (service?.remediate ?? check?.remediate ?? []).map(toStep);
  if (!service) return steps;
  const out = steps.map((s) => (s.action === "restart" && !s.when ? { ...s, when: notPort } : s));
  if (service.port !== undefined && !out.some((s) => s.action === "free-port"))
    out.push({ action: "free-port", params: {}, when: ["port_in_use"] });
  return out;
}
