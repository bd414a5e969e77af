/**
 * A file followed by position and held open, the way `tail -F` follows one: its identity (device and
 * inode, so a rename is seen), how far it is read, the bytes just before that (so a truncation that
 * was written past the position is seen too), and its lines read a bounded number at a time.
 *
 * Must not import: anything of the agent but core.
 */
import fs, { type FileHandle } from "node:fs/promises";
import path from "node:path";

/** Bytes before the position that must still be there for the file to be the one read. */
const tailBytes = 64;

export interface Identity {
  dev: number;
  ino: number;
}

export interface Line {
  /** The line without its newline. */
  bytes: Buffer;
  start: number;
  /** Where the next line starts. */
  next: number;
  /** The bytes before `next`, to be the tail once this line is handled. */
  tail: Buffer;
}

/** What one read found: complete lines, a line too long for the buffer (skipped whole), or nothing yet. */
export type Read =
  { lines: Line[] } | { overlong: { start: number; next: number; tail: Buffer } } | undefined;

export class FollowedFile {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  offset: number;
  tail: Buffer;

  private constructor(handle: FileHandle, id: Identity, offset: number, tail: Buffer) {
    this.handle = handle;
    this.dev = id.dev;
    this.ino = id.ino;
    this.offset = offset;
    this.tail = tail;
  }

  /** Opens `file` at `offset`, or at 0 when it was truncated since `tail` was read before `offset`. */
  static async open(file: string, offset: number, tail: Buffer = Buffer.alloc(0)): Promise<FollowedFile> {
    const handle = await fs.open(file, "r");
    const st = await handle.stat();
    const f = new FollowedFile(handle, st, offset, tail);
    if (await f.truncated(st.size)) f.rewind();
    return f;
  }

  is(id: Identity): boolean {
    return id.dev === this.dev && id.ino === this.ino;
  }

  /** Cut below the position, or rewritten past it: the bytes before it are not the ones read. */
  async truncated(size: number): Promise<boolean> {
    if (size < this.offset) return true;
    const n = this.tail.length;
    if (n === 0 || this.offset < n) return false;
    const now = Buffer.alloc(n);
    const { bytesRead } = await this.handle.read(now, 0, n, this.offset - n);
    return bytesRead !== n || !now.equals(this.tail);
  }

  rewind(): void {
    this.offset = 0;
    this.tail = Buffer.alloc(0);
  }

  /** Moves past a handled line (or a skipped part of one). */
  advance(to: number, tail: Buffer): void {
    this.offset = to;
    this.tail = Buffer.from(tail.subarray(Math.max(0, tail.length - tailBytes)));
  }

  /**
   * Up to `max` complete lines from the position, read into `buf` (one read); `final` takes a last
   * line without its newline (a rotated file gets no more). The lines are copies: `buf` is reused.
   */
  async read(buf: Buffer, max: number, final: boolean): Promise<Read> {
    const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
    if (bytesRead === 0) return undefined;
    const chunk = buf.subarray(0, bytesRead);
    const base = this.offset;
    if (chunk.indexOf(10) < 0) {
      if (bytesRead === buf.length) {
        return {
          overlong: { start: base, next: base + bytesRead, tail: Buffer.from(chunk.subarray(-tailBytes)) },
        };
      }
      if (!final) return undefined;
    }
    const lines: Line[] = [];
    let from = 0;
    while (from < bytesRead && lines.length < max) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0 && !final) break;
      const end = nl < 0 ? bytesRead : nl;
      const next = nl < 0 ? bytesRead : nl + 1;
      lines.push({
        bytes: Buffer.from(chunk.subarray(from, end)),
        start: base + from,
        next: base + next,
        tail: Buffer.from(chunk.subarray(Math.max(0, next - tailBytes), next)),
      });
      from = next;
    }
    return { lines };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A regular file's identity and size, or undefined when there is none at `file`. */
export async function statOf(file: string): Promise<(Identity & { size: number }) | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The renamed file among the first 1,000 entries of its folder (`claims.jsonl.1`), by identity. */
export async function findByIdentity(dir: string, id: Identity): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).slice(0, 1000);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const st = await statOf(path.join(dir, name)).catch(() => undefined);
    if (st && st.dev === id.dev && st.ino === id.ino) return path.join(dir, name);
  }
  return undefined;
}
