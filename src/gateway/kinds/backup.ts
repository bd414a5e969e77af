/**
 * The built-in `backup` action: a PostgreSQL database (`pg_dump`), a SQLite file (its online backup
 * API) or folders (a tar.gz) into `to`, each dump with a manifest of its SHA-256 and the result of a
 * restore test into scratch; rotation keeps what `keep` says. A backup is good only when its restore
 * test passed: every run restores, and `verify.query` with `verify.expect` adds what the restored
 * data must hold. The work is in src/backups/; this file is its settings and its place among kinds.
 */
import path from "node:path";
import { type Condition, parseCondition } from "../../conditions/index.ts";
import { runBackup } from "../../backups/backup.ts";
import { defineActionKind } from "../action-kind.ts";

/** What a restore test gives the conditions, by source. */
export const verifyProvides = {
  database: ["CONNECTED", "ROWS", "VALUE", "ROW", "RESPONSE_TIME"],
  paths: ["FILES", "BYTES"],
} as const;

/** What the built-in freshness check (`backup:<action>`) provides, and what it expects by default. */
export const freshnessProvides = ["AGE", "COUNT", "SIZE", "LATEST_OK"] as const;
export const freshnessExpect = ["[AGE] < 26h"];

const parsedConditions = new Map<string, Condition>();

/** Conditions parsed once per text; the config side has refused any that do not parse. */
function conditionsOf(texts: readonly string[]): Condition[] {
  return texts.map((text) => {
    let c = parsedConditions.get(text);
    if (!c) {
      const parsed = parseCondition(text);
      if (!parsed.ok) throw new Error(`"${text}" passed validation but does not parse: ${parsed.message}`);
      c = parsed.condition;
      parsedConditions.set(text, c);
    }
    return c;
  });
}

export default defineActionKind({
  type: "backup",
  description:
    "Dumps a PostgreSQL database, a SQLite file or folders into `to`, checksummed and restore-tested; keeps what `keep` says.",
  schema: ({ z, duration, exactlyOne, text }) => {
    const absolute = (example: string) =>
      z
        .string()
        .min(1, "the path is empty")
        .refine((p) => path.isAbsolute(p), `an absolute path, such as ${example}`)
        .transform((p) => path.resolve(p));
    const condition = text(2_000).superRefine((t, ctx) => {
      const parsed = parseCondition(t);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: `column ${parsed.column}: ${parsed.message}` });
    });
    const placeholdersOutside = (texts: readonly string[], provides: readonly string[]) =>
      texts.flatMap((t, i) => {
        const parsed = parseCondition(t);
        if (!parsed.ok) return [];
        return [parsed.condition.left, parsed.condition.right].flatMap((side) =>
          side.kind === "placeholder" && !provides.includes(side.name) ? [{ i, name: side.name }] : [],
        );
      });
    const count = z.number().int().min(0).max(10_000).default(0);
    return z
      .strictObject({
        source: z
          .strictObject({
            postgres: z
              .string()
              .max(4_096)
              .refine((u) => /^postgres(ql)?:\/\/[^/]/.test(u), "a postgres://user@host:5432/database URL")
              .refine((u) => URL.canParse(u), "not a URL: write postgres://user:password@host:5432/database")
              .optional()
              .describe("postgres://user:password@host:5432/database: dumped with pg_dump (custom format)."),
            sqlite: absolute("/var/lib/app/app.db")
              .optional()
              .describe("A SQLite database file, copied with SQLite's online backup API."),
            paths: z
              .array(absolute("/var/www/uploads"))
              .min(1, "name at least one folder")
              .max(100)
              .optional()
              .describe("Folders archived into one tar.gz (links stored as links)."),
          })
          .superRefine(
            exactlyOne(
              ["postgres", "sqlite", "paths"],
              "say what to back up with one of",
              "a backup has one source",
            ),
          ),
        to: absolute("/var/backups/app").describe(
          "The folder the dumps go in (created 0700); Vigil lists, rotates and deletes only its own dumps there.",
        ),
        keep: z
          .strictObject({
            last: count.describe("The newest N good backups."),
            daily: count.describe("The newest good backup of each of the last N days that have one (UTC)."),
            weekly: count.describe("The newest good backup of each of the last N ISO weeks that have one."),
            monthly: count.describe("The newest good backup of each of the last N months that have one."),
          })
          .refine(
            (k) => k.last + k.daily + k.weekly + k.monthly > 0,
            "keep at least one backup, e.g. { last: 7 }",
          )
          .prefault({ last: 7 })
          .describe(
            "What rotation keeps after a good run ({ last: 7 } when not written); any other dump of Vigil's in `to` is removed.",
          ),
        verify: z
          .strictObject({
            query: text(10_000)
              .optional()
              .describe(
                "Asked of the restored copy, read-only; [VALUE] is the first column of the first row.",
              ),
            expect: z.array(condition).max(50).default([]).describe("Conditions on the restored copy."),
            timeout: duration.prefault("30s").describe("Bound of the query."),
          })
          .prefault({})
          .describe("Every backup is restored into scratch; this says what the restored data must hold."),
        check: z
          .strictObject({
            expect: z
              .array(condition)
              .min(1)
              .max(50)
              .default(freshnessExpect)
              .describe("Conditions on [AGE] (ms) [COUNT] [SIZE] [LATEST_OK]."),
            every: duration.prefault("1m").describe("How often the folder's manifests are read."),
          })
          .prefault({})
          .describe("The built-in check `backup:<action>`: [AGE] of the newest good backup, in ms."),
      })
      .superRefine((b, ctx) => {
        const database = b.source.paths === undefined;
        if (!database && b.verify.query !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["verify", "query"],
            message: "an archive of folders has no query to ask; judge [FILES] and [BYTES] in verify.expect",
          });
        if (database && b.verify.query === undefined && b.verify.expect.length > 0)
          ctx.addIssue({
            code: "custom",
            path: ["verify", "expect"],
            message:
              'verify.expect judges the answer of verify.query; add one, e.g. query: "select count(*) from users"',
          });
        if (database && b.verify.query !== undefined && b.verify.expect.length === 0)
          ctx.addIssue({
            code: "custom",
            path: ["verify", "expect"],
            message: 'say what the query must return, e.g. expect: ["[VALUE] > 0"]',
          });
        const provides = database ? verifyProvides.database : verifyProvides.paths;
        for (const { i, name } of placeholdersOutside(b.verify.expect, provides))
          ctx.addIssue({
            code: "custom",
            path: ["verify", "expect", i],
            message: `[${name}] is not something this restore test measures; it provides ${provides.map((p) => `[${p}]`).join(" ")}`,
          });
        for (const { i, name } of placeholdersOutside(b.check.expect, freshnessProvides))
          ctx.addIssue({
            code: "custom",
            path: ["check", "expect", i],
            message: `[${name}] is not something the backup check measures; it provides ${freshnessProvides.map((p) => `[${p}]`).join(" ")}`,
          });
        // `to: /` is refused as a system folder (config/refs.ts); saying it overlaps too is noise.
        if (b.to === "/") return;
        const inside = (child: string, parent: string) => child === parent || child.startsWith(`${parent}/`);
        if (b.source.sqlite !== undefined && inside(b.source.sqlite, b.to))
          ctx.addIssue({
            code: "custom",
            path: ["to"],
            message: `the database ${b.source.sqlite} is inside ${b.to}; keep backups in a folder of their own`,
          });
        (b.source.paths ?? []).forEach((p, i) => {
          if (inside(b.to, p) || inside(p, b.to))
            ctx.addIssue({
              code: "custom",
              path: ["source", "paths", i],
              message: `${p} and the backup folder ${b.to} overlap: the archive would hold its own backups; write them elsewhere`,
            });
        });
      });
  },
  example: { source: { sqlite: "/var/lib/app/app.db" }, to: "/var/backups/app" },
  dryRun: false,
  doctor: (cfg) => ({
    folders: {
      paths: [cfg.to],
      field: "backup.to",
      writable: true,
      one: true,
      created: true,
      programs: (cfg.source.postgres !== undefined
        ? ["pg_dump", "pg_restore"]
        : cfg.source.paths
          ? ["tar"]
          : []
      ).map((name) => ({ name, field: "backup.source" })),
    },
  }),
  async perform(cfg, ctx) {
    const started = performance.now();
    const r = await runBackup(cfg, conditionsOf(cfg.verify.expect), {
      now: () => ctx.clock.now(),
      signal: ctx.signal,
      timeoutMs: ctx.decl.timeout,
    });
    return {
      ok: r.ok,
      duration_ms: Math.round(performance.now() - started),
      ...(r.file ? { files: [r.file], bytes: r.size ?? 0, count: 1 } : {}),
      backup: {
        file: r.file ?? null,
        sha256: r.sha256 ?? null,
        good: r.ok,
        verify: r.verify ?? null,
        removed: r.removed,
        ...(r.warnings ? { warnings: r.warnings } : {}),
      },
      ...(r.error ? { error: r.error } : {}),
    };
  },
});
