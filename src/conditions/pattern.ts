/**
 * pat(): Gatus matches with Go's filepath.Match after deleting every `/` from both the pattern and
 * the value (so `*` crosses what would be path separators): `*` is any run, `?` one character,
 * `[a-z]` / `[^0-9]` a class, `\` escapes. A malformed pattern never matches in Gatus; here it is
 * refused when the config loads.
 *
 * No RegExp is built from the pattern, so nothing can backtrack. The pattern is cut at its stars into
 * pieces of fixed length, and each piece is placed at the leftmost spot where it fits after the one
 * before, which is enough for globs. A piece of plain text is found with indexOf; one with `?` or a
 * class is tried at each position. The time is linear in the value's length, times the length of such
 * a piece at worst.
 */

type Atom = string | { anyChar: true } | { ranges: [number, number][]; negate: boolean };
/** A run of the pattern between two stars, with its length in characters (code points). */
interface Piece {
  atoms: Atom[];
  chars: number;
}
export interface CompiledPattern {
  /** One piece when the pattern has no star; otherwise the pieces around each run of stars. */
  pieces: Piece[];
}

export function compilePattern(source: string): CompiledPattern | { error: string } {
  const p = [...source.replaceAll("/", "")];
  const pieces: Piece[] = [{ atoms: [], chars: 0 }];
  let i = 0;
  const push = (a: Atom) => {
    const piece = pieces[pieces.length - 1]!;
    const last = piece.atoms[piece.atoms.length - 1];
    if (typeof a === "string" && typeof last === "string") piece.atoms[piece.atoms.length - 1] = last + a;
    else piece.atoms.push(a);
    piece.chars++;
  };
  const escaped = (): string | undefined => {
    if (p[i] !== "\\") return p[i++];
    i++;
    return p[i++];
  };
  while (i < p.length) {
    const c = p[i]!;
    if (c === "*") {
      while (p[i] === "*") i++;
      pieces.push({ atoms: [], chars: 0 });
    } else if (c === "?") {
      i++;
      push({ anyChar: true });
    } else if (c === "[") {
      i++;
      const negate = p[i] === "^";
      if (negate) i++;
      const ranges: [number, number][] = [];
      while (p[i] !== "]" || ranges.length === 0) {
        if (p[i] === undefined || p[i] === "-" || p[i] === "]")
          return { error: `malformed class in "${source}"` };
        const lo = escaped();
        let hi = lo;
        if (p[i] === "-") {
          i++;
          if (p[i] === undefined || p[i] === "-" || p[i] === "]")
            return { error: `malformed range in "${source}"` };
          hi = escaped();
        }
        if (lo === undefined || hi === undefined) return { error: `malformed class in "${source}"` };
        ranges.push([lo.codePointAt(0)!, hi.codePointAt(0)!]);
      }
      i++;
      push({ ranges, negate });
    } else {
      const literal = escaped();
      if (literal === undefined) return { error: `"${source}" ends with a lone \\` };
      push(literal);
    }
  }
  return { pieces };
}

export function matchPattern(pattern: CompiledPattern, value: string): boolean {
  const s = value.replaceAll("/", "");
  const { pieces } = pattern;
  const first = pieces[0]!;
  if (pieces.length === 1) return matchAt(first, s, 0) === s.length;
  let pos = matchAt(first, s, 0);
  if (pos < 0) return false;
  for (const piece of pieces.slice(1, -1)) {
    pos = find(piece, s, pos);
    if (pos < 0) return false;
  }
  const last = pieces[pieces.length - 1]!;
  const start = back(s, s.length, last.chars);
  return start >= pos && matchAt(last, s, start) === s.length;
}

/** Where the piece ends when it starts at `at`, or -1. */
function matchAt(piece: Piece, s: string, at: number): number {
  let i = at;
  for (const a of piece.atoms) {
    if (typeof a === "string") {
      if (!s.startsWith(a, i)) return -1;
      i += a.length;
      continue;
    }
    const c = s.codePointAt(i);
    if (c === undefined) return -1;
    if (!("anyChar" in a) && a.ranges.some(([lo, hi]) => c >= lo && c <= hi) === a.negate) return -1;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
}

/** The end of the leftmost placement of the piece at or after `from`, or -1. */
function find(piece: Piece, s: string, from: number): number {
  const [only] = piece.atoms;
  if (piece.atoms.length === 1 && typeof only === "string") {
    const at = s.indexOf(only, from);
    return at < 0 ? -1 : at + only.length;
  }
  for (let i = from; i <= s.length; i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) {
    const end = matchAt(piece, s, i);
    if (end >= 0) return end;
  }
  return -1;
}

/** The index `chars` code points before `end`, or -1 when the string is shorter. */
function back(s: string, end: number, chars: number): number {
  let i = end;
  for (let n = 0; n < chars; n++) {
    if (i <= 0) return -1;
    const low = s.charCodeAt(i - 1);
    i -= i >= 2 && (low & 0xfc00) === 0xdc00 && (s.charCodeAt(i - 2) & 0xfc00) === 0xd800 ? 2 : 1;
  }
  return i;
}
