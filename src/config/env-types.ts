/**
 * `${VAR}` where the schema wants a boolean or a number. The environment only holds strings, so
 * `features.remediation: ${AUTO_REMEDIATION_ENABLED}` was refused ("expected boolean, received
 * string"). A value that is one whole reference, at a place where the schema refused a string for
 * want of a boolean or a number, is read as `true`/`false` or as a number. Typed by the schema's
 * refusal rather than by the look of the value, so a password of digits stays a string wherever a
 * string is wanted. What does not read as the wanted type is reported naming the variable (its value
 * may be a secret and is never shown).
 */
import type { z } from "zod";

/** A string that was one whole reference (`${X}` or `${X:-default}`) before interpolation. */
export interface WholeReference {
  variable: string;
  path: (string | number)[];
}

export const wholeReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$/;

type Wanted = "boolean" | "number";

export interface Typed {
  /** The value with every typeable reference typed; the same object when nothing was. */
  value: unknown;
  /** References whose value is not the wanted type: their message, at their path. */
  problems: { path: (string | number)[]; message: string }[];
}

/**
 * Types the references the schema refused (`issues` from a parse of `value`). Returns undefined
 * when no issue concerns a whole reference: the refusal stands as the schema said it.
 */
export function typeReferences(
  value: unknown,
  whole: readonly WholeReference[],
  issues: readonly z.core.$ZodIssue[],
): Typed | undefined {
  if (whole.length === 0) return undefined;
  const byPath = new Map(whole.map((w) => [key(w.path), w]));
  const wanted = new Map<string, Wanted>();
  collect(issues, [], (path, want) => {
    if (byPath.has(key(path)) && !wanted.has(key(path))) wanted.set(key(path), want);
  });
  if (wanted.size === 0) return undefined;
  const problems: Typed["problems"] = [];
  let out = value;
  for (const [k, want] of wanted) {
    const ref = byPath.get(k)!;
    const text = at(out, ref.path);
    if (typeof text !== "string") continue;
    const typed = read(text.trim(), want);
    if (typed === undefined) {
      problems.push({
        path: ref.path,
        message:
          want === "boolean"
            ? `\${${ref.variable}} must hold true or false here; set it to one of them`
            : `\${${ref.variable}} must hold a number here; set it to digits, such as 30`,
      });
    } else out = replaced(out, ref.path, typed);
  }
  return { value: out, problems };
}

function read(text: string, want: Wanted): boolean | number | undefined {
  if (want === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  return /^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Every place a string was refused for want of a boolean or a number, unions included. */
function collect(
  issues: readonly z.core.$ZodIssue[],
  prefix: PropertyKey[],
  found: (path: (string | number)[], want: Wanted) => void,
  depth = 0,
): void {
  if (depth > 8) return;
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const want: string | undefined = issue.code === "invalid_type" ? issue.expected : undefined;
    if (want === "boolean" || want === "number")
      found(
        path.filter((p): p is string | number => typeof p !== "symbol"),
        want,
      );
    else if (issue.code === "invalid_union")
      for (const branch of issue.errors) collect(branch, path, found, depth + 1);
  }
}

const key = (path: readonly (string | number)[]) => JSON.stringify(path);

function at(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A copy of `root` with the value at `path` replaced; the parts not on the path are shared. */
function replaced(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(root)) {
    const copy = [...(root as unknown[])];
    copy[head as number] = replaced(copy[head as number], rest, value);
    return copy;
  }
  const obj = root as Record<string | number, unknown>;
  return { ...obj, [head]: replaced(obj[head], rest, value) };
}
