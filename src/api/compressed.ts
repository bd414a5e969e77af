import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { ApiContext, Reply } from "./router.ts";

const gzipAsync = promisify(gzip);
/** Below this a body goes as it is: compressing it costs more than it saves. */
const minBytes = 8 * 1024;

/** Whether a body of `size` bytes goes gzipped: the client accepts it, and it is worth compressing. */
export function gzipWanted(c: ApiContext, size: number): boolean {
  return size >= minBytes && /\bgzip\b/i.test(c.req.header("accept-encoding") ?? "");
}

/**
 * The text of frozen objects and arrays, kept while they live. A producer freezes what it will never
 * change, nested values included (the overview's per-target entries): the dashboard's overview of
 * 2,000 targets, 470 KB, was one `JSON.stringify` per request (20–80 ms on a busy machine), and now
 * only the entries that changed since the last request are serialised.
 */
const frozenText = new WeakMap<object, string>();
/** Levels below the top whose objects and arrays are looked at for frozen ones; deeper is plain. */
const reuseDepth = 2;

/** `JSON.stringify(value)`, reusing the text of frozen objects in the top levels. */
export function jsonText(value: unknown, depth = 0): string | undefined {
  if (
    value === null ||
    typeof value !== "object" ||
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    return JSON.stringify(value);
  }
  const frozen = Object.isFrozen(value);
  const known = frozen ? frozenText.get(value) : undefined;
  if (known !== undefined) return known;
  let text: string;
  if (depth >= reuseDepth) text = JSON.stringify(value);
  // Array.from, not map: a hole is `null`, as JSON.stringify writes it.
  else if (Array.isArray(value))
    text = `[${Array.from(value, (v) => jsonText(v, depth + 1) ?? "null").join(",")}]`;
  else {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const t = jsonText(v, depth + 1);
      if (t !== undefined) parts.push(`${JSON.stringify(k)}:${t}`);
    }
    text = `{${parts.join(",")}}`;
  }
  if (frozen) frozenText.set(value, text);
  return text;
}

/**
 * JSON, gzipped when the client accepts it and the body is large: the dashboard's overview of 1,000
 * targets is ~400 KB as text and ~10x smaller compressed. Compressed off the event loop (zlib's pool).
 */
export async function compressedJson(c: ApiContext, body: unknown): Promise<Reply> {
  const text = jsonText(body) ?? "null";
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=UTF-8",
    vary: "Accept-Encoding",
  };
  if (!gzipWanted(c, text.length)) return c.body(text, 200, headers);
  const zipped = await gzipAsync(text);
  return c.body(new Uint8Array(zipped), 200, { ...headers, "content-encoding": "gzip" });
}
