/**
 * Turns each side of a condition into the text Gatus would compare (ResolvePlaceholder): a
 * placeholder into its value, `len()` into a count, `has()` into true or false, anything else into
 * itself. What could not be read is kept apart, since an explanation marks it `(INVALID)` and an
 * order comparison refuses to read it as a number.
 */
import { lengthOf, missing, parseJson, showReached, utf8Length, walk, type Reached } from "./jsonpath.ts";
import type { Operand, Placeholder } from "./parse.ts";

export interface Resolved {
  /** What `==` compares: the value, or Gatus's `<text> (INVALID)` when a path did not resolve. */
  value: string;
  /** Nothing was there to read: a path that does not resolve, len() of one, or a placeholder without a value. */
  unresolved: boolean;
  /** Gatus prints this side as `<text> (INVALID)`. */
  invalid: boolean;
}

/**
 * Gatus always has a Result, so a placeholder a probe did not measure reads as its zero value:
 * `[CERT_EXPIRES_IN]` is 0 over plain HTTP, `[STATUS]` is 0 when nothing answered.
 */
const zero: Record<string, unknown> = {
  STATUS: 0,
  BODY: "",
  RESPONSE_TIME: 0,
  CONNECTED: false,
  CERT_EXPIRES_IN: 0,
  IP: "",
  DNS_RCODE: "",
};

const plain = (value: string): Resolved => ({ value, unresolved: false, invalid: false });
const invalid = (text: string): Resolved => ({ value: `${text} (INVALID)`, unresolved: true, invalid: true });

/** A resolver for one set of probe values; a JSON text is parsed once however many sides read into it. */
export function reader(values: Record<string, unknown>): (o: Operand) => Resolved {
  const parsed = new Map<string, Reached>();
  const json = (name: string, raw: unknown): Reached => {
    if (typeof raw !== "string") return raw;
    if (!parsed.has(name)) parsed.set(name, parseJson(raw));
    return parsed.get(name);
  };

  const placeholder = (o: Placeholder): Resolved => {
    const raw = values[o.name] ?? zero[o.name];
    if (raw === undefined || raw === null) {
      if (o.fn === "has") return plain("false");
      // An unknown placeholder is literal text to Gatus, so `[UNKNOWN] == [UNKNOWN]` holds.
      return o.fn === "len" ? invalid(o.text) : { value: o.text, unresolved: true, invalid: false };
    }
    if (o.path.length === 0) return whole(o, raw);
    const reached = walk(json(o.name, raw), o.path);
    if (o.fn === "has") return plain(String(reached !== missing));
    if (reached === missing) return invalid(o.text);
    return plain(o.fn === "len" ? String(lengthOf(reached)) : showReached(reached));
  };

  const whole = (o: Placeholder, raw: unknown): Resolved => {
    if (o.name === "BODY" && typeof raw === "string") {
      const body = raw.trim();
      if (o.fn === "has") return plain(String(body !== ""));
      if (o.fn === "len") return plain(String(bodyLength(raw, body, () => json(o.name, raw))));
      return plain(body);
    }
    const shown = showReached(raw);
    if (o.fn === "has") return plain(String(shown !== ""));
    return plain(o.fn === "len" ? String(lengthOf(raw)) : shown);
  };

  return (o) => {
    switch (o.kind) {
      case "placeholder":
        return placeholder(o);
      case "literal":
        // has() of something that is no placeholder is false, its len() is invalid, as in Gatus.
        if (o.fn === "has") return plain("false");
        return o.fn === "len" ? invalid(o.text) : plain(o.text);
      case "pat":
      case "any":
        return plain(o.text);
    }
  };
}

/**
 * len([BODY]): the items of a JSON array, else the body's length in bytes as received (Gatus
 * measures the raw body there, and the trimmed one when an array-looking body is not JSON).
 */
function bodyLength(raw: string, trimmed: string, parse: () => Reached): number {
  if (raw.startsWith("[") && raw.endsWith("]")) {
    const v = parse();
    return Array.isArray(v) ? v.length : utf8Length(trimmed);
  }
  return utf8Length(raw);
}
