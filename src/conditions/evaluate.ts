/**
 * Judges parsed conditions against a probe's values and explains each one the way Gatus does:
 * `[STATUS] (503) == 200`, `[BODY].status (degraded) == ok`. The explanation is what a person reads
 * in an alert, so it always shows the value that was actually seen.
 */
import type { Condition, Literal, Placeholder } from "./parse.ts";

export interface ConditionResult {
  ok: boolean;
  text: string;
  explanation: string;
}

export interface Judgement {
  ok: boolean;
  results: ConditionResult[];
}

const missing = Symbol("missing");
type Value = unknown;

/** Evaluates every condition (not only up to the first failure, so an alert names them all). */
export function evaluateAll(conditions: readonly Condition[], values: Record<string, unknown>): Judgement {
  const body = lazyJson(values.BODY);
  const results = conditions.map((c) => evaluate(c, values, body));
  return { ok: results.every((r) => r.ok), results };
}

function evaluate(c: Condition, values: Record<string, unknown>, body: () => unknown): ConditionResult {
  const left = resolve(c.left, values, body);
  let ok: boolean;
  switch (c.right.kind) {
    case "pat": {
      const matched = left !== missing && c.right.pattern.test(show(left));
      ok = c.op === "==" ? matched : !matched;
      break;
    }
    case "any": {
      const matched = c.right.options.some((o) => compare(left, "==", o));
      ok = c.op === "==" ? matched : !matched;
      break;
    }
    case "placeholder": {
      const right = resolve(c.right, values, body);
      ok = compare(left, c.op, right === missing ? { kind: "literal", text: "" } : toLiteral(right));
      break;
    }
    case "literal":
      ok = compare(left, c.op, c.right);
      break;
  }
  return {
    ok,
    text: c.text,
    explanation: `${c.left.text} (${left === missing ? "missing" : short(show(left))}) ${c.op} ${c.right.text}`,
  };
}

function resolve(o: Placeholder | Literal, values: Record<string, unknown>, body: () => unknown): Value {
  if (o.kind === "literal") return o.number ?? o.text;
  let v: Value = o.name in values ? values[o.name] : missing;
  if (o.path.length > 0) {
    v = o.name === "BODY" ? body() : v;
    for (const step of o.path) {
      if (v === missing || v === null || typeof v !== "object") {
        v = missing;
        break;
      }
      const next: unknown = (v as Record<string | number, unknown>)[step];
      v = next === undefined ? missing : next;
    }
  }
  if (o.fn === "has") return v !== missing && v !== null;
  if (o.fn === "len") {
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (v !== null && typeof v === "object") return Object.keys(v).length;
    return v === missing ? missing : show(v).length;
  }
  return v;
}

function compare(left: Value, op: Condition["op"], right: Literal): boolean {
  if (left === missing) return op === "!=";
  const l =
    typeof left === "number"
      ? left
      : typeof left === "string" && /^-?\d+(\.\d+)?$/.test(left)
        ? Number(left)
        : undefined;
  if (l !== undefined && right.number !== undefined) {
    const r = right.number;
    switch (op) {
      case "==":
        return l === r;
      case "!=":
        return l !== r;
      case "<":
        return l < r;
      case "<=":
        return l <= r;
      case ">":
        return l > r;
      case ">=":
        return l >= r;
    }
  }
  if (op === "==") return show(left) === right.text;
  if (op === "!=") return show(left) !== right.text;
  return false; // an order comparison of something that is not a number never holds
}

function toLiteral(v: Value): Literal {
  return typeof v === "number"
    ? { kind: "literal", text: String(v), number: v }
    : { kind: "literal", text: show(v) };
}

function show(v: Value): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
    case "boolean":
    case "bigint":
      return String(v);
    case "undefined":
      return "undefined";
    default:
      return JSON.stringify(v) ?? "null";
  }
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Parses BODY as JSON once, and only when a condition reads into it. */
function lazyJson(body: unknown): () => unknown {
  let parsed: unknown = missing;
  let done = false;
  return () => {
    if (!done) {
      done = true;
      if (typeof body === "string") {
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = missing;
        }
      } else if (body !== undefined) parsed = body;
    }
    return parsed;
  };
}
