/**
 * The pieces claim patterns are built from: names, paths, URLs, numbers with units, comparisons.
 * Patterns are anchored by the kinds; these are their parts, so every kind reads a size or a
 * percentage the same way.
 */

/** A process, target, action or job name: one word, no path. */
export const NAME = String.raw`([A-Za-z0-9_][\w.@+-]{0,99})`;
/** A target's name may name a group's member (`prd/api`). */
export const TARGET = String.raw`([A-Za-z0-9_][\w.@+/-]{0,199})`;
/**
 * An absolute path, bare or in quotes (a quoted one may hold spaces). A bare one may hold a shell
 * substitution as text (`report$(touch x).txt`): it is a name to look up, never anything run.
 */
export const PATH = String.raw`(?:"(\/[^"]{0,4095})"|'(\/[^']{0,4095})'|(\/(?:[^\s"',;$]|\$\([^()]{0,200}\)|\$){0,4095}))`;
/** A URL with its scheme. */
export const URL_RE = String.raw`(https?:\/\/[^\s"'<>]{1,2000})`;
/** A quoted text ("done", 'done', “done”), or the rest of the part unquoted. */
export const TEXT = String.raw`(?:"([^"]{1,1000})"|'([^']{1,1000})'|([^"'\s][^"]{0,999}))`;
/** A number. */
export const NUM = String.raw`(\d{1,15}(?:\.\d{1,6})?)`;

/** Words that name an activity or a thing, not a process: "the tests are running" is no process. */
const notNames = new Set(
  (
    "it this that these those they everything all something nothing anything everyone test tests " +
    "testing build builds building ci pipeline pipelines deployment deployments deploy rollout " +
    "migration migrations job jobs task tasks work script scripts app application system service " +
    "services server servers process processes website site stack cluster program code fix update " +
    "upgrade install installation setup backup backups check checks run runs the a an container containers " +
    "workers daemons instances pods nodes replicas things docs documentation page pages feature features " +
    "api server web website backend frontend proxy database db " +
    // Words of the sentence itself: "is accepting connections on 8080" names no process "is".
    "is are was were be been being has have had do does did will would should can could may might " +
    "must not no yes and or but if then so to of in on at by for with from as now also still just " +
    "i we you he she me us my our your its their there here what which who why how when where"
  ).split(" "),
);

/** A captured name that may stand for a process: not a stop word, not a number, not a path. */
export function plausibleName(name: string | undefined): name is string {
  if (name === undefined || name === "") return false;
  if (/^\d+$/.test(name)) return false;
  return !notNames.has(name.toLowerCase());
}

/** The path of a PATH match (groups i, i+1, i+2). */
export function pathOf(m: RegExpExecArray, i: number): string | undefined {
  return m[i] ?? m[i + 1] ?? m[i + 2];
}

/** The text of a TEXT match (groups i, i+1, i+2). */
export function textOf(m: RegExpExecArray, i: number): string | undefined {
  return m[i] ?? m[i + 1] ?? m[i + 2];
}

export type Op = "<" | "<=" | ">" | ">=";

/** Comparison words, longest first; "not above" is "at most". */
export const COMPARE = String.raw`(below|under|less than|lower than|smaller than|at most|no more than|not above|not over|above|over|more than|greater than|higher than|larger than|bigger than|at least|no less than|not below|not under|exceeds|exceed|tops|<=|>=|<|>)`;
/**
 * "is" before a comparison, or none ("usage exceeds 80%"), or a move that ends there ("dropped
 * below 80%" is below it now): keeps COMPARE's one group.
 */
export const IS = String.raw`(?:(?:is|are|stays|remains|(?:has |have )?(?:dropped|fallen|fell|gone|went|risen|rose|climbed|grown|grew)(?: to)?) )?`;

export function opOf(word: string): Op {
  const w = word.toLowerCase();
  if (["at most", "no more than", "not above", "not over", "<="].includes(w)) return "<=";
  if (["at least", "no less than", "not below", "not under", ">="].includes(w)) return ">=";
  if (["below", "under", "less than", "lower than", "smaller than", "<"].includes(w)) return "<";
  return ">";
}

export function compare(value: number, op: Op, limit: number): boolean {
  if (op === "<") return value < limit;
  if (op === "<=") return value <= limit;
  if (op === ">") return value > limit;
  return value >= limit;
}

export const opWords: Record<Op, string> = { "<": "below", "<=": "at most", ">": "above", ">=": "at least" };

/** A percentage: "80%", "80 %", "80 percent". */
export const PERCENT = String.raw`${NUM}\s?(?:%|percent|per cent)`;

/** A size: "2 GB", "500KB", "1.5 GiB", "12 bytes". Decimal units are powers of 1000, binary of 1024. */
export const SIZE = String.raw`${NUM}\s?(bytes?|b|kb|kib|mb|mib|gb|gib|tb|tib)\b`;

const unitBytes: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export function bytesOf(n: string, unit: string): number {
  return Number(n) * (unitBytes[unit.toLowerCase()] ?? NaN);
}

/** A duration: "500 ms", "2 s", "1.5 seconds". */
export const DURATION = String.raw`${NUM}\s?(ms|milliseconds?|s|secs?|seconds?)\b`;

export function msOf(n: string, unit: string): number {
  return unit.toLowerCase().startsWith("m") ? Number(n) : Number(n) * 1000;
}

/** "1.5 GB" for a byte count, in the decimal units people read df and ls -h in. */
export function showBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Math.round(v * 10) / 10} ${units[i]} (${n} bytes)`;
}

/** "I've ", "we have ", "I " before a verb: who did it does not change what is claimed. */
export const WHO = String.raw`(?:(?:i|we)(?:'ve| have)? )?`;

/** `re` anchored over a whole part, case-insensitive. */
export function whole(source: string): RegExp {
  return new RegExp(`^${source}$`, "i");
}
