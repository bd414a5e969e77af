/**
 * One HTTP POST with its outcome classified the way the outbox retries, shared by every provider that
 * talks HTTP. Error strings never hold the URL: for Slack and Discord the URL is the secret.
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
  try {
    const target = new URL(url);
    // fetch refuses a URL with credentials (quoting it whole in its error); send them as Basic auth.
    if (target.username || target.password) {
      const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
      headers = { authorization: `Basic ${Buffer.from(user).toString("base64")}`, ...headers };
      target.username = "";
      target.password = "";
    }
    const res = await fetch(target, {
      method: "POST",
      headers,
      body,
      // A redirect could carry the body (and its signature) to a host nobody configured.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: true };
    }
    const text = await head(res);
    const retryAfterMs =
      fromHeader(res.headers.get("retry-after")) ?? (res.status === 429 ? fromJson(text) : undefined);
    const redirect = res.status >= 300 && res.status < 400;
    // Slack answers `no_service`, Discord and ntfy a JSON reason; an HTML error page says nothing.
    let detail = res.headers.get("content-type")?.includes("html") ? "" : oneLine(text);
    if (redirect) detail = "redirects are not followed; configure the final URL";
    return {
      ok: false,
      error: `HTTP ${res.status}${detail ? `: ${detail}` : ""}`,
      permanent:
        redirect || (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { ok: false, error: withoutUrl(why, url), permanent: false };
  }
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

/** The first few KB of the body at most: a receiver's error page must not cost memory or time. */
async function head(res: Response): Promise<string> {
  const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 4096) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves the status to classify on.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString("utf8");
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

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > snippetChars ? `${flat.slice(0, snippetChars)}…` : flat;
}
