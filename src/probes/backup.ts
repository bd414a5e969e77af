/**
 * `backup`: how fresh the newest good backup in a folder of the `backup` action is. Every backup
 * action has one built in (`backup:<action>`, expecting `[AGE] < 26h`), so a nightly backup that did
 * not run or did not verify opens an incident the first morning. Reads the manifests only (and each
 * dump's size): a dump whose size changed since it was written is not good.
 *
 * Provides [AGE] (ms since the newest good backup was made; before any backup exists, since the
 * agent began watching, so a fresh agent does not call a nightly backup missed at boot), [COUNT]
 * (good backups), [SIZE] (bytes of the newest good one), [LATEST_OK] (whether the newest dump is good).
 */
import { listBackups } from "../backups/manifest.ts";
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "backup",
  description: "The newest good (restore-tested) backup in a folder written by a `backup` action.",
  schema: ({ z, duration, filePath }) =>
    z.strictObject({
      path: filePath.describe("The `to` folder of a backup action."),
      timeout: duration.optional(),
    }),
  example: { path: "/var/backups/app" },
  doctor: () => ({ try: true }),
  defaultExpect: ["[AGE] < 26h"],
  provides: ["AGE", "COUNT", "SIZE", "LATEST_OK"],
  async run(cfg, ctx) {
    const now = ctx.env.clock.now();
    let entries;
    try {
      entries = await listBackups(cfg.path);
    } catch (e) {
      return {
        values: {},
        error: {
          class: "unknown",
          message: `cannot list ${cfg.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        },
      };
    }
    const good = entries.filter((e) => e.good);
    const newest = good[0];
    const latest = entries[0];
    const values = {
      COUNT: good.length,
      LATEST_OK: latest?.good ?? false,
      ...(newest ? { AGE: now - newest.created_at, SIZE: newest.size } : {}),
    };
    if (newest) return { values };
    if (!latest) return { values: { ...values, AGE: now - ctx.env.watchingSince(ctx.target) } };
    return {
      values,
      error: {
        class: "condition_failed",
        message: `no good backup in ${cfg.path}; the newest, ${latest.file}: ${latest.problem ?? "not good"}`,
      },
    };
  },
});
