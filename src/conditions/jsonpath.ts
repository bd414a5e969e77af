/**
 * The `.a.b[0]` after a placeholder: reading it at config load, walking it through a JSON value, and
 * showing what it reached the way Gatus does, since that text is what `==` compares and what an
 * alert prints. Gatus (jsonpath.Eval) prints a string as itself, an array as Go's `%v` (`[a b c]`),
 * an object as minified JSON with sorted keys, and counts an array's items for len().
 */

/** A key, or an array index; an index that is not an integer (`[wat]`) is NaN and never resolves. */
export type PathStep = string | number;

export const missing = Symbol("missing");
export type Reached = unknown;

const step = /\.([^.[\]]+)|\[([^\]]*)\]/y;

/** @example parsePath(".data[0].id") → ["data", 0, "id"]; undefined when it cannot be read. */
export function parsePath(text: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  step.lastIndex = 0;
  while (step.lastIndex < text.length) {
    const m = step.exec(text);
    if (!m) return undefined;
    const [, key, index] = m;
    // Atoi's syntax: a negative index is read, and then found nowhere (Gatus does not count from the end).
    if (key !== undefined) steps.push(key);
    else steps.push(/^[+-]?\d+$/.test(index ?? "") ? Number(index) : NaN);
  }
  return steps;
}

/** The JSON text a path walks into, parsed once however many conditions read it. */
export function parseJson(text: string): Reached {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return missing;
  }
}

/** Walks the steps; a missing key, an index out of range or negative, and a JSON null are all `missing`. */
export function walk(root: Reached, path: readonly PathStep[]): Reached {
  let v = root;
  for (const s of path) {
    if (typeof s === "number") {
      v = Array.isArray(v) && Number.isInteger(s) && s >= 0 && s < v.length ? (v[s] as unknown) : missing;
    } else if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.hasOwn(v, s)) {
      v = (v as Record<string, unknown>)[s];
    } else {
      v = missing;
    }
    if (v === missing) return missing;
  }
  return v === null ? missing : v;
}

/** What `==` compares and an explanation prints for a value a path reached. */
export function showReached(v: Reached): string {
  if (Array.isArray(v)) return goValue(v);
  if (v !== null && typeof v === "object") return goJson(v);
  return scalar(v);
}

/** len(): an array's items; otherwise the length, in bytes as Go counts it, of what showReached prints. */
export function lengthOf(v: Reached): number {
  return Array.isArray(v) ? v.length : utf8Length(showReached(v));
}

/** Go's `fmt.Sprintf("%v")` of a decoded JSON value: `[1 2]`, `map[id:1]`, `<nil>`. */
function goValue(v: Reached): string {
  if (v === null) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(" ")}]`;
  }
  return scalar(v);
}

/** Go's json.Marshal: no spaces, keys sorted, and `<`, `>`, `&` escaped as it does for HTML safety. */
export function goJson(v: Reached): string {
  if (v === null || typeof v !== "object") return typeof v === "string" ? quote(v) : scalar(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${quote(k)}:${goJson(o[k])}`)
    .join(",")}}`;
}

function quote(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A JSON number prints in plain digits, as JavaScript prints it: Go's `%v` would print 1500000 as
 * 1.5e+06, which then never equals `1500000` in Gatus.
 */
function scalar(v: Reached): string {
  if (v === null) return "null";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v) ?? "";
}

/** The byte count Go's len() gives for a string, without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
