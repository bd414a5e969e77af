/**
 * HTTP for providers: one bounded request with its outcome classified the way the outbox retries
 * (`request`), and the POST most providers need (`post`, `postJson`). Error strings never hold the
 * URL: for Slack and Discord the URL is the secret.
 */
import type { Delivery } from "./provider.ts";

/** How much of an error response is kept: enough for Slack's `no_service`, not a whole HTML page. */
const snippetChars = 200;

/** At most `max` characters (code points, so an emoji is never split), ending in "…" when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** POSTs a JSON body (already serialized, so a caller can sign exactly what is sent). */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Delivery> {
  return post(url, { "content-type": "application/json", ...headers }, body, timeoutMs);
}

/**
 * POSTs `body`. Never throws. 4xx other than 408 and 429 and redirects are permanent: retrying the
 * same request gets the same answer. `Retry-After`, or on a 429 a JSON `retry_after` (Discord), sets
 * `retryAfterMs`.
 */
export async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Delivery> {
  const r = await request(url, { method: "POST", headers, body, timeoutMs, answerBytes: 0 });
  return r.ok ? { ok: true } : r.failure;
}

export interface RequestOptions {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  headers: Record<string, string>;
  body?: string | undefined;
  /** Bounds the request, answer included. */
  timeoutMs: number;
  /** A deadline shared by several requests of one delivery, instead of one per request. */
  signal?: AbortSignal;
  /** How much of a successful answer to read; more is a transient failure. 0 reads none. */
  answerBytes: number;
  /** Statuses that are worth retrying besides 408, 429 and 5xx (Notion's 409 conflict). */
  transient?: readonly number[];
  /** Turns an error body into the reason shown (an API's own error object); default: one line of it. */
  reason?: (text: string, contentType: string | null) => string;
}

/** A successful answer's status and text, or the delivery failure the request is. */
export type Answer =
  | { ok: true; status: number; text: string }
  | { ok: false; status?: number; failure: Delivery & { ok: false } };

/**
 * One bounded HTTP request, classified the way the outbox retries: what every provider that talks
 * HTTP shares. Never throws; never follows a redirect (it could carry a token or a signed body to a
 * host nobody configured); the URL is never in an error (it may be the secret). Credentials in the
 * URL, which fetch refuses, are sent as Basic auth.
 */
export async function request(url: string, o: RequestOptions): Promise<Answer> {
  const signal = o.signal ?? AbortSignal.timeout(o.timeoutMs);
  const fail = (error: string, permanent: boolean, status?: number, retryAfterMs?: number): Answer => ({
    ok: false,
    ...(status === undefined ? {} : { status }),
    failure: { ok: false, error, permanent, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  });
  try {
    const target = new URL(url);
    let headers = o.headers;
    if (target.username || target.password) {
      const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
      headers = { authorization: `Basic ${Buffer.from(user).toString("base64")}`, ...headers };
      target.username = "";
      target.password = "";
    }
    const res = await fetch(target, {
      method: o.method,
      headers,
      ...(o.body === undefined ? {} : { body: o.body }),
      redirect: "manual",
      signal,
    });
    if (res.ok) {
      const text = await bounded(res, o.answerBytes);
      if (text === undefined)
        return fail(`the answer is larger than ${o.answerBytes} bytes`, false, res.status);
      return { ok: true, status: res.status, text };
    }
    const text = (await bounded(res, errorBytes)) ?? "";
    const retryAfterMs =
      fromHeader(res.headers.get("retry-after")) ?? (res.status === 429 ? fromJson(text) : undefined);
    if (res.status >= 300 && res.status < 400)
      return fail(
        `HTTP ${res.status}: redirects are not followed; configure the final URL`,
        true,
        res.status,
      );
    const detail = (o.reason ?? plainReason)(text, res.headers.get("content-type"));
    const transient = [408, 429, ...(o.transient ?? [])].includes(res.status);
    return fail(
      `HTTP ${res.status}${detail}`,
      res.status >= 400 && res.status < 500 && !transient,
      res.status,
      retryAfterMs,
    );
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === "TimeoutError" || signal.aborted
        ? `no answer within ${o.timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return fail(withoutUrl(why, url), false);
  }
}

/** Slack answers `no_service`, Discord and ntfy a JSON reason: one line of it; an HTML page says nothing. */
function plainReason(text: string, contentType: string | null): string {
  const line = contentType?.includes("html") ? "" : oneLine(text);
  return line ? `: ${line}` : "";
}

/** An error string with the URL (as given and as URL normalises it) taken out: it may be the secret. */
function withoutUrl(text: string, url: string): string {
  let out = text.replaceAll(url, "<url>");
  try {
    out = out.replaceAll(new URL(url).href, "<url>");
  } catch {
    // Not a URL: nothing more to take out.
  }
  return out;
}

/** An error body is read up to this: a receiver's error page must not cost memory or time. */
const errorBytes = 4096;

/**
 * The body's text, at most `max` bytes read; undefined when a successful answer had more. An error
 * body is cut at `max`, and one cut short still leaves the status to classify on.
 */
async function bounded(res: Response, max: number): Promise<string | undefined> {
  const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (max > 0) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > max) {
        if (res.ok) return undefined;
        break;
      }
    }
  } catch (e) {
    if (res.ok) throw e;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .slice(0, res.ok ? undefined : max);
}

/** Retry-After in seconds; the HTTP-date form is not used by the receivers Vigil talks to. */
function fromHeader(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const s = Number(value);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s * 1000) : undefined;
}

/** Discord answers a 429 with `{"retry_after": 1.234}` in seconds, fractional. */
function fromJson(text: string): number | undefined {
  try {
    const s = (JSON.parse(text) as { retry_after?: unknown }).retry_after;
    return typeof s === "number" && Number.isFinite(s) && s > 0 ? Math.ceil(s * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** One line of at most 200 characters: enough for Slack's `no_service`, not a whole page. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > snippetChars ? `${flat.slice(0, snippetChars)}…` : flat;
}
