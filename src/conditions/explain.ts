/**
 * The explanation a person reads in an alert, in Gatus's words: each side as written, followed by
 * the value it resolved to when that differs (`[STATUS] (503) == 200`,
 * `[BODY].user.firstName (john) == [BODY].user.lastName (doe)`), `(INVALID)` for a path that does
 * not resolve, durations as durations (`[CERTIFICATE_EXPIRATION] (24h) > 48h`) and the number an
 * order comparison read (`potato (0)`). Gatus shows this only for a failure; Vigil shows it always,
 * so a passing check says what it saw too.
 */
import { utf8Length } from "./jsonpath.ts";
import { formatGoDuration, parseGoDuration, showNumber, type GoNumber } from "./numbers.ts";
import type { Operand } from "./parse.ts";
import type { Resolved } from "./resolve.ts";

/** Gatus cuts a value compared with pat() past 25 bytes: a page body would drown the alert. */
const beforePattern = 25;
/**
 * Gatus prints any other value whole; a body compared with `==` would then put a whole page in an
 * alert, so Vigil cuts it too, later, in the same style.
 */
const otherwise = 100;

export function explainEquality(left: Operand, l: Resolved, op: string, right: Operand, r: Resolved): string {
  return `${shown(left, l, right)} ${op} ${shown(right, r, left)}`;
}

function shown(o: Operand, r: Resolved, other: Operand): string {
  if (r.invalid) return r.value;
  if (r.value === o.text) return o.text;
  return `${o.text} (${other.kind === "pat" ? againstPattern(r.value) : cut(r.value, otherwise)})`;
}

/** A side of `<`, `<=`, `>`, `>=` as the number it was read as, or `(INVALID)` when it could not be read. */
export function explainOrder(o: Operand, n: GoNumber | undefined): string {
  if (n === undefined) return `${o.text} (INVALID)`;
  const value = isDuration(o) ? formatGoDuration(Number("int" in n ? n.int : n.float)) : showNumber(n);
  return value === o.text ? o.text : `${o.text} (${value})`;
}

/**
 * Gatus prints the certificate's remaining time, and whatever was written as a duration, as a
 * duration. Go also reads a bare `0` as a duration, so Gatus prints `> 0 (0s)`; here 0 stays a number.
 */
function isDuration(o: Operand): boolean {
  if (o.kind === "placeholder" && !o.fn && o.path.length === 0)
    return o.name === "CERT_EXPIRES_IN" || o.name === "DOMAIN_EXPIRATION";
  return !/^[+-]?0$/.test(o.text) && parseGoDuration(o.text) !== undefined;
}

/** Gatus's test is on bytes and its cut (`%.25s`) on characters, so a short accented value is marked too. */
function againstPattern(value: string): string {
  return utf8Length(value) > beforePattern ? `${firstChars(value, beforePattern)}...(truncated)` : value;
}

function cut(value: string, limit: number): string {
  const first = firstChars(value, limit);
  return first.length < value.length ? `${first}...(truncated)` : value;
}

/** The first n characters (code points, as Go's `%.Ns` counts them). */
function firstChars(s: string, n: number): string {
  let i = 0;
  for (let count = 0; count < n && i < s.length; count++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return s.slice(0, i);
}
