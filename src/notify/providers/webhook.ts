/**
 * `webhook`: the notification as a JSON body. `Idempotency-Key` is the notification's id (the same on
 * every retry); with a `secret`, `X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac } from "node:crypto";
import type { z } from "zod";
import type { Delivery, Provider } from "../provider.ts";
import { postJson } from "./http.ts";
import type { schema } from "./webhook.schema.ts";

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
