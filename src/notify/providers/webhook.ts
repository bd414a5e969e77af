/**
 * `webhook`: the notification as a JSON body. `Idempotency-Key` is the notification's id (the same on
 * every retry); with a `secret`, `X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac } from "node:crypto";
import { postJson } from "../post.ts";
import { defineProvider } from "../provider.ts";

export function signature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`;
}

export default defineProvider({
  type: "webhook",
  description:
    'JSON with `Idempotency-Key` and `X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.',
  schema: ({ z }) =>
    z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      /** Signs each body: X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
      secret: z.string().min(16, "at least 16 characters").optional(),
      headers: z.record(z.string(), z.string()).default({}),
    }),
  example: { url: "https://hooks.example.com/vigil", secret: "a-long-shared-secret-value" },
  secrets: ["secret", "headers"],
  doctor: (cfg) => ({ reach: { url: cfg.url, field: "url" } }),
  async deliver(cfg, n, opts) {
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
});
