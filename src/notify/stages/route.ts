/**
 * route: the channels a notice goes to, by severity, target and labels (the first matching route,
 * and later ones while `continue`). A resolution instead follows its opening to every channel the
 * opening went to, whatever the routes say now.
 */
import type { VigilConfig } from "../../config/schema.ts";
import { groupOf } from "../../targets/targets.ts";
import type { Notice } from "../notice.ts";
import type { Stage } from "../stage.ts";

export interface RouteFacts {
  target: string;
  severity: string;
  labels: Record<string, string>;
}

/** Facts that need a person now are critical whatever the target's own severity. */
const urgent = new Set([
  "incident.escalated",
  "incident.storm",
  "incident.reminder",
  "approval.requested",
  "approval.reminder",
  // An assistant reporting as done what did not happen: someone is relying on it now.
  "claim.false",
]);

export const route: Stage = async (flow, ctx) => {
  const n = flow.notice;
  const channels = n.follows
    ? await ctx.store.channelsFor(`incident:${n.follows}:opened:`)
    : routeNotice(ctx.config.notify, facts(ctx.config, n));
  return { ...flow, channels };
};

export function routeNotice(notify: VigilConfig["notify"], facts: RouteFacts): string[] {
  const out: string[] = [];
  for (const r of notify.routes) {
    const m = r.match;
    if (m.severity && !m.severity.includes(facts.severity as never)) continue;
    if (m.target && !m.target.includes(facts.target) && !m.target.includes(groupOf(facts.target) ?? ""))
      continue;
    if (m.labels && !Object.entries(m.labels).every(([k, v]) => facts.labels[k] === v)) continue;
    for (const ch of r.to) if (!out.includes(ch)) out.push(ch);
    if (!r.continue) break;
  }
  return out;
}

function facts(config: VigilConfig, n: Notice): RouteFacts {
  // a group's member (`prd/api`) is routed as its check is
  const t = config.services[n.target] ?? config.checks[n.target] ?? config.checks[groupOf(n.target) ?? ""];
  return {
    target: n.target,
    severity: urgent.has(n.kind) ? "critical" : (t?.severity ?? "warning"),
    labels: t?.labels ?? {},
  };
}
