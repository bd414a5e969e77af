/**
 * Database values as JSON an API answer, an audit entry and a condition can hold: a BIGINT as a
 * number while it is exact (as text beyond 2^53), a date as ISO text, bytes as `\x` hex, and every
 * text and nesting bounded so one wide row cannot fill the agent's memory or a log line.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Longest text kept of one value; a check reads counts and states, not documents. */
export const maxText = 4096;
const maxDepth = 8;
const maxItems = 100;

const clip = (s: string) => (s.length > maxText ? `${s.slice(0, maxText)}…` : s);

export function toJson(value: unknown, depth = 0): Json {
  switch (typeof value) {
    case "string":
      return clip(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "boolean":
      return value;
    case "undefined":
      return null;
    case "object":
      break;
    default:
      return clip(String(value));
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) {
    const bytes = value.subarray(0, maxText / 2);
    return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}${bytes.length < value.length ? "…" : ""}`;
  }
  if (depth >= maxDepth) return clip(JSON.stringify(value) ?? "");
  if (Array.isArray(value)) return value.slice(0, maxItems).map((v: unknown) => toJson(v, depth + 1));
  // fromEntries defines own properties: a key named `__proto__` stays data, never a prototype.
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, maxItems)
      .map(([k, v]) => [k, toJson(v, depth + 1)]),
  );
}
