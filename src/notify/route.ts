/** Which channels a notice goes to: the first matching route (and later ones while `continue`). */
import type { VigilConfig } from "../config/schema.ts";

export interface RouteFacts {
  target: string;
  severity: string;
  labels: Record<string, string>;
}

export function routeNotice(notify: VigilConfig["notify"], facts: RouteFacts): string[] {
  const out: string[] = [];
  for (const r of notify.routes) {
    const m = r.match;
    if (m.severity && !m.severity.includes(facts.severity as never)) continue;
    if (m.target && !m.target.includes(facts.target)) continue;
    if (m.labels && !Object.entries(m.labels).every(([k, v]) => facts.labels[k] === v)) continue;
    for (const ch of r.to) if (!out.includes(ch)) out.push(ch);
    if (!r.continue) break;
  }
  return out;
}
