/**
 * Numbers and durations read the way Gatus (Go's strconv and time packages) reads them, so that a
 * condition written for Gatus means the same thing here: `0x1`, `0o2`, `0b10` and `010` (octal) are
 * integers, `1h30m` is a duration. Every pattern below consumes at least one character per repetition,
 * so none of them can backtrack badly whatever the text. The text is anyone's (a probe's body, up to
 * a megabyte), so each reading is one pass over it.
 */

/** An integer keeps all 64 bits (a JSON id can exceed 2^53); anything else is a float. */
export type GoNumber = { int: bigint } | { float: number };

const int64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/**
 * strconv.ParseInt(s, 0, 64): the prefix picks the base, a leading 0 means octal, `_` may separate
 * digits. Runs of digits are matched as runs, not one group per digit: a group repeated a million
 * times took a fifth of a second.
 */
const intLiteral =
  /^([+-]?)(?:0[xX](_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[bB](_?[01]+(?:_[01]+)*)|0[oO](_?[0-7]+(?:_[0-7]+)*)|0((?:_?[0-7]+(?:_[0-7]+)*)?)|([1-9]\d*(?:_\d+)*))$/;

/**
 * The digits that carry a value, without `_` and leading zeros; undefined past 64 of them, which no
 * int64 holds in any base. A probe's body can be a megabyte of digits, and BigInt reads a long run
 * in time that grows faster than its length (seconds at a megabyte).
 */
function significant(digits: string): string | undefined {
  let s = "";
  for (const c of digits) {
    if (c === "_" || (c === "0" && s === "")) continue;
    s += c;
    if (s.length > 64) return undefined;
  }
  return s;
}

export function parseGoInt(text: string): bigint | undefined {
  const m = intLiteral.exec(text);
  if (!m) return undefined;
  const [, sign, hex, bin, oct, legacyOct, dec] = m;
  const [prefix, digits] =
    hex !== undefined
      ? ["0x", hex]
      : bin !== undefined
        ? ["0b", bin]
        : oct !== undefined
          ? ["0o", oct]
          : dec !== undefined
            ? ["", dec]
            : ["0o", legacyOct ?? ""];
  const s = significant(digits);
  if (s === undefined) return undefined;
  let n = s === "" ? 0n : BigInt(prefix + s);
  if (sign === "-") n = -n;
  return n < int64.min || n > int64.max ? undefined : n;
}

const floatLiteral = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const special = /^[+-]?(?:inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64), for decimal notation and Go's spellings of infinity and NaN. */
export function parseGoFloat(text: string): number | undefined {
  if (floatLiteral.test(text)) return Number(text);
  if (!special.test(text)) return undefined;
  if (/nan/i.test(text)) return NaN;
  return text.startsWith("-") ? -Infinity : Infinity;
}

const nsPerUnit: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  // Not Go's: Vigil has always accepted days (`7d`), where Gatus would read the text as 0.
  d: 86_400_000_000_000n,
};
// Longer units first, so that `ms` is never read as `m` followed by a stray `s`.
const component = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h|d)/y;

/**
 * The digits of a fraction Go's leadingFraction reads: all of them until their value would pass
 * int64, none after. Reading them all made a float of 400 digits Infinity and the product NaN, which
 * BigInt refuses with a throw.
 */
function fractionRead(fraction: string): string {
  let i = 0;
  while (fraction[i] === "0") i++;
  for (let x = 0n; i < fraction.length; i++) {
    if (x > int64.max / 10n) break;
    const y = x * 10n + BigInt(fraction.charCodeAt(i) - 48);
    if (y > -int64.min) break;
    x = y;
  }
  return fraction.slice(0, i);
}

/** time.ParseDuration (plus days), in whole milliseconds truncated toward zero as Duration.Milliseconds(). */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let ns = 0n;
  component.lastIndex = 0;
  while (component.lastIndex < rest.length) {
    const m = component.exec(rest);
    if (!m) return undefined;
    const [, whole = "", fraction, unit = ""] = m;
    if (whole === "" && !fraction) return undefined;
    const size = nsPerUnit[unit] ?? 0n;
    // Go refuses a count past 2^63 (19 digits) as an overflow; a longer one is also slow for BigInt.
    const count = significant(whole);
    if (count === undefined || count.length > 19) return undefined;
    ns += BigInt(count || "0") * size;
    // Go adds a fraction through float64 too: "float64 is needed to be nanosecond accurate for fractions of hours".
    const kept = fractionRead(fraction ?? "");
    if (kept) ns += BigInt(Math.trunc(Number(kept) * (Number(size) / 10 ** kept.length)));
  }
  const ms = ns / 1_000_000n;
  return Number(negative ? -ms : ms);
}

/**
 * A millisecond count as Gatus prints a duration in an explanation: whole seconds, with the zero
 * parts dropped (`336h`, `1h30m`, `1h0m15s`, `45s`). Gatus trims any text ending in "0s", which
 * turns 90 seconds into "1m3"; this drops only a part that is zero.
 */
export function formatGoDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds === 0) return "0s";
  const sign = seconds < 0 ? "-" : "";
  const total = Math.abs(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h}h${s > 0 ? `${m}m${s}s` : m > 0 ? `${m}m` : ""}`;
  if (m > 0) return `${sign}${m}m${s > 0 ? `${s}s` : ""}`;
  return `${sign}${s}s`;
}

/**
 * How Gatus reads one side of `<`, `<=`, `>`, `>=`: a non-zero duration in milliseconds, else an
 * integer, else a decimal, else 0 (`[RESPONSE_TIME] < potato` compares with 0).
 */
export function readNumber(text: string): GoNumber {
  const duration = parseGoDuration(text);
  if (duration !== undefined && duration !== 0) return { int: BigInt(duration) };
  const int = parseGoInt(text);
  if (int !== undefined) return { int };
  // Gatus truncates a decimal to an integer ("losing precision here"); Vigil keeps it, so 2.5 > 2 holds.
  const float = parseGoFloat(text);
  return float === undefined ? { int: 0n } : { float };
}

export function compareNumbers(a: GoNumber, b: GoNumber): number {
  if ("int" in a && "int" in b) return a.int < b.int ? -1 : a.int > b.int ? 1 : 0;
  const x = "int" in a ? Number(a.int) : a.float;
  const y = "int" in b ? Number(b.int) : b.float;
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
}

export function showNumber(n: GoNumber): string {
  return "int" in n ? String(n.int) : String(n.float);
}
