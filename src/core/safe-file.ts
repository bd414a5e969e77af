/**
 * Files the agent keeps in `agent.data_dir` (the admin token, the capability key, service logs, the
 * database), opened so that nothing planted there can redirect them: a symbolic link is never
 * followed, a file that is not a plain file of this user with one name is refused, and what the
 * agent creates is private (0600, folders 0700). Without this, a link named `admin.token` made its
 * target the admin token (and chmodded it), and a link named `logs/api.log` had service output
 * appended wherever it pointed. Every refusal names the path and the fix.
 *
 * Owns: opening data_dir files safely. Imports only core.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { VigilError } from "./errors.ts";

/** What every file the agent keeps is chmodded to: only this user reads it. */
export const privateFileMode = 0o600;
export const privateDirMode = 0o700;

const { O_RDONLY, O_RDWR, O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } =
  fs.constants;

/**
 * O_NONBLOCK so that opening a planted FIFO fails or returns at once instead of hanging the agent
 * (the fstat check then refuses it); on a regular file Linux ignores the flag.
 */
const flagsFor = {
  read: O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
  update: O_RDWR | O_NOFOLLOW | O_NONBLOCK,
  append: O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK,
};

function unsafe(file: string, what: string): VigilError {
  return new VigilError(
    "DATA_DIR_UNSAFE",
    `${file} ${what}; Vigil never follows a link or shares a file it keeps in agent.data_dir: remove it (the agent creates its own)`,
  );
}

/** Why an open failed, as a refusal when the path was a link; other errors unchanged. */
function refusalOf(file: string, e: unknown): unknown {
  return (e as NodeJS.ErrnoException).code === "ELOOP" ? unsafe(file, "is a symbolic link") : e;
}

const euid = () => process.geteuid?.() ?? -1;

/** Checks an open descriptor is a plain file of this user with no other name, and makes it private. */
function checkOpened(fd: number, file: string): void {
  const st = fs.fstatSync(fd);
  let problem: string | undefined;
  if (!st.isFile()) problem = "is not a regular file";
  else if (euid() >= 0 && st.uid !== euid()) problem = `belongs to uid ${st.uid}, not to the agent's user`;
  // A hard link to another file would have it written (or read) through this name.
  else if (st.nlink > 1) problem = `has ${st.nlink} names (hard links)`;
  if (problem) {
    fs.closeSync(fd);
    throw unsafe(file, problem);
  }
  if ((st.mode & 0o777) !== privateFileMode) fs.fchmodSync(fd, privateFileMode);
}

/**
 * Opens a data_dir file without following a link: `append` creates it if need be, `read` only reads,
 * `update` reads and writes an existing one; either way the file is made 0600 (files of an older version may be 0644). Throws DATA_DIR_UNSAFE naming the path when it is not a plain file of
 * this user; other errors (ENOENT when reading, ENOSPC ...) as `fs` throws them.
 * @example const fd = openPrivate("/var/lib/vigil/logs/api.log", "append");
 */
export function openPrivate(file: string, how: keyof typeof flagsFor): number {
  let fd: number;
  try {
    fd = fs.openSync(file, flagsFor[how], privateFileMode);
  } catch (e) {
    throw refusalOf(file, e);
  }
  checkOpened(fd, file);
  return fd;
}

/** Creates a file that must not exist yet (O_EXCL, so never through a link), mode 0600, for writing. */
export function createPrivate(file: string): number {
  try {
    const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, privateFileMode);
    // The mode passed to open is filtered by the umask; the file is private whatever the umask.
    fs.fchmodSync(fd, privateFileMode);
    return fd;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      let link = false;
      try {
        link = fs.lstatSync(file).isSymbolicLink();
      } catch {
        // Gone again: report it as it was.
      }
      throw link ? unsafe(file, "is a symbolic link") : e;
    }
    throw refusalOf(file, e);
  }
}

/** A data_dir file's text, or undefined when there is none; an existing one is made 0600. */
export function readPrivate(file: string): string | undefined {
  let fd: number;
  try {
    fd = openPrivate(file, "read");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces a data_dir file's content atomically: written and fsynced under a fresh temp name (O_EXCL,
 * 0600), then renamed over it. A rename replaces a link itself, never what it points to, and a crash
 * leaves the old content or the new, never half of it.
 */
export function writePrivate(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = createPrivate(tmp);
  try {
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(path.dirname(file));
}

/**
 * Makes an existing data_dir file private (0600) after checking it is a plain file of this user, for
 * files another program creates there (SQLite's database, -wal, -shm). False when it does not exist.
 */
export function securePrivate(file: string): boolean {
  try {
    fs.closeSync(openPrivate(file, "read"));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}

/** True when `file` exists as a symbolic link (a planted name the agent must not open). */
export function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A folder of the agent's own inside data_dir (`logs/`): created 0700, refused when it is a link. */
export function ensurePrivateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: privateDirMode });
  } catch (e) {
    // A file under that name: the open below says so.
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  let fd: number;
  try {
    fd = fs.openSync(dir, O_RDONLY | O_NOFOLLOW | O_DIRECTORY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // With O_DIRECTORY, Linux reports a link to a folder as ENOTDIR.
    if (code === "ELOOP" || isLink(dir)) throw unsafe(dir, "is a symbolic link");
    if (code === "ENOTDIR") throw unsafe(dir, "is not a folder");
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (euid() >= 0 && st.uid !== euid())
      throw unsafe(dir, `belongs to uid ${st.uid}, not to the agent's user`);
    if ((st.mode & 0o777) !== privateDirMode) fs.fchmodSync(fd, privateDirMode);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync of a folder, so a rename in it survives a power cut; best effort (not every fs allows it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, O_RDONLY);
    fs.fsyncSync(fd);
  } catch {
    // A filesystem without directory fsync: the rename still happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
