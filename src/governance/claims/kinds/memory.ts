/**
 * `memory`: the host's memory is used below or above a percentage (MemTotal − MemAvailable of
 * /proc/meminfo, as the memory check reads it). "memory use is under 90%", "RAM usage is below 80 percent".
 */
import fs from "node:fs/promises";
import { parseMeminfo } from "../../../probes/memory.ts";
import { defineKind, notSeen, seen, type Parsed } from "../kind.ts";
import {
  COMPARE,
  IS,
  PERCENT,
  SIZE,
  bytesOf,
  compare,
  opOf,
  opWords,
  showBytes,
  whole,
  type Op,
} from "../words.ts";

type MemoryClaim = { op: Op } & ({ percent: number } | { availableBytes: number });

const MEMORY = String.raw`(?:the )?(?:host's |system |host )?(?:memory|ram|mem)(?: usage| use| used| utilisation| utilization| consumption)?`;
const shapes = [
  whole(String.raw`${MEMORY} ${IS}${COMPARE} ${PERCENT}`),
  // "Less than 80% of memory is used": the share first.
  whole(
    String.raw`${COMPARE}(?: than)? ${PERCENT} of (?:the )?(?:host's |system |host )?(?:memory|ram)(?: is| are)? (?:used|in use|utilised|utilized|consumed|taken)`,
  ),
];
/** Available memory (MemAvailable): "At least 11 GB of memory is available", "more than 2 GB of RAM is free". */
const AVAILABLE = [
  whole(
    String.raw`(?:there (?:is|are) )?${COMPARE}(?: than)? ${SIZE} (?:of )?(?:memory|ram)(?: is| are)? (?:available|free)`,
  ),
  whole(String.raw`(?:available|free) (?:memory|ram) ${IS}${COMPARE}(?: than)? ${SIZE}`),
];

export default defineKind<MemoryClaim>({
  type: "memory",
  description: "The host's memory is used below or above a percentage.",
  rank: 50,
  examples: [
    "memory use is under 90%",
    "RAM usage is below 80 percent",
    "memory usage is at most 95%",
    "At least 11 GB of memory is available",
    "More than 50 GB of RAM is free",
    "Less than 95% of memory is used",
  ],
  refuses: ["memory is fine", "memory use went down", "the memory leak is fixed"],
  parse(part): Parsed<MemoryClaim> {
    for (const re of AVAILABLE) {
      const m = re.exec(part.text);
      const bytes = m ? bytesOf(m[2]!, m[3]!) : NaN;
      if (m && Number.isFinite(bytes)) return { claim: { op: opOf(m[1]!), availableBytes: bytes } };
    }
    for (const re of shapes) {
      const m = re.exec(part.text);
      if (!m) continue;
      const percent = Number(m[2]);
      if (percent > 100) return { unverifiable: `${percent}% is no share of memory` };
      return { claim: { op: opOf(m[1]!), percent } };
    }
    return undefined;
  },
  async observe(claim, _sources, signal) {
    const what = "memory";
    const expected =
      "percent" in claim
        ? `used ${opWords[claim.op]} ${claim.percent}%`
        : `available ${opWords[claim.op]} ${showBytes(claim.availableBytes)}`;
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    let info: Record<string, number>;
    try {
      info = parseMeminfo(await fs.readFile("/proc/meminfo", "utf8"));
    } catch (e) {
      return [
        notSeen(
          what,
          expected,
          `cannot read /proc/meminfo: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        ),
      ];
    }
    const total = info.MemTotal ?? 0;
    const avail = info.MemAvailable ?? info.MemFree;
    if (total <= 0 || avail === undefined)
      return [notSeen(what, expected, "/proc/meminfo has no MemTotal or MemAvailable")];
    const used = Math.round(((total - avail) / total) * 10_000) / 100;
    const observed = `${used}% used, ${showBytes(avail)} available of ${showBytes(total)}`;
    const ok =
      "percent" in claim
        ? compare(used, claim.op, claim.percent)
        : compare(avail, claim.op, claim.availableBytes);
    return [seen(what, expected, observed, ok)];
  },
});
