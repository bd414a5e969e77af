/**
 * `http` actions: one request, built from the declaration. A parameter enters the URL only
 * percent-encoded and the body only as JSON-string content, so a value cannot add a path segment, a
 * query key or a JSON field. Headers take no parameters. The response body is capped; a 2xx answer
 * is success.
 */
import { defineActionKind } from "../action-kind.ts";

interface HttpDecl {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

interface HttpOutcome {
  status: number | null;
  body: string;
  truncated: boolean;
  error?: string;
  durationMs: number;
}

const fill = (template: string, values: Record<string, string>, encode: (v: string) => string) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => encode(values[k] ?? ""));

/** A value as the inside of a JSON string: quotes, backslashes and control characters escaped. */
const jsonInner = (v: string) => JSON.stringify(v).slice(1, -1);

async function runHttpAction(
  decl: HttpDecl,
  values: Record<string, string>,
  opts: { timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<HttpOutcome> {
  const started = performance.now();
  const signal = opts.signal
    ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)])
    : AbortSignal.timeout(opts.timeoutMs);
  const done = (o: Omit<HttpOutcome, "durationMs">): HttpOutcome => ({
    ...o,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const res = await fetch(fill(decl.url, values, encodeURIComponent), {
      method: decl.method,
      headers: decl.headers,
      ...(decl.body !== undefined && decl.method !== "GET"
        ? { body: fill(decl.body, values, jsonInner) }
        : {}),
      redirect: "manual",
      signal,
    });
    const { text, truncated } = await readCapped(res, opts.maxBytes);
    return done({ status: res.status, body: text, truncated });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${opts.timeoutMs} ms`
        : (err.cause?.code ?? err.message);
    return done({ status: null, body: "", truncated: false, error: why });
  }
}

async function readCapped(res: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    const room = max - size;
    if (chunk.byteLength > room) {
      chunks.push(chunk.subarray(0, room));
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  if (truncated) await res.body.cancel().catch(() => undefined);
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

export default defineActionKind({
  type: "http",
  description:
    "One HTTP request; parameters fill {name} in the URL (percent-encoded) and the body (as JSON string content).",
  schema: ({ z }) =>
    z.strictObject({
      url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }),
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
      headers: z.record(z.string(), z.string()).default({}),
      body: z.string().optional(),
    }),
  example: { url: "http://127.0.0.1:1/scale", method: "POST" },
  dryRun: false,
  doctor: (cfg) => ({ reach: { url: cfg.url.replace(/\{\w+\}/g, "x"), field: "http.url" } }),
  async perform(cfg, ctx) {
    const h = await runHttpAction(cfg, ctx.params, {
      timeoutMs: ctx.decl.timeout,
      maxBytes: ctx.outputCap,
      signal: ctx.signal,
    });
    return {
      ok: h.status !== null && h.status >= 200 && h.status < 300,
      duration_ms: h.durationMs,
      http_status: h.status,
      body: h.body,
      truncated: h.truncated,
      ...(h.error ? { error: h.error } : {}),
    };
  },
});
