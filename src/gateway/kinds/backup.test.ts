/**
 * The backup action on real parts: a real SQLite file, the real PostgreSQL at 127.0.0.1:5432 with
 * pg_dump and pg_restore, GNU tar; run through the real gateway with the clock in the test's hands.
 * A backup is good only when its restore test passed; rotation keeps what `keep` says over simulated
 * days; a failed or bad run leaves the good ones alone; a corrupted dump is caught.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/helpers/clock.ts";
import { gatewayHarness, type Harness } from "../../../test/helpers/gateway.ts";
import { load, problems as configProblems } from "../../../test/helpers/config.ts";
import { tempDir } from "../../../test/helpers/tmp.ts";
import { listBackups, type Manifest, manifestName } from "../../backups/manifest.ts";
import { verifyDump } from "../../backups/verify.ts";
import { parseCondition } from "../../conditions/index.ts";
import { loadConfigText } from "../../config/load.ts";
import { formatProblem } from "../../config/result.ts";
import type { RunResult } from "../types.ts";

const admin = { name: "alice", role: "admin" } as const;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function sqliteDb(file: string, users: number): void {
  const db = new DatabaseSync(file);
  db.exec("create table if not exists users (id integer primary key, name text)");
  db.exec("delete from users");
  for (let i = 0; i < users; i++) db.prepare("insert into users (name) values (?)").run(`u${i}`);
  db.close();
}

/** A SQLite file of `users` rows in a folder of its own, and `to`: a backup folder not made yet. */
function sqliteSource(users: number, folder = "b"): { db: string; to: string } {
  const db = path.join(tempDir("vigil-bk-src-"), "app.db");
  sqliteDb(db, users);
  return { db, to: path.join(tempDir("vigil-bk-"), folder) };
}

async function backup(name = "db"): Promise<RunResult> {
  const out = await h!.gateway.request(name, { params: {}, reason: "test" }, admin);
  if (out.kind !== "ran" || !out.run.result)
    throw new Error(`the run did not finish: ${JSON.stringify(out)}`);
  return out.run.result;
}

/** Moves the harness's clock forward to `t` (timers due meanwhile fire, as they would). */
const moveTo = (clock: FakeClock, t: number) => clock.advance(t - clock.now());

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

const readManifest = (to: string, file: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(to, manifestName(file)), "utf8")) as Manifest;

/** The restore test `verifyDump` runs: count the users and judge the count by `condition`. */
function countSpec(condition: string) {
  const p = parseCondition(condition);
  if (!p.ok) throw new Error(`${condition}: ${p.message}`);
  return { query: "select count(*) from users", conditions: [p.condition], queryTimeoutMs: 5_000 };
}

const verifyCtx = (timeoutMs: number) => ({
  timeoutMs,
  signal: new AbortController().signal,
  now: () => Date.now(),
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;

function flipBytes(file: string, at: number): void {
  const fd = fs.openSync(file, "r+");
  const b = Buffer.alloc(4);
  fs.readSync(fd, b, 0, 4, at);
  for (let i = 0; i < 4; i++) b[i] = (b[i] ?? 0) ^ 0xff;
  fs.writeSync(fd, b, 0, 4, at);
  fs.closeSync(fd);
}

describe("the backup action's settings", () => {
  /** The config loader refuses these actions with one problem, and it says `says`. */
  const refused = (actions: string, says: string) =>
    expect(configProblems(`actions:\n${actions}\n`)).toEqual([expect.stringContaining(says)]);

  it("are refused with the field and the fix", () => {
    refused(
      "  b: { backup: { source: { sqlite: app.db }, to: /var/backups/app } }",
      "actions.b.backup.source.sqlite: an absolute path, such as /var/lib/app/app.db",
    );
    refused(
      "  b: { backup: { source: { sqlite: /srv/app.db }, to: / } }",
      "actions.b.backup.to: / is a system folder (/); name a folder of your own, such as /var/backups/myapp",
    );
    refused(
      "  b: { backup: { source: { sqlite: /srv/app.db }, to: /etc } }",
      "actions.b.backup.to: /etc is a system folder (/etc)",
    );
    refused(
      "  b: { backup: { source: {}, to: /srv/b } }",
      "say what to back up with one of: postgres, sqlite, paths",
    );
    refused(
      "  b: { backup: { source: { sqlite: /srv/a.db, paths: [/srv/x] }, to: /srv/b } }",
      "a backup has one source; it has sqlite and paths",
    );
    refused(
      '  b: { backup: { source: { postgres: "mysql://x/y" }, to: /srv/b } }',
      "a postgres://user@host:5432/database URL",
    );
    refused(
      '  b: { backup: { source: { paths: [/srv/www] }, to: /srv/b, verify: { query: "select 1" } } }',
      "actions.b.backup.verify.query: an archive of folders has no query to ask",
    );
    refused(
      '  b: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b, verify: { query: "select 1" } } }',
      'actions.b.backup.verify.expect: say what the query must return, e.g. expect: ["[VALUE] > 0"]',
    );
    refused(
      '  b: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b, verify: { expect: ["[VALUE] > 0"] } } }',
      "verify.expect judges the answer of verify.query",
    );
    refused(
      '  b: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b, verify: { query: "select 1", expect: ["[STATUS] == 200"] } } }',
      "actions.b.backup.verify.expect[0]: [STATUS] is not something this restore test measures",
    );
    refused(
      '  b: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b, check: { expect: ["[VALUE] > 1"] } } }',
      "actions.b.backup.check.expect[0]: [VALUE] is not something the backup check measures",
    );
    refused(
      "  b: { backup: { source: { sqlite: /srv/b/a.db }, to: /srv/b } }",
      "actions.b.backup.to: the database /srv/b/a.db is inside /srv/b",
    );
    refused(
      "  b: { backup: { source: { paths: [/srv] }, to: /srv/b } }",
      "actions.b.backup.source.paths[0]: /srv and the backup folder /srv/b overlap",
    );
    refused(
      "  b: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b, keep: { last: 0 } } }",
      "keep at least one backup",
    );
    refused(
      "  a: { backup: { source: { sqlite: /srv/a.db }, to: /srv/b } }\n  b: { backup: { source: { sqlite: /srv/c.db }, to: /srv/b/c } }",
      'actions.b.backup.to: /srv/b/c is also where the backup action "a" writes',
    );
    expect(
      load("actions:\n  b: { backup: { source: { sqlite: /srv/a.db }, to: /var/backups/app } }\n").config
        .actions.b,
    ).toMatchObject({ backup: { source: { sqlite: "/srv/a.db" }, to: "/var/backups/app" } });
  });
});

describe("a SQLite backup", () => {
  it("is written 0600 into a 0700 folder with its checksum, restore-tested and good", async () => {
    const { db, to } = sqliteSource(3, "backups");
    h = await gatewayHarness(`
  db:
    backup:
      source: { sqlite: "${db}" }
      to: "${to}"
      verify: { query: "select count(*) from users", expect: ["[VALUE] == 3", "[ROWS] == 1"] }
    risk: auto`);
    const r = await backup();
    expect(r).toMatchObject({
      ok: true,
      count: 1,
      backup: { good: true, verify: { ok: true, checksum_ok: true } },
    });
    const file = r.backup!.file!;
    expect(file).toMatch(/^backup-\d{8}T\d{9}Z\.sqlite$/);
    expect(mode(to)).toBe(0o700);
    expect(mode(path.join(to, file))).toBe(0o600);
    expect(mode(path.join(to, manifestName(file)))).toBe(0o600);
    expect(fs.readdirSync(to).sort()).toEqual([file, manifestName(file)]);
    const m = readManifest(to, file);
    const sum = sha256(fs.readFileSync(path.join(to, file)));
    expect(m).toMatchObject({
      file,
      source: "sqlite",
      from: db,
      sha256: sum,
      size: fs.statSync(path.join(to, file)).size,
    });
    expect(m.verify?.values).toMatchObject({ VALUE: 3, ROWS: 1 });
    const copy = new DatabaseSync(path.join(to, file), { readOnly: true });
    expect(copy.prepare("select count(*) as n from users").get()).toEqual({ n: 3 });
    copy.close();
    const [entry] = await listBackups(to);
    expect(entry).toMatchObject({ file, good: true, problem: undefined });
  });

  it("that does not hold what verify expects is bad, and the good ones stay", async () => {
    const { db, to } = sqliteSource(2);
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 2, 30));
    h = await gatewayHarness(
      `
  db:
    backup:
      source: { sqlite: "${db}" }
      to: "${to}"
      keep: { last: 1 }
      verify: { query: "select count(*) from users", expect: ["[VALUE] > 0"] }
    risk: auto`,
      { clock },
    );
    const good = await backup();
    expect(good.ok).toBe(true);
    sqliteDb(db, 0); // the application lost its users: the dump is faithful and must not count as good
    await moveTo(clock, Date.UTC(2026, 0, 2, 2, 30));
    const bad = await backup();
    expect(bad).toMatchObject({
      ok: false,
      backup: { good: false, verify: { ok: false, checksum_ok: true } },
    });
    expect(bad.error).toContain("the backup did not verify: [VALUE] (0) > 0");
    const list = await listBackups(to);
    expect(list.map((e) => [e.file, e.good])).toEqual([
      [bad.backup!.file, false],
      [good.backup!.file, true],
    ]);
    // A second bad night: the older bad one goes, the good one stays whatever keep says.
    await moveTo(clock, Date.UTC(2026, 0, 3, 2, 30));
    const bad2 = await backup();
    expect((await listBackups(to)).map((e) => [e.file, e.good])).toEqual([
      [bad2.backup!.file, false],
      [good.backup!.file, true],
    ]);
  });

  it("that fails to dump leaves the previous ones untouched and says why", async () => {
    const { db, to } = sqliteSource(1);
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 2, 30));
    h = await gatewayHarness(
      `\n  db: { backup: { source: { sqlite: "${db}" }, to: "${to}", keep: { last: 1 } }, risk: auto }`,
      {
        clock,
      },
    );
    const good = await backup();
    const before = fs.readFileSync(path.join(to, good.backup!.file!));
    fs.rmSync(db);
    await moveTo(clock, Date.UTC(2026, 0, 2, 2, 30));
    const failed = await backup();
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/sqlite backup of .*app\.db: .*; the previous backups are untouched/);
    expect(fs.readFileSync(path.join(to, good.backup!.file!))).toEqual(before);
    expect(fs.readdirSync(to).filter((f) => f.startsWith("."))).toEqual([]);
    const list = await listBackups(to);
    expect(list[0]?.good).toBe(false);
    expect(list[0]?.problem).toMatch(/^the dump failed: sqlite backup of /);
    expect(list[1]).toMatchObject({ file: good.backup!.file, good: true });
  });

  it("corrupted after it was written is caught: by the listing, by the checksum, by the restore", async () => {
    const { db, to } = sqliteSource(50);
    h = await gatewayHarness(`
  db:
    backup:
      source: { sqlite: "${db}" }
      to: "${to}"
      verify: { query: "select count(*) from users", expect: ["[VALUE] == 50"] }
    risk: auto`);
    const r = await backup();
    const file = path.join(to, r.backup!.file!);
    const m = readManifest(to, r.backup!.file!);
    flipBytes(file, 0); // the "SQLite format 3" header
    const [entry] = await listBackups(to);
    expect(entry?.good).toBe(false);
    expect(entry?.problem).toMatch(/^the dump was rewritten since it was made/);

    const spec = countSpec("[VALUE] == 50");
    const ctx = verifyCtx(30_000);
    const byChecksum = await verifyDump(to, m, { sqlite: db }, spec, ctx);
    expect(byChecksum).toMatchObject({ ok: false, checksum_ok: false });
    expect(byChecksum.error).toMatch(/^checksum mismatch/);

    // Damaged before it was summed (the checksum agrees): the restore test catches it.
    const byRestore = await verifyDump(
      to,
      { ...m, sha256: sha256(fs.readFileSync(file)) },
      { sqlite: db },
      spec,
      ctx,
    );
    expect(byRestore).toMatchObject({ ok: false, checksum_ok: true });
    expect(byRestore.error).toMatch(
      /^the restored copy is not a sound SQLite database: file is not a database/,
    );
    expect(fs.readdirSync(to).filter((f) => f.startsWith("."))).toEqual([]);
  });
});

describe("rotation over simulated days", () => {
  it("keeps the last 3, the newest of 7 days, 4 ISO weeks and 6 months, and nothing else", async () => {
    const { db, to } = sqliteSource(1);
    const stranger = path.join(to, "notes.txt");
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 2, 30));
    h = await gatewayHarness(
      `\n  db: { backup: { source: { sqlite: "${db}" }, to: "${to}", keep: { last: 3, daily: 7, weekly: 4, monthly: 6 } }, risk: auto }`,
      { clock },
    );
    // Nightly at 02:30 UTC from 1 January to 10 April 2026, and a second run at 14:30 on 10 April.
    for (let d = 0; d < 100; d++) {
      await moveTo(clock, Date.UTC(2026, 0, 1 + d, 2, 30));
      expect((await backup()).ok).toBe(true);
      if (d === 0) fs.writeFileSync(stranger, "not Vigil's");
    }
    await moveTo(clock, Date.UTC(2026, 3, 10, 14, 30));
    expect((await backup()).ok).toBe(true);

    const kept = (await listBackups(to)).map((e) => new Date(e.created_at).toISOString().slice(0, 16));
    expect(kept).toEqual([
      "2026-04-10T14:30", // last 3, daily (10 Apr), weekly (week 15), monthly (April)
      "2026-04-10T02:30", // last 3
      "2026-04-09T02:30", // last 3, daily
      "2026-04-08T02:30", // daily
      "2026-04-07T02:30",
      "2026-04-06T02:30",
      "2026-04-05T02:30", // daily; weekly: Sunday closes week 14
      "2026-04-04T02:30", // daily
      "2026-03-31T02:30", // monthly: March
      "2026-03-29T02:30", // weekly: week 13
      "2026-03-22T02:30", // weekly: week 12
      "2026-02-28T02:30", // monthly: February
      "2026-01-31T02:30", // monthly: January
    ]);
    expect(fs.readdirSync(to)).toHaveLength(kept.length * 2 + 1);
    expect(fs.readFileSync(stranger, "utf8")).toBe("not Vigil's");
  });
});

describe("a PostgreSQL backup", () => {
  const base = "postgres://postgres@127.0.0.1:5432";
  const dbName = `vigil_bk_${randomBytes(4).toString("hex")}`;
  const admin_ = () => new pg.Client({ connectionString: `${base}/test` });

  beforeAll(async () => {
    const c = admin_();
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const d = new pg.Client({ connectionString: `${base}/${dbName}` });
    await d.connect();
    await d.query("create table users (id serial primary key, name text not null)");
    await d.query("insert into users (name) select 'u' || g from generate_series(1, 25) g");
    await d.end();
  });

  afterAll(async () => {
    const c = admin_();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });

  const scratchLeft = async (): Promise<string[]> => {
    const c = admin_();
    await c.connect();
    const r = await c.query<{ datname: string }>(
      "select datname from pg_database where datname like 'vigil_verify_%'",
    );
    await c.end();
    return r.rows.map((x) => x.datname);
  };

  it("is pg_dump'd, restored into a scratch database that is dropped after, and judged", async () => {
    const to = path.join(tempDir("vigil-bk-"), "pg");
    h = await gatewayHarness(`
  db:
    backup:
      source: { postgres: "${base}/${dbName}" }
      to: "${to}"
      verify: { query: "select count(*) from users", expect: ["[VALUE] == 25"] }
    risk: auto
    timeout: 2m`);
    const before = await scratchLeft();
    const r = await backup();
    expect(r).toMatchObject({
      ok: true,
      backup: { good: true, verify: { ok: true, values: { VALUE: 25 } } },
    });
    expect(r.backup!.file).toMatch(/\.pgdump$/);
    expect(fs.readFileSync(path.join(to, r.backup!.file!)).subarray(0, 5).toString()).toBe("PGDMP");
    expect(await scratchLeft()).toEqual(before);
  });

  it("whose restore fails is bad, and the scratch database is dropped all the same", async () => {
    const to = path.join(tempDir("vigil-bk-"), "pg");
    h = await gatewayHarness(`
  db:
    backup:
      source: { postgres: "${base}/${dbName}" }
      to: "${to}"
      verify: { query: "select count(*) from users", expect: ["[VALUE] == 25"] }
    risk: auto`);
    const r = await backup();
    const file = path.join(to, r.backup!.file!);
    const m = readManifest(to, r.backup!.file!);
    // Damage the data blocks, then make the checksum agree, as a dump damaged before it was summed.
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, Math.floor(bytes.length / 3));
    fs.writeFileSync(file, bytes);
    const sum = sha256(bytes);
    const v = await verifyDump(
      to,
      { ...m, sha256: sum },
      { postgres: `${base}/${dbName}` },
      countSpec("[VALUE] == 25"),
      verifyCtx(60_000),
    );
    expect(v).toMatchObject({ ok: false, checksum_ok: true });
    expect(v.error).toMatch(/pg_restore into a scratch database: exit 1/);
    expect(await scratchLeft()).toEqual([]);
  });

  it("that cannot reach the server fails without a password anywhere in what it says", async () => {
    const to = path.join(tempDir("vigil-bk-"), "pg");
    h = await gatewayHarness(`
  db: { backup: { source: { postgres: "postgres://postgres:s3cret-pw-xyz@127.0.0.1:1/${dbName}" }, to: "${to}" }, risk: auto }`);
    const r = await backup();
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^pg_dump: exit 1: .*127\.0\.0\.1.*; the previous backups are untouched$/s);
    const everything =
      JSON.stringify(r) +
      fs
        .readdirSync(to)
        .map((f) => fs.readFileSync(path.join(to, f), "utf8"))
        .join();
    expect(everything).not.toContain("s3cret-pw-xyz");
    const audited = JSON.stringify([await h.events("action.requested"), await h.events("action.finished")]);
    expect(audited).toContain("pg_dump: exit 1");
    expect(audited).not.toContain("s3cret-pw-xyz");
    expect(everything).toContain(`postgres://postgres@127.0.0.1:1/${dbName}`);
  });
});

describe("a backup of folders", () => {
  it("is a tar.gz read back to its end and judged by [FILES] and [BYTES]", async () => {
    const www = tempDir("vigil-bk-www-");
    fs.mkdirSync(path.join(www, "sub"));
    fs.writeFileSync(path.join(www, "a.txt"), "a".repeat(1000));
    fs.writeFileSync(path.join(www, "sub/b.txt"), "b".repeat(700));
    fs.symlinkSync("/etc/passwd", path.join(www, "link"));
    const to = path.join(tempDir("vigil-bk-"), "files");
    h = await gatewayHarness(`
  www:
    backup: { source: { paths: ["${www}"] }, to: "${to}", verify: { expect: ["[FILES] == 2", "[BYTES] == 1700"] } }
    risk: auto`);
    const r = await backup("www");
    expect(r).toMatchObject({
      ok: true,
      backup: { verify: { ok: true, values: { FILES: 2, BYTES: 1700 } } },
    });
    const file = path.join(to, r.backup!.file!);
    expect(file).toMatch(/\.tar\.gz$/);

    const m = readManifest(to, r.backup!.file!);
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 20, 60);
    fs.writeFileSync(file, bytes);
    const sum = sha256(bytes);
    const v = await verifyDump(
      to,
      { ...m, sha256: sum },
      { paths: [www] },
      { query: undefined, conditions: [], queryTimeoutMs: 1_000 },
      verifyCtx(10_000),
    );
    expect(v).toMatchObject({ ok: false, checksum_ok: true });
    expect(v.error).toMatch(/^the archive is damaged/);
  });

  it("refuses a backup folder that is a symbolic link", async () => {
    const www = tempDir("vigil-bk-www-");
    fs.writeFileSync(path.join(www, "a.txt"), "a");
    const elsewhere = tempDir("vigil-bk-elsewhere-");
    const to = path.join(tempDir("vigil-bk-"), "link");
    fs.symlinkSync(elsewhere, to);
    h = await gatewayHarness(
      `\n  www: { backup: { source: { paths: ["${www}"] }, to: "${to}" }, risk: auto }`,
    );
    const r = await backup("www");
    expect(r.ok).toBe(false);
    expect(r.error).toContain("is a symbolic link or not a folder");
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe("a stopping agent", () => {
  it("starts no backup and touches nothing", async () => {
    const { db, to } = sqliteSource(1, "never");
    const { runBackup } = await import("../../backups/backup.ts");
    const stopping = new AbortController();
    stopping.abort();
    const r = await runBackup(
      {
        source: { sqlite: db },
        to,
        keep: { last: 1, daily: 0, weekly: 0, monthly: 0 },
        verify: { expect: [], timeout: 1_000 },
      },
      [],
      { now: () => Date.now(), signal: stopping.signal, timeoutMs: 10_000 },
    );
    expect(r).toMatchObject({ ok: false, error: "the agent is stopping; no backup was made" });
    expect(fs.existsSync(to)).toBe(false);
  });
});

describe("vigil doctor on a backup action", () => {
  it("accepts a folder it will create, and looks for pg_dump and pg_restore on PATH", async () => {
    const { actionTasks } = await import("../../doctor/actions.ts");
    const dir = tempDir("vigil-bk-doc-");
    const r = loadConfigText(
      `actions:\n  pg: { backup: { source: { postgres: "postgres://u@127.0.0.1/app" }, to: "${dir}/new/pg" } }\n`,
      path.join(dir, "vigil.yaml"),
      {},
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    const found = async (searchPath: string) =>
      (
        await Promise.all(
          actionTasks({
            config: r.config,
            timeoutMs: 1_000,
            agentRunning: false,
            send: false,
            path: searchPath,
            now: Date.now,
          }).map((t) => t()),
        )
      )
        .flat()
        .map((f) => f.verdict);
    expect(await found(process.env.PATH ?? "")).toEqual(["ok", "ok", "ok"]);
    expect(await found("/nonexistent")).toEqual(["ok", "problem", "problem"]);
  });
});
