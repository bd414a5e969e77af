/**
 * A backup folder's contents as the backup action writes them: each dump `backup-<time>.<ext>` has a
 * manifest `<dump>.manifest.json` beside it with its size, SHA-256 and verify result. Nothing here
 * follows a symbolic link or reads an unbounded file; what the folder holds besides these names is
 * none of Vigil's business and is never listed, rotated or deleted.
 *
 * Owns: naming, reading and writing manifests, and checksums. Imports only core.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createPrivate, writePrivate } from "../core/safe-file.ts";

export type SourceKind = "postgres" | "sqlite" | "paths";

export const extensions: Record<SourceKind, string> = {
  postgres: "pgdump",
  sqlite: "sqlite",
  paths: "tar.gz",
};

/** What the restore test found; a backup is good only when this is present and `ok`. */
export interface VerifyRecord {
  ok: boolean;
  at: number;
  duration_ms: number;
  /** The file's SHA-256 matched the manifest when it was read back for the restore. */
  checksum_ok: boolean;
  /** What was judged: `[ROWS] [VALUE]` of the query, `[FILES] [BYTES]` of an archive. */
  values?: Record<string, unknown>;
  /** Each condition with Gatus's explanation. */
  results?: { ok: boolean; text: string; explanation: string }[];
  error?: string;
}

export interface Manifest {
  vigil_backup: 1;
  file: string;
  source: SourceKind;
  /** Where from, without any password: a database name and host, a path, the folders. */
  from: string;
  created_at: number;
  size: number;
  /** The dump's mtime when written: a dump rewritten since (in place, same size) is not good. */
  mtime_ms: number;
  sha256: string;
  /** What the dump program said on success (tar's "file changed as we read it"). */
  warnings?: string;
  /** The dump failed and there is no file: why. Recorded so that a failing nightly run is seen. */
  failed?: string;
  verify: VerifyRecord | null;
}

export interface BackupEntry {
  file: string;
  manifest: Manifest | undefined;
  /** Why the dump is not good: unverified, verify failed, file gone, manifest unreadable. */
  problem: string | undefined;
  good: boolean;
  created_at: number;
  size: number;
}

const dumpName = /^backup-(\d{8}T\d{9}Z)\.(pgdump|sqlite|tar\.gz)$/;
const manifestSuffix = ".manifest.json";
/** Names a run uses while it works; what a crashed run left is removed by the next one. */
export const tempPrefix = ".vigil-backup-";
const maxManifestBytes = 256 * 1024;
/** A folder with more entries than this is not a backup folder Vigil keeps; listing stops there. */
const maxEntries = 20_000;

/** `backup-20261206T023000123Z.pgdump`: sortable, one per millisecond. */
export function dumpFileName(at: number, source: SourceKind): string {
  const stamp = new Date(at).toISOString().replace(/[-:.]/g, "");
  return `backup-${stamp}.${extensions[source]}`;
}

export const manifestName = (dump: string) => `${dump}${manifestSuffix}`;

export function isDumpName(name: string): boolean {
  return dumpName.test(name);
}

function isManifestName(name: string): boolean {
  return name.endsWith(manifestSuffix) && isDumpName(name.slice(0, -manifestSuffix.length));
}

/** When a dump's name says it was made, for a dump whose manifest is missing. */
function stampOf(name: string): number {
  const s = dumpName.exec(name)?.[1] ?? "";
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

/** Opens a file of the backup folder for reading, never through a link; throws ELOOP on one. */
export async function openNoFollow(file: string): Promise<fs.promises.FileHandle> {
  const h = await fs.promises.open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  const st = await h.stat();
  if (!st.isFile()) {
    await h.close();
    throw Object.assign(new Error(`${file} is not a regular file`), { code: "EINVAL" });
  }
  return h;
}

/** SHA-256 of a file, read without following a link; aborted by `signal`. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const h = await openNoFollow(file);
  try {
    const hash = createHash("sha256");
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await h.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest("hex");
  } finally {
    await h.close();
  }
}

/** fsync of a file written by another program (pg_dump, tar), through a descriptor that follows no link. */
export async function fsyncFile(file: string): Promise<{ size: number; mtimeMs: number }> {
  const h = await openNoFollow(file);
  try {
    await h.sync();
    const st = await h.stat();
    return { size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    await h.close();
  }
}

/** fsync of a folder so that a rename in it survives a power cut; best effort. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, O_RDONLY).catch(() => undefined);
  try {
    await h?.sync();
  } catch {
    // A filesystem without directory fsync: the rename still happened.
  } finally {
    await h?.close();
  }
}

/** An empty private file (0600, O_EXCL, never a link) for a dump program to write into. */
export function createEmpty(file: string): void {
  fs.closeSync(createPrivate(file));
}

/** Writes a manifest atomically (temp name, fsync, rename), 0600. */
export function writeManifest(dir: string, m: Manifest): void {
  writePrivate(path.join(dir, manifestName(m.file)), `${JSON.stringify(m, null, 2)}\n`);
}

async function readManifest(file: string): Promise<Manifest> {
  const h = await openNoFollow(file);
  try {
    const st = await h.stat();
    if (st.size > maxManifestBytes) throw new Error(`larger than ${maxManifestBytes} bytes`);
    const m = JSON.parse(await h.readFile("utf8")) as Manifest;
    if (m?.vigil_backup !== 1 || typeof m.file !== "string" || typeof m.sha256 !== "string")
      throw new Error("not a Vigil backup manifest");
    return m;
  } finally {
    await h.close();
  }
}

/**
 * Every dump of the folder with its manifest, newest first. A dump is good when its manifest says
 * it was verified, its file is there as a plain file and its size is still the one recorded.
 */
export async function listBackups(dir: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    const d = await fs.promises.opendir(dir);
    names = [];
    for await (const e of d) {
      if (names.length >= maxEntries) break;
      if (e.isFile() && (isDumpName(e.name) || isManifestName(e.name))) names.push(e.name);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const dumps = new Set(names.filter(isDumpName));
  const manifests = new Set(names.filter(isManifestName).map((n) => n.slice(0, -manifestSuffix.length)));
  const entries: BackupEntry[] = [];
  for (const file of new Set([...dumps, ...manifests])) {
    let manifest: Manifest | undefined;
    let problem: string | undefined;
    if (manifests.has(file)) {
      try {
        manifest = await readManifest(path.join(dir, manifestName(file)));
        if (manifest.file !== file) problem = `its manifest names another file (${manifest.file})`;
      } catch (e) {
        problem = `its manifest cannot be read: ${(e as Error).message}`;
      }
    } else problem = "no manifest: the run that wrote it did not finish";
    let size = manifest?.size ?? 0;
    if (!problem && manifest?.failed !== undefined) problem = `the dump failed: ${manifest.failed}`;
    if (!problem) {
      const st = await fs.promises.lstat(path.join(dir, file)).catch(() => undefined);
      if (!st?.isFile()) problem = "the dump file is missing";
      else if (st.size !== manifest?.size)
        problem = `the dump changed since it was written: ${st.size} bytes, the manifest says ${manifest?.size}`;
      else if (st.mtimeMs !== manifest.mtime_ms)
        problem = `the dump was rewritten since it was made (modified ${new Date(st.mtimeMs).toISOString()})`;
      else size = st.size;
    }
    if (!problem && manifest) {
      if (!manifest.verify) problem = "not verified";
      else if (!manifest.verify.ok)
        problem = `verify failed: ${manifest.verify.error ?? failedConditions(manifest.verify)}`;
    }
    entries.push({
      file,
      manifest,
      problem,
      good: problem === undefined,
      created_at: manifest?.created_at ?? stampOf(file),
      size,
    });
  }
  return entries.sort((a, b) => b.created_at - a.created_at || (a.file < b.file ? 1 : -1));
}

function failedConditions(v: VerifyRecord): string {
  const failed = (v.results ?? []).filter((r) => !r.ok).map((r) => r.explanation);
  return failed.length > 0 ? failed.join("; ") : "no reason recorded";
}

/** One backup as `GET /api/backups` and `vigil backups` show it. */
export interface BackupRow {
  file: string;
  created_at: number;
  size: number;
  sha256: string | null;
  good: boolean;
  /** Why it is not good. */
  problem: string | null;
  verify: VerifyRecord | null;
  warnings?: string;
}

/** A backup action's folder and its backups, newest first. */
export interface BackupsView {
  action: string;
  to: string;
  /** The built-in check that watches it. */
  check: string;
  backups: BackupRow[];
}

export function backupRow(e: BackupEntry): BackupRow {
  return {
    file: e.file,
    created_at: e.created_at,
    size: e.size,
    sha256: e.manifest?.sha256 || null,
    good: e.good,
    problem: e.problem ?? null,
    verify: e.manifest?.verify ?? null,
    ...(e.manifest?.warnings ? { warnings: e.manifest.warnings } : {}),
  };
}
