/**
 * A tool's arguments, declared once: the JSON Schema an MCP client is shown, and the rule the agent
 * checks with (the HTTP API's own field rules, `api/fields.ts`, so a tool refuses what the route
 * refuses with the same words). Every string and object is bounded.
 */
import {
  flag,
  map,
  shape,
  text,
  type Checked,
  type FieldProblem,
  type Rule,
  type TextRule,
} from "../api/fields.ts";

/** One argument: what the client sees, and what the agent trusts. */
export interface Arg<T> {
  schema: Record<string, unknown>;
  rule: Rule<T>;
  required: boolean;
}

type ArgValue<A> = A extends Arg<infer T> ? T : never;
export type ArgsOf<S extends Record<string, Arg<unknown>>> = { [K in keyof S]: ArgValue<S[K]> };

export function str(description: string, rule: TextRule & { optional: true }): Arg<string | undefined>;
export function str(description: string, rule: TextRule): Arg<string>;
export function str(description: string, rule: TextRule & { optional?: boolean }): Arg<string | undefined> {
  return {
    schema: {
      type: "string",
      description,
      maxLength: rule.max,
      ...(rule.min ? { minLength: rule.min } : {}),
    },
    // A missing or empty argument is answered with what it should hold.
    rule: text({ hint: description, ...rule } as TextRule & { optional: true }),
    required: !rule.optional && rule.fallback === undefined,
  };
}

/** One of a few words. */
export function oneOf<T extends string>(
  description: string,
  values: readonly T[],
  opts: { optional: true },
): Arg<T | undefined> {
  return {
    schema: {
      type: "string",
      description,
      enum: values,
      maxLength: Math.max(...values.map((v) => v.length)),
    },
    rule: (v): Checked<T | undefined> =>
      v === undefined && opts.optional
        ? { value: undefined }
        : typeof v === "string" && (values as readonly string[]).includes(v)
          ? { value: v as T }
          : { problem: `one of ${values.join(", ")}` },
    required: false,
  };
}

/** A whole number from `min` to `max`, `fallback` when absent. */
export function int(description: string, opts: { min: number; max: number; fallback: number }): Arg<number> {
  return {
    schema: { type: "integer", description, minimum: opts.min, maximum: opts.max, default: opts.fallback },
    rule: (v) =>
      v === undefined
        ? { value: opts.fallback }
        : typeof v === "number" && Number.isInteger(v) && v >= opts.min && v <= opts.max
          ? { value: v }
          : { problem: `a whole number from ${opts.min} to ${opts.max}` },
    required: false,
  };
}

export function bool(description: string, fallback: boolean): Arg<boolean> {
  return {
    schema: { type: "boolean", description, default: fallback },
    rule: flag(fallback),
    required: false,
  };
}

/** A flat object of short strings, numbers and booleans: an action's parameters. */
export function params(
  description: string,
  opts: { maxKeys: number; maxValue: number },
): Arg<Record<string, unknown>> {
  const object = map();
  return {
    schema: {
      type: "object",
      description,
      maxProperties: opts.maxKeys,
      additionalProperties: { type: ["string", "number", "boolean"], maxLength: opts.maxValue },
    },
    rule: (v) => {
      const r = object(v);
      if ("problem" in r) return r;
      const entries = Object.entries(r.value);
      if (entries.length > opts.maxKeys) return { problem: `at most ${opts.maxKeys} parameters` };
      for (const [k, x] of entries) {
        const scalar = typeof x === "string" || typeof x === "number" || typeof x === "boolean";
        if (!scalar || k.length > 100 || String(x).length > opts.maxValue) {
          return {
            problem: `"${k.slice(0, 40)}" must be a string, number or boolean of at most ${opts.maxValue} characters`,
          };
        }
      }
      return r;
    },
    required: false,
  };
}

/** The JSON Schema of a tool's input, and the check of a call's arguments against the same rules. */
export function argsOf<S extends Record<string, Arg<unknown>>>(
  args: S,
): {
  inputSchema: {
    type: "object";
    properties: Record<string, unknown>;
    required: string[];
    additionalProperties: false;
  };
  check: (input: unknown) => { value: ArgsOf<S> } | { problems: FieldProblem[] };
} {
  const rules = Object.fromEntries(Object.entries(args).map(([k, a]) => [k, a.rule]));
  return {
    inputSchema: {
      type: "object",
      properties: Object.fromEntries(Object.entries(args).map(([k, a]) => [k, a.schema])),
      required: Object.entries(args)
        .filter(([, a]) => a.required)
        .map(([k]) => k),
      additionalProperties: false,
    },
    check: shape(rules) as (input: unknown) => { value: ArgsOf<S> } | { problems: FieldProblem[] },
  };
}
