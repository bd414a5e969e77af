/**
 * Routing on node:http: a table of method + path patterns (`/api/targets/:name`), one context per
 * request, and replies written back with backpressure. Handlers return a plain `Reply`, never a
 * Web `Response`: the API answers ~40 fixed paths, and a Fetch-style framework would keep undici,
 * the web streams and http2 resident in the daemon for it (hono's Node adapter did: BENCHMARKS.md).
 *
 * Owns: matching, request parsing (path, query, headers, cookies, bounded body), writing replies.
 * Must not import: anything of the agent; auth and error shape are the server's (server.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { VigilError } from "../core/errors.ts";
import type { Principal } from "./auth.ts";

/** A body the server writes: whole, or streamed (server-sent events, the audit export). */
export type ReplyBody = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<string> | undefined;

/** What a handler answers: written by the router, so no handler touches the socket. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: ReplyBody;
}

export interface CookieOptions {
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "Strict" | "Lax";
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number;
}

/** The request as a handler reads it. */
export class RequestView {
  readonly raw: IncomingMessage;
  readonly path: string;
  readonly #params: Record<string, string>;
  readonly #query: URLSearchParams;
  readonly #maxBody: number;
  #text: Promise<string> | undefined;

  constructor(
    raw: IncomingMessage,
    path: string,
    query: URLSearchParams,
    params: Record<string, string>,
    maxBody: number,
  ) {
    this.raw = raw;
    this.path = path;
    this.#query = query;
    this.#params = params;
    this.#maxBody = maxBody;
  }

  get method(): string {
    return this.raw.method ?? "GET";
  }

  /** A path parameter (`:name`), percent-decoded. */
  param(name: string): string | undefined {
    return this.#params[name];
  }

  /** The first value of a query parameter. */
  query(name: string): string | undefined {
    return this.#query.get(name) ?? undefined;
  }

  /** A request header by any case; repeated ones joined as HTTP joins them. */
  header(name: string): string | undefined {
    const v = this.raw.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(", ") : v;
  }

  cookie(name: string): string | undefined {
    for (const pair of (this.header("cookie") ?? "").split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      try {
        return decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** The body as text, read once, at most the server's limit (PAYLOAD_TOO_LARGE past it). */
  text(): Promise<string> {
    this.#text ??= readBody(this.raw, this.#maxBody);
    return this.#text;
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new VigilError("PAYLOAD_TOO_LARGE", `the body is over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One request: what handlers read, and the headers they add to whatever they answer. */
export class ApiContext {
  /** Who is calling; set by authentication before the handler runs. */
  principal: Principal | undefined;
  readonly req: RequestView;
  readonly #headers: Record<string, string | string[]> = {};

  constructor(req: RequestView) {
    this.req = req;
  }

  header(name: string, value: string): void {
    this.#headers[name.toLowerCase()] = value;
  }

  setCookie(name: string, value: string, opts: CookieOptions): void {
    const parts = [`${name}=${encodeURIComponent(value)}`];
    if (opts.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(opts.maxAge)}`);
    if (opts.path) parts.push(`Path=${opts.path}`);
    if (opts.httpOnly) parts.push("HttpOnly");
    if (opts.secure) parts.push("Secure");
    if (opts.sameSite) parts.push(`SameSite=${opts.sameSite}`);
    const prior = this.#headers["set-cookie"];
    this.#headers["set-cookie"] = [...(Array.isArray(prior) ? prior : []), parts.join("; ")];
  }

  deleteCookie(name: string, opts: CookieOptions): void {
    this.setCookie(name, "", { ...opts, maxAge: 0 });
  }

  json(value: unknown, status = 200): Reply {
    return this.body(JSON.stringify(value), status, { "content-type": "application/json" });
  }

  html(text: string, status = 200, headers: Record<string, string> = {}): Reply {
    return this.body(text, status, { "content-type": "text/html; charset=UTF-8", ...headers });
  }

  body(body: ReplyBody, status = 200, headers: Record<string, string> = {}): Reply {
    return { status, headers: { ...this.#headers, ...lowerKeys(headers) }, body };
  }
}

const lowerKeys = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

export type Handler = (c: ApiContext) => Reply | Promise<Reply>;

export interface RouterOptions {
  maxBodyBytes: number;
  /** Turns anything a handler throws into the reply the client gets. */
  onError(e: unknown, c: ApiContext): Reply;
  notFound(c: ApiContext): Reply;
}

/** A route that fits a request, with its path parameters. */
interface Match {
  handler: Handler;
  params: Record<string, string>;
}

interface Compiled {
  method: string;
  /** A literal segment, or `:name` for a parameter. */
  segments: string[];
  handler: Handler;
}

/**
 * @example
 * const router = new Router({ maxBodyBytes: 1e5, onError: ..., notFound: ... });
 * router.add("GET", "/api/targets/:name", (c) => c.json({ name: c.req.param("name") }));
 * http.createServer(router.listener).listen(7070, "127.0.0.1");
 */
export class Router {
  readonly #routes: Compiled[] = [];
  readonly #opts: RouterOptions;

  constructor(opts: RouterOptions) {
    this.#opts = opts;
  }

  add(method: string, path: string, handler: Handler): void {
    this.#routes.push({ method, segments: path.split("/"), handler });
  }

  /** The node:http request listener. It settles every request itself, so nothing is left floating. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#serve(req, res);
  };

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
    // HEAD is GET without the body, as HTTP says.
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    let found: Match | undefined;
    let failure: unknown;
    try {
      found = this.#match(method, path.split("/"));
    } catch (e) {
      failure = e;
    }
    const c = new ApiContext(new RequestView(req, path, query, found?.params ?? {}, this.#opts.maxBodyBytes));
    let reply: Reply;
    try {
      if (failure !== undefined) throw failure as Error;
      reply = found ? await found.handler(c) : this.#opts.notFound(c);
    } catch (e) {
      reply = this.#opts.onError(e, c);
    }
    try {
      await writeReply(res, reply, req.method === "HEAD");
    } catch {
      res.destroy();
    }
  }

  /** The first route registered for the method whose segments fit; throws BAD_REQUEST on a malformed escape. */
  #match(method: string, segments: string[]): Match | undefined {
    next: for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const want = route.segments[i]!;
        const got = decodeSegment(segments[i]!);
        if (want.startsWith(":")) params[want.slice(1)] = got;
        else if (want !== got) continue next;
      }
      return { handler: route.handler, params };
    }
    return undefined;
  }
}

function decodeSegment(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new VigilError("BAD_REQUEST", "the path has a malformed percent-escape");
  }
}

const isStream = (b: ReplyBody): b is ReadableStream<Uint8Array> =>
  typeof (b as ReadableStream | undefined)?.getReader === "function";

async function writeReply(res: ServerResponse, reply: Reply, head: boolean): Promise<void> {
  const { body } = reply;
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array) {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(reply.status, { ...reply.headers, "content-length": bytes?.byteLength ?? 0 });
    res.end(head ? undefined : bytes);
    return;
  }
  res.writeHead(reply.status, reply.headers);
  // Sent now, not with the first chunk: an event stream may wait minutes for its first event.
  res.flushHeaders();
  if (isStream(body)) await pipeStream(res, body, head);
  else await pipeIterable(res, body, head);
}

/** Resolves once the socket takes more, or is gone (a destroyed socket never drains). */
const drained = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });

/** A web stream (the event stream), cancelled as soon as the client goes, even mid-wait for an event. */
async function pipeStream(
  res: ServerResponse,
  body: ReadableStream<Uint8Array>,
  head: boolean,
): Promise<void> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  if (head) {
    cancel();
    res.end();
    return;
  }
  res.once("close", cancel);
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done || res.destroyed) break;
      if (!res.write(chunk.value)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } finally {
    res.off("close", cancel);
  }
}

async function pipeIterable(res: ServerResponse, body: AsyncIterable<string>, head: boolean): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  try {
    while (!head && !res.destroyed) {
      const chunk: IteratorResult<string, unknown> = await it.next();
      if (chunk.done) break;
      if (!res.write(chunk.value)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } finally {
    await it.return?.();
  }
}
