/**
 * The restore test that makes a backup good: the dump is read back and its SHA-256 compared with its
 * manifest, then restored where it can do no harm and asked the configured query, whose answer the
 * conditions judge. PostgreSQL: into a scratch database `vigil_verify_<random>` that Vigil creates
 * on the same server and always drops; SQLite: into a copy of the dump, checked with
 * `integrity_check`; a tar.gz: read to its end (gzip's CRC, every header) counting files and bytes.
 *
 * Owns: restoring into scratch and judging it. Must not import: api, cli, app.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createGunzip } from "node:zlib";
import pg from "pg";
import { DatabaseSync } from "node:sqlite";
import { evaluateAll, type Condition } from "../conditions/index.ts";
import { execArgv } from "../gateway/exec.ts";
import { runQuery } from "../sql/query.ts";
import { failure, pgEnv, pgTarget, type PgTarget, type Source, withDatabase, withPassword } from "./dump.ts";
import { type Manifest, openNoFollow, sha256File, tempPrefix, type VerifyRecord } from "./manifest.ts";

export interface VerifySpec {
  query: string | undefined;
  conditions: readonly Condition[];
  /** Bound of the query alone. */
  queryTimeoutMs: number;
}

export interface VerifyContext {
  /** Bound of the whole restore. */
  timeoutMs: number;
  signal: AbortSignal;
  now(): number;
}

type Values = Record<string, unknown>;

class VerifyFailure extends Error {}

/** Restores the dump named by `m` in `dir` into scratch and judges it; never throws. */
export async function verifyDump(
  dir: string,
  m: Manifest,
  source: Source,
  spec: VerifySpec,
  ctx: VerifyContext,
): Promise<VerifyRecord> {
  const started = performance.now();
  const at = ctx.now();
  const done = (r: Omit<VerifyRecord, "at" | "duration_ms">): VerifyRecord => ({
    ...r,
    at,
    duration_ms: Math.round(performance.now() - started),
  });
  const file = path.join(dir, m.file);
  let sum: string;
  try {
    sum = await sha256File(file, ctx.signal);
  } catch (e) {
    return done({
      ok: false,
      checksum_ok: false,
      error: `cannot read the dump back: ${(e as Error).message}`,
    });
  }
  if (sum !== m.sha256)
    return done({
      ok: false,
      checksum_ok: false,
      error: `checksum mismatch: the dump reads as sha256 ${sum.slice(0, 16)}…, the manifest says ${m.sha256.slice(0, 16)}…`,
    });
  try {
    let values: Values;
    if (source.postgres !== undefined)
      values = await restorePostgres(pgTarget(source.postgres), file, spec, ctx);
    else if (source.sqlite !== undefined) values = await restoreSqlite(dir, file, spec, ctx);
    else values = await readArchive(file, ctx.signal);
    const judged = evaluateAll(spec.conditions, values);
    return done({ ok: judged.ok, checksum_ok: true, values, results: judged.results });
  } catch (e) {
    const message = e instanceof VerifyFailure ? e.message : `restore failed: ${(e as Error).message}`;
    return done({ ok: false, checksum_ok: true, error: message });
  }
}

/** `[CONNECTED] [ROWS] [VALUE] [ROW].<column> [RESPONSE_TIME]` of the query, as the sql check has them. */
async function ask(url: string, spec: VerifySpec, signal: AbortSignal): Promise<Values> {
  if (spec.query === undefined) return {};
  try {
    const r = await runQuery(url, spec.query, { timeoutMs: spec.queryTimeoutMs, signal });
    return {
      CONNECTED: true,
      ROWS: r.rows.length,
      VALUE: r.value,
      ROW: r.rows[0] ?? null,
      RESPONSE_TIME: r.ms,
    };
  } catch (e) {
    throw new VerifyFailure(`the verify query failed on the restored copy: ${(e as Error).message}`);
  }
}

async function restorePostgres(
  server: PgTarget,
  file: string,
  spec: VerifySpec,
  ctx: VerifyContext,
): Promise<Values> {
  const scratch = withDatabase(server, `vigil_verify_${randomBytes(6).toString("hex")}`);
  const admin = new pg.Client({
    connectionString: withPassword(server),
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
  });
  try {
    await admin.connect();
  } catch (e) {
    throw new VerifyFailure(
      `cannot connect to ${server.url} to make a scratch database: ${(e as Error).message}`,
    );
  }
  try {
    try {
      // template0: what a restore expects, free of whatever was added to template1 on this server.
      await admin.query(`CREATE DATABASE "${scratch.database}" TEMPLATE template0`);
    } catch (e) {
      throw new VerifyFailure(
        `cannot create the scratch database ${scratch.database} on ${server.url} (the user needs CREATEDB): ${(e as Error).message}`,
      );
    }
    const x = await execArgv({
      argv: [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        `--dbname=${scratch.url}`,
        file,
      ],
      env: pgEnv(scratch),
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    if (x.exitCode !== 0)
      throw new VerifyFailure(`pg_restore into a scratch database: ${failure(x, server.password)}`);
    return await ask(withPassword(scratch), spec, ctx.signal);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${scratch.database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

async function restoreSqlite(
  dir: string,
  file: string,
  spec: VerifySpec,
  ctx: VerifyContext,
): Promise<Values> {
  const copy = path.join(dir, `${tempPrefix}verify-${randomBytes(6).toString("hex")}.sqlite`);
  try {
    await fs.promises.copyFile(file, copy, fs.constants.COPYFILE_EXCL);
    await fs.promises.chmod(copy, 0o600);
    ctx.signal.throwIfAborted();
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(copy, { readOnly: true });
      const rows = db
        .prepare("PRAGMA integrity_check")
        .all()
        .map((r) => String(Object.values(r)[0]));
      if (rows.join() !== "ok") throw new VerifyFailure(`integrity_check: ${rows.slice(0, 5).join("; ")}`);
    } catch (e) {
      if (e instanceof VerifyFailure) throw e;
      throw new VerifyFailure(`the restored copy is not a sound SQLite database: ${(e as Error).message}`);
    } finally {
      db?.close();
    }
    return await ask(`sqlite://${pathToFileURL(copy).pathname}`, spec, ctx.signal);
  } finally {
    for (const f of [copy, `${copy}-journal`, `${copy}-wal`, `${copy}-shm`])
      await fs.promises.rm(f, { force: true });
  }
}

/** Reads a tar.gz to its end: gzip's CRC and every tar header must hold. `[FILES] [BYTES]`. */
async function readArchive(file: string, signal: AbortSignal): Promise<Values> {
  const h = await openNoFollow(file);
  const gunzip = h.createReadStream().pipe(createGunzip());
  let files = 0;
  let bytes = 0;
  let pending: Buffer = Buffer.alloc(0);
  let skip = 0;
  let ended = false;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let off = 0;
      while (!ended) {
        if (skip > 0) {
          const n = Math.min(skip, pending.length - off);
          skip -= n;
          off += n;
          if (skip > 0) break;
        }
        if (pending.length - off < 512) break;
        const header = pending.subarray(off, off + 512);
        off += 512;
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        const size = tarSize(header);
        if (!tarChecksumOk(header) || size === undefined)
          throw new VerifyFailure(`the archive is damaged: a bad tar header after ${files} files`);
        const type = String.fromCharCode(header[156] ?? 0);
        if (type === "0" || type === "\0") {
          files++;
          bytes += size;
        }
        skip = Math.ceil(size / 512) * 512;
      }
      pending = ended ? Buffer.alloc(0) : pending.subarray(off);
    }
  } catch (e) {
    if (e instanceof VerifyFailure) throw e;
    throw new VerifyFailure(`the archive is damaged: ${(e as Error).message}`);
  } finally {
    gunzip.destroy();
    await h.close();
  }
  if (!ended) throw new VerifyFailure(`the archive is cut short after ${files} files`);
  return { FILES: files, BYTES: bytes };
}

function tarSize(header: Buffer): number | undefined {
  const field = header.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    // GNU base-256 for sizes past 8 GiB.
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = field
    .toString("latin1")
    .replace(/[\0 ]+$/g, "")
    .trim();
  if (!/^[0-7]*$/.test(text)) return undefined;
  return text === "" ? 0 : parseInt(text, 8);
}

function tarChecksumOk(header: Buffer): boolean {
  const stored = parseInt(
    header
      .subarray(148, 156)
      .toString("latin1")
      .replace(/[\0 ]+$/g, "")
      .trim(),
    8,
  );
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === stored;
}
