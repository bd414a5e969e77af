/**
 * Parameters of an action: each validated by its declaration, then substituted as a whole into one
 * argv element (never split, never re-parsed). What is not declared is refused; a value that starts
 * with "-" is refused unless the parameter allows it, because the program would read it as an option.
 * A `pattern` is matched by RE2 (re2js, pure JavaScript): time linear in the value, whatever the
 * pattern, so no pattern and no value can hold the event loop.
 */
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";
import { VigilError } from "../core/errors.ts";
import type { ActionConfig } from "../config/schema.ts";

type ParamDecl = ActionConfig["params"][string];

/** Longest value accepted: an argument, not a payload. */
const maxValueLength = 4096;

const fail = (name: string, message: string) =>
  new VigilError("VALIDATION_FAILED", `params.${name}: ${message}`);

/** The parameters each action declares `secret: true`, for the redactor. */
export function secretParams(actions: Readonly<Record<string, ActionConfig>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, a]) => [
      name,
      Object.entries(a.params)
        .filter(([, p]) => p.secret)
        .map(([k]) => k),
    ]),
  );
}

/** Checks `given` against the declarations; returns every declared parameter's value as a string. */
export function validateParams(
  action: string,
  decls: Record<string, ParamDecl>,
  given: Record<string, unknown>,
): Record<string, string> {
  const declared = Object.keys(decls);
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(decls, key)) {
      throw fail(
        key.slice(0, 60),
        `the action "${action}" declares no such parameter (declared: ${declared.length > 0 ? declared.join(", ") : "none"})`,
      );
    }
  }
  const out: Record<string, string> = {};
  for (const [name, decl] of Object.entries(decls)) {
    const raw = given[name];
    if (raw === undefined || raw === null) {
      if (decl.required) throw fail(name, `required by the action "${action}"; pass ${name}=<value>`);
      continue;
    }
    out[name] = checkValue(name, decl, raw);
  }
  return out;
}

function checkValue(name: string, decl: ParamDecl, raw: unknown): string {
  if (typeof raw !== "string" && typeof raw !== "number") {
    throw fail(name, `must be a ${decl.type}, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  }
  const value = String(raw);
  // A secret parameter's value is not repeated, even to whoever sent it: errors reach logs too.
  const got = decl.secret ? "a value not shown (the parameter is secret)" : quote(value);
  if (value.length > maxValueLength) throw fail(name, `at most ${maxValueLength} characters`);
  if (value.includes("\0")) throw fail(name, "contains a NUL byte, which no program argument can hold");
  // A lone surrogate would reach the program as U+FFFD: refused rather than silently replaced.
  if (!value.isWellFormed())
    throw fail(name, "is not valid Unicode (a lone surrogate such as \\ud800); send UTF-8 text");
  if (decl.type === "integer") {
    if (!/^-?\d{1,15}$/.test(value)) throw fail(name, `must be a whole number, got ${got}`);
    const n = Number(value);
    if (decl.min !== undefined && n < decl.min)
      throw fail(name, `must be at least ${decl.min}, got ${decl.secret ? got : n}`);
    if (decl.max !== undefined && n > decl.max)
      throw fail(name, `must be at most ${decl.max}, got ${decl.secret ? got : n}`);
  } else if (decl.min !== undefined || decl.max !== undefined) {
    if (decl.min !== undefined && value.length < decl.min)
      throw fail(name, `must be at least ${decl.min} characters`);
    if (decl.max !== undefined && value.length > decl.max)
      throw fail(name, `must be at most ${decl.max} characters`);
  }
  if (decl.enum && !decl.enum.some((e) => String(e) === value)) {
    throw fail(name, `must be one of ${decl.enum.join(", ")}; got ${got}`);
  }
  if (decl.pattern !== undefined && !compiledPattern(decl.pattern).matches(value)) {
    throw fail(name, `must match the pattern ${decl.pattern}; got ${got}`);
  }
  if (value.startsWith("-") && !decl.allow_dash && decl.type !== "integer") {
    throw fail(
      name,
      `starts with "-", which the program would read as an option; declare allow_dash: true on the parameter if that is intended`,
    );
  }
  return value;
}

/** Longest `pattern` a parameter may declare: matching costs its length times the value's. */
export const maxPatternLength = 500;

type Re2 = typeof RE2JS;
let re2: Re2 | undefined;
const compiled = new Map<string, RE2JS>();

/** re2js, loaded the first time a pattern is used: an agent whose actions have none never carries it. */
function engine(): Re2 {
  re2 ??= (createRequire(import.meta.url)("re2js") as { RE2JS: Re2 }).RE2JS;
  return re2;
}

function compiledPattern(pattern: string): RE2JS {
  let p = compiled.get(pattern);
  if (!p) {
    p = engine().compile(pattern);
    compiled.set(pattern, p);
  }
  return p;
}

/**
 * Why RE2 cannot run `pattern` (with the column in the pattern), or undefined when it can: the
 * config refuses such a pattern at load, so matching never meets one.
 * @example patternProblem("(a)\\1") → "column 4: invalid escape sequence: `\\1`; ..."
 */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length > maxPatternLength) return `at most ${maxPatternLength} characters`;
  try {
    engine().compile(pattern);
    return undefined;
  } catch (e) {
    const err = e as { message?: string; input?: unknown };
    const at = typeof err.input === "string" && err.input !== "" ? pattern.indexOf(err.input) : -1;
    const what = (err.message ?? String(e)).replace(/^error parsing regexp: /, "");
    return `${at >= 0 ? `column ${at + 1}: ` : ""}${what}; patterns are matched by RE2 in linear time, which has no back-references and lookarounds`;
  }
}

/** A value shown in an error: bounded, control characters escaped so a message stays one line. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * The action's argv with `{name}` replaced by the parameter's value inside the element that holds
 * it. An element that is exactly `{name}` of an optional parameter left out is dropped.
 */
export function substituteArgv(argv: readonly string[], values: Record<string, string>): string[] {
  const out: string[] = [];
  for (const word of argv) {
    const whole = /^\{(\w+)\}$/.exec(word);
    if (whole && values[whole[1]!] === undefined) continue;
    out.push(word.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? ""));
  }
  return out;
}
