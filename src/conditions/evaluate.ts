/**
 * Judges parsed conditions against a probe's values as Gatus does (Condition.evaluate): `==` and
 * `!=` compare text, or integers when both sides are integers in any base (`0x1 == 1`), with pat()
 * and any() on either side; `<`, `<=`, `>`, `>=` read both sides as numbers, where a duration is in
 * milliseconds and anything else that is not a number is 0.
 *
 * One difference, on purpose: a side with nothing to read (a path that does not resolve, a
 * placeholder without a value) fails an order comparison and never matches pat() or any(), where
 * Gatus would read it as 0 or match its text: `[BODY].errors < 5` must not pass on an error page.
 */
import { explainEquality, explainOrder } from "./explain.ts";
import { compareNumbers, parseGoInt, readNumber } from "./numbers.ts";
import type { Condition, Operand, Operator } from "./parse.ts";
import { matchPattern } from "./pattern.ts";
import { reader, type Resolved } from "./resolve.ts";

export interface ConditionResult {
  ok: boolean;
  text: string;
  explanation: string;
}

export interface Judgement {
  ok: boolean;
  results: ConditionResult[];
}

/** Evaluates every condition (not only up to the first failure, so an alert names them all). */
export function evaluateAll(conditions: readonly Condition[], values: Record<string, unknown>): Judgement {
  const read = reader(values);
  const results = conditions.map((c) => evaluate(c, read));
  return { ok: results.every((r) => r.ok), results };
}

function evaluate(c: Condition, read: (o: Operand) => Resolved): ConditionResult {
  const l = read(c.left);
  const r = read(c.right);
  if (c.op === "==" || c.op === "!=") {
    const same = equal(c.left, l, c.right, r);
    return {
      ok: c.op === "==" ? same : !same,
      text: c.text,
      explanation: explainEquality(c.left, l, c.op, c.right, r),
    };
  }
  const a = l.unresolved ? undefined : readNumber(l.value);
  const b = r.unresolved ? undefined : readNumber(r.value);
  return {
    ok: a !== undefined && b !== undefined && holds(compareNumbers(a, b), c.op),
    text: c.text,
    explanation: `${explainOrder(c.left, a)} ${c.op} ${explainOrder(c.right, b)}`,
  };
}

function equal(left: Operand, l: Resolved, right: Operand, r: Resolved): boolean {
  const [fn, other] = left.kind === "pat" || left.kind === "any" ? [left, r] : [right, l];
  if (fn.kind === "pat") return !other.unresolved && matchPattern(fn.pattern, other.value);
  if (fn.kind === "any") return !other.unresolved && fn.options.includes(other.value);
  const x = parseGoInt(l.value);
  const y = parseGoInt(r.value);
  return x !== undefined && y !== undefined ? x === y : l.value === r.value;
}

/** NaN (a NaN on either side) holds for no operator. */
function holds(order: number, op: Exclude<Operator, "==" | "!=">): boolean {
  switch (op) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}
