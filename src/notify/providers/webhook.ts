/**
 * `webhook`: the notification as a JSON body. `Idempotency-Key` is the notification's id (the same on
 * every retry); with a `secret`, `X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac } from "node:crypto";
import type { z } from "zod";
import type { Delivery, Provider } from "../provider.ts";
import { schema } from "./webhook.schema.ts";

type WebhookConfig = z.output<typeof schema>;

export function signature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`;
}

export const webhookProvider: Provider<WebhookConfig> = {
  type: "webhook",
  async deliver(cfg, n, opts): Promise<Delivery> {
    const body = JSON.stringify(n.message);
    const headers: Record<string, string> = {
      ...cfg.headers,
      "content-type": "application/json",
      "idempotency-key": n.id,
      "user-agent": "vigil",
    };
    if (cfg.secret) headers["x-vigil-signature"] = signature(cfg.secret, Math.floor(opts.now / 1000), body);
    return postJson(cfg.url, headers, body, opts.timeoutMs);
  },
};

/** One POST; the outcome classified the way the outbox retries. */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<Delivery> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return { ok: true };
    const retryAfter = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      error: `HTTP ${res.status}`,
      // 4xx other than 408 and 429 will not get better by retrying.
      permanent: res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { ok: false, error: why, permanent: false };
  }
}
