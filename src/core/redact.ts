/**
 * Secrets never reach a log line, an audit entry, a notification, an API view or an error message.
 * The one place that decides what is hidden, by three rules:
 *
 * - by key: a field whose name holds a credential (`token`, `password`, `authorization` ...);
 * - by declaration: an action parameter declared `secret: true`, whatever its value;
 * - by value: the configured secrets (`addSecrets`: the values of secret-bearing settings, the
 *   admin token), wherever they appear inside text the agent produced (an error, a program's output).
 *
 * What a person wrote (an action's parameters and reason, a pause reason, an approval note) is shown
 * as written, hidden by key and declaration only, never scrubbed by value: otherwise passing a guess
 * and seeing it come back as [REDACTED] would confirm that it is a configured secret. For the same
 * reason a run's output keeps what the requester passed in a parameter that is not secret.
 *
 * Owns: what is a secret once the config is loaded. Imports nothing.
 */

export const REDACTED = "[REDACTED]";

const secretKey = /(pass(word)?|secret|token|authorization|api[_-]?key|cookie|credential|private[_-]?key)$/i;
/** Values shorter than this are too common to scrub from free text without mangling it. */
const minSecretLength = 4;
const maxDepth = 20;

/** Payload keys of an event that hold what a person wrote: shown as written (by key and declaration). */
const asWritten: Readonly<Record<string, readonly string[]>> = {
  "action.requested": ["params", "reason"],
  "approval.requested": ["params", "reason"],
  "approval.decided": ["note"],
  "agent.paused": ["reason"],
  "agent.resumed": ["reason"],
  "silence.created": ["reason"],
};

const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const hasValue = (v: unknown) => v !== undefined && v !== null && v !== "";

/** One alternation of every value, longest first so a secret inside another is not cut in half. */
function alternation(values: Iterable<string>): RegExp | undefined {
  const list = [...values].sort((a, b) => b.length - a.length);
  return list.length === 0 ? undefined : new RegExp(list.map(escape).join("|"), "g");
}

export class Redactor {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;
  readonly #secretParams = new Map<string, Set<string>>();

  /** Adds values that must never be shown; returns this for chaining. */
  addSecrets(values: Iterable<string>): this {
    for (const v of values) if (v.length >= minSecretLength) this.#values.add(v);
    this.#pattern = undefined;
    return this;
  }

  /**
   * Adds the parameters declared `secret: true`, by action. Never forgets one (a reload that drops
   * the declaration does not reveal what earlier runs and approvals were given).
   */
  declareSecretParams(byAction: Readonly<Record<string, readonly string[]>>): this {
    for (const [action, names] of Object.entries(byAction)) {
      const set = this.#secretParams.get(action) ?? new Set<string>();
      for (const n of names) set.add(n);
      this.#secretParams.set(action, set);
    }
    return this;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Whether a parameter of this action is hidden whatever its value: declared secret, or named like one. */
  isSecretParam(action: string, name: string): boolean {
    return secretKey.test(name) || (this.#secretParams.get(action)?.has(name) ?? false);
  }

  /** An action's parameters as every view shows them: secret ones as [REDACTED], the rest as given. */
  params(action: string, params: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) out[k] = this.isSecretParam(action, k) ? REDACTED : v;
    return out;
  }

  /** Replaces every known secret value inside a string. */
  redactString(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= alternation(this.#values);
    return this.#pattern ? text.replace(this.#pattern, REDACTED) : text;
  }

  /** A deep copy with secret-named keys and secret values replaced. Bounded depth: cycles cannot hang it. */
  redact<T>(value: T): T {
    return this.#walk(value, (s) => this.redactString(s), 0);
  }

  /** An event's payload as the audit log keeps it: what a person wrote by key only, the rest by value too. */
  redactEvent<T>(type: string, payload: T): T {
    const written = asWritten[type];
    if (!written || payload === null || typeof payload !== "object" || Array.isArray(payload))
      return this.redact(payload);
    const p = payload as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) {
      if (secretKey.test(k) && hasValue(v)) out[k] = REDACTED;
      else if (!written.includes(k)) out[k] = this.redact(v);
      else if (k === "params" && isStringRecord(v)) out[k] = this.params(String(p.action), v);
      else out[k] = this.#walk(v, (s) => s, 0);
    }
    return out as T;
  }

  /**
   * A run's result: configured secrets scrubbed, except one the requester passed in a parameter
   * that is not secret (its echo is what they sent, and scrubbing it would answer their guess); the
   * values of its secret parameters scrubbed too, whatever they are.
   */
  redactOutput<T>(value: T, action: string, params: Readonly<Record<string, string>>): T {
    const given = Object.entries(params);
    const open = given.filter(([k]) => !this.isSecretParam(action, k)).map(([, v]) => v);
    const hidden = given
      .filter(([k]) => this.isSecretParam(action, k))
      .map(([, v]) => v)
      .filter((v) => v.length >= minSecretLength);
    const values = [...this.#values].filter((s) => !open.some((v) => v.includes(s)));
    const pattern = alternation(new Set([...values, ...hidden]));
    return this.#walk(value, (s) => (pattern ? s.replace(pattern, REDACTED) : s), 0);
  }

  #walk<T>(value: T, text: (s: string) => string, depth: number): T {
    if (typeof value === "string") return text(value) as T;
    if (value === null || typeof value !== "object" || depth > maxDepth) return value;
    if (Array.isArray(value)) return value.map((v: unknown) => this.#walk(v, text, depth + 1)) as T;
    if (value instanceof Error) return text(value.message) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = secretKey.test(k) && hasValue(v) ? REDACTED : this.#walk(v, text, depth + 1);
    }
    return out as T;
  }
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string")
  );
}

/** True when a field name looks like it holds a credential. */
export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}
