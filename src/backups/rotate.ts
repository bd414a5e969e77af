/**
 * Which backups to keep, grandfather-father-son: the newest `last` good ones, and the newest good one
 * of each of the newest `daily` days, `weekly` ISO weeks and `monthly` months that have one (UTC).
 * A backup kept for several reasons counts once. Only good backups are kept: a bad one is never what
 * a restore should start from, so it goes at the next good run (the newest bad one stays until then,
 * for a person to look at).
 *
 * Owns: the choice and the deletions. Imports only core and manifest.
 */
import fs from "node:fs";
import path from "node:path";
import { type BackupEntry, manifestName } from "./manifest.ts";

export interface Keep {
  last: number;
  daily: number;
  weekly: number;
  monthly: number;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const month = (t: number) => new Date(t).toISOString().slice(0, 7);

/** ISO 8601 week `2026-W49`: weeks start on Monday; the year is the one its Thursday falls in. */
export function isoWeek(t: number): string {
  const d = new Date(t);
  const date = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(date + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The files (of `entries`, newest first) that `keep` keeps. */
export function chooseKept(entries: readonly BackupEntry[], keep: Keep): Set<string> {
  const good = entries.filter((e) => e.good);
  const kept = new Set(good.slice(0, keep.last).map((e) => e.file));
  const buckets: [number, (t: number) => string][] = [
    [keep.daily, day],
    [keep.weekly, isoWeek],
    [keep.monthly, month],
  ];
  for (const [count, bucketOf] of buckets) {
    const seen = new Set<string>();
    for (const e of good) {
      if (seen.size >= count) break;
      const b = bucketOf(e.created_at);
      if (seen.has(b)) continue;
      seen.add(b);
      kept.add(e.file);
    }
  }
  return kept;
}

/**
 * Removes what `keep` does not keep, after a good run: every other dump of Vigil's naming and its
 * manifest (links are removed as links, never followed). Returns the removed dumps' names.
 */
export async function rotate(dir: string, entries: readonly BackupEntry[], keep: Keep): Promise<string[]> {
  const kept = chooseKept(entries, keep);
  const removed: string[] = [];
  for (const e of entries) {
    if (kept.has(e.file)) continue;
    // The dump first: a manifest without its dump is listed as "missing", never as good.
    await fs.promises.rm(path.join(dir, e.file), { force: true });
    await fs.promises.rm(path.join(dir, manifestName(e.file)), { force: true });
    removed.push(e.file);
  }
  return removed;
}

/** After a bad run: older bad dumps go, so nightly failures cannot fill the disk; good ones stay. */
export async function dropOlderBad(
  dir: string,
  entries: readonly BackupEntry[],
  newest: string,
): Promise<void> {
  for (const e of entries) {
    if (e.good || e.file === newest) continue;
    await fs.promises.rm(path.join(dir, e.file), { force: true });
    await fs.promises.rm(path.join(dir, manifestName(e.file)), { force: true });
  }
}
