/**
 * Disk and memory figures for claims whose label must hold on any machine: each threshold is placed
 * far from what this machine shows, by every common way of counting (df's used / (used + avail),
 * used / size, (size - avail) / size; MemAvailable and MemFree), so no rounding or formula the
 * verifier picks can flip a label, and a few MB changing between setup and claim cannot either.
 */
import fs from "node:fs";

/** "11 GB", "640 MB": whole numbers, as people write them. */
function size(bytes: number): string {
  const gb = bytes / 1e9;
  return gb >= 2 ? `${Math.floor(gb)} GB` : `${Math.max(1, Math.floor(bytes / 1e6))} MB`;
}

/**
 * A percentage below every reading (0.4 of the lowest; "0.5" or "0" on a nearly empty disk, where
 * no smaller positive figure is safely below), and one above all (the highest + 10..20).
 */
function around(readings: number[], above: number) {
  const lowest = Math.min(...readings);
  const low = Math.floor(lowest * 0.4);
  return {
    low: low >= 1 ? String(low) : lowest >= 1.5 ? "0.5" : "0",
    high: String(Math.min(99, Math.ceil(Math.max(...readings)) + above)),
  };
}

function disk(p: string) {
  const s = fs.statfsSync(p);
  const used = s.blocks - s.bfree;
  const readings = [
    (used / (used + s.bavail)) * 100,
    (used / s.blocks) * 100,
    (1 - s.bavail / s.blocks) * 100,
  ];
  const { low, high } = around(readings, 10);
  return { low, high, freeHalf: size((s.bavail * s.bsize) / 2), freeBeyond: size(s.blocks * s.bsize * 2) };
}

function memory() {
  const info = fs.readFileSync("/proc/meminfo", "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? NaN) * 1024;
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  const free = kb("MemFree");
  const { low, high } = around([(1 - available / total) * 100, (1 - free / total) * 100], 20);
  return { low, high, availableHalf: size(available / 2), beyond: size(total * 2) };
}

/** The placeholders: diskOut*, diskRoot*, mem*. */
export function thresholds(out: string): Record<string, string> {
  const o = disk(out);
  const r = disk("/");
  const m = memory();
  return {
    diskOutLow: o.low,
    diskOutHigh: o.high,
    diskOutFreeHalf: o.freeHalf,
    diskOutFreeBeyond: o.freeBeyond,
    diskRootLow: r.low,
    diskRootHigh: r.high,
    diskRootFreeHalf: r.freeHalf,
    memLow: m.low,
    memHigh: m.high,
    memAvailableHalf: m.availableHalf,
    memBeyond: m.beyond,
  };
}
