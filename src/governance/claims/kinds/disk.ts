/**
 * `disk`: the filesystem holding a path is used below or above a percentage, or has more or less
 * than a size free, as df counts it. "Disk usage of / is below 80%", "/srv has more than 2 GB free".
 * statfs reads the filesystem's counters, never a file, so any absolute path may be named.
 */
import fs from "node:fs/promises";
import { defineKind, notSeen, seen, type Parsed } from "../kind.ts";
import {
  COMPARE,
  IS,
  PATH,
  PERCENT,
  SIZE,
  bytesOf,
  compare,
  opOf,
  opWords,
  pathOf,
  showBytes,
  whole,
  type Op,
} from "../words.ts";

type DiskClaim = { path: string; op: Op } & ({ percent: number } | { freeBytes: number });

const DISK = String.raw`(?:the )?(?:root )?(?:disk|filesystem|file system|partition|volume|storage)(?: space)?(?: usage| use| used| utilisation| utilization)?`;
const OF = String.raw`(?:of|on|for|at|holding|that holds|containing|under|with)`;
const FULL = String.raw`(?: full| used| in use)?`;
const FREE = String.raw`(?:of )?(?:free|available|left)(?: space| disk space| disk)?`;
const pct = (path: string | undefined, op: string, n: string): DiskClaim => ({
  path: path ?? "/",
  op: opOf(op),
  percent: Number(n),
});
const free = (path: string | undefined, op: string, n: string, unit: string): DiskClaim | undefined => {
  const freeBytes = bytesOf(n, unit);
  return Number.isFinite(freeBytes) ? { path: path ?? "/", op: opOf(op), freeBytes } : undefined;
};
const shapes: { re: RegExp; make: (m: RegExpExecArray) => DiskClaim | undefined }[] = [
  {
    re: whole(String.raw`${PATH} (?:disk )?(?:usage|use|utilisation|utilization) ${IS}${COMPARE} ${PERCENT}`),
    make: (m) => pct(pathOf(m, 1), m[4]!, m[5]!),
  },
  {
    re: whole(
      String.raw`${COMPARE}(?: than)? ${SIZE} (?:is|are) (?:free|available|left)(?: (?:on|in|at|under) ${PATH})?`,
    ),
    make: (m) => free(pathOf(m, 4), m[1]!, m[2]!, m[3]!),
  },
  {
    re: whole(String.raw`${DISK} ${OF} ${PATH} ${IS}${COMPARE} ${PERCENT}${FULL}`),
    make: (m) => pct(pathOf(m, 1), m[4]!, m[5]!),
  },
  {
    re: whole(String.raw`${DISK} ${IS}${COMPARE} ${PERCENT}${FULL}(?: (?:on|for|of|at) ${PATH})?`),
    make: (m) => pct(pathOf(m, 3), m[1]!, m[2]!),
  },
  {
    re: whole(String.raw`${PATH} ${IS}${COMPARE} ${PERCENT}(?: full| used)`),
    make: (m) => pct(pathOf(m, 1), m[4]!, m[5]!),
  },
  {
    re: whole(String.raw`(?:${PATH}|${DISK}) has ${COMPARE}(?: than)? ${SIZE} ${FREE}`),
    make: (m) => free(pathOf(m, 1), m[4]!, m[5]!, m[6]!),
  },
  {
    re: whole(String.raw`(?:${DISK} ${OF} ${PATH}|${DISK}) has ${COMPARE}(?: than)? ${SIZE} ${FREE}`),
    make: (m) => free(pathOf(m, 1), m[4]!, m[5]!, m[6]!),
  },
  {
    re: whole(
      String.raw`there (?:is|are) ${COMPARE}(?: than)? ${SIZE} ${FREE}(?: (?:on|in|at|under) ${PATH})?`,
    ),
    make: (m) => free(pathOf(m, 4), m[1]!, m[2]!, m[3]!),
  },
  {
    // "Less than 80% of / is used", "more than 10% of the disk on /srv is in use": the share first.
    re: whole(String.raw`${COMPARE}(?: than)? ${PERCENT} of ${PATH} (?:is |are )?(?:used|in use|full|taken)`),
    make: (m) => pct(pathOf(m, 3), m[1]!, m[2]!),
  },
  {
    re: whole(
      String.raw`${COMPARE}(?: than)? ${PERCENT} of ${DISK}(?: ${OF} ${PATH})? (?:is |are )?(?:used|in use|full|taken)`,
    ),
    make: (m) => pct(pathOf(m, 3), m[1]!, m[2]!),
  },
  {
    re: whole(
      String.raw`(?:free|available) (?:disk )?space (?:on|of|at|for) ${PATH} ${IS}${COMPARE}(?: than)? ${SIZE}`,
    ),
    make: (m) => free(pathOf(m, 1), m[4]!, m[5]!, m[6]!),
  },
];

export default defineKind<DiskClaim>({
  type: "disk",
  description: "The filesystem holding a path is used below or above a percentage, or has a size free.",
  rank: 50,
  examples: [
    "Disk usage of / is below 80%",
    "disk usage is under 90 percent",
    "the disk usage on /var is above 10%",
    "/srv is less than 95% full",
    "/ has more than 1 GB free",
    "The disk holding /srv is less than 79% full",
    "There is at least 42 GB free on /",
    "/srv has at least 42 GB of free space",
    "Less than 99% of / is used",
    "less than 99% of the disk on /srv is used",
  ],
  refuses: ["disk usage is fine", "the disk is healthy", "disk usage went down"],
  parse(part): Parsed<DiskClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      const claim = m && s.make(m);
      if (!claim) continue;
      if ("percent" in claim && claim.percent > 100)
        return { unverifiable: `${claim.percent}% is no share of a disk` };
      return { claim };
    }
    return undefined;
  },
  async observe(claim, _sources, signal) {
    const what = `disk of ${claim.path}`;
    const expected =
      "percent" in claim
        ? `used ${opWords[claim.op]} ${claim.percent}%`
        : `free ${opWords[claim.op]} ${showBytes(claim.freeBytes)}`;
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    let s: Awaited<ReturnType<typeof fs.statfs>>;
    try {
      s = await fs.statfs(claim.path);
    } catch (e) {
      return [
        notSeen(
          what,
          expected,
          `cannot stat ${claim.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        ),
      ];
    }
    // Like df: used against what non-root users can get (used + available), not the raw total.
    const used = (s.blocks - s.bfree) * s.bsize;
    const avail = s.bavail * s.bsize;
    const pct = used + avail > 0 ? Math.round((used / (used + avail)) * 10_000) / 100 : 0;
    const observed = `${pct}% used, ${showBytes(avail)} free`;
    const ok =
      "percent" in claim ? compare(pct, claim.op, claim.percent) : compare(avail, claim.op, claim.freeBytes);
    return [seen(what, expected, observed, ok)];
  },
});
