/**
 * `disk`: the filesystem holding a path is used below or above a percentage, or has more or less
 * than a size free, as df counts it. "Disk usage of / is below 80%", "/srv has more than 2 GB free".
 * statfs reads the filesystem's counters, never a file, so any absolute path may be named.
 */
import fs from "node:fs/promises";
import { defineKind, notSeen, seen, type Parsed } from "../kind.ts";
import {
  COMPARE,
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
const shapes: { re: RegExp; make: (m: RegExpExecArray) => DiskClaim | undefined }[] = [
  {
    re: whole(String.raw`${DISK} (?:of|on|for|at) ${PATH} is ${COMPARE} ${PERCENT}`),
    make: (m) => ({ path: pathOf(m, 1)!, op: opOf(m[4]!), percent: Number(m[5]) }),
  },
  {
    re: whole(String.raw`${DISK} is ${COMPARE} ${PERCENT}(?: (?:on|for|of) ${PATH})?`),
    make: (m) => ({ path: pathOf(m, 3) ?? "/", op: opOf(m[1]!), percent: Number(m[2]) }),
  },
  {
    re: whole(String.raw`${PATH} is ${COMPARE} ${PERCENT} (?:full|used)`),
    make: (m) => ({ path: pathOf(m, 1)!, op: opOf(m[4]!), percent: Number(m[5]) }),
  },
  {
    re: whole(String.raw`(?:${PATH}|${DISK}) has ${COMPARE}(?: than)? ${SIZE} (?:free|available|left)`),
    make: (m) => {
      const freeBytes = bytesOf(m[5]!, m[6]!);
      return Number.isFinite(freeBytes)
        ? { path: pathOf(m, 1) ?? "/", op: opOf(m[4]!), freeBytes }
        : undefined;
    },
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
