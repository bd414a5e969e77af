/**
 * Which target an Alertmanager alert is: `alert/<alertname>`, or `alert/<alertname>/<instance>` when
 * it has an `instance` label. A rule of the alert's own labels, never of which other alerts exist,
 * so a name stays the same across posts and restarts. Alerts sharing both (a DiskFull per mountpoint
 * of one host) are one target, failing while any of them fires.
 */
import type { HealthPolicy } from "../incidents/target-state.ts";

export const alertTargetPrefix = "alert/";

/** An alert's state is Alertmanager's, already debounced by its rule's `for:`: one post moves it. */
export const alertPolicy: HealthPolicy = {
  failAfter: 1,
  recoverAfter: 1,
  flapWindowMs: 10 * 60_000,
  flapMaxChanges: 6,
};

export function alertTarget(labels: Readonly<Record<string, string>>): string {
  const name = part(labels.alertname ?? "unnamed");
  const instance = labels.instance;
  return `${alertTargetPrefix}${name}${instance ? `/${part(instance)}` : ""}`;
}

export function isAlertTarget(name: string): boolean {
  return name.startsWith(alertTargetPrefix);
}

/** Letters, digits and `_ . : @ -` as sent; anything else (a slash, a space) becomes `_`. At most 100. */
function part(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:@-]/g, "_").slice(0, 100);
}
