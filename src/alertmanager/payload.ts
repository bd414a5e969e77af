/**
 * Alertmanager's webhook payload, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config),
 * checked by hand like every request body (api/fields.ts): each field typed and bounded, unknown
 * fields refused, the first problem named by its path (`alerts[2].labels.alertname`).
 *
 * Owns: the payload's shape. Must not import: api routes, app, targets.
 */
import { shape, text, type Checked, type Rule } from "../api/fields.ts";

/** More alerts than this in one post is refused: set `max_alerts` on the webhook_config to bound it. */
export const maxAlerts = 500;
const maxLabels = 64;

export interface Alert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts?: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
}

/** A label name: Prometheus 3 allows any UTF-8, so only control characters are refused. */
const labelName = /^[^\x00-\x1f\x7f]+$/;

function stringMap(what: string, valueMax: number, names = labelName): Rule<Record<string, string>> {
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { problem: `a JSON object of ${what}` };
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > maxLabels) return { problem: `at most ${maxLabels} ${what}` };
    for (const [k, v] of entries) {
      if (k.length > 128 || !names.test(k)) return { problem: `"${k.slice(0, 40)}" is not a label name` };
      if (typeof v !== "string") return { problem: `${k}: a string` };
      if (v.length > valueMax) return { problem: `${k}: at most ${valueMax} characters` };
    }
    return { value: Object.fromEntries(entries) as Record<string, string> };
  };
}

const labels = stringMap("labels", 1024);
const annotations = stringMap("annotations", 8192);
const status = text({
  max: 8,
  hint: "firing or resolved",
  valid: (s) => s === "firing" || s === "resolved",
}) as Rule<"firing" | "resolved">;
const time = text({
  max: 64,
  hint: "an RFC 3339 time, e.g. 2026-12-06T10:00:00Z",
  valid: (s) => !Number.isNaN(Date.parse(s)),
});

const alert = nested(
  shape({
    status,
    labels: (v) => {
      const r = labels(v);
      if ("problem" in r) return r;
      const name = r.value.alertname;
      return name === undefined || name === "" ? { problem: "alertname: every alert needs one" } : r;
    },
    annotations,
    startsAt: time,
    endsAt: time,
    generatorURL: text({ max: 4096, fallback: "" }),
    fingerprint: text({
      min: 1,
      max: 64,
      hint: "the alert's fingerprint, e.g. 1a30ba71cca2921f",
      valid: (s) => /^[0-9a-zA-Z]+$/.test(s),
    }),
  }),
);

export const checkPayload = shape({
  version: text({ max: 8, hint: 'the webhook payload version "4"', valid: (s) => s === "4" }) as Rule<"4">,
  groupKey: text({ max: 4096 }),
  truncatedAlerts: count,
  status,
  receiver: text({ max: 256 }),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: annotations,
  externalURL: text({ max: 4096 }),
  alerts: (value) => {
    if (!Array.isArray(value)) return { problem: "a JSON array of alerts" };
    if (value.length > maxAlerts)
      return { problem: `at most ${maxAlerts} alerts; set max_alerts in Alertmanager's webhook_config` };
    const out: Alert[] = [];
    for (const [i, a] of value.entries()) {
      const r = alert(a);
      if ("problem" in r) return { problem: `[${i}].${r.problem}` };
      out.push(r.value);
    }
    return { value: out };
  },
}) as (body: unknown) => { value: WebhookPayload } | { problems: { path: string; message: string }[] };

function count(value: unknown): Checked<number | undefined> {
  if (value === undefined) return { value: undefined };
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? { value: value as number }
    : { problem: "a whole number from 0" };
}

/** A shape as one rule: its first problem, prefixed with its path. */
function nested<T>(
  check: (v: unknown) => { value: T } | { problems: { path: string; message: string }[] },
): Rule<T> {
  return (v) => {
    const r = check(v);
    if ("value" in r) return r;
    const p = r.problems[0]!;
    return { problem: `${p.path}: ${p.message}` };
  };
}
