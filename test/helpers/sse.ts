/** A server-sent-events reader over fetch, for tests: frames parsed as they arrive, read until a predicate holds. */

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  /** A comment line (`: keepalive`), when the frame is only that. */
  comment?: string;
}

export interface SseConnection {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  /** Reads until `until(frames)` holds, the stream ends, or `timeoutMs` passes; resolves whether it ended. */
  readUntil(until: (frames: SseFrame[]) => boolean, timeoutMs?: number): Promise<{ ended: boolean }>;
  close(): void;
}

function parse(block: string): SseFrame {
  const f: SseFrame = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) f.comment = line.slice(1).trim();
    const m = /^(id|event|data): ?(.*)$/.exec(line);
    if (m) f[m[1] as "id" | "event" | "data"] = m[2];
  }
  return f;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const frames: SseFrame[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  let pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]> | undefined;
  return {
    status: res.status,
    headers: res.headers,
    frames,
    async readUntil(until, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ended && !until(frames)) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`SSE: condition not met in ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`);
        let timer: NodeJS.Timeout | undefined;
        // A read outlives a timeout: it is kept for the next call, so no chunk is ever lost.
        if (!pending) {
          pending = reader.read();
          pending.catch(() => undefined);
        }
        const r = await Promise.race([
          pending,
          new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left))),
        ]).finally(() => clearTimeout(timer));
        if (r === "timeout") continue;
        pending = undefined;
        if (r.done) {
          ended = true;
          break;
        }
        buffer += decoder.decode(r.value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          frames.push(parse(buffer.slice(0, cut)));
          buffer = buffer.slice(cut + 2);
        }
      }
      return { ended };
    },
    close: () => ac.abort(),
  };
}
