/**
 * Parses Gatus conditions: `[STATUS] == 200`, `[BODY].data[0].id != 0`, `len([BODY].items) > 0`,
 * `has([BODY].error) == false`, `[BODY].name == pat(web-*)`, `any(200, 204) == [STATUS]`,
 * `[CERTIFICATE_EXPIRATION] > 48h`, even `1 == 2`. Parsing happens once at config load; evaluation
 * never re-parses. Where Gatus would accept a condition that can only ever mislead (no spaces around
 * the operator, a second `==`, pat() compared with `<`), this refuses it with a column instead.
 */
import { parsePath, type PathStep } from "./jsonpath.ts";
import { compilePattern, type CompiledPattern } from "./pattern.ts";

export type { PathStep } from "./jsonpath.ts";

/** In Gatus's order of precedence: a condition containing ` == ` is an equality, whatever else it holds. */
export const operators = ["==", "!=", "<=", ">=", ">", "<"] as const;
export type Operator = (typeof operators)[number];

export interface Placeholder {
  kind: "placeholder";
  /** Canonical: upper case, without brackets (`STATUS`, `BODY`); `[CERTIFICATE_EXPIRATION]` is `CERT_EXPIRES_IN`. */
  name: string;
  path: PathStep[];
  fn?: "len" | "has";
  /** As written, which is how an explanation shows it. */
  text: string;
}

/** Text compared as it is. `fn` is set for len() or has() of something that is not a placeholder. */
export interface Literal {
  kind: "literal";
  text: string;
  fn?: "len" | "has";
}

export interface Pattern {
  kind: "pat";
  pattern: CompiledPattern;
  text: string;
}

export interface AnyOf {
  kind: "any";
  options: string[];
  text: string;
}

export type Operand = Placeholder | Literal | Pattern | AnyOf;

export interface Condition {
  text: string;
  left: Operand;
  op: Operator;
  right: Operand;
}

export type ParseResult = { ok: true; condition: Condition } | { ok: false; message: string; column: number };

const hint = "write it as `[PLACEHOLDER] <op> value`, e.g. `[STATUS] == 200`";
const aliases: Record<string, string> = { CERTIFICATE_EXPIRATION: "CERT_EXPIRES_IN" };

/** @example parseCondition("[STATUS] == 200") → { ok: true, condition: {...} } */
export function parseCondition(text: string): ParseResult {
  const found = findOperator(text);
  if ("message" in found) return { ok: false, ...found };
  const { index, op } = found;
  const leftText = text.slice(0, index).trim();
  const rightText = text.slice(index + op.length + 2).trim();
  if (!leftText) return { ok: false, message: `nothing before "${op}"; ${hint}`, column: 1 };
  if (!rightText)
    return { ok: false, message: `nothing after "${op}"; ${hint}`, column: index + op.length + 2 };
  const left = parseOperand(leftText);
  if ("error" in left) return { ok: false, message: left.error, column: text.indexOf(leftText) + 1 };
  const right = parseOperand(rightText);
  if ("error" in right) return { ok: false, message: right.error, column: text.lastIndexOf(rightText) + 1 };
  const fns = [left, right].filter((o) => o.kind === "pat" || o.kind === "any");
  if (fns.length > 0 && op !== "==" && op !== "!=")
    return { ok: false, message: `${fns[0]?.kind}() works only with == or !=`, column: index + 2 };
  if (fns.length > 1)
    return { ok: false, message: `compare a value with ${left.kind}(), not two functions`, column: 1 };
  return { ok: true, condition: { text, left, op, right } };
}

type Found = { index: number; op: Operator } | { message: string; column: number };

/**
 * Gatus splits on the operator with its spaces (` == `), taking them in precedence order. Brackets
 * and parentheses are skipped first, so that a pattern such as `pat(*a == b*)` is not split
 * inside; text with unbalanced ones falls back to the plain search.
 */
function findOperator(text: string): Found {
  for (const outside of [true, false]) {
    for (const op of operators) {
      const at = positions(text, ` ${op} `, outside);
      const [index, again] = at;
      if (index === undefined) continue;
      if (again !== undefined)
        return { message: `"${op}" appears twice; a condition compares two things`, column: again + 2 };
      return { index, op };
    }
  }
  return unspaced(text);
}

function positions(text: string, needle: string, outside: boolean): number[] {
  const found: number[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth = Math.max(0, depth - 1);
    if ((!outside || depth === 0) && text.startsWith(needle, i)) {
      found.push(i);
      i += needle.length - 2;
    }
  }
  return found;
}

/** Says what is wrong with an operator Gatus would not see for want of a space on either side. */
function unspaced(text: string): { message: string; column: number } {
  for (let i = 0; i < text.length; i++) {
    const op = operators.find((o) => text.startsWith(o, i));
    if (!op) continue;
    if (!text.slice(0, i).trim()) return { message: `nothing before "${op}"; ${hint}`, column: 1 };
    if (!text.slice(i + op.length).trim())
      return { message: `nothing after "${op}"; ${hint}`, column: i + op.length + 1 };
    return { message: `put a space on each side of "${op}", as Gatus needs; ${hint}`, column: i + 1 };
  }
  return { message: `no comparison operator (== != < <= > >=); ${hint}`, column: 1 };
}

function parseOperand(text: string): Operand | { error: string } {
  const fn = /^(len|has|pat|any)\((.*)\)$/s.exec(text);
  if (fn) {
    const [, name, inner = ""] = fn;
    if (name === "pat") {
      const pattern = compilePattern(inner);
      return "error" in pattern ? { error: `pat(): ${pattern.error}` } : { kind: "pat", pattern, text };
    }
    if (name === "any") {
      const options = inner.split(",").map((o) => o.trim());
      if (options.some((o) => o === ""))
        return { error: `any() needs values separated by commas, e.g. any(200, 204)` };
      return { kind: "any", options, text };
    }
    const of = parsePlaceholder(inner.trim(), text);
    if (of === undefined) return { kind: "literal", text, fn: name as "len" | "has" };
    return "error" in of ? of : { ...of, fn: name as "len" | "has" };
  }
  const placeholder = parsePlaceholder(text, text);
  if (placeholder) return placeholder;
  if (/^[a-z]+\(/i.test(text))
    return { error: `unknown function in "${text}"; the functions are len(), has(), pat() and any()` };
  return { kind: "literal", text };
}

/** A placeholder, an error in its path, or undefined for text that is no placeholder at all. */
function parsePlaceholder(text: string, whole: string): Placeholder | { error: string } | undefined {
  const m = /^\[([A-Za-z_][A-Za-z0-9_]*)\](.*)$/s.exec(text);
  if (!m) return undefined;
  const [, written = "", rest = ""] = m;
  if (rest.includes("[*]"))
    return { error: `"${text}": a wildcard index [*] is not supported; name an index such as [0]` };
  const path = parsePath(rest);
  if (!path)
    return { error: `cannot read the path "${rest}" in "${text}"; write it as .key, .key.sub or .list[0]` };
  const upper = written.toUpperCase();
  return { kind: "placeholder", name: aliases[upper] ?? upper, path, text: whole };
}
