/**
 * Rules for request bodies: flat JSON objects of strings, booleans and one free-form map. Written by
 * hand rather than with zod because the daemon never loads zod (the config is validated in a child
 * process, `app/config-loader.ts`): zod and the schemas built on it were ~6 MB of the agent's RSS,
 * and these six bodies need none of it.
 */

/** A field's value, or what is wrong with it (said to the caller after the field's name). */
export type Checked<T> = { value: T } | { problem: string };
export type Rule<T> = (value: unknown) => Checked<T>;
type RuleValue<R> = R extends Rule<infer T> ? T : never;

export interface TextRule {
  max: number;
  min?: number;
  /** Taken when the field is absent; without it (and without `optional`) the field is required. */
  fallback?: string;
  /** What the field should hold: said when it is missing, not a string, too short or refused by `valid`. */
  hint?: string;
  valid?: (s: string) => boolean;
}

export function text(rule: TextRule & { optional: true }): Rule<string | undefined>;
export function text(rule: TextRule): Rule<string>;
export function text(rule: TextRule & { optional?: boolean }): Rule<string | undefined> {
  const min = rule.min ?? 0;
  return (value) => {
    if (value === undefined && (rule.optional || rule.fallback !== undefined))
      return { value: rule.fallback };
    if (typeof value !== "string") return { problem: rule.hint ?? "a string" };
    if (value.length < min) return { problem: rule.hint ?? `at least ${min} character(s)` };
    if (value.length > rule.max) return { problem: `at most ${rule.max} characters` };
    if (rule.valid && !rule.valid(value)) return { problem: rule.hint ?? "not an accepted value" };
    return { value };
  };
}

export function flag(fallback: boolean): Rule<boolean> {
  return (value) =>
    value === undefined
      ? { value: fallback }
      : typeof value === "boolean"
        ? { value }
        : { problem: "true or false" };
}

/** A JSON object of anything (action parameters: the gateway checks each against the action's own rules). */
export function map(): Rule<Record<string, unknown>> {
  return (value) =>
    value === undefined ? { value: {} } : isPlainObject(value) ? { value } : { problem: "a JSON object" };
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** The body as a whole: every field checked, unknown fields refused, every problem collected. */
export function shape<S extends Record<string, Rule<unknown>>>(
  rules: S,
): (body: unknown) => { value: { [K in keyof S]: RuleValue<S[K]> } } | { problems: FieldProblem[] } {
  const names = Object.keys(rules);
  return (body) => {
    if (!isPlainObject(body)) return { problems: [{ path: "body", message: "a JSON object" }] };
    const problems: FieldProblem[] = [];
    const value: Record<string, unknown> = {};
    for (const name of names) {
      const r = rules[name]!(body[name]);
      if ("problem" in r) problems.push({ path: name, message: r.problem });
      else if (r.value !== undefined) value[name] = r.value;
    }
    for (const key of Object.keys(body)) {
      if (!names.includes(key)) {
        problems.push({
          path: "body",
          message: `unknown field "${key.slice(0, 40)}"; the fields are ${names.join(", ")}`,
        });
      }
    }
    return problems.length > 0 ? { problems } : { value: value as { [K in keyof S]: RuleValue<S[K]> } };
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
