/**
 * `${NAME}` reads an environment variable, `${NAME:-fallback}` gives a default, `$${` writes a literal
 * `${`. Done on the parsed values (never on the raw text), so a value cannot inject YAML structure;
 * keys are left alone. In a command written as one string, the string is split into words first
 * and each word interpolated after, so a value is always exactly one argument, whatever it holds.
 *
 * What the environment gave is not shown back: `concealer` rewrites a problem's message to name the
 * variable instead of quoting its value, because a variable is where secrets come from.
 */
import { splitArgv } from "./argv.ts";
import { wholeReference, type WholeReference } from "./env-types.ts";

export interface Missing {
  /** The variable's name, or the malformed reference as written. */
  variable: string;
  path: (string | number)[];
}

/** A value read from the environment: where, from which variable, and what it was. */
export interface Use {
  variable: string;
  value: string;
  path: (string | number)[];
  /** The whole string as written (`"${RT_SECRET}"`) and as it became. */
  written: string;
  became: string;
}

export interface Interpolated {
  value: unknown;
  missing: Missing[];
  uses: Use[];
  /** Strings that were one whole reference: the schema may want them as a boolean or a number. */
  whole: WholeReference[];
}

export interface InterpolateOptions {
  /** Whether a string at this path is a command (split into words before it is interpolated). */
  isCommand?: (path: readonly (string | number)[]) => boolean;
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;
const maxDepth = 64;

export function interpolate(
  root: unknown,
  env: NodeJS.ProcessEnv,
  options: InterpolateOptions = {},
): Interpolated {
  const missing: Missing[] = [];
  const uses: Use[] = [];
  const wholes: WholeReference[] = [];
  const text = (value: string, path: (string | number)[], report = true): string => {
    const found: { variable: string; value: string }[] = [];
    const became = value.replace(reference, (whole, name?: string, fallback?: string, bad?: string) => {
      if (whole === "$${") return "${";
      if (name === undefined) {
        if (report) missing.push({ variable: bad === undefined ? whole : `\${${bad}}`, path });
        return whole;
      }
      const got = env[name];
      if (got === undefined || got === "") {
        if (fallback !== undefined) return fallback;
        if (report) missing.push({ variable: name, path });
        return "";
      }
      found.push({ variable: name, value: got });
      return got;
    });
    for (const f of found) uses.push({ ...f, path, written: value, became });
    return became;
  };
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (path.length > maxDepth) return value;
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      if (options.isCommand?.(path)) {
        const words = splitArgv(value, { keepReferences: true });
        // A string that does not split is left to the schema, which says why in its own words.
        if (words.ok) {
          text(value, path); // every missing variable reported once, at the command
          return words.argv.map((w) => text(w, path, false));
        }
      }
      const ref = wholeReference.exec(value);
      if (ref) wholes.push({ variable: ref[1]!, path });
      return text(value, path);
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return { value: walk(root, []), missing, uses, whole: wholes };
}

/**
 * A message quotes at most about 60 characters of a value; a piece this long of a longer value is
 * a truncated quote, not a coincidence with the message's own words.
 */
const windowLength = 16;
/** Shorter values are replaced only where quoted: unquoted, "3" or "api" are ordinary words. */
const minWordLength = 4;

const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A rewriter of problem messages that replaces every value the environment gave by where it came
 * from: `"hunter2" is not a duration` becomes `the value of ${RT_SECRET} is not a duration`, and a
 * string that only partly came from a variable is shown as written (`"1${RT_UNIT}"`). A message
 * that still holds a piece of such a value (a truncated quote) is replaced whole.
 */
export function concealer(uses: readonly Use[]): (message: string) => string {
  if (uses.length === 0) return (m) => m;
  const replacements = new Map<string, string>();
  const words = new Set<string>();
  const add = (text: string, by: string, word = false) => {
    if (text === "" || replacements.has(text)) return;
    replacements.set(text, by);
    if (word) words.add(text);
  };
  for (const u of uses) {
    const whole = u.written === `\${${u.variable}}`;
    const named = whole ? `the value of \${${u.variable}}` : JSON.stringify(u.written);
    if (u.became === "") continue;
    add(JSON.stringify(u.became), named);
    add(`'${u.became}'`, named);
    if (u.became.length >= minWordLength) add(u.became, whole ? named : u.written, true);
  }
  for (const u of uses) {
    add(JSON.stringify(u.value), `the value of \${${u.variable}}`);
    add(`'${u.value}'`, `the value of \${${u.variable}}`);
    if (u.value.length >= minWordLength) add(u.value, `\${${u.variable}}`, true);
  }
  // One pass, longest first: what was put in is never scanned again.
  const pattern = new RegExp(
    [...replacements.keys()]
      .sort((a, b) => b.length - a.length)
      .map((t) => {
        if (!words.has(t)) return escape(t);
        // As a word of its own, so "vigil" leaves "vigilant" alone.
        return `${/^\w/.test(t) ? "(?<!\\w)" : ""}${escape(t)}${/\w$/.test(t) ? "(?!\\w)" : ""}`;
      })
      .join("|"),
    "g",
  );
  const values = [...new Map(uses.map((u) => [u.value, u.variable])).entries()].filter(
    ([v]) => v.length >= windowLength,
  );
  return (message) => {
    const out = message.replace(pattern, (m) => replacements.get(m) ?? m);
    for (const [value, variable] of values) {
      for (let i = 0; i + windowLength <= value.length; i++) {
        if (out.includes(value.slice(i, i + windowLength)))
          return `the value of \${${variable}} is not accepted here; check what the variable holds (its value is not shown: it comes from the environment)`;
      }
    }
    return out;
  };
}
