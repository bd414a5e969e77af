/**
 * One backup run: dump to a temporary name, fsync, SHA-256 into a manifest beside it, rename; then
 * the restore test, recorded on the manifest; then rotation, only after a good run. A dump that fails
 * is removed and changes nothing else; a bad one (its restore test failed) stays for a person to
 * look at, and only the newest bad one does. The folder is 0700, every file 0600, and no name in it
 * is opened through a link.
 *
 * Owns: the order of a run. Must not import: api, cli, app.
 */
import fs from "node:fs";
import path from "node:path";
import type { Condition } from "../conditions/index.ts";
import { describeSource, type Source, sourceKind, writeDump } from "./dump.ts";
import {
  createEmpty,
  dumpFileName,
  fsyncDir,
  fsyncFile,
  listBackups,
  type Manifest,
  sha256File,
  tempPrefix,
  type VerifyRecord,
  writeManifest,
} from "./manifest.ts";
import { dropOlderBad, type Keep, rotate } from "./rotate.ts";
import { verifyDump } from "./verify.ts";

export interface BackupSettings {
  source: Source;
  to: string;
  keep: Keep;
  verify: { query?: string | undefined; expect: string[]; timeout: number };
}

export interface BackupOutcome {
  ok: boolean;
  /** The new dump, when one was written. */
  file?: string;
  size?: number;
  sha256?: string;
  verify?: VerifyRecord;
  /** Dumps rotation removed. */
  removed: string[];
  warnings?: string;
  error?: string;
}

export interface BackupContext {
  now(): number;
  signal: AbortSignal;
  /** The action's timeout: the dump and the restore test share it. */
  timeoutMs: number;
}

/** Folders a run of this agent is writing into: two runs into one folder would rotate each other. */
const busy = new Set<string>();

export async function runBackup(
  cfg: BackupSettings,
  conditions: readonly Condition[],
  ctx: BackupContext,
): Promise<BackupOutcome> {
  // Before anything is touched: a stopping agent starts no dump.
  if (ctx.signal.aborted)
    return { ok: false, removed: [], error: "the agent is stopping; no backup was made" };
  if (busy.has(cfg.to))
    return {
      ok: false,
      removed: [],
      error: `a backup into ${cfg.to} is already running; this run did nothing`,
    };
  busy.add(cfg.to);
  try {
    return await run(cfg, conditions, ctx);
  } catch (e) {
    return { ok: false, removed: [], error: (e as Error).message };
  } finally {
    busy.delete(cfg.to);
  }
}

async function run(
  cfg: BackupSettings,
  conditions: readonly Condition[],
  ctx: BackupContext,
): Promise<BackupOutcome> {
  const deadline = performance.now() + ctx.timeoutMs;
  const left = () => Math.max(1_000, Math.round(deadline - performance.now()));
  await ensureBackupDir(cfg.to);
  await removeLeftovers(cfg.to);

  const kind = sourceKind(cfg.source);
  const createdAt = ctx.now();
  const file = dumpFileName(createdAt, kind);
  const tmp = path.join(cfg.to, `${tempPrefix}${file}`);
  createEmpty(tmp);
  let manifest: Manifest;
  try {
    const dumped = await writeDump(cfg.source, tmp, { timeoutMs: left(), signal: ctx.signal });
    if (!dumped.ok) throw new Error(dumped.error ?? "the dump failed");
    const { size, mtimeMs } = await fsyncFile(tmp);
    if (size === 0) throw new Error("the dump is empty");
    manifest = {
      vigil_backup: 1,
      file,
      source: kind,
      from: describeSource(cfg.source),
      created_at: createdAt,
      size,
      mtime_ms: mtimeMs,
      sha256: await sha256File(tmp, ctx.signal),
      ...(dumped.warnings ? { warnings: dumped.warnings } : {}),
      verify: null,
    };
    writeManifest(cfg.to, manifest);
    await fs.promises.rename(tmp, path.join(cfg.to, file));
    await fsyncDir(cfg.to);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    const error = (e as Error).message;
    await recordFailure(cfg, file, createdAt, error);
    return { ok: false, removed: [], error: `${error}; the previous backups are untouched` };
  }

  const verify = await verifyDump(
    cfg.to,
    manifest,
    cfg.source,
    { query: cfg.verify.query, conditions, queryTimeoutMs: cfg.verify.timeout },
    { timeoutMs: left(), signal: ctx.signal, now: () => ctx.now() },
  );
  manifest.verify = verify;
  writeManifest(cfg.to, manifest);

  const entries = await listBackups(cfg.to);
  const removed = verify.ok ? await rotate(cfg.to, entries, cfg.keep) : [];
  if (!verify.ok) await dropOlderBad(cfg.to, entries, file);
  await fsyncDir(cfg.to);
  return {
    ok: verify.ok,
    file,
    size: manifest.size,
    sha256: manifest.sha256,
    verify,
    removed,
    ...(manifest.warnings ? { warnings: manifest.warnings } : {}),
    ...(verify.ok ? {} : { error: `the backup did not verify: ${verifyProblem(verify)}` }),
  };
}

/** A manifest without a dump, saying why, so that `vigil backups` and the check show the failed run. */
async function recordFailure(
  cfg: BackupSettings,
  file: string,
  createdAt: number,
  error: string,
): Promise<void> {
  try {
    writeManifest(cfg.to, {
      vigil_backup: 1,
      file,
      source: sourceKind(cfg.source),
      from: describeSource(cfg.source),
      created_at: createdAt,
      size: 0,
      mtime_ms: 0,
      sha256: "",
      failed: error.slice(0, 2_000),
      verify: null,
    });
    await dropOlderBad(cfg.to, await listBackups(cfg.to), file);
  } catch {
    // The run has failed already; its result says why.
  }
}

function verifyProblem(v: VerifyRecord): string {
  if (v.error) return v.error;
  return (v.results ?? [])
    .filter((r) => !r.ok)
    .map((r) => r.explanation)
    .join("; ");
}

const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY } = fs.constants;

/** The backup folder: created 0700 (its parents as the umask says), refused when it is a link. */
async function ensureBackupDir(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  let h: fs.promises.FileHandle;
  try {
    h = await fs.promises.open(dir, O_RDONLY | O_NOFOLLOW | O_DIRECTORY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "ENOTDIR")
      throw new Error(
        `${dir} is a symbolic link or not a folder; Vigil writes backups only into a real folder`,
      );
    throw e;
  }
  try {
    const st = await h.stat();
    const uid = process.geteuid?.() ?? -1;
    if (uid >= 0 && st.uid !== uid)
      throw new Error(
        `${dir} belongs to uid ${st.uid}, not to the agent's user; give the agent its own folder`,
      );
    if ((st.mode & 0o777) !== 0o700) await h.chmod(0o700);
  } finally {
    await h.close();
  }
}

/** What a run that crashed left under a temporary name (its dump, a verify copy). */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) {
    if (name.startsWith(tempPrefix)) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}
