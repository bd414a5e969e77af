/**
 * Service output goes straight into `<data_dir>/logs/<service>.log`: the child writes to the file
 * itself (opened O_APPEND), so its output survives an agent crash and costs the agent nothing.
 * Size is capped by copy-and-truncate rotation (`.1` … `.keep`), which works while the child keeps
 * its descriptor open, as logrotate's copytruncate does.
 */
import fs from "node:fs";
import path from "node:path";

export function logFile(logDir: string, service: string): string {
  return path.join(logDir, `${service}.log`);
}

/** Opens the service's log for appending; the caller passes the fd to the child and closes its copy. */
export function openLog(logDir: string, service: string): number {
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  return fs.openSync(logFile(logDir, service), "a", 0o600);
}

/** Rotates when the file is past `maxBytes`. Returns true when it rotated. */
export function rotateIfNeeded(file: string, maxBytes: number, keep: number): boolean {
  let size = 0;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  for (let i = keep - 1; i >= 1; i--) {
    try {
      fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    } catch {
      // That generation does not exist yet.
    }
  }
  if (keep >= 1) fs.copyFileSync(file, `${file}.1`);
  fs.truncateSync(file, 0);
  return true;
}

/** The last `n` lines of a file, reading only its tail (bounded: at most 4 MiB). */
export function tailLines(file: string, n: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    let readFrom = size;
    let text = "";
    const chunk = 64 * 1024;
    while (readFrom > 0 && text.split("\n").length <= n + 1 && size - readFrom < 4 * 1024 * 1024) {
      const start = Math.max(0, readFrom - chunk);
      const buf = Buffer.alloc(readFrom - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      text = buf.toString("utf8") + text;
      readFrom = start;
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-n);
  } finally {
    fs.closeSync(fd);
  }
}
