/**
 * The API's router on a real socket, for route tests: `listen()` on 127.0.0.1 with a free port,
 * opened at the first request. Requests go out with node:http exactly as written (no
 * Accept-Encoding added, nothing decompressed), and come back as a Response of the bytes on the wire.
 */
import http from "node:http";
import { afterAll } from "vitest";
import { listen, type Listening } from "../../src/api/server.ts";
import type { Router } from "../../src/api/router.ts";

export interface ServedApi {
  /** `path` is the request's path and query (`/api/session`). */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

const open = new Set<ServedApi>();
// Every server a test file opened is closed after its tests, wherever the file built it.
afterAll(async () => {
  await Promise.all([...open].map((api) => api.close()));
});

function send(url: string, init: Parameters<ServedApi["request"]>[1] = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers ?? {} }, (res) => {
      const headers = new Headers();
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const status = res.statusCode ?? 0;
      // A stream (server-sent events) may never end: its Response is handed over once the headers are in.
      if (/^text\/event-stream/.test(res.headers["content-type"] ?? "")) {
        res.destroy();
        resolve(new Response(null, { status, headers }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body =
          status === 204 || status === 304 || init.method === "HEAD" ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, headers }));
      });
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} in 10 s`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** @example const app = serveApi(createApi(deps)); const res = await app.request("/health"); */
export function serveApi(router: Router): ServedApi {
  let served: Promise<Listening> | undefined;
  const api: ServedApi = {
    async request(path, init) {
      served ??= listen(router, "127.0.0.1", 0);
      const { url } = await served;
      return send(`${url}${path}`, init);
    },
    async close() {
      open.delete(api);
      if (served) await (await served).close();
    },
  };
  open.add(api);
  return api;
}
