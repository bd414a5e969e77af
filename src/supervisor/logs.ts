/**
 * Service output goes straight into `<data_dir>/logs/<service>.log`: the child writes to the file
 * itself (opened O_APPEND), so its output survives an agent crash and costs the agent nothing.
 * Size is capped by copy-and-truncate rotation (`.1` … `.keep`), which works while the child keeps
 * its descriptor open, as logrotate's copytruncate does.
 */
import fs from "node:fs";
import path from "node:path";
import { createPrivate, ensurePrivateDir, openPrivate } from "../core/safe-file.ts";

export function logFile(logDir: string, service: string): string {
  return path.join(logDir, `${service}.log`);
}

/**
 * Opens the service's log for appending; the caller passes the fd to the child and closes its copy.
 * Never through a link (core/safe-file.ts): a planted `logs/<service>.log` link would have the
 * service's output appended to whatever it points at.
 */
export function openLog(logDir: string, service: string): number {
  ensurePrivateDir(logDir);
  return openPrivate(logFile(logDir, service), "append");
}

/** Rotates when the file is past `maxBytes`. Returns true when it rotated. */
export function rotateIfNeeded(file: string, maxBytes: number, keep: number): boolean {
  let fd: number;
  try {
    fd = openPrivate(file, "update");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= maxBytes) return false;
    for (let i = keep - 1; i >= 1; i--) {
      try {
        // rename moves a name, never what a link points to.
        fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch {
        // That generation does not exist yet.
      }
    }
    if (keep >= 1) copyTo(fd, size, `${file}.1`);
    fs.ftruncateSync(fd, 0);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Copies the first `size` bytes of an open file into a fresh private file at `to` (whatever was there,
 * link or not, is replaced). Bounded by `size`: a child writing fast must not keep the copy going.
 */
function copyTo(from: number, size: number, to: string): void {
  fs.rmSync(to, { force: true });
  const out = createPrivate(to);
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let at = 0; at < size;) {
      const n = fs.readSync(from, buf, 0, Math.min(buf.length, size - at), at);
      if (n === 0) break;
      fs.writeSync(out, buf, 0, n);
      at += n;
    }
  } finally {
    fs.closeSync(out);
  }
}

/**
 * The last `n` lines of a file, reading only its tail (bounded: at most 4 MiB). Newlines are counted
 * in each chunk as it is read and the chunks decoded once: splitting all that was read after every
 * chunk took half a second over a service's long last line, and decoding chunk by chunk broke a
 * character that straddled two of them.
 */
export function tailLines(file: string, n: number): string[] {
  let fd: number;
  try {
    fd = openPrivate(file, "read");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let readFrom = size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    const chunk = 64 * 1024;
    while (readFrom > 0 && newlines <= n && size - readFrom < 4 * 1024 * 1024) {
      const start = Math.max(0, readFrom - chunk);
      const buf = Buffer.alloc(readFrom - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) newlines++;
      chunks.unshift(buf);
      readFrom = start;
    }
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-n);
  } finally {
    fs.closeSync(fd);
  }
}
