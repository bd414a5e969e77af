/**
 * Parameters of an action: each validated by its declaration, then substituted as a whole into one
 * argv element (never split, never re-parsed). What is not declared is refused; a value that starts
 * with "-" is refused unless the parameter allows it, because the program would read it as an option.
 */
import { VigilError } from "../core/errors.ts";
import type { ActionConfig } from "../config/schema.ts";

type ParamDecl = ActionConfig["params"][string];

/** Longest value accepted: an argument, not a payload. */
const maxValueLength = 4096;

const fail = (name: string, message: string) =>
  new VigilError("VALIDATION_FAILED", `params.${name}: ${message}`);

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
  if (value.length > maxValueLength) throw fail(name, `at most ${maxValueLength} characters`);
  if (value.includes("\0")) throw fail(name, "contains a NUL byte, which no program argument can hold");
  if (decl.type === "integer") {
    if (!/^-?\d{1,15}$/.test(value)) throw fail(name, `must be a whole number, got ${quote(value)}`);
    const n = Number(value);
    if (decl.min !== undefined && n < decl.min) throw fail(name, `must be at least ${decl.min}, got ${n}`);
    if (decl.max !== undefined && n > decl.max) throw fail(name, `must be at most ${decl.max}, got ${n}`);
  } else if (decl.min !== undefined || decl.max !== undefined) {
    if (decl.min !== undefined && value.length < decl.min)
      throw fail(name, `must be at least ${decl.min} characters`);
    if (decl.max !== undefined && value.length > decl.max)
      throw fail(name, `must be at most ${decl.max} characters`);
  }
  if (decl.enum && !decl.enum.some((e) => String(e) === value)) {
    throw fail(name, `must be one of ${decl.enum.join(", ")}; got ${quote(value)}`);
  }
  if (decl.pattern !== undefined && !new RegExp(`^(?:${decl.pattern})$`, "u").test(value)) {
    throw fail(name, `must match the pattern ${decl.pattern}; got ${quote(value)}`);
  }
  if (value.startsWith("-") && !decl.allow_dash && decl.type !== "integer") {
    throw fail(
      name,
      `starts with "-", which the program would read as an option; declare allow_dash: true on the parameter if that is intended`,
    );
  }
  return value;
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
