/** `disk`: space and inodes of the filesystem holding a path. Provides [USED_PERCENT] [FREE_BYTES] [INODES_USED_PERCENT]. */
import fs from "node:fs/promises";
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "disk",
  description: "Space and inodes of the filesystem that holds a path.",
  schema: ({ z, duration, filePath }) =>
    z.strictObject({ path: filePath.prefault("/"), timeout: duration.optional() }),
  example: { path: "/" },
  doctor: () => ({ try: true }),
  // Resource pressure: over 85 % is a problem, noticed within 30 s and rechecked every 10 s while it lasts.
  defaultExpect: ["[USED_PERCENT] < 85"],
  defaultEveryFailingMs: 10_000,
  provides: ["USED_PERCENT", "FREE_BYTES", "TOTAL_BYTES", "INODES_USED_PERCENT"],
  async run(cfg) {
    try {
      const s = await fs.statfs(cfg.path);
      // Like df: used against what non-root users can get (used + available), not the raw total.
      const used = (s.blocks - s.bfree) * s.bsize;
      const avail = s.bavail * s.bsize;
      const usedPct = used + avail > 0 ? (used / (used + avail)) * 100 : 0;
      const inodesPct = s.files > 0 ? ((s.files - s.ffree) / s.files) * 100 : 0;
      return {
        values: {
          USED_PERCENT: round(usedPct),
          FREE_BYTES: avail,
          TOTAL_BYTES: s.blocks * s.bsize,
          INODES_USED_PERCENT: round(inodesPct),
        },
      };
    } catch (e) {
      return {
        values: {},
        error: {
          class: "unknown",
          message: `cannot stat ${cfg.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        },
      };
    }
  },
});

const round = (n: number) => Math.round(n * 100) / 100;
