/** `alertmanager.routes`: the first route whose `match` labels all equal the alert's gives its runbook. */
import type { VigilConfig } from "../config/schema.ts";
import { toStep } from "../remediation/runbook.ts";
import type { Step } from "../remediation/choose.ts";

type Route = VigilConfig["alertmanager"]["routes"][number];

export function matchRoute(
  routes: readonly Route[],
  labels: Readonly<Record<string, string>>,
): Route | undefined {
  return routes.find((r) => Object.entries(r.match).every(([k, v]) => labels[k] === v));
}

/** The runbook of an alert target with these labels: its route's steps, none without one. */
export function alertRunbook(
  config: Pick<VigilConfig, "alertmanager">,
  labels: Readonly<Record<string, string>> | undefined,
): Step[] {
  const route = labels && matchRoute(config.alertmanager.routes, labels);
  return route ? route.remediate.map(toStep) : [];
}
