import { z } from "zod";

export const schema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Signs each body: X-Vigil-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
  secret: z.string().min(16, "at least 16 characters").optional(),
  headers: z.record(z.string(), z.string()).default({}),
});
