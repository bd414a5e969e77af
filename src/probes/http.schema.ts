import { z } from "zod";
import { duration } from "../config/primitives.ts";

export const schema = z.strictObject({
  url: z.url({
    protocol: /^https?$/,
    error: "an http:// or https:// URL, e.g. http://127.0.0.1:8001/health",
  }),
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  follow_redirects: z.boolean().default(true),
  insecure: z
    .boolean()
    .default(false)
    .describe("Accept a certificate that does not verify (self-signed, internal CA)."),
  timeout: duration.optional(),
});
