/**
 * Reads an engine answer up to a size bound (what is over it is cut, and `truncated` says so),
 * ending early when the caller's signal aborts: no answer, however large or slow, can hold the
 * agent's memory or its time.
 */
import type { IncomingMessage } from "node:http";

export async function readBounded(
  res: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const done = (err?: unknown, truncated = false) => {
      signal.removeEventListener("abort", onAbort);
      if (err !== undefined) {
        res.destroy();
        reject(err instanceof Error ? err : new Error("aborted"));
      } else {
        if (truncated) res.destroy();
        resolve({ body: Buffer.concat(chunks), truncated });
      }
    };
    const onAbort = () => done(signal.reason ?? new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    res.on("data", (chunk: Buffer) => {
      if (size + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        size = maxBytes;
        res.removeAllListeners("data");
        return done(undefined, true);
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.once("end", () => done());
    res.once("error", (e) => done(e));
  });
}
