/**
 * Bounded reading of a file a claim names: the text is searched in chunks up to `maxReadBytes`,
 * through a handle opened without following a final symlink (the path was judged on its real
 * path, claims/paths.ts), and a read past the limit says so rather than guess.
 */
import { constants } from "node:fs";
import fs from "node:fs/promises";

/** A file's text is searched this far; past it, a text not found is UNVERIFIABLE, not FALSE. */
export const maxReadBytes = 8 * 1024 * 1024;

/** Searches the file's bytes in chunks, at most `maxReadBytes`; a text across two chunks is found. */
export async function findText(
  real: string,
  text: string,
  signal: AbortSignal,
): Promise<boolean | "too large" | "aborted" | { error: string }> {
  const needle = Buffer.from(text, "utf8");
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  try {
    const chunk = Buffer.alloc(64 * 1024 + needle.length);
    let carry = 0;
    for (let read = 0; read < maxReadBytes;) {
      if (signal.aborted) return "aborted";
      const { bytesRead } = await handle.read(chunk, carry, chunk.length - carry, read);
      if (bytesRead === 0) return false;
      read += bytesRead;
      const filled = carry + bytesRead;
      if (chunk.subarray(0, filled).includes(needle)) return true;
      carry = Math.min(needle.length - 1, filled);
      chunk.copy(chunk, 0, filled - carry, filled);
    }
    return "too large";
  } finally {
    await handle.close();
  }
}
