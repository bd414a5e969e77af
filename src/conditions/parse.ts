/**
 * Parses Gatus-style conditions: `[STATUS] == 200`, `[BODY].data[0].id != 0`, `len([BODY].items) > 0`,
 * `has([BODY].error) == false`, `[BODY].name == pat(web-*)`, `[STATUS] == any(200, 204)`,
 * `[CERT_EXPIRES_IN] > 48h`. Parsing happens once at config load; evaluation never re-parses.
 */
import { parseDuration } from "../core/duration.ts";

export const operators = ["==", "!=", "<=", ">=", "<", ">"] as const;
export type Operator = (typeof operators)[number];

/** One step into a JSON value: a key or an array index. */
export type PathStep = string | number;

export interface Placeholder {
  kind: "placeholder";
  /** Without brackets: `STATUS`, `BODY`. */
  name: string;
  path: PathStep[];
  fn?: "len" | "has";
  text: string;
}

export interface Literal {
  kind: "literal";
  text: string;
  /** Set when the text is a number or a duration (durations in ms). */
  number?: number;
}

export type Right =
  | Placeholder
  | Literal
  | { kind: "pat"; pattern: RegExp; text: string }
  | { kind: "any"; options: Literal[]; text: string };

export interface Condition {
  text: string;
  left: Placeholder | Literal;
  op: Operator;
  right: Right;
}

export type ParseResult = { ok: true; condition: Condition } | { ok: false; message: string; column: number };

const hint = "write it as `[PLACEHOLDER] <op> value`, e.g. `[STATUS] == 200`";

/** @example parseCondition("[STATUS] == 200") → { ok: true, condition: {...} } */
export function parseCondition(text: string): ParseResult {
  const at = findOperator(text);
  if (!at) return { ok: false, message: `no comparison operator (== != < <= > >=); ${hint}`, column: 1 };
  const leftText = text.slice(0, at.index).trim();
  const rightText = text.slice(at.index + at.op.length).trim();
  if (!leftText) return { ok: false, message: `nothing before "${at.op}"; ${hint}`, column: 1 };
  if (!rightText)
    return { ok: false, message: `nothing after "${at.op}"; ${hint}`, column: at.index + at.op.length + 1 };
  const left = parseOperand(leftText);
  if ("error" in left) return { ok: false, message: left.error, column: text.indexOf(leftText) + 1 };
  if (left.kind !== "placeholder") {
    return {
      ok: false,
      message: `the left side must be a placeholder such as [STATUS], not "${leftText}"`,
      column: 1,
    };
  }
  const right = parseRight(rightText);
  if ("error" in right) return { ok: false, message: right.error, column: text.lastIndexOf(rightText) + 1 };
  if ((right.kind === "pat" || right.kind === "any") && at.op !== "==" && at.op !== "!=") {
    return { ok: false, message: `${right.kind}() works only with == or !=`, column: at.index + 1 };
  }
  return { ok: true, condition: { text, left, op: at.op, right } };
}

/** The first operator outside brackets and parentheses; two-character operators win over one. */
function findOperator(text: string): { index: number; op: Operator } | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      for (const op of operators) if (text.startsWith(op, i)) return { index: i, op };
    }
  }
  return undefined;
}

function parseRight(text: string): Right | { error: string } {
  const fn = /^(pat|any)\((.*)\)$/s.exec(text);
  if (fn) {
    const inner = fn[2] ?? "";
    if (fn[1] === "pat") return { kind: "pat", pattern: globToRegExp(inner.trim()), text };
    const options = inner.split(",").map((o) => literal(o.trim()));
    if (options.some((o) => o.text === ""))
      return { error: `any() needs values separated by commas, e.g. any(200, 204)` };
    return { kind: "any", options, text };
  }
  return parseOperand(text);
}

function parseOperand(text: string): Placeholder | Literal | { error: string } {
  const fn = /^(len|has)\((.*)\)$/s.exec(text);
  if (fn) {
    const inner = parsePlaceholder((fn[2] ?? "").trim(), text);
    if ("error" in inner) return inner;
    return { ...inner, fn: fn[1] as "len" | "has" };
  }
  if (text.startsWith("[")) return parsePlaceholder(text, text);
  if (/^[a-z]+\(/i.test(text))
    return { error: `unknown function in "${text}"; the functions are len(), has(), pat() and any()` };
  return literal(text);
}

function parsePlaceholder(text: string, whole: string): Placeholder | { error: string } {
  const m = /^\[([A-Z_]+)\](.*)$/s.exec(text);
  if (!m)
    return {
      error: `"${text}" is not a placeholder; placeholders are upper case in brackets, e.g. [STATUS] or [BODY].a.b[0]`,
    };
  const path = parsePath(m[2] ?? "");
  if (!path)
    return { error: `cannot read the path "${m[2]}" in "${text}"; write it as .key, .key.sub or .list[0]` };
  return { kind: "placeholder", name: m[1] ?? "", path, text: whole };
}

function parsePath(text: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  const step = /\.([^.[\]]+)|\[(\d+)\]/y;
  let i = 0;
  while (i < text.length) {
    step.lastIndex = i;
    const m = step.exec(text);
    if (!m) return undefined;
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
    i = step.lastIndex;
  }
  return steps;
}

function literal(text: string): Literal {
  const unquoted = /^"(.*)"$/s.exec(text)?.[1] ?? text;
  const n = /^-?\d+(\.\d+)?$/.test(unquoted) ? Number(unquoted) : parseDuration(unquoted);
  return n === undefined || unquoted !== text
    ? { kind: "literal", text: unquoted }
    : { kind: "literal", text: unquoted, number: n };
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}
