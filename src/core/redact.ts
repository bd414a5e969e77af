/**
 * Secrets never reach a log line, an audit entry or an error message. Two nets: by key (any field
 * whose name looks like a credential) and by value (every string known to be secret, such as values
 * interpolated from the environment and configured tokens, wherever it appears inside a string).
 */

export const REDACTED = "[REDACTED]";

const secretKey = /(pass(word)?|secret|token|authorization|api[_-]?key|cookie|credential|private[_-]?key)$/i;
/** Values shorter than this are too common to scrub from free text without mangling it. */
const minSecretLength = 4;

export class Redactor {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Adds values that must never be shown; returns this for chaining. */
  addSecrets(values: Iterable<string>): this {
    for (const v of values) if (v.length >= minSecretLength) this.#values.add(v);
    this.#pattern = undefined;
    return this;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Replaces every known secret value inside a string. */
  redactString(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|"),
      "g",
    );
    return text.replace(this.#pattern, REDACTED);
  }

  /** A deep copy with secret-named keys and secret values replaced. Bounded depth: cycles cannot hang it. */
  redact<T>(value: T, depth = 0): T {
    if (typeof value === "string") return this.redactString(value) as T;
    if (value === null || typeof value !== "object" || depth > 20) return value;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redact(v, depth + 1)) as T;
    if (value instanceof Error) return this.redactString(value.message) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        secretKey.test(k) && v !== undefined && v !== null && v !== "" ? REDACTED : this.redact(v, depth + 1);
    }
    return out as T;
  }
}

/** True when a field name looks like it holds a credential. */
export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}
