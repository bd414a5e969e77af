/**
 * `webhook`: the notification as a JSON body, an incident's context in `context` (its last results
 * also as `context.results_line`). `Idempotency-Key` is the notification's id (the same on
 * every retry); with a `secret`, `X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac } from "node:crypto";
import { postJson } from "../post.ts";
import { resultsLine } from "../context.ts";
import { defineProvider, type Outgoing } from "../provider.ts";

/** The message as it is, with the last results also as the line people read (`✗✗✓✗✗`). */
export function webhookBody(m: Outgoing["message"]): Outgoing["message"] {
  return m.context ? { ...m, context: { ...m.context, results_line: resultsLine(m.context.results) } } : m;
}

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
    const body = JSON.stringify(webhookBody(n.message));
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
